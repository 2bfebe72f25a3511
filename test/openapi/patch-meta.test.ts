// src/openapi/patch-meta.ts: schema navigation and the patch metadata of well-known fields, as
// upstream declares it (k8s.io/api struct tags patchStrategy/patchMergeKey and +listType markers).
import t from 'tap';
import { schemaNodeFor, schemaNodeOf, type SchemaNode } from '../../src/openapi/patch-meta.js';

/** Walks a dotted path; `[]` steps into items, `{}` into additionalProperties. */
function at(root: SchemaNode | undefined, path: string): SchemaNode {
  let node = root;
  for (const step of path.split('.')) {
    if (!node) break;
    node = step === '[]' ? node.items() : step === '{}' ? node.additional() : node.field(step);
  }
  if (!node) throw new Error(`no schema at ${path}`);
  return node;
}

const started = performance.now();
const deployment = schemaNodeFor('apps', 'v1', 'Deployment');
t.comment(`schemaNodeFor(apps/v1 Deployment) first call: ${(performance.now() - started).toFixed(1)} ms`);
const pod = schemaNodeFor('', 'v1', 'Pod');
const service = schemaNodeFor('', 'v1', 'Service');

t.test('schemaNodeFor finds kinds by x-kubernetes-group-version-kind and caches them', async (t) => {
  t.equal(deployment?.name, 'io.k8s.api.apps.v1.Deployment');
  t.equal(pod?.name, 'io.k8s.api.core.v1.Pod');
  t.equal(service?.name, 'io.k8s.api.core.v1.Service');
  t.equal(schemaNodeFor('apps', 'v1', 'Deployment'), deployment, 'same node on the second call');
  t.equal(schemaNodeFor('autoscaling', 'v1', 'Scale')?.name, 'io.k8s.api.autoscaling.v1.Scale', 'Scale, carried by the apps/v1 document');
  t.equal(schemaNodeFor('apps', 'v1', 'NoSuchKind'), undefined);
  t.equal(schemaNodeFor('example.com', 'v1', 'Widget'), undefined, 'group-version not served');
  t.equal(schemaNodeFor('apps', 'v1beta1', 'Deployment'), undefined, 'version not served');
});

/** [schema, path, patchStrategy, patchMergeKey, listType] as upstream declares them. */
const WELL_KNOWN: ReadonlyArray<readonly [string, SchemaNode | undefined, string, string | undefined, string | undefined, string | undefined]> = [
  ['Pod', pod, 'spec.containers', 'merge', 'name', undefined],
  ['Pod', pod, 'spec.initContainers', 'merge', 'name', undefined],
  ['Pod', pod, 'spec.ephemeralContainers', 'merge', 'name', undefined],
  ['Pod', pod, 'spec.containers.[].env', 'merge', 'name', undefined],
  ['Pod', pod, 'spec.containers.[].ports', 'merge', 'containerPort', 'map'],
  ['Pod', pod, 'spec.containers.[].volumeMounts', 'merge', 'mountPath', undefined],
  ['Pod', pod, 'spec.containers.[].volumeDevices', 'merge', 'devicePath', undefined],
  ['Pod', pod, 'spec.volumes', 'merge,retainKeys', 'name', undefined],
  ['Pod', pod, 'spec.imagePullSecrets', 'merge', 'name', undefined],
  ['Pod', pod, 'spec.hostAliases', 'merge', 'ip', undefined],
  ['Pod', pod, 'spec.topologySpreadConstraints', 'merge', 'topologyKey', 'map'],
  ['Pod', pod, 'status.conditions', 'merge', 'type', undefined],
  ['Pod', pod, 'status.podIPs', 'merge', 'ip', undefined],
  ['Pod', pod, 'metadata.finalizers', 'merge', undefined, undefined],
  ['Pod', pod, 'metadata.ownerReferences', 'merge', 'uid', undefined],
  ['Deployment', deployment, 'spec.strategy', 'retainKeys', undefined, undefined],
  ['Deployment', deployment, 'spec.template.spec.containers', 'merge', 'name', undefined],
  ['Deployment', deployment, 'status.conditions', 'merge', 'type', undefined],
  ['Service', service, 'spec.ports', 'merge', 'port', 'map'],
];

t.test('patch strategies, merge keys and list types of well-known fields', async (t) => {
  for (const [kind, root, path, strategy, mergeKey, listType] of WELL_KNOWN) {
    const node = at(root, path);
    t.equal(node.patchStrategy, strategy, `${kind} ${path} strategy`);
    t.equal(node.patchMergeKey, mergeKey, `${kind} ${path} merge key`);
    t.equal(node.listType, listType, `${kind} ${path} list type`);
  }
  t.same(at(pod, 'spec.containers.[].ports').listMapKeys, ['containerPort', 'protocol']);
  t.same(at(service, 'spec.ports').listMapKeys, ['port', 'protocol']);
});

t.test('fields without a strategy replace: tolerations, args; atomic and granular maps', async (t) => {
  // PodSpec.Tolerations and Container.Args have no patchStrategy; newer releases mark them
  // +listType=atomic, the v1.27 documents say nothing, which structured-merge-diff also reads
  // as atomic.
  for (const path of ['spec.tolerations', 'spec.containers.[].args', 'spec.containers.[].command']) {
    const node = at(pod, path);
    t.equal(node.patchStrategy, undefined, `${path} strategy`);
    t.equal(node.patchMergeKey, undefined, `${path} merge key`);
    t.equal(node.listType ?? 'atomic', 'atomic', `${path} list type`);
  }
  t.equal(at(pod, 'spec.nodeSelector').mapType, 'atomic');
  t.equal(at(pod, 'metadata.labels').mapType, undefined, 'labels are granular');
});

t.test('field-level extensions lost next to $ref come back from the overlay', async (t) => {
  t.equal(at(deployment, 'spec.strategy').patchStrategy, 'retainKeys');
  t.equal(at(deployment, 'spec.strategy').name, 'io.k8s.api.apps.v1.DeploymentStrategy', 'still resolves the type');
  t.equal(at(deployment, 'spec.strategy.rollingUpdate.maxSurge').isIntOrString, true);
  t.equal(schemaNodeFor('policy', 'v1', 'PodDisruptionBudget')?.field('spec')?.field('selector')?.patchStrategy, 'replace');
  const claimRef = schemaNodeFor('', 'v1', 'PersistentVolume')?.field('spec')?.field('claimRef');
  t.equal(claimRef?.mapType, 'granular', 'field-level granular wins over ObjectReference atomic');
  t.equal(at(pod, 'spec.containers.[].env.[].valueFrom.configMapKeyRef').mapType, 'atomic', 'type-level map type');
});

t.test('navigation: $ref, items, additionalProperties, type, int-or-string', async (t) => {
  const containers = at(pod, 'spec.containers');
  t.equal(containers.type, 'array');
  t.equal(containers.items()?.name, 'io.k8s.api.core.v1.Container');
  t.equal(at(deployment, 'spec.template.spec.containers').items()?.name, 'io.k8s.api.core.v1.Container', 'same type in another document');
  t.equal(containers.items(), containers.items(), 'same node twice');
  t.equal(at(pod, 'metadata.labels').type, 'object');
  t.equal(at(pod, 'metadata.labels.{}').type, 'string');
  t.equal(at(pod, 'spec.containers.[].resources.limits.{}').name, 'io.k8s.apimachinery.pkg.api.resource.Quantity');
  t.equal(at(service, 'spec.ports.[].targetPort').isIntOrString, true);
  t.equal(at(service, 'spec.ports.[].port').isIntOrString, false);
  t.equal(at(service, 'spec.ports.[].port').type, 'integer');
  t.equal(pod?.field('nope'), undefined);
  t.equal(pod?.items(), undefined);
  t.equal(pod?.additional(), undefined);
  t.ok(pod?.hasFields);
  t.same(pod?.fieldNames(), ['apiVersion', 'kind', 'metadata', 'spec', 'status']);
});

t.test('preserve-unknown-fields and embedded-resource on CRD schemas', async (t) => {
  const crd = schemaNodeFor('apiextensions.k8s.io', 'v1', 'CustomResourceDefinition');
  const props = at(crd, 'spec.versions.[].schema.openAPIV3Schema');
  t.equal(props.name, 'io.k8s.apiextensions-apiserver.pkg.apis.apiextensions.v1.JSONSchemaProps');
  t.equal(at(props, 'properties.{}.properties.{}').name, props.name, 'recursive schema walks lazily');
  const custom = schemaNodeOf(
    {
      type: 'object',
      properties: {
        spec: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true },
        template: { type: 'object', 'x-kubernetes-embedded-resource': true, 'x-kubernetes-preserve-unknown-fields': true },
        port: { 'x-kubernetes-int-or-string': true, anyOf: [{ type: 'integer' }, { type: 'string' }] },
        items: { type: 'array', 'x-kubernetes-list-type': 'map', 'x-kubernetes-list-map-keys': ['a', 'b'], items: { type: 'object' } },
        tags: { type: 'object', 'x-kubernetes-map-type': 'atomic', additionalProperties: { type: 'string' } },
        protocol: { type: 'string', default: 'TCP' },
      },
    },
    {},
  );
  t.equal(custom.field('spec')?.preserveUnknownFields, true);
  t.equal(custom.field('template')?.embeddedResource, true);
  t.equal(custom.field('port')?.isIntOrString, true);
  t.equal(custom.field('items')?.listType, 'map');
  t.same(custom.field('items')?.listMapKeys, ['a', 'b']);
  t.equal(custom.field('tags')?.mapType, 'atomic');
  t.equal(custom.field('protocol')?.defaultValue, 'TCP');
  t.equal(custom.field('tags')?.defaultValue, undefined);
});

t.test('schemaNodeOf resolves allOf wrappers as kube-apiserver writes field extensions', async (t) => {
  const node = schemaNodeOf(
    { type: 'object', properties: { strategy: { allOf: [{ $ref: '#/components/schemas/S' }], 'x-kubernetes-patch-strategy': 'retainKeys' } } },
    { S: { type: 'object', properties: { type: { type: 'string' } }, 'x-kubernetes-map-type': 'atomic' } },
  );
  const strategy = node.field('strategy');
  t.equal(strategy?.patchStrategy, 'retainKeys');
  t.equal(strategy?.name, 'S');
  t.equal(strategy?.mapType, 'atomic', 'type-level extension through the wrapper');
  t.equal(strategy?.field('type')?.type, 'string');
  const cyclic = schemaNodeOf({ $ref: '#/components/schemas/A' }, { A: { $ref: '#/components/schemas/A' } });
  t.equal(cyclic.field('x'), undefined, 'a reference cycle ends');
});
