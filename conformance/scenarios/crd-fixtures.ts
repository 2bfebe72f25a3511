/**
 * Conformance fixtures of the CRD scenarios: the CronTab CRD of the Kubernetes docs ("Extend the
 * Kubernetes API with CustomResourceDefinitions": the example CRD with its validation,
 * defaulting and printer-column sections, plus category `all`) and a Widget CRD with status and
 * scale subresources and a CEL rule, each in a group of its own per run (CRDs are cluster-wide).
 * Must not: depend on kubemu specifics.
 */

/**
 * A CustomResourceDefinition manifest named `<plural>.<group>`, its spec `group` first and then
 * `spec` as given (the shared frame of every CRD fixture here and in the tests).
 */
export function crdManifest(group: string, plural: string, spec: Record<string, unknown>): Record<string, unknown> {
  return {
    apiVersion: 'apiextensions.k8s.io/v1',
    kind: 'CustomResourceDefinition',
    metadata: { name: `${plural}.${group}` },
    spec: { group, ...spec },
  };
}

/** The structural schema of the CronTab example (validation and a default on `spec.replicas`); a fresh object per call. */
export function cronTabSchema(): Record<string, unknown> {
  return {
    type: 'object',
    properties: {
      spec: {
        type: 'object',
        properties: {
          cronSpec: { type: 'string', pattern: '^(\\d+|\\*)(/\\d+)?(\\s+(\\d+|\\*)(/\\d+)?){4}$' },
          image: { type: 'string' },
          replicas: { type: 'integer', minimum: 1, maximum: 10, default: 1 },
        },
      },
    },
  };
}

/** The CronTab CRD in `group` (e.g. `stable-<run>.example.com`). */
export function cronTabCrd(group: string): Record<string, unknown> {
  return crdManifest(group, 'crontabs', {
    versions: [
      {
        name: 'v1',
        served: true,
        storage: true,
        schema: { openAPIV3Schema: cronTabSchema() },
        additionalPrinterColumns: [
          { name: 'Spec', type: 'string', description: 'The cron spec defining the interval a CronJob is run', jsonPath: '.spec.cronSpec' },
          { name: 'Replicas', type: 'integer', description: 'The number of jobs launched by the CronJob', jsonPath: '.spec.replicas' },
          { name: 'Age', type: 'date', jsonPath: '.metadata.creationTimestamp' },
        ],
      },
    ],
    scope: 'Namespaced',
    names: { plural: 'crontabs', singular: 'crontab', kind: 'CronTab', shortNames: ['ct'], categories: ['all'] },
  });
}

/** A CronTab custom resource. */
export function cronTab(group: string, name: string, spec: Record<string, unknown>): Record<string, unknown> {
  return { apiVersion: `${group}/v1`, kind: 'CronTab', metadata: { name }, spec };
}

/** The Widget CRD in `group`: status and scale subresources, a CEL rule on spec. */
export function widgetCrd(group: string): Record<string, unknown> {
  return crdManifest(group, 'widgets', {
    scope: 'Namespaced',
    names: { plural: 'widgets', singular: 'widget', kind: 'Widget' },
    versions: [
      {
        name: 'v1',
        served: true,
        storage: true,
        subresources: { status: {}, scale: { specReplicasPath: '.spec.replicas', statusReplicasPath: '.status.replicas' } },
        schema: {
          openAPIV3Schema: {
            type: 'object',
            properties: {
              spec: {
                type: 'object',
                'x-kubernetes-validations': [{ rule: 'self.replicas <= self.maxReplicas', message: 'replicas must not exceed maxReplicas' }],
                properties: { replicas: { type: 'integer', default: 1 }, maxReplicas: { type: 'integer', default: 10 } },
              },
              status: { type: 'object', properties: { replicas: { type: 'integer' }, phase: { type: 'string' } } },
            },
          },
        },
      },
    ],
  });
}
