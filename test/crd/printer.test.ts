/**
 * customResourcePrinter and its JSONPath subset: cells per column type as apiextensions'
 * tableconvertor makes them (strings via fmt, maps as JSON, integer/number/boolean typed, date
 * as an age, missing or mistyped values null), filters, indexes, escaped dots, the default Age
 * column, and the column definitions.
 */
import t from 'tap';
import { customResourcePrinter } from '../../src/codec/table/index.js';
import { parseJsonPath } from '../../src/codec/table/jsonpath.js';

const now = Date.parse('2026-01-01T00:10:00Z');
const obj = {
  metadata: { name: 'x', creationTimestamp: '2026-01-01T00:00:00Z', labels: { 'app.kubernetes.io/name': 'web' } },
  spec: { replicas: 3.7, ratio: 2, on: true, map: { b: 1 }, list: ['a', 'b'] },
  status: { conditions: [{ type: 'Synced', status: 'False' }, { type: 'Ready', status: 'True' }] },
};

t.test('JSONPath subset', async (t) => {
  t.same(parseJsonPath('.status.conditions[?(@.type=="Ready")].status').find(obj), ['True']);
  t.same(parseJsonPath('.spec.list[-1]').find(obj), ['b']);
  t.same(parseJsonPath('.spec.list[*]').find(obj), ['a', 'b']);
  t.same(parseJsonPath(".metadata.labels.app\\.kubernetes\\.io/name").find(obj), ['web']);
  t.same(parseJsonPath("{.metadata['name']}").find(obj), ['x']);
  t.same(parseJsonPath('.spec.missing.deeper').find(obj), []);
  t.throws(() => parseJsonPath('..spec'));
});

t.test('cells follow the column types', async (t) => {
  const printer = customResourcePrinter([
    { name: 'Ready', type: 'string', jsonPath: '.status.conditions[?(@.type=="Ready")].status' },
    { name: 'Replicas', type: 'integer', jsonPath: '.spec.replicas' },
    { name: 'Ratio', type: 'number', jsonPath: '.spec.ratio' },
    { name: 'On', type: 'boolean', jsonPath: '.spec.on' },
    { name: 'Map', type: 'string', jsonPath: '.spec.map' },
    { name: 'Wrong', type: 'integer', jsonPath: '.metadata.name' },
    { name: 'Missing', type: 'string', jsonPath: '.spec.nothing', priority: 1 },
    { name: 'Age', type: 'date', jsonPath: '.metadata.creationTimestamp' },
  ]);
  t.same(printer.cells(obj, { now }), ['x', 'True', 3, 2, true, '{"b":1}', null, null, '10m']);
  t.same(printer.columns.map((c) => [c.name, c.type, c.priority]).slice(0, 2), [['Name', 'string', 0], ['Ready', 'string', 0]]);
  t.equal(printer.columns[7]!.priority, 1);
  t.equal(printer.columns[1]!.description, 'Custom resource definition column (in JSONPath format): .status.conditions[?(@.type=="Ready")].status');
});

t.test('no printer columns: Name and Age', async (t) => {
  const printer = customResourcePrinter([]);
  t.same(printer.columns.map((c) => [c.name, c.type]), [['Name', 'string'], ['Age', 'date']]);
  t.same(printer.cells(obj, { now }), ['x', '10m']);
});
