/**
 * Resource quantities as the scheduler compares them: `cpu` in millicores, everything else in
 * base units (bytes, counts). `500m` → 500 (cpu) · `2` → 2000 (cpu) · `256Gi` → 274877906944 ·
 * `1e3` → 1000. Unparseable strings count as 0 (validation rejects them before they get here).
 * Owns: parsing quantities for fit checks. Must not: format quantities.
 */

const SUFFIXES: Record<string, number> = {
  n: 1e-9, u: 1e-6, m: 1e-3, '': 1, k: 1e3, M: 1e6, G: 1e9, T: 1e12, P: 1e15, E: 1e18,
  Ki: 2 ** 10, Mi: 2 ** 20, Gi: 2 ** 30, Ti: 2 ** 40, Pi: 2 ** 50, Ei: 2 ** 60,
};

/** The value of `quantity` in base units (cpu: millicores when `resource` is `cpu`). */
export function quantityValue(resource: string, quantity: unknown): number {
  const scale = resource === 'cpu' ? 1000 : 1;
  if (typeof quantity === 'number') return quantity * scale;
  if (typeof quantity !== 'string') return 0;
  const match = /^([+-]?[0-9.]+(?:[eE][+-]?[0-9]+)?)([a-zA-Z]*)$/.exec(quantity.trim());
  if (!match) return 0;
  const factor = SUFFIXES[match[2]!];
  if (factor === undefined) return 0;
  return Math.ceil(Number(match[1]) * factor * scale);
}
