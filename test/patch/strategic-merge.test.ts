// src/patch/strategic-merge.ts and src/patch/index.ts over the real Deployment, Pod and Service
// schemas: every merge rule and directive as kubectl sends them, and upstream's error wording
// and HTTP answers. Rows cite the upstream test (apimachinery pkg/util/strategicpatch
// patch_test.go) whose rule they exercise; the patches are the ones kubectl sends.
import t from 'tap';
import { StatusError } from '../../src/api/errors.js';
import type { Json, JsonObject } from '../../src/openapi/json.js';
import { schemaNodeFor, type SchemaNode } from '../../src/openapi/patch-meta.js';
import { applyPatch } from '../../src/patch/index.js';
import { strategicMergePatch, StrategicMergePatchError, type StrategicMergePatchErrorKind } from '../../src/patch/strategic-merge.js';

function kind(group: string, version: string, name: string): SchemaNode {
  const node = schemaNodeFor(group, version, name);
  if (!node) throw new Error(`no schema for ${group}/${version} ${name}`);
  return node;
}
const DEPLOYMENT = kind('apps', 'v1', 'Deployment');
const POD = kind('', 'v1', 'Pod');
const SERVICE = kind('', 'v1', 'Service');

const A: JsonObject = {
  name: 'a',
  image: 'nginx:1',
  env: [{ name: 'X', value: '1' }, { name: 'Y', value: '2' }],
  ports: [{ containerPort: 80, name: 'http', protocol: 'TCP' }],
  volumeMounts: [{ name: 'data', mountPath: '/data' }],
};
const B: JsonObject = { name: 'b', image: 'busybox:1', args: ['sleep', '3600'] };
const C: JsonObject = { name: 'c', image: 'redis' };
const ROLLING: JsonObject = { type: 'RollingUpdate', rollingUpdate: { maxSurge: '25%', maxUnavailable: '25%' } };

/** The parts of the test Deployment a case changes; null drops a part. */
interface DeploymentParts {
  labels?: JsonObject;
  finalizers?: Json[];
  replicas?: number | null;
  strategy?: JsonObject;
  templateLabels?: JsonObject;
  containers?: Json[];
  volumes?: Json[];
  tolerations?: Json[];
  affinity?: JsonObject;
  conditions?: Json[];
  extraSpec?: JsonObject;
}

/** The test Deployment, with `parts` replacing its defaults. */
function deploy(parts: DeploymentParts = {}): JsonObject {
  const podSpec: JsonObject = {
    containers: parts.containers ?? [A, B],
    volumes: parts.volumes ?? [{ name: 'data', emptyDir: {} }],
    tolerations: parts.tolerations ?? [{ key: 'k1', operator: 'Exists' }],
  };
  if (parts.affinity) podSpec['affinity'] = parts.affinity;
  const spec: JsonObject = {
    selector: { matchLabels: { app: 'web' } },
    strategy: parts.strategy ?? ROLLING,
    template: { metadata: { labels: parts.templateLabels ?? { app: 'web' } }, spec: podSpec },
    ...parts.extraSpec,
  };
  if (parts.replicas !== null) spec['replicas'] = parts.replicas ?? 2;
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'web', namespace: 'default', labels: parts.labels ?? { app: 'web', tier: 'fe' }, finalizers: parts.finalizers ?? ['a', 'b'] },
    spec,
    status: { conditions: parts.conditions ?? [{ type: 'Available', status: 'True' }, { type: 'Progressing', status: 'True' }] },
  };
}
const deployment = deploy();

const OWNER: JsonObject = { apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'rs', uid: 'u1', controller: true };

/** The test Pod with its owner references and conditions. */
function pod(ownerReferences: Json[] = [OWNER], conditions: Json[] = [{ type: 'Ready', status: 'False' }]): JsonObject {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: 'p', ownerReferences },
    spec: { containers: [{ name: 'a', image: 'nginx:1' }] },
    status: { conditions },
  };
}

const HTTP: JsonObject = { name: 'http', port: 80, targetPort: 8080, protocol: 'TCP' };
const HTTPS: JsonObject = { name: 'https', port: 443, targetPort: 8443, protocol: 'TCP' };

/** The test Service with its selector and ports. */
function service(selector: JsonObject = { app: 'web' }, ports: Json[] = [HTTP, HTTPS]): JsonObject {
  return { apiVersion: 'v1', kind: 'Service', metadata: { name: 's' }, spec: { selector, ports } };
}

const podSpec = (patch: JsonObject): JsonObject => ({ spec: { template: { spec: patch } } });

interface Case {
  name: string;
  schema: SchemaNode;
  original: JsonObject;
  patch: Json;
  expected: JsonObject;
}

const CASES: Case[] = [
  {
    name: 'kubectl set image: $setElementOrder/containers keeps the order, merges by name',
    schema: DEPLOYMENT,
    original: deployment,
    patch: podSpec({ '$setElementOrder/containers': [{ name: 'a' }, { name: 'b' }], containers: [{ image: 'nginx:2', name: 'a' }] }),
    expected: deploy({ containers: [{ ...A, image: 'nginx:2' }, B] }),
  },
  {
    // upstream "set elements order in a list"
    name: '$setElementOrder reorders the merged list',
    schema: DEPLOYMENT,
    original: deployment,
    patch: podSpec({ '$setElementOrder/containers': [{ name: 'b' }, { name: 'a' }], containers: [{ image: 'busybox:2', name: 'b' }] }),
    expected: deploy({ containers: [{ ...B, image: 'busybox:2' }, A] }),
  },
  {
    // mergeSortedSlice: a patch item the live list lacks cannot be placed, so it goes first
    name: 'a new container without $setElementOrder lands before the live ones',
    schema: DEPLOYMENT,
    original: deployment,
    patch: podSpec({ containers: [C] }),
    expected: deploy({ containers: [C, A, B] }),
  },
  {
    // upstream "add an item in a list and preserve order"
    name: 'kubectl apply adding a container: $setElementOrder puts it last',
    schema: DEPLOYMENT,
    original: deployment,
    patch: podSpec({ '$setElementOrder/containers': [{ name: 'a' }, { name: 'b' }, { name: 'c' }], containers: [C] }),
    expected: deploy({ containers: [A, B, C] }),
  },
  {
    // upstream "delete map from merging list"
    name: '$patch: delete removes a container by name',
    schema: DEPLOYMENT,
    original: deployment,
    patch: podSpec({ '$setElementOrder/containers': [{ name: 'a' }], containers: [{ $patch: 'delete', name: 'b' }] }),
    expected: deploy({ containers: [A] }),
  },
  {
    // upstream "delete all items from merging list" (customStrategicMergePatchTestCaseData)
    name: '$patch: replace in a merge list replaces the whole list',
    schema: DEPLOYMENT,
    original: deployment,
    patch: podSpec({ containers: [C, { $patch: 'replace' }] }),
    expected: deploy({ containers: [C] }),
  },
  {
    // upstream "retainKeys map should clear defaulted field"; kubectl apply switching strategy
    name: '$retainKeys on spec.strategy: RollingUpdate → Recreate clears rollingUpdate',
    schema: DEPLOYMENT,
    original: deployment,
    patch: { spec: { strategy: { $retainKeys: ['type'], type: 'Recreate' } } },
    expected: deploy({ strategy: { type: 'Recreate' } }),
  },
  {
    name: 'kubectl apply three-way strategy switch: $retainKeys plus rollingUpdate: null',
    schema: DEPLOYMENT,
    original: deployment,
    patch: { spec: { strategy: { $retainKeys: ['type'], rollingUpdate: null, type: 'Recreate' } } },
    expected: deploy({ strategy: { type: 'Recreate' } }),
  },
  {
    // upstream "retainKeys map can change a field when no retainKeys directive present"
    name: 'without $retainKeys the strategy map merges (rollingUpdate stays)',
    schema: DEPLOYMENT,
    original: deployment,
    patch: { spec: { strategy: { type: 'Recreate' } } },
    expected: deploy({ strategy: { ...ROLLING, type: 'Recreate' } }),
  },
  {
    // upstream "retainKeys list of maps clears a field": volume sources (merge,retainKeys)
    name: 'volumes: switching emptyDir to configMap with $retainKeys on the item',
    schema: DEPLOYMENT,
    original: deployment,
    patch: podSpec({
      '$setElementOrder/volumes': [{ name: 'data' }],
      volumes: [{ $retainKeys: ['configMap', 'name'], configMap: { name: 'cfg' }, name: 'data' }],
    }),
    expected: deploy({ volumes: [{ name: 'data', configMap: { name: 'cfg' } }] }),
  },
  {
    name: 'env vars merge by name: change one, add one, switch value to valueFrom',
    schema: DEPLOYMENT,
    original: deployment,
    patch: podSpec({
      containers: [
        {
          name: 'a',
          env: [{ name: 'Y', value: '20' }, { name: 'Z', value: '3' }, { name: 'X', value: null, valueFrom: { fieldRef: { fieldPath: 'metadata.name' } } }],
        },
      ],
    }),
    expected: deploy({
      containers: [
        { ...A, env: [{ name: 'Y', value: '20' }, { name: 'Z', value: '3' }, { name: 'X', valueFrom: { fieldRef: { fieldPath: 'metadata.name' } } }] },
        B,
      ],
    }),
  },
  {
    // upstream "preserve the order from the patch in a merging list 2"
    name: 'env: patch items keep the patch order, live-only ones keep their place',
    schema: DEPLOYMENT,
    original: deployment,
    patch: podSpec({ containers: [{ name: 'a', env: [{ name: 'Y', value: '20' }, { name: 'Z', value: '3' }] }] }),
    expected: deploy({ containers: [{ ...A, env: [{ name: 'X', value: '1' }, { name: 'Y', value: '20' }, { name: 'Z', value: '3' }] }, B] }),
  },
  {
    name: 'env: delete one var and add another in one patch',
    schema: DEPLOYMENT,
    original: deployment,
    patch: podSpec({ containers: [{ name: 'a', env: [{ name: 'X', $patch: 'delete' }, { name: 'Z', value: '3' }] }] }),
    expected: deploy({ containers: [{ ...A, env: [{ name: 'Z', value: '3' }, { name: 'Y', value: '2' }] }, B] }),
  },
  {
    name: 'container ports merge by containerPort',
    schema: DEPLOYMENT,
    original: deployment,
    patch: podSpec({ containers: [{ name: 'a', ports: [{ containerPort: 80, name: 'web' }, { containerPort: 443, name: 'https' }] }] }),
    expected: deploy({ containers: [{ ...A, ports: [{ containerPort: 80, name: 'web', protocol: 'TCP' }, { containerPort: 443, name: 'https' }] }, B] }),
  },
  {
    name: 'volumeMounts merge by mountPath',
    schema: DEPLOYMENT,
    original: deployment,
    patch: podSpec({ containers: [{ name: 'a', volumeMounts: [{ mountPath: '/data', readOnly: true }] }] }),
    expected: deploy({ containers: [{ ...A, volumeMounts: [{ name: 'data', mountPath: '/data', readOnly: true }] }, B] }),
  },
  {
    name: 'args (no strategy) are replaced',
    schema: DEPLOYMENT,
    original: deployment,
    patch: podSpec({ containers: [{ name: 'b', args: ['sleep', '10'] }] }),
    expected: deploy({ containers: [A, { ...B, args: ['sleep', '10'] }] }),
  },
  {
    name: 'tolerations (no strategy) are replaced',
    schema: DEPLOYMENT,
    original: deployment,
    patch: podSpec({ tolerations: [{ key: 'k2', operator: 'Exists', effect: 'NoSchedule' }] }),
    expected: deploy({ tolerations: [{ key: 'k2', operator: 'Exists', effect: 'NoSchedule' }] }),
  },
  {
    // mergeSliceHandler returns a non-merge patch list as sent, directives included
    name: 'a $patch item in a non-merge list is taken verbatim, as upstream',
    schema: DEPLOYMENT,
    original: deployment,
    patch: podSpec({ tolerations: [{ key: 'k1', $patch: 'delete' }] }),
    expected: deploy({ tolerations: [{ key: 'k1', $patch: 'delete' }] }),
  },
  {
    // upstream "merge lists of scalars"
    name: 'finalizers (merge strategy, primitives) merge as a set',
    schema: DEPLOYMENT,
    original: deployment,
    patch: { metadata: { finalizers: ['b', 'c'] } },
    expected: deploy({ finalizers: ['a', 'b', 'c'] }),
  },
  {
    // upstream "$deleteFromPrimitiveList should delete item from a list with merge patch strategy"
    name: '$deleteFromPrimitiveList/finalizers removes an item',
    schema: DEPLOYMENT,
    original: deployment,
    patch: { metadata: { '$deleteFromPrimitiveList/finalizers': ['a'] } },
    expected: deploy({ finalizers: ['b'] }),
  },
  {
    // upstream "add and delete items in lists of scalars"
    name: 'kubectl apply on finalizers: $setElementOrder, addition and $deleteFromPrimitiveList',
    schema: DEPLOYMENT,
    original: deployment,
    patch: { metadata: { '$deleteFromPrimitiveList/finalizers': ['a'], '$setElementOrder/finalizers': ['b', 'c'], finalizers: ['c'] } },
    expected: deploy({ finalizers: ['b', 'c'] }),
  },
  {
    // upstream "add key and delete all keys from map"
    name: '$patch: replace on a map replaces it',
    schema: DEPLOYMENT,
    original: deployment,
    patch: { metadata: { labels: { $patch: 'replace', env: 'prod' } } },
    expected: deploy({ labels: { env: 'prod' } }),
  },
  {
    // upstream "delete map from nested map"
    name: '$patch: delete on a map empties it',
    schema: DEPLOYMENT,
    original: deployment,
    patch: { spec: { template: { metadata: { labels: { $patch: 'delete' } } } } },
    expected: deploy({ templateLabels: {} }),
  },
  {
    name: 'null deletes fields; nulls for absent fields do nothing',
    schema: DEPLOYMENT,
    original: deployment,
    patch: { metadata: { labels: { tier: null } }, spec: { replicas: null, paused: null, strategy: { rollingUpdate: null } } },
    expected: deploy({ labels: { app: 'web' }, replicas: null, strategy: { type: 'RollingUpdate' } }),
  },
  {
    // upstream TestUnknownField "discard nulls in nested and adds not nulls"
    name: 'a new map is added without its nulls and $patch maps',
    schema: DEPLOYMENT,
    original: deployment,
    patch: podSpec({ affinity: { nodeAffinity: null, podAffinity: { $patch: 'delete' }, podAntiAffinity: { preferredDuringSchedulingIgnoredDuringExecution: [] } } }),
    expected: deploy({ affinity: { podAntiAffinity: { preferredDuringSchedulingIgnoredDuringExecution: [] } } }),
  },
  {
    name: 'a value of another JSON type replaces (int-or-string)',
    schema: DEPLOYMENT,
    original: deployment,
    patch: { spec: { strategy: { rollingUpdate: { maxSurge: 1 } } } },
    expected: deploy({ strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: 1, maxUnavailable: '25%' } } }),
  },
  {
    // third_party/forked/golang/json LookupPatchMetadataForStruct falls back to a case-insensitive match
    name: 'a field named with other letter case still gets its merge metadata',
    schema: POD,
    original: { spec: { Containers: [{ name: 'a' }, { name: 'b' }] } },
    patch: { spec: { Containers: [{ name: 'a', image: 'y' }] } },
    expected: { spec: { Containers: [{ name: 'a', image: 'y' }, { name: 'b' }] } },
  },
  {
    name: 'status conditions merge by type',
    schema: DEPLOYMENT,
    original: deployment,
    patch: { status: { conditions: [{ type: 'Available', status: 'False', reason: 'MinimumReplicasUnavailable' }] } },
    expected: deploy({ conditions: [{ type: 'Available', status: 'False', reason: 'MinimumReplicasUnavailable' }, { type: 'Progressing', status: 'True' }] }),
  },
  {
    name: 'Pod ownerReferences merge by uid',
    schema: POD,
    original: pod(),
    patch: { metadata: { ownerReferences: [{ uid: 'u1', blockOwnerDeletion: true }] } },
    expected: pod([{ ...OWNER, blockOwnerDeletion: true }]),
  },
  {
    name: 'Pod status conditions merge by type (kubelet-style status patch)',
    schema: POD,
    original: pod(),
    patch: { status: { conditions: [{ type: 'Ready', status: 'True' }, { type: 'Initialized', status: 'True' }] } },
    expected: pod(undefined, [{ type: 'Ready', status: 'True' }, { type: 'Initialized', status: 'True' }]),
  },
  {
    name: 'Service ports merge by port',
    schema: SERVICE,
    original: service(),
    patch: { spec: { ports: [{ port: 443, targetPort: 9443 }] } },
    expected: service(undefined, [HTTP, { ...HTTPS, targetPort: 9443 }]),
  },
  {
    name: 'Service selector (a string map) merges',
    schema: SERVICE,
    original: service(),
    patch: { spec: { selector: { tier: 'fe' } } },
    expected: service({ app: 'web', tier: 'fe' }),
  },
];

for (const c of CASES) {
  t.test(`strategicMergePatch: ${c.name}`, async (t) => {
    t.strictSame(strategicMergePatch(c.original, c.patch, c.schema), c.expected);
  });
}

t.test('strategicMergePatch: a null patch returns the original', async (t) => {
  const original = service();
  t.equal(strategicMergePatch(original, null, SERVICE), original);
});

t.test('strategicMergePatch never modifies its inputs and shares untouched subtrees', async (t) => {
  const frozen = deepFreeze(deploy());
  const patch = deepFreeze(
    podSpec({
      '$setElementOrder/containers': [{ name: 'a' }],
      containers: [{ $patch: 'delete', name: 'b' }, { name: 'a', env: [{ name: 'X', $patch: 'delete' }] }],
      volumes: [{ $retainKeys: ['configMap', 'name'], configMap: { name: 'cfg' }, name: 'data' }],
    }),
  );
  const result = strategicMergePatch(frozen, patch, DEPLOYMENT);
  t.strictSame(frozen, deployment, 'original unchanged');
  t.strictSame(result, deploy({ containers: [{ ...A, env: [{ name: 'Y', value: '2' }] }], volumes: [{ name: 'data', configMap: { name: 'cfg' } }] }));
  t.equal((result as JsonObject)['status'], frozen['status'], 'untouched subtree shared');
});

/** [name, schema, original, patch, error kind, message, HTTP code]. */
const ERRORS: ReadonlyArray<readonly [string, SchemaNode, JsonObject, Json, StrategicMergePatchErrorKind, string, number]> = [
  // upstream "missing merge key should error out"
  ['missing merge key', DEPLOYMENT, deployment, podSpec({ containers: [{ image: 'x' }] }), 'NoMergeKey', 'map: map[image:x] does not contain declared merge key: name', 500],
  ['$patch: delete without the merge key', DEPLOYMENT, deployment, podSpec({ containers: [{ $patch: 'delete' }] }), 'NoMergeKey', 'map: map[$patch:delete] does not contain declared merge key: name', 500],
  [
    // upstream TestUnknownField "diff"
    'unknown field holding a map on both sides',
    DEPLOYMENT,
    deploy({ extraSpec: { bogus: { a: 1 } } }),
    { spec: { bogus: { a: 2 } } },
    'FieldNotFound',
    'unable to find api field in struct DeploymentSpec for the json field "bogus"',
    500,
  ],
  ['$deleteFromPrimitiveList without /<list>', DEPLOYMENT, deployment, { metadata: { $deleteFromPrimitiveList: ['a'] } }, 'BadPatchFormatForPrimitiveList', 'invalid patch format of primitive list', 400],
  ['$setElementOrder without /<list>', DEPLOYMENT, deployment, podSpec({ $setElementOrder: [{ name: 'a' }] }), 'BadPatchFormatForSetElementOrderList', 'invalid patch format of setElementOrder list', 400],
  ['$setElementOrder that is not a list', DEPLOYMENT, deployment, podSpec({ '$setElementOrder/containers': { name: 'a' } }), 'BadArgType', 'expected a []interface {}, but received a map[string]interface {}', 500],
  [
    // upstream "should check if order in $setElementOrder and patch list match"
    '$setElementOrder contradicting the patch list',
    DEPLOYMENT,
    deployment,
    podSpec({ '$setElementOrder/containers': [{ name: 'a' }, { name: 'b' }], containers: [{ name: 'b', image: 'y' }, { name: 'a', image: 'x' }] }),
    'Other',
    "The order in patch list:\n[map[image:y name:b] map[image:x name:a]]\n doesn't match $setElementOrder list:\n[map[name:a] map[name:b]]\n",
    500,
  ],
  ['$retainKeys not covering a patched key', DEPLOYMENT, deployment, { spec: { strategy: { $retainKeys: ['type'], type: 'Recreate', rollingUpdate: { maxSurge: 1 } } } }, 'BadPatchFormatForRetainKeys', 'invalid patch format of retainKeys', 400],
  ['$retainKeys that is not a list', DEPLOYMENT, deployment, { spec: { strategy: { $retainKeys: 'type' } } }, 'BadPatchFormatForRetainKeys', 'invalid patch format of retainKeys', 400],
  ['$patch: merge on a map', DEPLOYMENT, deployment, { metadata: { labels: { $patch: 'merge', app: 'x' } } }, 'BadPatchType', 'unknown patch type: merge in map: map[$patch:merge app:x]', 500],
  ['$patch: merge on a list item', DEPLOYMENT, deployment, podSpec({ containers: [{ name: 'a', $patch: 'merge' }] }), 'Other', 'merging lists cannot yet be specified in the patch', 500],
  ['unknown $patch on a list item', DEPLOYMENT, deployment, podSpec({ containers: [{ name: 'a', $patch: 'bogus' }] }), 'BadPatchType', 'unknown patch type: bogus in map: map[$patch:bogus name:a]', 500],
  ['non-string $patch', DEPLOYMENT, deployment, { metadata: { labels: { $patch: 1 } } }, 'BadPatchType', 'unknown patch type: %!s(int64=1) in map: map[$patch:1]', 500],
  ['list of lists', DEPLOYMENT, deploy({ finalizers: [] }), { metadata: { finalizers: [['x']] } }, 'NoListOfLists', 'lists of lists are not supported', 422],
  ['mixed element types', DEPLOYMENT, deployment, { metadata: { finalizers: [1.5] } }, 'Other', 'list element types are not identical: [[a b] [1.5]]', 500],
  ['patch that is not an object', DEPLOYMENT, deployment, [], 'BadJSONDoc', 'json: cannot unmarshal array into Go value of type map[string]interface {}', 400],
];

for (const [name, schema, original, patch, errorKind, message, code] of ERRORS) {
  t.test(`strategicMergePatch error: ${name}`, async (t) => {
    let caught: unknown;
    try {
      strategicMergePatch(original, patch, schema);
    } catch (err) {
      caught = err;
    }
    if (!(caught instanceof StrategicMergePatchError)) return t.fail(`expected StrategicMergePatchError, got ${String(caught)}`);
    t.equal(caught.kind, errorKind);
    t.equal(caught.message, message);
    t.equal(caught.httpCode, code);
  });
}

t.test('StrategicMergePatchError.toStatusError answers as kube-apiserver', async (t) => {
  const bad = new StrategicMergePatchError('BadPatchFormatForRetainKeys', 'invalid patch format of retainKeys').toStatusError();
  t.match(bad.status, { code: 400, reason: 'BadRequest', message: 'invalid patch format of retainKeys' });
  const lists = new StrategicMergePatchError('NoListOfLists', 'lists of lists are not supported').toStatusError();
  t.match(lists.status, { code: 422, reason: 'Invalid', message: 'the server rejected our request due to an error in our request', details: {} });
  const other = new StrategicMergePatchError('NoMergeKey', 'map: map[] does not contain declared merge key: name').toStatusError();
  t.strictSame(other.status, {
    kind: 'Status',
    apiVersion: 'v1',
    metadata: {},
    status: 'Failure',
    message: 'map: map[] does not contain declared merge key: name',
    code: 500,
  });
});

t.test('applyPatch dispatches on the patch type', async (t) => {
  t.strictSame(applyPatch('json', { a: 1 }, [{ op: 'replace', path: '/a', value: 2 }]), { a: 2 });
  t.strictSame(applyPatch('merge', { a: [1, 2], b: 1 }, { a: [3], b: null }), { a: [3] });
  t.strictSame(applyPatch('strategic', deployment, { metadata: { finalizers: ['c'] } }, DEPLOYMENT), deploy({ finalizers: ['c', 'a', 'b'] }));
  t.throws(() => applyPatch('strategic', deployment, {}), TypeError, 'strategic needs a schema');
  try {
    applyPatch('strategic', deployment, { metadata: { $deleteFromPrimitiveList: [] } }, DEPLOYMENT);
    t.fail('expected an error');
  } catch (err) {
    t.ok(err instanceof StatusError, 'StatusError');
    t.equal((err as StatusError).code, 400);
  }
});

function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null) {
    for (const child of Object.values(value)) deepFreeze(child);
    Object.freeze(value);
  }
  return value;
}
