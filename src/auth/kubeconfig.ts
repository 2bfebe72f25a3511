/**
 * kubeconfig files: one cluster, one user, one context, current-context set, credentials inline
 * (`*-data` base64 or a bearer token), as kubectl and the client libraries read them.
 * Owns: the kubeconfig format. Must not: make certificates or tokens.
 */
import { stringify } from 'yaml';
import { writeFileAtomic } from './files.js';

/** Options of {@link renderKubeconfig}. */
export interface KubeconfigOptions {
  /** The API server URL, e.g. `https://127.0.0.1:6443`. */
  server: string;
  /** PEM of the CA that signed the serving certificate. */
  caCert?: string;
  /** PEM client certificate; needs `clientKey`. */
  clientCert?: string;
  /** PEM private key of `clientCert`. */
  clientKey?: string;
  /** Bearer token of the user. */
  token?: string;
  clusterName?: string;
  contextName?: string;
  userName?: string;
  /** Skip server certificate verification (`insecure-skip-tls-verify`); excludes `caCert`. */
  insecure?: boolean;
}

/**
 * The kubeconfig YAML for one server and one user. Throws a TypeError for a client certificate
 * without its key (or the reverse) and for `insecure` with a CA, which kubectl refuses.
 */
export function renderKubeconfig(options: KubeconfigOptions): string {
  const { server, caCert, clientCert, clientKey, token, insecure } = options;
  const { clusterName = 'kubemu', contextName = 'kubemu', userName = 'kubemu-admin' } = options;
  if (!server) throw new TypeError('renderKubeconfig: server is required');
  if (!clientCert !== !clientKey) throw new TypeError('renderKubeconfig: clientCert and clientKey go together');
  if (insecure && caCert) throw new TypeError('renderKubeconfig: insecure excludes caCert');

  const cluster: Record<string, unknown> = { server };
  if (caCert) cluster['certificate-authority-data'] = base64(caCert);
  if (insecure) cluster['insecure-skip-tls-verify'] = true;
  const user: Record<string, string> = {};
  if (clientCert && clientKey) {
    user['client-certificate-data'] = base64(clientCert);
    user['client-key-data'] = base64(clientKey);
  }
  if (token) user.token = token;

  return stringify({
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [{ name: clusterName, cluster }],
    users: [{ name: userName, user }],
    contexts: [{ name: contextName, context: { cluster: clusterName, user: userName } }],
    'current-context': contextName,
    preferences: {},
  });
}

/** Writes a kubeconfig atomically with mode 0600, creating parent directories. */
export function writeKubeconfig(path: string, text: string): Promise<void> {
  return writeFileAtomic(path, text, 0o600);
}

function base64(text: string): string {
  return Buffer.from(text, 'utf8').toString('base64');
}
