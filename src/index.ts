/**
 * Library entry: `startKubemu(options)` starts an in-process API server (memory storage and a
 * free port by default) and returns its URL, an admin kubeconfig (text and file) and `close()`.
 * Several instances may run in one process and share nothing, except the schema source chosen by
 * `openapi` (one per process: instances started with different ones are refused).
 * Owns: the library API. Must not: hold logic beyond composing server and listen.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { listen } from './cli/listen.js';
import { withDefaults, type Config } from './cli/config.js';
import { buildServer } from './server.js';

export type { Config } from './cli/config.js';
export type { KubeObject, ObjectMeta, Status } from './api/types.js';

/** Options of startKubemu: any Config field; defaults differ from the CLI (memory storage, port 0). */
export type StartOptions = Partial<Config>;

/** A running in-process kubemu. */
export interface Kubemu {
  /** Base URL, e.g. `https://127.0.0.1:41234`. */
  url: string;
  /** Admin kubeconfig (YAML) for `url`. */
  kubeconfig: string;
  /** Path of a file holding `kubeconfig` (removed by close unless you chose the path). */
  kubeconfigPath: string;
  /** Admin bearer token. */
  token: string;
  /** CA certificate (PEM) when serving HTTPS. */
  caCert?: string;
  /** The CA's private key (PEM) when serving HTTPS: client certificates it signs authenticate (CN = user, O = groups). */
  caKey?: string;
  /** Stops the server and releases its storage and files. */
  close(): Promise<void>;
}

/** Starts kubemu in this process. */
export async function startKubemu(options: StartOptions = {}): Promise<Kubemu> {
  const config = withDefaults({ storage: 'memory', port: 0, ...options });
  const tempDir = options.kubeconfigPath ? undefined : await mkdtemp(join(tmpdir(), 'kubemu-'));
  const kubeconfigPath = options.kubeconfigPath ?? join(tempDir!, 'kubeconfig');
  const server = await buildServer(config as Config);
  try {
    const listening = await listen(server, config, kubeconfigPath);
    let closed = false;
    return {
      url: listening.url,
      kubeconfig: listening.kubeconfig,
      kubeconfigPath,
      token: server.adminToken,
      ...(server.tls ? { caCert: server.tls.caCert, caKey: server.tls.caKey } : {}),
      close: async () => {
        if (closed) return;
        closed = true;
        await server.close();
        if (tempDir) await rm(tempDir, { recursive: true, force: true });
      },
    };
  } catch (err) {
    await server.close();
    if (tempDir) await rm(tempDir, { recursive: true, force: true });
    throw err;
  }
}
