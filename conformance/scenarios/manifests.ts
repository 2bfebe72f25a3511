/**
 * Conformance scenarios: small manifests piped to `kubectl create|replace -f -`.
 * Must not: hold expectations.
 */

/** A v1 ConfigMap as YAML. */
export function configMapYaml(name: string, data: Record<string, string> = { a: '1' }): string {
  const lines = Object.entries(data).map(([k, v]) => `  ${k}: ${JSON.stringify(v)}`);
  return ['apiVersion: v1', 'kind: ConfigMap', 'metadata:', `  name: ${name}`, 'data:', ...lines, ''].join('\n');
}

/** An apps/v1 Deployment (selector app=<name>, one pause container) as YAML. */
export function deploymentYaml(name: string, replicas = 1): string {
  return [
    'apiVersion: apps/v1',
    'kind: Deployment',
    'metadata:',
    `  name: ${name}`,
    'spec:',
    `  replicas: ${replicas}`,
    '  selector:',
    '    matchLabels:',
    `      app: ${name}`,
    '  template:',
    '    metadata:',
    '      labels:',
    `        app: ${name}`,
    '    spec:',
    '      containers:',
    '      - name: pause',
    '        image: registry.k8s.io/pause:3.9',
    '',
  ].join('\n');
}

/** The JSON body of a v1 ConfigMap, for HTTP scenarios. */
export function configMapJson(name: string, data: Record<string, string> = { a: '1' }): Record<string, unknown> {
  return { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name }, data };
}
