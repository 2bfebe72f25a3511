import t from 'tap';
import { compileSchema, validateStructuralSchema, type JSONSchemaProps } from '../../src/registry/crd-schema/index.js';

const base = 'spec.versions[0].schema.openAPIV3Schema';
const specWith = (props: Record<string, JSONSchemaProps>, rules: JSONSchemaProps[] = []): JSONSchemaProps => ({
  type: 'object',
  properties: { spec: { type: 'object', properties: props, ...(rules.length ? { 'x-kubernetes-validations': rules } : {}) } },
});

t.test('optionalOldSelf: evaluated on create with oldSelf = optional.none', async (t) => {
  const c = compileSchema(specWith({ n: { type: 'integer' } }, [
    { rule: '!oldSelf.hasValue() || self.n >= oldSelf.value().n', message: 'n may only grow', optionalOldSelf: true },
    { rule: 'oldSelf.hasValue() || self.n < 10', message: 'n starts below 10', optionalOldSelf: true },
    { rule: 'self.n == oldSelf.n', message: 'plain transition rule' },
  ]));
  t.same(c.warnings, []);
  t.same(c.validate({ spec: { n: 12 } }).map(String), ['spec: Invalid value: "object": n starts below 10'], 'create: optional rules run, plain transition rule does not');
  t.same(c.validate({ spec: { n: 3 } }).map(String), []);
  t.same(c.validate({ spec: { n: 2 } }, { spec: { n: 3 } }).map(String), ['spec: Invalid value: "object": n may only grow', 'spec: Invalid value: "object": plain transition rule']);
  t.same(c.validate({ spec: { n: 30 } }, { spec: { n: 30 } }).map(String), [], 'update: oldSelf has a value');
});

t.test('CRD-time checks of x-kubernetes-validations', async (t) => {
  const rule = (r: Record<string, unknown>): string => {
    const s = (k: string): string => JSON.stringify(typeof r[k] === 'string' ? r[k] : '');
    return `apiextensions.ValidationRule{Rule:${s('rule')}, Message:${s('message')}, MessageExpression:${s('messageExpression')}, Reason:(*apiextensions.FieldValueErrorReason)(nil), FieldPath:${s('fieldPath')}, OptionalOldSelf:${r.optionalOldSelf === undefined ? '(*bool)(nil)' : '(*bool)(0xc000000000)'}}`;
  };
  const at = `${base}.properties[spec].x-kubernetes-validations[0]`;
  const cases: [string, JSONSchemaProps, string[]][] = [
    ['syntax error', specWith({ a: { type: 'string' } }, [{ rule: 'self.a ==' }]), [`${at}.rule: Invalid value: ${rule({ rule: 'self.a ==' })}: compilation failed: ERROR: <input>:1:10: Unexpected token: EOF`]],
    ['undeclared reference', specWith({ a: { type: 'string' } }, [{ rule: 'foo == self.a' }]), [`${at}.rule: Invalid value: ${rule({ rule: 'foo == self.a' })}: compilation failed: ERROR: <input>:1:1: undeclared reference to 'foo' (in container '')`]],
    ['not a bool', specWith({ a: { type: 'string' } }, [{ rule: '1 + 2' }]), [`${at}.rule: Invalid value: ${rule({ rule: '1 + 2' })}: cel expression must evaluate to a bool`]],
    ['messageExpression not a string', specWith({ a: { type: 'string' } }, [{ rule: 'true', messageExpression: '1' }]), [`${at}.messageExpression: Invalid value: ${rule({ rule: 'true', messageExpression: '1' })}: messageExpression must evaluate to a string`]],
    ['library rule compiles', specWith({ a: { type: 'string' } }, [{ rule: 'isURL(self.a) && quantity("1").isInteger()' }]), []],
    ['missing library stays a warning, not an error', specWith({ a: { type: 'string' } }, [{ rule: 'isSemver(self.a)' }]), []],
    ['oldSelf in a list item', {
      type: 'object',
      properties: { spec: { type: 'object', properties: { l: { type: 'array', items: { type: 'string', 'x-kubernetes-validations': [{ rule: 'self == oldSelf' }] } } } } },
    }, [`${base}.properties[spec].properties[l].items.x-kubernetes-validations[0].rule: Invalid value: "self == oldSelf": oldSelf cannot be used on the uncorrelatable portion of the schema within ${base}.properties[spec].properties[l]`]],
    ['oldSelf under an atomic map', {
      type: 'object',
      properties: { spec: { type: 'object', 'x-kubernetes-map-type': 'atomic', properties: { a: { type: 'object', properties: { b: { type: 'string', 'x-kubernetes-validations': [{ rule: 'self == oldSelf' }] } } } } } },
    }, [`${base}.properties[spec].properties[a].properties[b].x-kubernetes-validations[0].rule: Invalid value: "self == oldSelf": oldSelf cannot be used on the uncorrelatable portion of the schema within ${base}.properties[spec]`]],
    ['oldSelf in list-type=map items is fine', {
      type: 'object',
      properties: { spec: { type: 'object', properties: { l: { type: 'array', 'x-kubernetes-list-type': 'map', 'x-kubernetes-list-map-keys': ['k'], items: { type: 'object', required: ['k'], properties: { k: { type: 'string' } }, 'x-kubernetes-validations': [{ rule: 'self == oldSelf' }] } } } } },
    }, []],
    ['optionalOldSelf without oldSelf', specWith({ a: { type: 'string' } }, [{ rule: 'self.a != ""', optionalOldSelf: true }]), [`${at}.optionalOldSelf: Invalid value: true: may not be set if oldSelf is not used in rule`]],
    ['fieldPath valid', specWith({ a: { type: 'object', properties: { b: { type: 'string' } } }, m: { type: 'object', additionalProperties: { type: 'string' } } }, [{ rule: 'true', fieldPath: ".a.b" }, { rule: 'true', fieldPath: ".m['x.y']" }]), []],
    ['fieldPath unknown field', specWith({ a: { type: 'string' } }, [{ rule: 'true', fieldPath: '.b' }]), [`${at}.fieldPath: Invalid value: ".b": must be a valid path`]],
    ['fieldPath syntax', specWith({ a: { type: 'string' } }, [{ rule: 'true', fieldPath: 'a' }]), [`${at}.fieldPath: Invalid value: "a": must be a valid path`]],
    ['fieldPath blank', specWith({ a: { type: 'string' } }, [{ rule: 'true', fieldPath: '  ' }]), [`${at}.fieldPath: Invalid value: "  ": must be non-empty if specified`, `${at}.fieldPath: Invalid value: "  ": must be a valid path`]],
  ];
  for (const [name, schema, want] of cases) t.same(validateStructuralSchema(schema, base).map(String), want, name);
});

t.test('fieldPath with a map key normalizes as field.Path', async (t) => {
  const c = compileSchema(specWith({ m: { type: 'object', additionalProperties: { type: 'string' } } }, [{ rule: '!("x.y" in self.m)', fieldPath: ".m['x.y']", message: 'no x.y' }]));
  t.same(c.validate({ spec: { m: { 'x.y': 'v' } } }).map(String), ['spec.m[x.y]: Invalid value: "object": no x.y']);
});

t.test('schema validation ratcheting on update', async (t) => {
  const schema = specWith({
    a: { type: 'string', maxLength: 3 },
    b: { type: 'integer', minimum: 5 },
    l: { type: 'array', items: { type: 'string', pattern: '^x' } },
    ml: { type: 'array', 'x-kubernetes-list-type': 'map', 'x-kubernetes-list-map-keys': ['k'], items: { type: 'object', required: ['k'], properties: { k: { type: 'string' }, v: { type: 'integer', maximum: 1 } } } },
  });
  const c = compileSchema(schema);
  const old = { spec: { a: 'toolong', b: 1, l: ['bad'], ml: [{ k: 'p', v: 9 }, { k: 'q', v: 9 }] } };
  t.same(c.validate(old).map(String).length, 5, 'the old object is invalid on create');
  t.same(c.validate(structuredClone(old), old).map(String), [], 'unchanged invalid fields are ratcheted');
  t.same(c.validate({ spec: { ...old.spec, b: 2 } }, old).map(String), ['spec.b: Invalid value: 2: spec.b in body should be greater than or equal to 5'], 'a changed field is validated');
  t.same(c.validate({ spec: { ...old.spec, l: ['bad', 'alsobad'] } }, old).map(String), [
    "spec.l[0]: Invalid value: \"bad\": spec.l[0] in body should match '^x'",
    "spec.l[1]: Invalid value: \"alsobad\": spec.l[1] in body should match '^x'",
  ], 'items of an atomic list do not correlate: a changed list is validated whole');
  t.same(c.validate({ spec: { ...old.spec, ml: [{ k: 'q', v: 9 }, { k: 'p', v: 9 }, { k: 'r', v: 7 }] } }, old).map(String), [
    'spec.ml[2].v: Invalid value: 7: spec.ml[2].v in body should be less than or equal to 1',
  ], 'list-type=map items correlate by key');
  t.same(c.validate({ spec: { ...old.spec, a: 'toolong' } }, old, { ratcheting: false }).map(String).length, 5, 'ratcheting can be turned off');
});

t.test('CEL ratcheting: rules without oldSelf on unchanged nodes warn', async (t) => {
  const c = compileSchema(specWith({
    a: { type: 'string', 'x-kubernetes-validations': [{ rule: 'self.startsWith("ok")' }] },
    b: { type: 'string', 'x-kubernetes-validations': [{ rule: 'self.startsWith("ok")' }, { rule: 'self == oldSelf || self.startsWith("ok")', message: 'transition' }] },
  }));
  const old = { spec: { a: 'bad', b: 'bad' } };
  const warnings: string[] = [];
  t.same(c.validate({ spec: { a: 'bad', b: 'bad' } }, old, { warnings }).map(String), []);
  t.same(warnings, ['spec.a: Invalid value: "string": failed rule: self.startsWith("ok")', 'spec.b: Invalid value: "string": failed rule: self.startsWith("ok")']);
  const w2: string[] = [];
  t.same(c.validate({ spec: { a: 'bad', b: 'worse' } }, old, { warnings: w2 }).map(String), [
    'spec.b: Invalid value: "string": failed rule: self.startsWith("ok")',
    'spec.b: Invalid value: "string": transition',
  ], 'a changed field fails its rules');
  t.same(w2, ['spec.a: Invalid value: "string": failed rule: self.startsWith("ok")']);
});

t.test('structural completeness, pruned defaults, defaults in metadata', async (t) => {
  const cases: [string, JSONSchemaProps, string[]][] = [
    ['anyOf names a property the structure lacks', {
      type: 'object', properties: { a: { type: 'string' } }, anyOf: [{ required: ['a'] }, { properties: { b: { minLength: 1 } } }],
    }, [`${base}.properties[b]: Required value: because it is defined in ${base}.anyOf[1].properties[b]`]],
    ['allOf items without structural items', {
      type: 'object', properties: { l: { type: 'array', items: { type: 'object', properties: { x: { type: 'string' } } } } }, allOf: [{ properties: { l: { items: { properties: { y: { maxLength: 3 } } } } } }],
    }, [`${base}.properties[l].items.properties[y]: Required value: because it is defined in ${base}.allOf[0].properties[l].items.properties[y]`]],
    ['complete value validation', {
      type: 'object', properties: { a: { type: 'string' } }, oneOf: [{ required: ['a'] }, { properties: { a: { minLength: 2 } } }],
    }, []],
    ['default with unknown fields', {
      type: 'object', properties: { spec: { type: 'object', default: { a: 'x', zz: 1 }, properties: { a: { type: 'string' } } } },
    }, [`${base}.properties[spec].default: Invalid value: map[string]interface {}{"a":"x", "zz":1}: must not have unknown fields`]],
    ['default kept by preserve-unknown-fields', {
      type: 'object', properties: { spec: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true, default: { zz: 1 } } },
    }, []],
    ['default in top-level metadata subtree', {
      type: 'object', properties: { metadata: { type: 'object', properties: { name: { type: 'string', default: 'x' } } } },
    }, [
      `${base}.properties[metadata]: Forbidden: must not specify anything other than name and generateName, but metadata is implicitly specified`,
      `${base}.properties[metadata].properties[name].default: Forbidden: must not be set in top-level metadata`,
    ]],
    ['default on top-level metadata', { type: 'object', properties: { metadata: { type: 'object', default: {} } } }, [`${base}.properties[metadata].default: Forbidden: must not be set in top-level metadata`]],
    ['default in top-level kind', { type: 'object', properties: { kind: { type: 'string', default: 'X' } } }, [`${base}.properties[kind].default: Forbidden: must not be set in top-level kind`]],
    ['default under additionalProperties of embedded metadata', {
      type: 'object', properties: { tmpl: { type: 'object', 'x-kubernetes-embedded-resource': true, 'x-kubernetes-preserve-unknown-fields': true, properties: { metadata: { type: 'object', additionalProperties: { type: 'string', default: 'v' } } } } },
    }, [`${base}.properties[tmpl].properties[metadata].additionalProperties.default: Forbidden: must not be set inside additionalProperties applying to object metadata`]],
  ];
  for (const [name, schema, want] of cases) t.same(validateStructuralSchema(schema, base).map(String), want, name);
});
