// src/patch/ssa/schema.ts + typed.ts: the schema view (schemaconv's derivation rules) and the
// typed walks (ToFieldSet, Compare, RemoveItems, validation) over real built-in schemas.
import t from 'tap';
import { schemaNodeFor, schemaNodeOf } from '../../../src/openapi/patch-meta.js';
import { FieldSet, pathString } from '../../../src/patch/ssa/fieldpath.js';
import { SmdType } from '../../../src/patch/ssa/schema.js';
import { compare, ensureNamedFieldsAreMembers, removeItems, toFieldSet, validate } from '../../../src/patch/ssa/typed.js';

const deployment = SmdType.of(schemaNodeFor('apps', 'v1', 'Deployment'));
const pod = SmdType.of(schemaNodeFor('', 'v1', 'Pod'));
const paths = (set: FieldSet): string[] => [...set.paths()].map(pathString);

const applied = {
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: { name: 'web', labels: { app: 'web' } },
  spec: {
    replicas: 2,
    selector: { matchLabels: { app: 'web' } },
    template: {
      metadata: { labels: { app: 'web' } },
      spec: { containers: [{ name: 'nginx', image: 'nginx:1', ports: [{ containerPort: 80 }], resources: {} }] },
    },
  },
};

t.test('SmdType derives list and map types as schemaconv does', async (t) => {
  const podSpec = pod.map!.field('spec')!;
  const containers = podSpec.map!.field('containers')!.list!;
  t.same([containers.atomic, containers.keys], [false, ['name']], 'patch strategy merge + merge key: list-map');
  const volumes = podSpec.map!.field('volumes')!.list!;
  t.same([volumes.atomic, volumes.keys], [false, ['name']], 'merge,retainKeys is a list-map too');
  const tolerations = podSpec.map!.field('tolerations')!.list!;
  t.equal(tolerations.atomic, true, 'no extension: atomic');
  const finalizers = pod.map!.field('metadata')!.map!.field('finalizers')!.list!;
  t.same([finalizers.atomic, finalizers.keys], [false, []], 'merge strategy without key: set');
  const ports = containers.element().map!.field('ports')!.list!;
  t.same(ports.keys, ['containerPort', 'protocol'], 'x-kubernetes-list-type map wins over the merge key');
  t.equal(ports.keyDefault('protocol'), 'TCP');
  t.equal(deployment.map!.field('spec')!.map!.field('selector')!.map!.atomic, true, 'LabelSelector is an atomic map');
  t.equal(pod.map!.field('metadata')!.map!.field('labels')!.map!.atomic, false);
  const custom = SmdType.of(
    schemaNodeOf({
      type: 'object',
      properties: {
        a: { type: 'array', items: { type: 'string' }, 'x-kubernetes-list-type': 'set' },
        b: { type: 'array', items: { type: 'string' }, 'x-kubernetes-patch-strategy': 'retainKeys' },
        free: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true, properties: { known: { type: 'object', properties: { x: { type: 'string' } } } } },
      },
    }),
  );
  t.equal(custom.map!.field('a')!.list!.atomic, false);
  t.equal(custom.map!.field('b')!.list!.atomic, true, 'retainKeys alone is atomic');
  t.equal(custom.map!.element(), undefined, 'a struct without additionalProperties takes no other keys');
  t.equal(custom.map!.field('free')!.map!.field('known')!.map!.element(), SmdType.deduced, 'preserve-unknown-fields is inherited');
  t.equal(SmdType.of(undefined), SmdType.deduced);
});

t.test('toFieldSet lists the fields an applied configuration sets', async (t) => {
  t.same(paths(toFieldSet(applied, deployment)), [
    '.apiVersion',
    '.kind',
    '.metadata.name',
    '.metadata.labels.app',
    '.spec.replicas',
    '.spec.selector',
    '.spec.template.metadata.labels.app',
    '.spec.template.spec.containers[name="nginx"]',
    '.spec.template.spec.containers[name="nginx"].image',
    '.spec.template.spec.containers[name="nginx"].name',
    '.spec.template.spec.containers[name="nginx"].resources',
    '.spec.template.spec.containers[name="nginx"].ports[containerPort=80,protocol="TCP"]',
    '.spec.template.spec.containers[name="nginx"].ports[containerPort=80,protocol="TCP"].containerPort',
  ]);
  const untyped = toFieldSet({ spec: { a: { b: 1 }, list: [1, 2] } }, SmdType.deduced);
  t.same(paths(untyped), ['.spec', '.spec.a', '.spec.list', '.spec.a.b'], 'untyped maps own every key; lists are atomic');
  const finalizers = toFieldSet({ metadata: { finalizers: ['b', 'a', 'b'] } }, pod);
  t.same(paths(finalizers), ['.metadata.finalizers[="a"]', '.metadata.finalizers[="b"]'], 'duplicates are owned as a whole');
});

t.test('compare reports added, modified and removed fields', async (t) => {
  const before = { metadata: { labels: { a: '1', b: '2' } }, spec: { replicas: 1, template: { spec: { containers: [{ name: 'x', image: 'i1' }] } } } };
  const after = { metadata: { labels: { a: '1' } }, spec: { replicas: 2, template: { spec: { containers: [{ name: 'x', image: 'i2' }, { name: 'y', image: 'j' }] } } } };
  const c = compare(before, after, deployment);
  t.same(paths(c.modified), ['.spec.replicas', '.spec.template.spec.containers[name="x"].image']);
  t.same(paths(c.added), [
    '.spec.template.spec.containers[name="y"]',
    '.spec.template.spec.containers[name="y"].image',
    '.spec.template.spec.containers[name="y"].name',
  ]);
  t.same(paths(c.removed), ['.metadata.labels.b']);
  const created = compare(undefined, { metadata: { labels: { a: '1' } } }, deployment);
  t.same(paths(created.added), ['.metadata', '.metadata.labels', '.metadata.labels.a'], 'new maps are owned as nodes too');
});

t.test('removeItems drops members and whatever is below them', async (t) => {
  const value = { metadata: { labels: { a: '1', b: '2' } }, spec: { template: { spec: { containers: [{ name: 'x', image: 'i' }, { name: 'y' }] } } } };
  const set = FieldSet.fromFieldsV1({
    'f:metadata': { 'f:labels': { 'f:b': {} } },
    'f:spec': { 'f:template': { 'f:spec': { 'f:containers': { 'k:{"name":"y"}': {}, 'k:{"name":"x"}': { 'f:image': {} } } } } },
  });
  t.same(removeItems(value, set, deployment), {
    metadata: { labels: { a: '1' } },
    spec: { template: { spec: { containers: [{ name: 'x' }] } } },
  });
  t.same(removeItems({ metadata: { labels: { a: '1' } } }, FieldSet.fromFieldsV1({ 'f:metadata': { 'f:labels': { 'f:a': {} } } }), deployment), undefined);
});

t.test('ensureNamedFieldsAreMembers adds struct fields, not map keys', async (t) => {
  const set = FieldSet.fromFieldsV1({ 'f:metadata': { 'f:labels': { 'f:a': {} } }, 'f:spec': { 'f:replicas': {} } });
  t.same(paths(ensureNamedFieldsAreMembers(set, deployment)), ['.metadata', '.spec', '.metadata.labels', '.metadata.labels.a', '.spec.replicas']);
});

t.test('validate words errors as structured-merge-diff', async (t) => {
  const dup = { spec: { template: { spec: { containers: [{ name: 'a' }, { name: 'a' }] } } } };
  t.same(validate(dup, deployment), [{ path: '.spec.template.spec.containers', message: 'duplicate entries for key [name="a"]' }]);
  t.same(validate(dup, deployment, { allowDuplicates: true }), []);
  t.same(validate({ spec: { foo: 1 } }, deployment), [{ path: '.spec.foo', message: 'field not declared in schema' }]);
  t.same(validate({ spec: { replicas: 'x' } }, deployment), [{ path: '.spec.replicas', message: 'expected numeric (int or float), got string' }]);
  t.same(validate({ spec: { template: { spec: { containers: [{ image: 'x' }] } } } }, deployment), [
    {
      path: '.spec.template.spec.containers',
      message: 'element 0: associative list with keys has an element that omits all key fields ["name"] (and doesn\'t have default values for any key fields)',
    },
  ]);
  t.same(validate({ spec: { strategy: { rollingUpdate: { maxSurge: '25%', maxUnavailable: 1 } } } }, deployment), [], 'IntOrString takes both');
  t.same(validate({ anything: { goes: [1] } }, SmdType.deduced), []);
});
