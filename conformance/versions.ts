/**
 * Conformance: kubectl minor versions ("1.31") and the small range language scenarios use to
 * say which versions they skip: comma-separated terms, each `1.28`, `<1.29`, `<=1.28`, `>1.31`
 * or `>=1.32`; a version matches when any term matches.
 * Owns: version parsing and matching. Must not: know binaries or scenarios.
 */

/** The kubectl versions the suite runs by default. */
export const DEFAULT_VERSIONS = ['1.27', '1.28', '1.29', '1.30', '1.31', '1.32', '1.33'];

function minor(version: string): [number, number] {
  const match = /^v?(\d+)\.(\d+)(?:\.\d+)?$/.exec(version.trim());
  if (!match) throw new TypeError(`not a kubectl version: "${version}" (expected e.g. 1.31)`);
  return [Number(match[1]), Number(match[2])];
}

/** Compares two versions by major then minor: negative, zero or positive. */
export function compareVersions(a: string, b: string): number {
  const [am, an] = minor(a);
  const [bm, bn] = minor(b);
  return am !== bm ? am - bm : an - bn;
}

/** True when `version` falls in `range` (see the module comment for the syntax). */
export function versionMatches(version: string, range: string): boolean {
  return range.split(',').some((raw) => {
    const term = raw.trim();
    const match = /^(<=|>=|<|>|=)?\s*(.+)$/.exec(term);
    if (!match) throw new TypeError(`bad version range term "${term}"`);
    const cmp = compareVersions(version, match[2]!);
    switch (match[1]) {
      case '<':
        return cmp < 0;
      case '<=':
        return cmp <= 0;
      case '>':
        return cmp > 0;
      case '>=':
        return cmp >= 0;
      default:
        return cmp === 0;
    }
  });
}

/** Parses a `--kubectl 1.29,1.31` list, validating each entry. */
export function parseVersionList(list: string): string[] {
  return list
    .split(',')
    .map((v) => v.trim())
    .filter((v) => v !== '')
    .map((v) => {
      const [major, min] = minor(v);
      return `${major}.${min}`;
    });
}
