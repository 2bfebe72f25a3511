import t from 'tap';
import { compileSchema, validateStructuralSchema, type JSONSchemaProps } from '../../src/registry/crd-schema/index.js';
import { cronTabSchema, largeObject, largeSchema } from './fixtures.js';

const msgs = (schema: JSONSchemaProps, obj: unknown, old?: unknown): string[] => compileSchema(schema).validate(obj, old).map(String);
const spec = (properties: Record<string, JSONSchemaProps>, extra: JSONSchemaProps = {}): JSONSchemaProps => ({
  type: 'object',
  properties: { spec: { type: 'object', properties, ...extra } },
});

t.test('validation messages as kube-apiserver 1.31', async (t) => {
  const cases: [string, JSONSchemaProps, unknown, string[]][] = [
    ['type', cronTabSchema, { spec: { replicas: 'string' } }, ['spec.replicas: Invalid value: "string": spec.replicas in body must be of type integer: "string"']],
    ['pattern', cronTabSchema, { spec: { cronSpec: 'x' } }, [`spec.cronSpec: Invalid value: "x": spec.cronSpec in body should match '^(\\d+|\\*)(/\\d+)?(\\s+(\\d+|\\*)(/\\d+)?){4}$'`]],
    ['maximum', cronTabSchema, { spec: { replicas: 11 } }, ['spec.replicas: Invalid value: 11: spec.replicas in body should be less than or equal to 10']],
    ['minimum', cronTabSchema, { spec: { replicas: 0 } }, ['spec.replicas: Invalid value: 0: spec.replicas in body should be greater than or equal to 1']],
    ['required', spec({ a: { type: 'string' } }, { required: ['a'] }), { spec: {} }, ['spec.a: Required value']],
    ['enum', spec({ m: { type: 'string', enum: ['a', 'b'] } }), { spec: { m: 'x' } }, ['spec.m: Unsupported value: "x": supported values: "a", "b"']],
    ['maxLength', spec({ s: { type: 'string', maxLength: 10 } }), { spec: { s: 'abcdefghijk' } }, ['spec.s: Too long: may not be longer than 10']],
    ['minLength', spec({ s: { type: 'string', minLength: 3 } }), { spec: { s: 'ab' } }, ['spec.s: Invalid value: "ab": spec.s in body should be at least 3 chars long']],
    ['maxItems', spec({ l: { type: 'array', maxItems: 1, items: { type: 'string' } } }), { spec: { l: ['a', 'b'] } }, ['spec.l: Too many: 2: must have at most 1 items']],
    ['minItems', spec({ l: { type: 'array', minItems: 1, items: { type: 'string' } } }), { spec: { l: [] } }, ['spec.l: Invalid value: 0: spec.l in body should have at least 1 items']],
    ['item type', spec({ l: { type: 'array', items: { type: 'integer' } } }), { spec: { l: [1, 'x'] } }, ['spec.l[1]: Invalid value: "string": spec.l[1] in body must be of type integer: "string"']],
    ['int-or-string', spec({ p: { 'x-kubernetes-int-or-string': true } }), { spec: { p: true } }, ['spec.p: Invalid value: "boolean": spec.p in body must be of type integer,string: "boolean"']],
    ['int-or-string ok', spec({ p: { 'x-kubernetes-int-or-string': true } }), { spec: { p: 80 } }, []],
    ['null not nullable', spec({ s: { type: 'string' } }), { spec: { s: null } }, ['spec.s: Invalid value: "null": spec.s in body must be of type string: "null"']],
    ['nullable', spec({ s: { type: 'string', nullable: true } }), { spec: { s: null } }, []],
    ['number accepts integer', spec({ n: { type: 'number' } }), { spec: { n: 3 } }, []],
    ['integer rejects float', spec({ n: { type: 'integer' } }), { spec: { n: 1.5 } }, ['spec.n: Invalid value: "number": spec.n in body must be of type integer: "number"']],
    ['format date-time', spec({ d: { type: 'string', format: 'date-time' } }), { spec: { d: 'yesterday' } }, ['spec.d: Invalid value: "yesterday": spec.d in body must be of type date-time: "yesterday"']],
    ['format int32 not checked', spec({ n: { type: 'integer', format: 'int32' } }), { spec: { n: 2 ** 40 } }, []],
    ['additionalProperties', spec({ m: { type: 'object', additionalProperties: { type: 'integer' } } }), { spec: { m: { a: 'x' } } }, ['spec.m.a: Invalid value: "string": spec.m.a in body must be of type integer: "string"']],
    ['maxProperties', spec({ m: { type: 'object', maxProperties: 1, additionalProperties: { type: 'string' } } }), { spec: { m: { a: 'x', b: 'y' } } }, ['spec.m: Too many: 2: must have at most 1 items']],
    ['root type', { type: 'object' }, 'x', ['<nil>: Invalid value: "string": <nil> in body must be of type object: "string"'.replace('<nil> in body', ' in body')]],
    ['list-type set', spec({ l: { type: 'array', 'x-kubernetes-list-type': 'set', items: { type: 'string' } } }), { spec: { l: ['a', 'b', 'a', 'a'] } }, ['spec.l[2]: Duplicate value: "a"']],
    ['list-type map', spec({ l: { type: 'array', 'x-kubernetes-list-type': 'map', 'x-kubernetes-list-map-keys': ['name'], items: { type: 'object', properties: { name: { type: 'string' } } } } }), { spec: { l: [{ name: 'a' }, { name: 'a' }] } }, ['spec.l[1]: Duplicate value: map[string]interface {}{"name":"a"}']],
    ['embedded resource', spec({ e: { type: 'object', 'x-kubernetes-embedded-resource': true, 'x-kubernetes-preserve-unknown-fields': true } }), { spec: { e: { kind: 'Pod' } } }, ['spec.e.apiVersion: Required value: must not be empty']],
    ['anyOf', spec({ v: { type: 'string', anyOf: [{ pattern: '^a' }, { pattern: '^b' }] } }), { spec: { v: 'c' } }, ['<nil>: Invalid value: "": "spec.v" must validate at least one schema (anyOf)', `spec.v: Invalid value: "c": spec.v in body should match '^a'`]],
  ];
  for (const [name, schema, obj, want] of cases) t.same(msgs(schema, obj), want, name);
});

t.test('CEL rules', async (t) => {
  const schema: JSONSchemaProps = {
    type: 'object',
    properties: {
      spec: {
        type: 'object',
        'x-kubernetes-validations': [
          { rule: 'self.minReplicas <= self.replicas', message: 'replicas should be greater than or equal to minReplicas.' },
          { rule: 'self.replicas <= self.maxReplicas' },
          { rule: 'self.replicas < 100', messageExpression: '"replicas is " + string(self.replicas)', fieldPath: '.replicas' },
          { rule: 'self.name == oldSelf.name', message: 'name is immutable', reason: 'FieldValueForbidden' },
        ],
        properties: {
          name: { type: 'string' },
          replicas: { type: 'integer' },
          minReplicas: { type: 'integer' },
          maxReplicas: { type: 'integer' },
          tags: { type: 'array', items: { type: 'string', 'x-kubernetes-validations': [{ rule: 'self.startsWith("t")' }] } },
        },
      },
    },
  };
  const c = compileSchema(schema);
  t.same(c.warnings, []);
  t.same(c.validate({ spec: { name: 'a', replicas: 3, minReplicas: 1, maxReplicas: 5, tags: ['t1'] } }).map(String), []);
  t.same(c.validate({ spec: { name: 'a', replicas: 200, minReplicas: 300, maxReplicas: 5, tags: ['x'] } }).map(String), [
    'spec: Invalid value: "object": replicas should be greater than or equal to minReplicas.',
    'spec: Invalid value: "object": failed rule: self.replicas <= self.maxReplicas',
    'spec.replicas: Invalid value: "object": replicas is 200',
    'spec.tags[0]: Invalid value: "string": failed rule: self.startsWith("t")',
  ]);
  // transition rule only on update
  const old = { spec: { name: 'a', replicas: 3, minReplicas: 1, maxReplicas: 5 } };
  t.same(c.validate({ spec: { ...old.spec, name: 'b' } }, old).map(String), ['spec: Forbidden: name is immutable']);
  // blocking schema errors stop CEL
  t.same(c.validate({ spec: { replicas: 'x' } }).map(String), [
    'spec.replicas: Invalid value: "string": spec.replicas in body must be of type integer: "string"',
    '<nil>: Invalid value: "null": some validation rules were not checked because the object was invalid; correct the existing errors to complete validation',
  ]);
  const w = compileSchema(spec({ u: { type: 'string', 'x-kubernetes-validations': [{ rule: 'isSemver(self)' }, { rule: 'self ==' }] } })).warnings;
  t.equal(w.length, 2, 'unsupported and uncompilable rules become warnings');
  t.match(w[0], /isSemver/);
});

t.test('pruning', async (t) => {
  const c = compileSchema({
    type: 'object',
    properties: {
      spec: {
        type: 'object',
        properties: {
          keep: { type: 'string' },
          free: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true, properties: { inner: { type: 'object', properties: { a: { type: 'string' } } } } },
          tmpl: { type: 'object', 'x-kubernetes-embedded-resource': true, properties: { spec: { type: 'object' } } },
          list: { type: 'array', items: { type: 'object', properties: { n: { type: 'string' } } } },
          nn: { type: 'string' },
        },
      },
    },
  });
  const obj: Record<string, unknown> = {
    apiVersion: 'x.io/v1', kind: 'K', metadata: { name: 'n', bogus: 1 }, top: 1,
    spec: { keep: 'k', drop: 1, free: { any: 1, inner: { a: 'x', b: 'y' } }, tmpl: { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p', zz: 1 }, spec: {}, other: 1 }, list: [{ n: 'a', m: 'b' }], nn: null },
  };
  t.same(c.prune(obj), ['metadata.bogus', 'spec.drop', 'spec.free.inner.b', 'spec.list[0].m', 'spec.tmpl.other', 'top', 'spec.tmpl.metadata.zz']);
  t.same(obj, {
    apiVersion: 'x.io/v1', kind: 'K', metadata: { name: 'n' },
    spec: { keep: 'k', free: { any: 1, inner: { a: 'x' } }, tmpl: { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p' }, spec: {} }, list: [{ n: 'a' }] },
  });
});

t.test('defaulting', async (t) => {
  const c = compileSchema({
    type: 'object',
    properties: {
      spec: {
        type: 'object',
        default: {},
        properties: {
          replicas: { type: 'integer', default: 1 },
          mode: { type: 'string', default: 'on' },
          opt: { type: 'string', nullable: true, default: 'x' },
          ports: { type: 'array', items: { type: 'object', properties: { protocol: { type: 'string', default: 'TCP' } } } },
          extra: { type: 'object', additionalProperties: { type: 'object', properties: { w: { type: 'integer', default: 5 } } } },
        },
      },
    },
  });
  const a: Record<string, unknown> = {};
  c.applyDefaults(a);
  t.same(a, { spec: { replicas: 1, mode: 'on', opt: 'x' } });
  const b: Record<string, unknown> = { spec: { replicas: 3, mode: null, opt: null, ports: [{}], extra: { k: {} } } };
  c.applyDefaults(b);
  t.same(b, { spec: { replicas: 3, mode: 'on', opt: null, ports: [{ protocol: 'TCP' }], extra: { k: { w: 5 } } } });
  t.same(compileSchema(cronTabSchema).validate(a), [], 'defaulted object validates');
});

t.test('structural schema rules', async (t) => {
  const base = 'spec.versions[0].schema.openAPIV3Schema';
  const cases: [string, JSONSchemaProps, string[]][] = [
    ['valid CronTab', cronTabSchema, []],
    ['missing type', { type: 'object', properties: { spec: { properties: { a: { type: 'string' } } } } }, [`${base}.properties[spec].type: Required value: must not be empty for specified object fields`]],
    ['root type', { properties: {} }, [`${base}.type: Required value: must not be empty at the root`]],
    ['array without items', { type: 'object', properties: { l: { type: 'array' } } }, [`${base}.properties[l].items: Required value: must be specified`]],
    ['type in anyOf', { type: 'object', properties: { v: { type: 'string', anyOf: [{ type: 'string' }] } } }, [`${base}.properties[v].anyOf[0].type: Forbidden: must be empty to be structural`]],
    ['metadata at root', { type: 'object', properties: { metadata: { type: 'object', properties: { labels: { type: 'object' } } } } }, [`${base}.properties[metadata]: Forbidden: must not specify anything other than name and generateName, but metadata is implicitly specified`]],
    ['metadata name ok', { type: 'object', properties: { metadata: { type: 'object', properties: { name: { type: 'string', maxLength: 20 } } } } }, []],
    ['$ref', { type: 'object', properties: { a: { type: 'string', $ref: '#/x' } } }, [`${base}.properties[a].$ref: Forbidden: $ref is not supported`]],
    ['uniqueItems', { type: 'object', properties: { a: { type: 'array', uniqueItems: true, items: { type: 'string' } } } }, [`${base}.properties[a].uniqueItems: Forbidden: uniqueItems cannot be set to true since the runtime complexity becomes quadratic`]],
    ['map keys without map', { type: 'object', properties: { a: { type: 'array', 'x-kubernetes-list-map-keys': ['n'], items: { type: 'object', properties: { n: { type: 'string' } } } } } }, [`${base}.properties[a].x-kubernetes-list-type: Required value: must be map if x-kubernetes-list-map-keys is non-empty`]],
    ['bad default', { type: 'object', properties: { r: { type: 'integer', default: 'x' } } }, [`${base}.properties[r].default: Invalid value: "string": ${base}.properties[r].default in body must be of type integer: "string"`]],
    ['nullable root', { type: 'object', nullable: true }, [`${base}.nullable: Forbidden: nullable cannot be true at the root`]],
  ];
  for (const [name, schema, want] of cases) t.same(validateStructuralSchema(schema, base).map(String), want, name);
});

t.test('large schema: valid object, then an error deep inside', async (t) => {
  const c = compileSchema(largeSchema());
  const obj = largeObject();
  t.same(c.prune(obj), []);
  t.same(c.validate(obj), []);
  ((((obj.spec as Record<string, unknown>).child as Record<string, unknown>).child as Record<string, unknown>).items as unknown[]).push({ name: 'a' });
  t.same(c.validate(obj).map(String), ['spec.child.child.items[2]: Duplicate value: map[string]interface {}{"name":"a"}']);
  t.same(validateStructuralSchema(largeSchema(), 'x'), []);
});
