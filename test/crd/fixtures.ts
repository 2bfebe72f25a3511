/**
 * Test fixtures: the CronTab CRD of the Kubernetes docs ("Extend the Kubernetes API with
 * CustomResourceDefinitions", with its validation and printer-column sections folded in) and a
 * Widget CRD with status and scale subresources, a CEL rule, defaults, a selectable field and two
 * served versions (v1beta1 deprecated, v1 stored). The CronTab and the manifest frame are the
 * conformance scenarios' own (one home for both).
 */
import type { Test } from 'tap';
import { cronTabCrd as docsCronTabCrd, crdManifest } from '../../conformance/scenarios/crd-fixtures.js';
import { testServer, type TestServer } from '../helpers/server.js';

/** crontabs.stable.example.com, namespaced, short name `ct`, category `all`. */
export function cronTabCrd(): Record<string, unknown> {
  return docsCronTabCrd('stable.example.com');
}

/** widgets.example.kubemu.dev: status + scale, a CEL rule, v1beta1 (deprecated) and v1 (storage). */
export function widgetCrd(): Record<string, unknown> {
  const schema = {
    type: 'object',
    properties: {
      spec: {
        type: 'object',
        required: ['color'],
        'x-kubernetes-validations': [{ rule: 'self.replicas <= 100', message: 'replicas must be at most 100' }],
        properties: {
          color: { type: 'string', enum: ['red', 'green', 'blue'] },
          replicas: { type: 'integer', default: 1 },
          size: { type: 'string', default: 'medium' },
          ports: {
            type: 'array',
            'x-kubernetes-list-type': 'map',
            'x-kubernetes-list-map-keys': ['name'],
            items: { type: 'object', required: ['name'], properties: { name: { type: 'string' }, port: { type: 'integer' } } },
          },
        },
      },
      status: {
        type: 'object',
        properties: { replicas: { type: 'integer' }, selector: { type: 'string' }, phase: { type: 'string' } },
      },
    },
  };
  const subresources = { status: {}, scale: { specReplicasPath: '.spec.replicas', statusReplicasPath: '.status.replicas', labelSelectorPath: '.status.selector' } };
  const columns = [
    { name: 'Color', type: 'string', jsonPath: '.spec.color' },
    { name: 'Desired', type: 'integer', jsonPath: '.spec.replicas' },
    { name: 'Phase', type: 'string', jsonPath: '.status.phase', priority: 1 },
  ];
  /** What both versions serve alike. */
  const served = { schema: { openAPIV3Schema: schema }, subresources, additionalPrinterColumns: columns, selectableFields: [{ jsonPath: '.spec.color' }] };
  return crdManifest('example.kubemu.dev', 'widgets', {
    scope: 'Namespaced',
    names: { plural: 'widgets', singular: 'widget', kind: 'Widget', listKind: 'WidgetList', shortNames: ['wd'] },
    versions: [
      { name: 'v1beta1', served: true, storage: false, deprecated: true, ...served },
      { name: 'v1', served: true, storage: true, ...served },
    ],
  });
}

/** A test server (closed at teardown) with the Widget CRD created (asserted 201) and its serving set up. */
export async function withWidgets(t: Test): Promise<TestServer> {
  const s = await testServer();
  t.teardown(() => s.close());
  const res = await s.json('POST', '/apis/apiextensions.k8s.io/v1/customresourcedefinitions', widgetCrd());
  t.equal(res.statusCode, 201, res.body);
  await s.server.crds.idle();
  return s;
}
