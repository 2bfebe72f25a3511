/**
 * kubemu's own version, read once from package.json.
 * Owns: KUBEMU_VERSION. Must not: know anything else.
 */
import { readFileSync } from 'node:fs';

const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string };

/** The version of this kubemu build. */
export const KUBEMU_VERSION: string = pkg.version;
