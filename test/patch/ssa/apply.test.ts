// src/patch/ssa/managed-fields.ts applyOperation (+ merge.ts): server-side apply over the real
// Deployment and Pod schemas: create, change, prune, conflicts (text and causes), force,
// list-map and set merges, before-first-apply, the kubectl client-side migration.
import t from 'tap';
import type { KubeObject } from '../../../src/api/types.js';
import { schemaNodeFor } from '../../../src/openapi/patch-meta.js';
import { FieldSet, makePath } from '../../../src/patch/ssa/fieldpath.js';
import { applyOperation, type ApplyOptions, updateOperation } from '../../../src/patch/ssa/managed-fields.js';
import { mergeValues } from '../../../src/patch/ssa/merge.js';
import { SmdType } from '../../../src/patch/ssa/schema.js';
import { StatusError } from '../../../src/api/errors.js';

const schema = schemaNodeFor('apps', 'v1', 'Deployment');
const T0 = new Date('2024-05-01T10:00:00.250Z');
const T1 = new Date('2024-05-01T10:01:00Z');
const T2 = new Date('2024-05-01T10:02:00Z');

interface Spec {
  replicas?: number;
  labels?: Record<string, string>;
  containers?: Array<Record<string, unknown>>;
  finalizers?: string[];
}

function deployment({ replicas, labels = { app: 'web' }, containers = [{ name: 'nginx', image: 'nginx:1' }], finalizers }: Spec = {}): KubeObject {
  const metadata: Record<string, unknown> = { name: 'web', namespace: 'default', labels };
  if (finalizers) metadata['finalizers'] = finalizers;
  const spec: Record<string, unknown> = {
    selector: { matchLabels: { app: 'web' } },
    template: { metadata: { labels: { app: 'web' } }, spec: { containers } },
  };
  if (replicas !== undefined) spec['replicas'] = replicas;
  return { apiVersion: 'apps/v1', kind: 'Deployment', metadata, spec };
}

/** Applies and returns the stored object (uid and resourceVersion added as the registry would). */
function apply(live: KubeObject | undefined, applied: KubeObject, manager: string, extra: Partial<ApplyOptions> = {}): KubeObject {
  const { object } = applyOperation({ live, applied, manager, apiVersion: 'apps/v1', kind: 'Deployment', schema, now: T0, ...extra });
  object.metadata = { ...object.metadata, uid: 'uid-1', resourceVersion: '1' };
  return object;
}

/** A non-apply write by `manager`: `change` edits a copy of `live`. */
function update(live: KubeObject, manager: string, change: (o: KubeObject & { spec: Record<string, unknown> }) => void, now = T1): KubeObject {
  const next = structuredClone(live) as KubeObject & { spec: Record<string, unknown> };
  change(next);
  const managedFields = updateOperation({ old: live, new: next, manager, apiVersion: 'apps/v1', schema, now });
  next.metadata = { ...next.metadata, managedFields };
  if (!managedFields) delete next.metadata.managedFields;
  return next;
}

function entries(obj: KubeObject): Array<Record<string, unknown>> {
  return (obj.metadata?.managedFields ?? []) as Array<Record<string, unknown>>;
}

function owners(obj: KubeObject): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const e of entries(obj)) out[`${e['manager']}/${e['operation']}`] = FieldSet.fromFieldsV1(e['fieldsV1']).toString().split('\n');
  return out;
}

function statusOf(fn: () => unknown): StatusError {
  try {
    fn();
  } catch (err) {
    if (err instanceof StatusError) return err;
    throw err;
  }
  throw new Error('expected a StatusError');
}

t.test('applyOperation creates the object and records one Apply entry', async (t) => {
  const result = applyOperation({ live: undefined, applied: deployment({ replicas: 3 }), manager: 'kubectl', apiVersion: 'apps/v1', kind: 'Deployment', schema, now: T0 });
  t.equal(result.changed, true);
  t.same(result.managedFields, [
    {
      manager: 'kubectl',
      operation: 'Apply',
      apiVersion: 'apps/v1',
      time: '2024-05-01T10:00:00Z',
      fieldsType: 'FieldsV1',
      fieldsV1: {
        'f:metadata': { 'f:labels': { 'f:app': {} } },
        'f:spec': {
          'f:replicas': {},
          'f:selector': {},
          'f:template': {
            'f:metadata': { 'f:labels': { 'f:app': {} } },
            'f:spec': { 'f:containers': { 'k:{"name":"nginx"}': { '.': {}, 'f:image': {}, 'f:name': {} } } },
          },
        },
      },
    },
  ]);
  t.same(result.object.spec, deployment({ replicas: 3 }).spec);
  t.equal(result.object.metadata?.managedFields, result.managedFields);
});

t.test('applyOperation changes applied values and refreshes the entry time', async (t) => {
  const live = apply(undefined, deployment({ replicas: 3 }), 'kubectl');
  const result = applyOperation({
    live,
    applied: deployment({ replicas: 3, containers: [{ name: 'nginx', image: 'nginx:2' }] }),
    manager: 'kubectl',
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    schema,
    now: T2,
  });
  t.same((result.object.spec as { template: { spec: { containers: unknown } } }).template.spec.containers, [{ name: 'nginx', image: 'nginx:2' }]);
  t.equal(result.managedFields?.length, 1);
  t.equal(result.managedFields?.[0]?.time, '2024-05-01T10:02:00Z');
  const again = applyOperation({ live: result.object, applied: deployment({ replicas: 3, containers: [{ name: 'nginx', image: 'nginx:2' }] }), manager: 'kubectl', apiVersion: 'apps/v1', kind: 'Deployment', schema, now: new Date('2030-01-01T00:00:00Z') });
  t.equal(again.changed, false, 'a no-op apply changes nothing');
  t.equal(again.managedFields?.[0]?.time, '2024-05-01T10:02:00Z', 'and keeps the time');
});

t.test('applyOperation prunes fields the applier owned alone, keeps co-owned and foreign ones', async (t) => {
  let live = apply(undefined, deployment({ labels: { app: 'web', tier: 'front', shared: 'yes' } }), 'a');
  live = apply(live, { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'web', labels: { shared: 'yes' } } }, 'b');
  live = update(live, 'kubectl-label', (o) => void (o.metadata!.labels!['team'] = 'blue'));
  const result = applyOperation({ live, applied: deployment({ labels: { app: 'web' } }), manager: 'a', apiVersion: 'apps/v1', kind: 'Deployment', schema, now: T2 });
  t.same(result.object.metadata?.labels, { app: 'web', shared: 'yes', team: 'blue' }, 'tier pruned; shared (b owns it too) and team (kubectl-label) kept');
  t.same(owners(result.object)['b/Apply'], ['.metadata.labels.shared']);
  t.notOk(owners(result.object)['a/Apply']!.includes('.metadata.labels.shared'));
});

t.test('applyOperation reports conflicts with another applier as upstream words them', async (t) => {
  const live = apply(undefined, deployment({ replicas: 3 }), 'a');
  const err = statusOf(() => apply(live, deployment({ replicas: 5 }), 'b'));
  t.equal(err.code, 409);
  t.equal(err.reason, 'Conflict');
  t.equal(err.message, 'Apply failed with 1 conflict: conflict with "a": .spec.replicas');
  t.same(err.status.details, { causes: [{ reason: 'FieldManagerConflict', message: 'conflict with "a"', field: '.spec.replicas' }] });
  const same = apply(live, deployment({ replicas: 3 }), 'b');
  t.same(owners(same)['b/Apply']?.includes('.spec.replicas'), true, 'applying the same value shares ownership without conflict');
});

t.test('applyOperation conflicts with Update managers name their apiVersion; several are listed per manager', async (t) => {
  let live = apply(undefined, deployment({ replicas: 3 }), 'kubectl');
  live = update(live, 'kubectl-scale', (o) => void (o.spec['replicas'] = 5));
  live = update(live, 'kubectl-set', (o) => void ((o.spec['template'] as { spec: { containers: Array<{ image: string }> } }).spec.containers[0]!.image = 'nginx:9'), T2);
  const one = statusOf(() => apply(live, deployment({ replicas: 3, containers: [{ name: 'nginx', image: 'nginx:9' }] }), 'kubectl'));
  t.equal(one.message, 'Apply failed with 1 conflict: conflict with "kubectl-scale" using apps/v1: .spec.replicas');
  t.same(one.status.details?.causes, [{ reason: 'FieldManagerConflict', message: 'conflict with "kubectl-scale" using apps/v1', field: '.spec.replicas' }]);
  const two = statusOf(() => apply(live, deployment({ replicas: 3, labels: { app: 'web' } }), 'kubectl'));
  t.equal(
    two.message,
    'Apply failed with 2 conflicts: conflicts with "kubectl-scale" using apps/v1:\n- .spec.replicas\nconflicts with "kubectl-set" using apps/v1:\n- .spec.template.spec.containers[name="nginx"].image',
  );
  t.same(two.status.details?.causes?.map((c) => c.field), ['.spec.replicas', '.spec.template.spec.containers[name="nginx"].image']);
});

t.test('applyOperation with force takes the conflicting fields', async (t) => {
  let live = apply(undefined, deployment({ replicas: 3 }), 'kubectl');
  live = update(live, 'kubectl-scale', (o) => void (o.spec['replicas'] = 5));
  const forced = apply(live, deployment({ replicas: 3 }), 'kubectl', { force: true });
  t.equal((forced.spec as { replicas: number }).replicas, 3);
  t.same(Object.keys(owners(forced)), ['kubectl/Apply'], 'kubectl-scale owned nothing else: its entry is gone');
  const other = apply(live, deployment({ replicas: 7 }), 'ci', { force: true });
  t.same(Object.keys(owners(other)).sort(), ['ci/Apply', 'kubectl/Apply']);
  t.notOk(owners(other)['kubectl/Apply']!.includes('.spec.replicas'));
});

t.test('applyOperation merges containers by name and keeps SMD item order', async (t) => {
  let live = apply(undefined, deployment(), 'a');
  live = apply(live, { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'web' }, spec: { template: { spec: { containers: [{ name: 'sidecar', image: 'envoy' }] } } } }, 'b');
  const containers = (o: KubeObject): unknown => (o.spec as { template: { spec: { containers: unknown } } }).template.spec.containers;
  t.same(containers(live), [{ name: 'nginx', image: 'nginx:1' }, { name: 'sidecar', image: 'envoy' }]);
  live = apply(live, deployment({ containers: [{ name: 'nginx', image: 'nginx:2' }] }), 'a');
  t.same(containers(live), [{ name: 'nginx', image: 'nginx:2' }, { name: 'sidecar', image: 'envoy' }], "b's container survives a's re-apply");
  live = apply(live, deployment({ containers: [{ name: 'other', image: 'x' }] }), 'a');
  t.same(containers(live), [{ name: 'sidecar', image: 'envoy' }, { name: 'other', image: 'x' }], "a's old container is pruned");
  const list = SmdType.of(schema).map!.field('spec')!.map!.field('template')!.map!.field('spec')!.map!.field('containers')!;
  const named = (...names: string[]) => names.map((name) => ({ name }));
  t.same(mergeValues(named('a', 'b', 'c'), named('c', 'd', 'a'), list), named('b', 'c', 'd', 'a'));
});

t.test('applyOperation merges finalizers as a set', async (t) => {
  let live = apply(undefined, deployment({ finalizers: ['example.com/x'] }), 'a');
  live = apply(live, { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'web', finalizers: ['example.com/y'] } }, 'b');
  t.same(live.metadata?.finalizers, ['example.com/x', 'example.com/y']);
  t.same(owners(live)['b/Apply'], ['.metadata.finalizers[="example.com/y"]']);
  live = apply(live, deployment(), 'a');
  t.same(live.metadata?.finalizers, ['example.com/y']);
});

t.test('applyOperation rejects bad configurations with upstream errors', async (t) => {
  const wrongKind = statusOf(() => apply(undefined, { ...deployment(), kind: 'StatefulSet' }, 'a'));
  t.same([wrongKind.code, wrongKind.message], [400, 'invalid object type: apps/v1, Kind=StatefulSet']);
  const core = statusOf(() => apply(undefined, { ...deployment(), apiVersion: 'v1' }, 'a'));
  t.equal(core.message, 'invalid object type: /v1, Kind=Deployment');
  const withFields = deployment();
  withFields.metadata!.managedFields = [];
  const mf = statusOf(() => apply(undefined, withFields, 'a'));
  t.same([mf.code, mf.message], [400, 'metadata.managedFields must be nil']);
  const unknown = { ...deployment(), spec: { foo: 1 } };
  const typed = statusOf(() => apply(undefined, unknown, 'a'));
  t.equal(typed.code, 500);
  t.equal(typed.message, 'failed to create typed patch object (default/web; apps/v1, Kind=Deployment): .spec.foo: field not declared in schema');
  t.equal(typed.status.reason, undefined);
});

t.test('applyOperation gives the fields of an untracked object to before-first-apply', async (t) => {
  const live = { ...deployment({ replicas: 1 }), metadata: { name: 'web', namespace: 'default', uid: 'u', labels: { app: 'web' } } };
  const err = statusOf(() => apply(live, deployment({ replicas: 2 }), 'kubectl'));
  t.equal(err.message, 'Apply failed with 1 conflict: conflict with "before-first-apply" using apps/v1: .spec.replicas');
  const ok = apply(live, deployment({ replicas: 1 }), 'kubectl');
  t.same(Object.keys(owners(ok)), ['kubectl/Apply', 'before-first-apply/Update']);
});

t.test('applyOperation records subresource appliers and ignores reset fields', async (t) => {
  const live = apply(undefined, deployment({ replicas: 3 }), 'a');
  const withStatus = { ...deployment({ replicas: 3 }), status: { replicas: 9 } };
  const result = applyOperation({
    live,
    applied: withStatus,
    manager: 'a',
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    schema,
    now: T1,
    resetFields: FieldSet.of(makePath('status')),
  });
  t.notOk(owners(result.object)['a/Apply']!.some((p) => p.startsWith('.status')), 'status is not owned through the main resource');
  const status = applyOperation({
    live: result.object,
    applied: { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'web' }, status: { replicas: 1 } },
    manager: 'ctrl',
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    schema,
    now: T1,
    subresource: 'status',
    resetFields: FieldSet.of(makePath('spec'), makePath('metadata', 'labels')),
  });
  const entry = status.managedFields?.find((e) => e.manager === 'ctrl');
  t.same([entry?.operation, entry?.subresource, entry?.fieldsV1], ['Apply', 'status', { 'f:status': { 'f:replicas': {} } }]);
  const conflict = statusOf(() =>
    applyOperation({ live: status.object, applied: { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'web' }, status: { replicas: 2 } }, manager: 'other', apiVersion: 'apps/v1', kind: 'Deployment', schema, now: T2 }),
  );
  t.equal(conflict.message, 'Apply failed with 1 conflict: conflict with "ctrl" with subresource "status": .status.replicas');
});

t.test('applyOperation: kubectl takes over fields kubectl-client-side-apply recorded in last-applied-configuration', async (t) => {
  const lastApplied = JSON.stringify(deployment({ replicas: 3 }));
  const created = deployment({ replicas: 3 });
  created.metadata!.annotations = { 'kubectl.kubernetes.io/last-applied-configuration': lastApplied };
  const managedFields = updateOperation({ old: undefined, new: created, manager: 'kubectl-client-side-apply', apiVersion: 'apps/v1', schema, now: T0 });
  let live: KubeObject = { ...created, metadata: { ...created.metadata, uid: 'u', managedFields } };
  live = update(live, 'kubectl-edit', (o) => void (o.metadata!.labels!['app2'] = 'x'));
  const applied = deployment({ replicas: 4 });
  const viaOther = statusOf(() => apply(live, applied, 'kubectl-ssa'));
  t.match(viaOther.message, /conflict with "kubectl-client-side-apply" using apps\/v1: \.spec\.replicas/, 'only manager "kubectl" migrates');
  const migrated = apply(live, applied, 'kubectl');
  t.equal((migrated.spec as { replicas: number }).replicas, 4);
  t.ok(owners(migrated)['kubectl/Apply']!.includes('.spec.replicas'));
  t.notOk(owners(migrated)['kubectl-client-side-apply/Update']?.includes('.spec.replicas'));
  const annotation = migrated.metadata!.annotations!['kubectl.kubernetes.io/last-applied-configuration']!;
  t.ok(annotation.endsWith('\n'));
  t.same(JSON.parse(annotation), applied, 'the annotation now holds what was applied');
  const edited = update(live, 'kubectl-edit', (o) => void (o.spec['replicas'] = 7), T2);
  const stillConflicts = statusOf(() => apply(edited, applied, 'kubectl'));
  t.equal(stillConflicts.message, 'Apply failed with 1 conflict: conflict with "kubectl-edit" using apps/v1: .spec.replicas', 'fields that moved on since are not taken over');
});

t.test('applyOperation on an untyped custom resource owns every map key', async (t) => {
  const widget = (spec: Record<string, unknown>): KubeObject => ({ apiVersion: 'example.com/v1', kind: 'Widget', metadata: { name: 'w' }, spec });
  const opts = { manager: 'm', apiVersion: 'example.com/v1', kind: 'Widget', schema: undefined, now: T0 };
  const created = applyOperation({ ...opts, live: undefined, applied: widget({ size: 1, tags: ['a', 'b'] }) });
  t.same(created.managedFields?.[0]?.fieldsV1, { 'f:spec': { '.': {}, 'f:size': {}, 'f:tags': {} } });
  const live = { ...created.object, metadata: { ...created.object.metadata, uid: 'u' } };
  const next = applyOperation({ ...opts, live, applied: widget({ tags: ['c'] }) });
  t.same(next.object.spec, { tags: ['c'] }, 'lists are atomic and omitted fields are pruned');
});
