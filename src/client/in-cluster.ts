/**
 * In-cluster host access: inside a Pod, the API server is `KUBERNETES_SERVICE_HOST`:
 * `KUBERNETES_SERVICE_PORT`, and the Pod's ServiceAccount credentials are mounted at
 * /var/run/secrets/kubernetes.io/serviceaccount/{token,ca.crt,namespace} (client-go's
 * rest.InClusterConfig reads the same). The kubeconfig built here refers to the token and CA
 * FILES, so a reader that loads it later sees the kubelet-rotated token of that moment.
 * Owns: environment + mounted files → kubeconfig text. Must not: open connections.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { stringify as toYaml } from 'yaml';

/** Where a Pod's ServiceAccount credentials are mounted. */
export const SERVICE_ACCOUNT_DIR = '/var/run/secrets/kubernetes.io/serviceaccount';

/** Inputs of the in-cluster functions (tests pass their own). */
export interface InClusterSource {
  env?: NodeJS.ProcessEnv;
  /** Directory holding token, ca.crt and namespace (default {@link SERVICE_ACCOUNT_DIR}). */
  dir?: string;
}

/**
 * A kubeconfig (YAML) for the API server of the cluster this process runs in, authenticating
 * with the mounted ServiceAccount token. Throws TypeError, with client-go's wording, outside a
 * cluster: `unable to load in-cluster configuration, KUBERNETES_SERVICE_HOST and
 * KUBERNETES_SERVICE_PORT must be defined`.
 */
export function inClusterKubeconfig(source: InClusterSource = {}): string {
  const env = source.env ?? process.env;
  const dir = source.dir ?? SERVICE_ACCOUNT_DIR;
  const host = env.KUBERNETES_SERVICE_HOST;
  const port = env.KUBERNETES_SERVICE_PORT;
  if (!host || !port) throw new TypeError('unable to load in-cluster configuration, KUBERNETES_SERVICE_HOST and KUBERNETES_SERVICE_PORT must be defined');
  const tokenFile = join(dir, 'token');
  if (!existsSync(tokenFile)) throw new TypeError(`unable to load in-cluster configuration: open ${tokenFile}: no such file or directory`);
  const caFile = join(dir, 'ca.crt');
  const server = `https://${host.includes(':') ? `[${host}]` : host}:${port}`;
  const cluster: Record<string, string> = { server };
  if (existsSync(caFile)) cluster['certificate-authority'] = caFile;
  return toYaml({
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [{ name: 'in-cluster', cluster }],
    users: [{ name: 'in-cluster', user: { tokenFile } }],
    contexts: [{ name: 'in-cluster', context: { cluster: 'in-cluster', user: 'in-cluster' } }],
    'current-context': 'in-cluster',
  });
}

/** The namespace this Pod runs in (the mounted `namespace` file), or undefined outside a cluster. */
export function inClusterNamespace(source: InClusterSource = {}): string | undefined {
  const file = join(source.dir ?? SERVICE_ACCOUNT_DIR, 'namespace');
  if (!existsSync(file)) return undefined;
  const namespace = readFileSync(file, 'utf8').trim();
  return namespace || undefined;
}
