// src/patch/ssa/managed-fields.ts updateOperation + managers.ts: managedFields after creates,
// updates and non-apply patches: ownership moves, removals, the 10-manager cap, resets, the
// fields clients send, default manager names and validation wording.
import t from 'tap';
import { invalid } from '../../../src/api/errors.js';
import type { KubeObject } from '../../../src/api/types.js';
import { schemaNodeFor } from '../../../src/openapi/patch-meta.js';
import { FieldSet, makePath } from '../../../src/patch/ssa/fieldpath.js';
import { updateOperation, type UpdateOptions } from '../../../src/patch/ssa/managed-fields.js';
import {
  decodeManagedFields,
  encodeManagedFields,
  fieldManagerOptionErrors,
  isResetManagedFields,
  managerFromUserAgent,
  managerIdentifier,
  managerOrUserAgent,
  validateManagedFields,
} from '../../../src/patch/ssa/managers.js';

const configMapSchema = schemaNodeFor('', 'v1', 'ConfigMap');
const deploymentSchema = schemaNodeFor('apps', 'v1', 'Deployment');

function configMap(data: Record<string, string>, extra: Record<string, unknown> = {}): KubeObject {
  return { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'cm', namespace: 'default', ...extra }, data };
}

function write(old: KubeObject | undefined, next: KubeObject, manager: string, at: string, extra: Partial<UpdateOptions> = {}): KubeObject {
  const managedFields = updateOperation({ old, new: next, manager, apiVersion: 'v1', schema: configMapSchema, now: new Date(at), ...extra });
  const metadata = { ...next.metadata, uid: 'u1' };
  if (managedFields) metadata.managedFields = managedFields;
  else delete metadata.managedFields;
  return { ...next, metadata };
}

function fieldsOf(obj: KubeObject, manager: string): unknown {
  return (obj.metadata?.managedFields as Array<Record<string, unknown>> | undefined)?.find((e) => e['manager'] === manager)?.['fieldsV1'];
}

t.test('updateOperation records a create as an Update entry', async (t) => {
  const created = write(undefined, configMap({ a: '1' }, { labels: { x: 'y' } }), 'kubectl-create', '2024-05-01T10:00:00Z');
  t.same(created.metadata?.managedFields, [
    {
      manager: 'kubectl-create',
      operation: 'Update',
      apiVersion: 'v1',
      time: '2024-05-01T10:00:00Z',
      fieldsType: 'FieldsV1',
      fieldsV1: { 'f:data': { '.': {}, 'f:a': {} }, 'f:metadata': { 'f:labels': { '.': {}, 'f:x': {} } } },
    },
  ]);
  const unknown = updateOperation({ old: undefined, new: configMap({}), manager: '', apiVersion: 'v1', schema: configMapSchema, now: new Date(0) });
  t.equal(unknown?.[0]?.manager, 'unknown', 'an empty manager name is recorded as "unknown"');
  const deployment = updateOperation({
    old: undefined,
    new: { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'd' }, spec: { replicas: 1 }, status: {} },
    manager: 'kubectl-create',
    apiVersion: 'apps/v1',
    schema: deploymentSchema,
    now: new Date(0),
    emptyObject: { spec: {}, status: {} },
  });
  t.same(deployment?.[0]?.fieldsV1, { 'f:spec': { 'f:replicas': {} } }, 'structs present in the empty object are not recorded as added');
});

t.test('updateOperation moves changed fields to the writer and drops emptied entries', async (t) => {
  let obj = write(undefined, configMap({ a: '1', b: '2' }), 'creator', '2024-05-01T10:00:00Z');
  obj = write(obj, configMap({ a: '9', b: '2' }), 'editor', '2024-05-01T10:01:00Z');
  t.same(fieldsOf(obj, 'editor'), { 'f:data': { 'f:a': {} } });
  t.same(fieldsOf(obj, 'creator'), { 'f:data': { '.': {}, 'f:b': {} } });
  obj = write(obj, configMap({ a: '9' }), 'cleaner', '2024-05-01T10:02:00Z');
  t.same(fieldsOf(obj, 'creator'), { 'f:data': {} }, 'a removed field leaves every owner (the map itself stays owned)');
  t.equal(fieldsOf(obj, 'cleaner'), undefined, 'a write that only removes records nothing for the writer');
  obj = write(obj, configMap({ a: '10' }), 'editor', '2024-05-01T10:03:00Z');
  const editor = (obj.metadata?.managedFields as Array<Record<string, unknown>>).find((e) => e['manager'] === 'editor');
  t.equal(editor?.['time'], '2024-05-01T10:03:00Z');
  const same = write(obj, configMap({ a: '10' }), 'noop', '2024-05-01T10:04:00Z');
  t.same(same.metadata?.managedFields, obj.metadata?.managedFields, 'a write that changes nothing changes no entry');
});

t.test('updateOperation keeps at most 10 Update entries, merging the oldest into ancient-changes', async (t) => {
  let obj = write(undefined, configMap({ k0: 'v' }), 'm0', '2024-05-01T10:00:00Z');
  for (let i = 1; i <= 10; i++) {
    const data: Record<string, string> = {};
    for (let j = 0; j <= i; j++) data[`k${j}`] = 'v';
    obj = write(obj, configMap(data), `m${i}`, `2024-05-01T10:${String(i).padStart(2, '0')}:00Z`);
  }
  const list = obj.metadata?.managedFields as Array<Record<string, unknown>>;
  t.equal(list.length, 10);
  t.same(
    list.map((e) => e['manager']),
    ['ancient-changes', 'm2', 'm3', 'm4', 'm5', 'm6', 'm7', 'm8', 'm9', 'm10'],
  );
  t.same(list[0]?.['fieldsV1'], { 'f:data': { '.': {}, 'f:k0': {}, 'f:k1': {} } }, 'm0 and m1 merged');
  t.equal(list[0]?.['time'], '2024-05-01T10:01:00Z', 'the bucket takes the newer time');
});

t.test('updateOperation: clients reset managedFields with [] or [{}]; untracked objects stay untracked', async (t) => {
  const obj = write(undefined, configMap({ a: '1' }), 'creator', '2024-05-01T10:00:00Z');
  for (const reset of [[], [{}], [{ manager: '' }]]) {
    const cleared = write(obj, configMap({ a: '2' }, { managedFields: reset }), 'editor', '2024-05-01T10:01:00Z');
    t.equal(cleared.metadata?.managedFields, undefined, JSON.stringify(reset));
    const later = write(cleared, configMap({ a: '3' }), 'editor', '2024-05-01T10:02:00Z');
    t.equal(later.metadata?.managedFields, undefined, 'and later writes do not start tracking');
  }
  t.notOk(isResetManagedFields([{ fieldsV1: {} }]));
  t.notOk(isResetManagedFields(undefined));
});

t.test('updateOperation keeps managedFields a client sends when they decode, else the stored ones', async (t) => {
  const obj = write(undefined, configMap({ a: '1' }), 'creator', '2024-05-01T10:00:00Z');
  const custom = [{ manager: 'mine', operation: 'Update', apiVersion: 'v1', fieldsType: 'FieldsV1', fieldsV1: { 'f:data': { 'f:a': {} } } }];
  const kept = write(obj, configMap({ a: '1' }, { managedFields: custom }), 'editor', '2024-05-01T10:01:00Z');
  t.same(kept.metadata?.managedFields, custom);
  const broken = [{ manager: 'mine', apiVersion: 'v1', fieldsType: 'FieldsV1', fieldsV1: {} }];
  const fallback = write(obj, configMap({ a: '1' }, { managedFields: broken }), 'editor', '2024-05-01T10:01:00Z');
  t.same(fallback.metadata?.managedFields, obj.metadata?.managedFields);
  const status = write(obj, configMap({ a: '2' }, { managedFields: custom }), 'kubelet', '2024-05-01T10:02:00Z', { subresource: 'status' });
  const entries = status.metadata?.managedFields as Array<Record<string, unknown>>;
  t.same(entries.map((e) => [e['manager'], e['subresource']]), [['creator', undefined], ['kubelet', 'status']], 'a subresource write ignores sent managedFields');
});

t.test('updateOperation ignores reset fields', async (t) => {
  const old: KubeObject = { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'd', uid: 'u', managedFields: [{ manager: 'c', operation: 'Update', apiVersion: 'apps/v1', fieldsType: 'FieldsV1', fieldsV1: { 'f:spec': { 'f:replicas': {} } } }] }, spec: { replicas: 1 } };
  const next: KubeObject = { ...old, spec: { replicas: 1 }, status: { replicas: 1 } };
  const out = updateOperation({ old, new: next, manager: 'ctrl', apiVersion: 'apps/v1', schema: deploymentSchema, now: new Date(0), resetFields: FieldSet.of(makePath('status')) });
  t.same(out?.map((e) => e.manager), ['c']);
});

t.test('managedFields entries are sorted and keyed as upstream', async (t) => {
  const managed = decodeManagedFields([
    { manager: 'z', operation: 'Update', apiVersion: 'v1', time: '2024-01-01T00:00:00Z', fieldsType: 'FieldsV1', fieldsV1: { 'f:a': {} } },
    { manager: 'b', operation: 'Update', apiVersion: 'v1', time: '2023-01-01T00:00:00Z', fieldsType: 'FieldsV1', fieldsV1: { 'f:b': {} } },
    { manager: 'y', operation: 'Apply', apiVersion: 'v1', time: '2025-01-01T00:00:00Z', fieldsType: 'FieldsV1', fieldsV1: { 'f:c': {} } },
  ]);
  t.same([...managed.sets.keys()], [
    '{"manager":"z","operation":"Update","apiVersion":"v1"}',
    '{"manager":"b","operation":"Update","apiVersion":"v1"}',
    '{"manager":"y","operation":"Apply"}',
  ]);
  t.same(encodeManagedFields(managed)?.map((e) => e.manager), ['y', 'b', 'z']);
  t.equal(managerIdentifier({ manager: 'k', operation: 'Update', apiVersion: 'apps/v1', subresource: 'status' }), '{"manager":"k","operation":"Update","apiVersion":"apps/v1","subresource":"status"}');
  t.throws(() => decodeManagedFields([{ manager: 'm', apiVersion: 'v1', fieldsType: 'FieldsV1' }]), /operation must be `Apply` or `Update`/);
  t.throws(() => decodeManagedFields([{ manager: 'm', operation: 'Apply', fieldsType: 'FieldsV1' }]), /apiVersion must not be empty/);
  t.throws(() => decodeManagedFields([{ manager: 'm', operation: 'Apply', apiVersion: 'v1' }]), /missing fieldsType in managed fields entry 0/);
  t.throws(() => decodeManagedFields([{ manager: 'm', operation: 'Apply', apiVersion: 'v1', fieldsType: 'V2' }]), /invalid fieldsType "V2" in managed fields entry 0/);
});

t.test('managerFromUserAgent takes the User-Agent up to its first slash', async (t) => {
  t.equal(managerFromUserAgent('kubectl.1.33/v1.33.1 (linux/amd64) kubernetes/8adc0f0'), 'kubectl.1.33');
  t.equal(managerFromUserAgent('kube-controller-manager/v1.30.0 (linux/amd64) kubernetes/abc/system:serviceaccount:kube-system:deployment-controller'), 'kube-controller-manager');
  t.equal(managerFromUserAgent('a\u0007b/1'), 'ab');
  t.equal(managerFromUserAgent('x'.repeat(200)).length, 128);
  t.equal(managerFromUserAgent(undefined), '');
  t.equal(managerOrUserAgent('mine', 'kubectl/v1'), 'mine');
  t.equal(managerOrUserAgent('', 'kubectl/v1'), 'kubectl');
});

t.test('validateManagedFields words errors as meta/v1 validation', async (t) => {
  const errors = validateManagedFields([
    { manager: 'ok', fieldsType: 'FieldsV1' },
    { manager: 'ok', operation: 'Patch', fieldsType: 'FieldsV2' },
    { manager: 'bad\u0001', operation: 'Apply', subresource: 's'.repeat(300) },
  ]);
  t.equal(
    invalid({ group: '', name: 'ConfigMap' }, 'cm', errors).message,
    'ConfigMap "cm" is invalid: [metadata.managedFields[0].operation: Required value: must not be empty, ' +
      'metadata.managedFields[1].operation: Unsupported value: "Patch": supported values: "Apply", "Update", ' +
      'metadata.managedFields[1].fieldsType: Invalid value: "FieldsV2": must be `FieldsV1`, ' +
      'metadata.managedFields[2].manager: Invalid value: "bad\\u0001": invalid character U+0001 (at position 3), ' +
      'metadata.managedFields[2].subresource: Too long: may not be more than 256 bytes]',
  );
});

t.test('fieldManagerOptionErrors words option errors as the handlers do', async (t) => {
  const patchOptions = { group: 'meta.k8s.io', name: 'PatchOptions' };
  const missing = invalid(patchOptions, '', fieldManagerOptionErrors({ fieldManager: '', patch: true, apply: true }));
  t.equal(missing.code, 422);
  t.equal(missing.message, 'PatchOptions.meta.k8s.io "" is invalid: fieldManager: Required value: is required for apply patch');
  t.same(missing.status.details, {
    group: 'meta.k8s.io',
    kind: 'PatchOptions',
    causes: [{ reason: 'FieldValueRequired', message: 'Required value: is required for apply patch', field: 'fieldManager' }],
  });
  t.equal(
    invalid(patchOptions, '', fieldManagerOptionErrors({ fieldManager: 'm', patch: true, forceGiven: true })).message,
    'PatchOptions.meta.k8s.io "" is invalid: force: Forbidden: may not be specified for non-apply patch',
  );
  t.equal(
    invalid({ group: 'meta.k8s.io', name: 'CreateOptions' }, '', fieldManagerOptionErrors({ fieldManager: 'x'.repeat(129) })).message,
    'CreateOptions.meta.k8s.io "" is invalid: fieldManager: Too long: may not be more than 128 bytes',
  );
  t.same(fieldManagerOptionErrors({ fieldManager: 'kubectl', patch: true, apply: true, forceGiven: true }), []);
  t.same(fieldManagerOptionErrors({ fieldManager: undefined }), []);
});
