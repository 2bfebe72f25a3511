/**
 * The names a CRD may use and its NamesAccepted / Established conditions, as apiextensions'
 * naming controller computes them: each requested name (plural, singular, short names, kind,
 * list kind) is accepted when it is already this CRD's accepted name or no other CRD of the same
 * group has accepted it; otherwise the condition is False with `PluralConflict`,
 * `SingularConflict`, `ShortNamesConflict`, `KindConflict` or `ListKindConflict` and the message
 * `"<name>" is already in use` (the last conflict wins). Categories are always accepted.
 * Owns: that computation. Must not: do I/O.
 */
import { conditionOf, type Crd, type CrdCondition, type CrdNames } from './types.js';

/** The outcome for one CRD. */
export interface Naming {
  acceptedNames: CrdNames;
  namesAccepted: CrdCondition;
  established: CrdCondition;
}

function inUse(requested: string | undefined, accepted: string | undefined, used: ReadonlySet<string>): string | undefined {
  if (requested === accepted || requested === undefined || !used.has(requested)) return undefined;
  return `${JSON.stringify(requested)} is already in use`;
}

/** Names and conditions of `crd` given the other CRDs of its group. */
export function computeNaming(crd: Crd, others: readonly Crd[]): Naming {
  const resources = new Set<string>();
  const kinds = new Set<string>();
  for (const other of others) {
    const names = other.status?.acceptedNames ?? {};
    for (const n of [names.plural, names.singular, ...(names.shortNames ?? [])]) if (n) resources.add(n);
    for (const n of [names.kind, names.listKind]) if (n) kinds.add(n);
  }
  const requested = crd.spec?.names ?? {};
  const accepted = crd.status?.acceptedNames ?? {};
  const next: CrdNames = { ...accepted };
  let conflict: { reason: string; message: string } | undefined;
  const check = (key: 'plural' | 'singular' | 'kind' | 'listKind', used: ReadonlySet<string>, reason: string) => {
    const problem = inUse(requested[key], accepted[key], used);
    if (problem) conflict = { reason, message: problem };
    else if (requested[key] !== undefined) next[key] = requested[key];
  };
  check('plural', resources, 'PluralConflict');
  check('singular', resources, 'SingularConflict');
  const wantShort = requested.shortNames ?? [];
  if (JSON.stringify(wantShort) !== JSON.stringify(accepted.shortNames ?? [])) {
    const mine = new Set(accepted.shortNames ?? []);
    const problems = wantShort.filter((s) => !mine.has(s)).map((s) => inUse(s, '', resources)).filter((p): p is string => !!p);
    if (problems.length) conflict = { reason: 'ShortNamesConflict', message: problems.length === 1 ? problems[0]! : `[${problems.join(', ')}]` };
    else if (wantShort.length) next.shortNames = [...wantShort];
    else delete next.shortNames;
  }
  check('kind', kinds, 'KindConflict');
  check('listKind', kinds, 'ListKindConflict');
  if (requested.categories?.length) next.categories = [...requested.categories];
  else delete next.categories;

  const namesAccepted: CrdCondition = conflict
    ? { type: 'NamesAccepted', status: 'False', ...conflict }
    : { type: 'NamesAccepted', status: 'True', reason: 'NoConflicts', message: 'no conflicts found' };
  let established: CrdCondition = conditionOf(crd, 'Established') ?? {
    type: 'Established',
    status: 'False',
    reason: 'NotAccepted',
    message: 'not all names are accepted',
  };
  if (established.status !== 'True' && namesAccepted.status === 'True')
    established = { type: 'Established', status: 'False', reason: 'Installing', message: 'the initial names have been accepted' };
  return { acceptedNames: next, namesAccepted, established };
}
