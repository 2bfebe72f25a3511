/**
 * The admission chain: plugins run in order on every write the generic store makes; the first
 * to throw refuses the write. Mutating plugins (later issues) run before validating ones.
 * Owns: composition. Must not: hold plugin rules.
 */
import type { Admit } from '../registry/generic-store.js';

/** Runs `plugins` in order. */
export function admissionChain(...plugins: Admit[]): Admit {
  return async (request) => {
    for (const plugin of plugins) await plugin(request);
  };
}
