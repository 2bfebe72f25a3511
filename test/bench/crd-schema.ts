/**
 * Micro-benchmark of CRD schema semantics: compile, prune+default+validate of a large custom
 * resource (width 12, depth 5: ~200 schema nodes per level), with a JSON.parse/stringify floor
 * of the same object measured in the same run. Prints JSON; asserts nothing.
 * Run: node --import tsx test/bench/crd-schema.ts
 */
import { compileSchema } from '../../src/registry/crd-schema/index.js';
import { largeObject, largeSchema } from '../crd-schema/fixtures.js';

function time(n: number, fn: () => void): number {
  const start = process.hrtime.bigint();
  for (let i = 0; i < n; i++) fn();
  return Number(process.hrtime.bigint() - start) / 1e6 / n;
}

const schema = largeSchema();
const obj = largeObject();
const text = JSON.stringify(obj);
const compileMs = time(50, () => {
  const c = compileSchema(schema);
  c.validate({});
});
const c = compileSchema(schema);
const cel = compileSchema({
  ...schema,
  'x-kubernetes-validations': [{ rule: 'self.spec.num0 <= self.spec.num1' }, { rule: 'self.spec.items.all(i, i.name.size() < 10)' }],
});
const n = 2000;
const validateMs = time(n, () => void c.validate(obj));
const pipelineMs = time(n, () => {
  const o = JSON.parse(text) as Record<string, unknown>;
  c.prune(o);
  c.applyDefaults(o);
  c.validate(o);
});
const celMs = time(n, () => void cel.validate(obj));
const floorMs = time(n, () => void JSON.stringify(JSON.parse(text)));
console.log(JSON.stringify({
  bench: 'crd-schema',
  objectBytes: text.length,
  compileAndFirstValidateMs: +compileMs.toFixed(3),
  validateMs: +validateMs.toFixed(4),
  parsePruneDefaultValidateMs: +pipelineMs.toFixed(4),
  validateWithTwoCelRulesMs: +celMs.toFixed(4),
  floorJsonRoundTripMs: +floorMs.toFixed(4),
}));
