/**
 * computeNaming: accepted names and the NamesAccepted / Established conditions as the upstream
 * naming controller computes them, over the other CRDs of the group.
 */
import t from 'tap';
import { computeNaming } from '../../src/registry/crd/naming.js';
import type { Crd } from '../../src/registry/crd/types.js';

const crd = (names: Record<string, unknown>, accepted?: Record<string, unknown>, established?: boolean): Crd => ({
  spec: { group: 'g.example.com', names },
  status: {
    ...(accepted ? { acceptedNames: accepted } : {}),
    ...(established ? { conditions: [{ type: 'Established', status: 'True' as const, reason: 'InitialNamesAccepted', message: 'the initial names have been accepted' }] } : {}),
  },
});
const other = crd({}, { plural: 'foos', singular: 'foo', shortNames: ['f', 'fo'], kind: 'Foo', listKind: 'FooList' });

t.test('no conflicts: every requested name accepted', async (t) => {
  const n = computeNaming(crd({ plural: 'bars', singular: 'bar', kind: 'Bar', listKind: 'BarList', shortNames: ['b'], categories: ['all'] }), [other]);
  t.same(n.acceptedNames, { plural: 'bars', singular: 'bar', shortNames: ['b'], kind: 'Bar', listKind: 'BarList', categories: ['all'] });
  t.same(n.namesAccepted, { type: 'NamesAccepted', status: 'True', reason: 'NoConflicts', message: 'no conflicts found' });
  t.same(n.established, { type: 'Established', status: 'False', reason: 'Installing', message: 'the initial names have been accepted' });
});

t.test('conflicts keep the previously accepted names', async (t) => {
  const plural = computeNaming(crd({ plural: 'foos', singular: 'bar', kind: 'Bar', listKind: 'BarList' }), [other]);
  t.same(plural.namesAccepted, { type: 'NamesAccepted', status: 'False', reason: 'PluralConflict', message: '"foos" is already in use' });
  t.notOk(plural.acceptedNames.plural);
  t.same(plural.established, { type: 'Established', status: 'False', reason: 'NotAccepted', message: 'not all names are accepted' });
  const short = computeNaming(crd({ plural: 'bars', singular: 'bar', kind: 'Bar', listKind: 'BarList', shortNames: ['f', 'fo', 'b'] }), [other]);
  t.same(short.namesAccepted, { type: 'NamesAccepted', status: 'False', reason: 'ShortNamesConflict', message: '["f" is already in use, "fo" is already in use]' });
  const kind = computeNaming(crd({ plural: 'bars', singular: 'bar', kind: 'FooList', listKind: 'BarList' }), [other]);
  t.match(kind.namesAccepted, { reason: 'KindConflict', message: '"FooList" is already in use' });
});

t.test('an Established CRD whose new short name conflicts stays Established with its old names', async (t) => {
  const mine = crd({ plural: 'bars', singular: 'bar', kind: 'Bar', listKind: 'BarList', shortNames: ['f'] }, { plural: 'bars', singular: 'bar', kind: 'Bar', listKind: 'BarList' }, true);
  const n = computeNaming(mine, [other]);
  t.equal(n.namesAccepted.status, 'False');
  t.notOk(n.acceptedNames.shortNames);
  t.equal(n.established.status, 'True');
});
