/**
 * Reading a kubeconfig into what the HTTP client needs to connect: the server URL, the CA, and
 * the credentials (bearer token, or client certificate and key), inline (`*-data`, base64) or in
 * files (relative paths resolve against the kubeconfig's directory, as kubectl resolves them).
 * Exec and auth-provider plugins are not supported (TypeError).
 * Owns: kubeconfig → Connection. Must not: open connections.
 */
import { readFileSync } from 'node:fs';
import { dirname, isAbsolute, join } from 'node:path';
import { parse as parseYaml } from 'yaml';

/** Where and as whom the HTTP client connects. */
export interface Connection {
  /** The API server URL, e.g. `https://127.0.0.1:6443` (a path prefix is kept). */
  server: string;
  /** PEM CA bundle that signed the server certificate (default: the system's). */
  ca?: string;
  /** PEM client certificate; needs `key`. */
  cert?: string;
  /** PEM private key of `cert`. */
  key?: string;
  /** Bearer token. */
  token?: string;
  /** Skip server certificate verification. */
  insecure?: boolean;
  /** The name the server certificate must carry, when it differs from the URL's host. */
  servername?: string;
}

/** Options of {@link connectionFromKubeconfig}. */
export interface KubeconfigReadOptions {
  /** The context to use; default `current-context`. */
  context?: string;
  /** Directory relative file paths resolve against; default the working directory. */
  baseDir?: string;
}

type Entry = Record<string, unknown>;

function named(list: unknown, name: string, what: string): Entry {
  const found = Array.isArray(list) ? (list as Entry[]).find((e) => e?.name === name) : undefined;
  const value = found?.[what];
  if (!found || typeof value !== 'object' || value === null) throw new TypeError(`kubeconfig: no ${what} named ${JSON.stringify(name)}`);
  return value as Entry;
}

function str(entry: Entry, key: string): string | undefined {
  const value = entry[key];
  return typeof value === 'string' && value !== '' ? value : undefined;
}

/** Inline `<key>-data` (base64) or the file `<key>`; undefined when neither is set. */
function material(entry: Entry, key: string, baseDir: string): string | undefined {
  const data = str(entry, `${key}-data`);
  if (data) return Buffer.from(data, 'base64').toString('utf8');
  const file = str(entry, key);
  return file ? readFileSync(isAbsolute(file) ? file : join(baseDir, file), 'utf8') : undefined;
}

/** The connection of a kubeconfig's context (YAML or JSON text). Throws TypeError when incomplete. */
export function connectionFromKubeconfig(text: string, options: KubeconfigReadOptions = {}): Connection {
  const config = parseYaml(text) as Entry | null;
  if (!config || typeof config !== 'object') throw new TypeError('kubeconfig: not a YAML mapping');
  const baseDir = options.baseDir ?? process.cwd();
  const contextName = options.context ?? str(config, 'current-context');
  if (!contextName) throw new TypeError('kubeconfig: no context given and no current-context set');
  const context = named(config.contexts, contextName, 'context');
  const cluster = named(config.clusters, String(context.cluster ?? ''), 'cluster');
  const user = context.user === undefined || context.user === '' ? {} : named(config.users, String(context.user), 'user');
  if (user.exec || user['auth-provider']) throw new TypeError('kubeconfig: exec and auth-provider credentials are not supported');

  const server = str(cluster, 'server');
  if (!server) throw new TypeError(`kubeconfig: cluster of context ${JSON.stringify(contextName)} has no server`);
  const connection: Connection = { server };
  const ca = material(cluster, 'certificate-authority', baseDir);
  if (ca) connection.ca = ca;
  if (cluster['insecure-skip-tls-verify'] === true) connection.insecure = true;
  const servername = str(cluster, 'tls-server-name');
  if (servername) connection.servername = servername;
  const cert = material(user, 'client-certificate', baseDir);
  const key = material(user, 'client-key', baseDir);
  if (!cert !== !key) throw new TypeError('kubeconfig: client-certificate and client-key go together');
  if (cert && key) Object.assign(connection, { cert, key });
  const tokenFile = str(user, 'tokenFile');
  const token = str(user, 'token') ?? (tokenFile ? readFileSync(isAbsolute(tokenFile) ? tokenFile : join(baseDir, tokenFile), 'utf8').trim() : undefined);
  if (token) connection.token = token;
  return connection;
}

/** Reads the kubeconfig file at `path` (relative paths inside it resolve against its directory). */
export function loadKubeconfig(path: string, options: Omit<KubeconfigReadOptions, 'baseDir'> = {}): Connection {
  return connectionFromKubeconfig(readFileSync(path, 'utf8'), { ...options, baseDir: dirname(path) });
}
