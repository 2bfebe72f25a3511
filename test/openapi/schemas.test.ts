// src/openapi/schemas.ts: the served resource table and the per-group-version OpenAPI v3 documents.
import { readFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import t from 'tap';
import type { Verb } from '../../src/api/resource.js';
import { collectSchemaRefs, isObject, objectAt, type Json, type JsonObject } from '../../src/openapi/json.js';
import { gvPathOf } from '../../src/openapi/paths.js';
import { builtinResources, groupVersions, openapiV3Document, openapiV3Index } from '../../src/openapi/schemas.js';
import type { ResourceTable } from '../../src/openapi/table.js';

const started = performance.now();
const resources = builtinResources();
t.comment(`builtinResources() first call: ${(performance.now() - started).toFixed(2)} ms for ${resources.length} resources`);

const CRUD: Verb[] = ['create', 'delete', 'deletecollection', 'get', 'list', 'patch', 'update', 'watch'];
const STATUS = ['status'];
const SCALE_STATUS = ['scale', 'status'];

/** [apiVersion, plural, kind, namespaced, shortNames, categories, subresources] — what a real cluster shows. */
const EXPECTED: ReadonlyArray<readonly [string, string, string, boolean, string[], string[], string[]]> = [
  ['v1', 'configmaps', 'ConfigMap', true, ['cm'], [], []],
  ['v1', 'endpoints', 'Endpoints', true, ['ep'], [], []],
  ['v1', 'events', 'Event', true, ['ev'], [], []],
  ['v1', 'limitranges', 'LimitRange', true, ['limits'], [], []],
  ['v1', 'namespaces', 'Namespace', false, ['ns'], [], ['finalize', 'status']],
  ['v1', 'nodes', 'Node', false, ['no'], [], STATUS],
  ['v1', 'persistentvolumeclaims', 'PersistentVolumeClaim', true, ['pvc'], [], STATUS],
  ['v1', 'persistentvolumes', 'PersistentVolume', false, ['pv'], [], STATUS],
  ['v1', 'pods', 'Pod', true, ['po'], ['all'], ['attach', 'binding', 'exec', 'log', 'portforward', 'status']],
  ['v1', 'podtemplates', 'PodTemplate', true, [], [], []],
  ['v1', 'replicationcontrollers', 'ReplicationController', true, ['rc'], ['all'], SCALE_STATUS],
  ['v1', 'resourcequotas', 'ResourceQuota', true, ['quota'], [], STATUS],
  ['v1', 'secrets', 'Secret', true, [], [], []],
  ['v1', 'serviceaccounts', 'ServiceAccount', true, ['sa'], [], ['token']],
  ['v1', 'services', 'Service', true, ['svc'], ['all'], STATUS],
  ['apps/v1', 'controllerrevisions', 'ControllerRevision', true, [], [], []],
  ['apps/v1', 'daemonsets', 'DaemonSet', true, ['ds'], ['all'], STATUS],
  ['apps/v1', 'deployments', 'Deployment', true, ['deploy'], ['all'], SCALE_STATUS],
  ['apps/v1', 'replicasets', 'ReplicaSet', true, ['rs'], ['all'], SCALE_STATUS],
  ['apps/v1', 'statefulsets', 'StatefulSet', true, ['sts'], ['all'], SCALE_STATUS],
  ['events.k8s.io/v1', 'events', 'Event', true, ['ev'], [], []],
  ['autoscaling/v2', 'horizontalpodautoscalers', 'HorizontalPodAutoscaler', true, ['hpa'], ['all'], STATUS],
  ['autoscaling/v1', 'horizontalpodautoscalers', 'HorizontalPodAutoscaler', true, ['hpa'], ['all'], STATUS],
  ['batch/v1', 'cronjobs', 'CronJob', true, ['cj'], ['all'], STATUS],
  ['batch/v1', 'jobs', 'Job', true, [], ['all'], STATUS],
  ['networking.k8s.io/v1', 'ingressclasses', 'IngressClass', false, [], [], []],
  ['networking.k8s.io/v1', 'ingresses', 'Ingress', true, ['ing'], [], STATUS],
  ['networking.k8s.io/v1', 'networkpolicies', 'NetworkPolicy', true, ['netpol'], [], STATUS],
  ['policy/v1', 'poddisruptionbudgets', 'PodDisruptionBudget', true, ['pdb'], [], STATUS],
  ['rbac.authorization.k8s.io/v1', 'clusterrolebindings', 'ClusterRoleBinding', false, [], [], []],
  ['rbac.authorization.k8s.io/v1', 'clusterroles', 'ClusterRole', false, [], [], []],
  ['rbac.authorization.k8s.io/v1', 'rolebindings', 'RoleBinding', true, [], [], []],
  ['rbac.authorization.k8s.io/v1', 'roles', 'Role', true, [], [], []],
  ['storage.k8s.io/v1', 'storageclasses', 'StorageClass', false, ['sc'], [], []],
  ['apiextensions.k8s.io/v1', 'customresourcedefinitions', 'CustomResourceDefinition', false, ['crd', 'crds'], ['api-extensions'], STATUS],
  ['scheduling.k8s.io/v1', 'priorityclasses', 'PriorityClass', false, ['pc'], [], []],
  ['coordination.k8s.io/v1', 'leases', 'Lease', true, [], [], []],
  ['discovery.k8s.io/v1', 'endpointslices', 'EndpointSlice', true, [], [], []],
];

const apiVersionOf = (group: string, version: string): string => (group ? `${group}/${version}` : version);

function parse(gvPath: string): JsonObject {
  const doc = openapiV3Document(gvPath);
  if (!doc) throw new TypeError(`no document for ${gvPath}`);
  return JSON.parse(doc.body.toString('utf8')) as JsonObject;
}

t.test('builtinResources serves exactly the expected kinds, in group-version order', async (t) => {
  t.same(
    resources.map((r) => `${apiVersionOf(r.group, r.version)} ${r.plural}`),
    EXPECTED.map(([gv, plural]) => `${gv} ${plural}`),
  );
});

t.test('builtinResources gives each kind its scope, verbs, names and served subresources', async (t) => {
  for (const [gv, plural, kind, namespaced, shortNames, categories, subresources] of EXPECTED) {
    const info = resources.find((r) => apiVersionOf(r.group, r.version) === gv && r.plural === plural);
    if (!info) {
      t.fail(`${gv} ${plural} missing`);
      continue;
    }
    t.equal(info.kind, kind, `${gv} ${plural} kind`);
    t.equal(info.listKind, `${kind}List`, `${gv} ${plural} listKind`);
    t.equal(info.singular, kind.toLowerCase(), `${gv} ${plural} singular`);
    t.equal(info.namespaced, namespaced, `${gv} ${plural} namespaced`);
    t.same(info.verbs, plural === 'namespaces' ? CRUD.filter((v) => v !== 'deletecollection') : CRUD, `${gv} ${plural} verbs`);
    t.same(info.shortNames, shortNames, `${gv} ${plural} shortNames`);
    t.same(info.categories, categories, `${gv} ${plural} categories`);
    t.same(info.subresources.map((s) => s.name), subresources, `${gv} ${plural} subresources`);
    t.ok(info.schemaName, `${gv} ${plural} schemaName`);
  }
});

t.test('builtinResources describes scale as autoscaling/v1 Scale and status as the parent kind', async (t) => {
  const deployment = resources.find((r) => r.group === 'apps' && r.plural === 'deployments');
  t.same(deployment?.subresources, [
    { name: 'scale', group: 'autoscaling', version: 'v1', kind: 'Scale', verbs: ['get', 'patch', 'update'] },
    { name: 'status', group: 'apps', version: 'v1', kind: 'Deployment', verbs: ['get', 'patch', 'update'] },
  ]);
  t.ok(Object.isFrozen(deployment), 'shared infos are frozen');
});

t.test('groupVersions lists served groups in kube-apiserver order with preferred versions', async (t) => {
  const groups = groupVersions();
  t.same(groups.map((g) => g.name), [
    '', 'apps', 'events.k8s.io', 'autoscaling', 'batch', 'networking.k8s.io', 'policy', 'rbac.authorization.k8s.io',
    'storage.k8s.io', 'apiextensions.k8s.io', 'scheduling.k8s.io', 'coordination.k8s.io', 'discovery.k8s.io',
  ]);
  t.same(groups.find((g) => g.name === 'autoscaling'), { name: 'autoscaling', versions: ['v2', 'v1'], preferredVersion: 'v2' });
  t.same(groups[0], { name: '', versions: ['v1'], preferredVersion: 'v1' });
});

t.test('resources.json keeps the full upstream table, unserved subresources included', async (t) => {
  const table = JSON.parse(readFileSync(new URL('../../schemas/resources.json', import.meta.url), 'utf8')) as ResourceTable;
  const pods = table.resources['v1']?.find((r) => r.name === 'pods');
  t.same(pods?.subresources.map((s) => s.name), ['attach', 'binding', 'ephemeralcontainers', 'eviction', 'exec', 'log', 'portforward', 'proxy', 'status']);
  t.same(pods?.subresources.find((s) => s.name === 'eviction'), { name: 'eviction', group: 'policy', version: 'v1', kind: 'Eviction', verbs: ['create'] });
  t.same(pods?.subresources.find((s) => s.name === 'exec')?.verbs, ['create', 'get']);
  t.same(table.resources['v1']?.find((r) => r.name === 'serviceaccounts')?.subresources.map((s) => `${s.name}:${s.kind}`), ['token:TokenRequest']);
  t.same(table.resources['v1']?.find((r) => r.name === 'componentstatuses')?.verbs, ['get', 'list']);
  t.notOk(Object.values(table.resources).some((list) => list.some((r) => r.name === 'watch')), 'no resource made of /watch/ paths');
  t.same(table.groups[0], { name: '', versions: ['v1'], preferredVersion: 'v1' });
  t.ok(table.overlay.includes('io.k8s.api.core.v1.Container.restartPolicy'));
  t.same(table.overlayExtensions, [
    'io.k8s.api.apps.v1.DeploymentSpec.strategy x-kubernetes-patch-strategy',
    'io.k8s.api.core.v1.PersistentVolumeSpec.claimRef x-kubernetes-map-type',
    'io.k8s.api.policy.v1.PodDisruptionBudgetSpec.selector x-kubernetes-patch-strategy',
  ]);
});

t.test('every served kind has its schema, GVK and PATCH metadata in its group-version document', async (t) => {
  for (const info of resources) {
    const gvPath = gvPathOf(info.group, info.version);
    const doc = parse(gvPath);
    const schemas = objectAt(doc['components'], 'schemas') ?? {};
    const schema = objectAt(schemas, info.schemaName ?? '');
    t.ok(schema, `${gvPath} has ${info.schemaName}`);
    t.same(schema?.['x-kubernetes-group-version-kind'], [{ group: info.group, kind: info.kind, version: info.version }], `${info.kind} GVK`);
    t.ok(objectAt(schemas, `${info.schemaName}List`) ?? Object.keys(schemas).some((n) => n.endsWith(`.${info.listKind}`)), `${info.listKind} schema`);

    const prefix = `/${gvPath}${info.namespaced ? '/namespaces/{namespace}' : ''}/${info.plural}/{name}`;
    const patch = objectAt(objectAt(doc['paths'], prefix), 'patch');
    t.ok(patch, `${prefix} PATCH`);
    t.same(patch?.['x-kubernetes-group-version-kind'], { group: info.group, kind: info.kind, version: info.version }, `${prefix} PATCH GVK`);
    const params = Array.isArray(patch?.['parameters']) ? patch['parameters'] : [];
    t.ok(params.some((p) => isObject(p) && p['name'] === 'fieldValidation'), `${prefix} PATCH fieldValidation`);
    const content = objectAt(objectAt(patch, 'requestBody'), 'content');
    t.ok(content?.['application/strategic-merge-patch+json'], `${prefix} PATCH accepts strategic merge`);
    for (const sub of info.subresources) t.ok(objectAt(doc['paths'], `${prefix}/${sub.name}`), `${prefix}/${sub.name}`);
  }
});

t.test('every reference of every served document resolves inside that document', async (t) => {
  for (const gvPath of Object.keys(openapiV3Index().paths)) {
    const doc = parse(gvPath);
    const schemas = objectAt(doc['components'], 'schemas') ?? {};
    const refs = new Set<string>();
    collectSchemaRefs(doc, refs);
    const dangling = [...refs].filter((name) => schemas[name] === undefined);
    t.same(dangling, [], `${gvPath}: ${refs.size} references resolve`);
    const text = JSON.stringify(doc);
    t.notOk(text.includes('#/components/requestBodies/'), `${gvPath}: request bodies inlined`);
    t.notOk('servers' in doc || 'security' in doc, `${gvPath}: no APIs.guru servers/security`);
    t.notOk(text.includes('"servers":'), `${gvPath}: no per-operation servers`);
    t.equal(doc['openapi'], '3.0.0');
  }
});

t.test('served documents leave out unserved resources and subresources', async (t) => {
  const paths = objectAt(parse('api/v1'), 'paths') ?? {};
  t.ok(paths['/api/v1/'], 'discovery endpoint kept');
  t.ok(paths['/api/v1/namespaces/{namespace}/pods/{name}/status']);
  t.ok(paths['/api/v1/watch/namespaces/{namespace}/pods'], 'deprecated watch paths of served resources kept');
  t.ok(paths['/api/v1/namespaces/{namespace}/pods/{name}/log'], 'pod I/O served');
  t.notOk(paths['/api/v1/namespaces/{namespace}/pods/{name}/proxy']);
  t.notOk(paths['/api/v1/namespaces/{namespace}/pods/{name}/eviction']);
  t.notOk(paths['/api/v1/componentstatuses']);
  t.notOk(paths['/api/v1/namespaces/{namespace}/bindings']);
  t.equal(openapiV3Document('apis/authentication.k8s.io/v1'), undefined, 'unserved group-version');
  t.equal(openapiV3Document('apis/nope/v1'), undefined);
});

t.test('documents keep patch metadata, v3 int-or-string and the overlay fields', async (t) => {
  const schemas = objectAt(objectAt(parse('apis/apps/v1'), 'components'), 'schemas') ?? {};
  const container = objectAt(objectAt(schemas, 'io.k8s.api.core.v1.Container'), 'properties');
  const ports: Json | undefined = container?.['ports'];
  t.match(ports, { 'x-kubernetes-patch-merge-key': 'containerPort', 'x-kubernetes-patch-strategy': 'merge', 'x-kubernetes-list-type': 'map' });
  t.match(container?.['restartPolicy'], { type: 'string' }, 'sidecar restartPolicy overlay');
  t.match(objectAt(objectAt(schemas, 'io.k8s.api.core.v1.PodSpec'), 'properties')?.['containers'], { 'x-kubernetes-patch-merge-key': 'name' });
  t.match(schemas['io.k8s.apimachinery.pkg.util.intstr.IntOrString'], { format: 'int-or-string', oneOf: [{ type: 'integer' }, { type: 'string' }] });
  t.match(schemas['io.k8s.apimachinery.pkg.api.resource.Quantity'], { oneOf: [{ type: 'string' }, { type: 'number' }] });
  t.same(
    objectAt(objectAt(schemas, 'io.k8s.api.apps.v1.DeploymentSpec'), 'properties')?.['strategy'],
    { allOf: [{ $ref: '#/components/schemas/io.k8s.api.apps.v1.DeploymentStrategy' }], 'x-kubernetes-patch-strategy': 'retainKeys' },
    'patch metadata of a $ref field in kube-apiserver v3 shape (overlay)',
  );
});

t.test('openapiV3Document encodes once and hashes with upper-case SHA-512', async (t) => {
  const a = openapiV3Document('apis/batch/v1');
  const b = openapiV3Document('apis/batch/v1');
  t.equal(a, b, 'cached');
  t.equal(a?.etag, createHash('sha512').update(a?.body ?? Buffer.alloc(0)).digest('hex').toUpperCase());
  t.match(a?.etag, /^[0-9A-F]{128}$/);
  const index = openapiV3Index();
  t.equal(index.paths['apis/batch/v1']?.serverRelativeURL, `/openapi/v3/apis/batch/v1?hash=${a?.etag}`);
  t.same(Object.keys(index.paths), [...Object.keys(index.paths)].sort(), 'index keys sorted');
  t.equal(Object.keys(index.paths).length, groupVersions().reduce((n, g) => n + g.versions.length, 0));
});
