/**
 * Conformance: reads a kubeconfig file into the connection facts the HTTP client needs (server
 * URL, CA, client certificate, bearer token), following kubectl's rules for the current context.
 * Owns: kubeconfig parsing. Must not: know kubemu (any cluster's kubeconfig works) or do HTTP.
 */
import { readFile } from 'node:fs/promises';
import { dirname, isAbsolute, resolve } from 'node:path';
import { parse as parseYaml } from 'yaml';

/** What is needed to talk to one API server as one user. */
export interface Connection {
  /** Server URL without trailing slash, e.g. `https://127.0.0.1:6443`. */
  server: string;
  /** PEM CA bundle; absent means the system roots. */
  ca?: string;
  /** PEM client certificate and key, when the user authenticates by certificate. */
  cert?: string;
  key?: string;
  /** Bearer token, when the user authenticates by token. */
  token?: string;
  /** Basic-auth credentials (old clusters only). */
  username?: string;
  password?: string;
  insecureSkipTlsVerify: boolean;
  /** SNI / verification name when it differs from the URL host. */
  tlsServerName?: string;
}

type Fields = Record<string, unknown>;

function asFields(value: unknown): Fields {
  return value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Fields) : {};
}

function str(fields: Fields, key: string): string | undefined {
  const value = fields[key];
  return typeof value === 'string' && value !== '' ? value : undefined;
}

function findNamed(list: unknown, name: string, inner: string): Fields | undefined {
  if (!Array.isArray(list)) return undefined;
  const entry = list.find((e: unknown) => asFields(e).name === name);
  return entry === undefined ? undefined : asFields(asFields(entry)[inner]);
}

/** Reads inline `<key>-data` (base64) or the file `<key>` (relative to the kubeconfig). */
async function material(fields: Fields, key: string, baseDir: string): Promise<string | undefined> {
  const data = str(fields, `${key}-data`);
  if (data) return Buffer.from(data, 'base64').toString('utf8');
  const file = str(fields, key);
  if (file) return readFile(isAbsolute(file) ? file : resolve(baseDir, file), 'utf8');
  return undefined;
}

/**
 * Loads the connection of `context` (default: the file's current-context) from the kubeconfig
 * at `path`. Throws a TypeError naming what is missing; exec and auth-provider plugins are not
 * supported (use a kubeconfig with a token or client certificate).
 */
export async function loadConnection(path: string, context?: string): Promise<Connection> {
  const baseDir = dirname(path);
  const doc = asFields(parseYaml(await readFile(path, 'utf8')));
  const contextName = context ?? str(doc, 'current-context');
  if (!contextName) throw new TypeError(`${path}: no current-context and no --context given`);
  const ctx = findNamed(doc.contexts, contextName, 'context');
  if (!ctx) throw new TypeError(`${path}: context "${contextName}" not found`);
  const clusterName = str(ctx, 'cluster');
  const cluster = clusterName ? findNamed(doc.clusters, clusterName, 'cluster') : undefined;
  const server = cluster ? str(cluster, 'server') : undefined;
  if (!cluster || !server) throw new TypeError(`${path}: cluster of context "${contextName}" has no server`);
  const userName = str(ctx, 'user');
  const user = userName ? (findNamed(doc.users, userName, 'user') ?? {}) : {};
  if (user.exec !== undefined || user['auth-provider'] !== undefined) {
    throw new TypeError(`${path}: user "${userName}" uses an exec/auth-provider plugin; give a kubeconfig with a token or client certificate`);
  }
  const connection: Connection = {
    server: server.replace(/\/+$/, ''),
    insecureSkipTlsVerify: cluster['insecure-skip-tls-verify'] === true,
  };
  const ca = await material(cluster, 'certificate-authority', baseDir);
  if (ca) connection.ca = ca;
  const tlsServerName = str(cluster, 'tls-server-name');
  if (tlsServerName) connection.tlsServerName = tlsServerName;
  const cert = await material(user, 'client-certificate', baseDir);
  const key = await material(user, 'client-key', baseDir);
  if (cert && key) Object.assign(connection, { cert, key });
  const tokenFile = str(user, 'tokenFile');
  const token = str(user, 'token') ?? (tokenFile ? (await readFile(resolve(baseDir, tokenFile), 'utf8')).trim() : undefined);
  if (token) connection.token = token;
  const username = str(user, 'username');
  const password = str(user, 'password');
  if (username && password) Object.assign(connection, { username, password });
  return connection;
}
