/**
 * Listening: binds a built server, turns "address in use" into a clear message, and writes the
 * kubeconfig for the URL it got.
 * Owns: listen + kubeconfig file. Must not: build the server.
 */
import { resolve, join } from 'node:path';
import { writeKubeconfig } from '../auth/kubeconfig.js';
import type { Server } from '../server.js';
import type { Config } from './config.js';

/** Where the server ended up. */
export interface Listening {
  url: string;
  port: number;
  /** The admin kubeconfig for `url`. */
  kubeconfig: string;
  kubeconfigPath?: string;
}

/** A listen failure worded for people. */
export class ListenError extends Error {}

/** Listens on config.host:config.port; writes the kubeconfig unless `kubeconfigPath` is null. */
export async function listen(server: Server, config: Config, kubeconfigPath: string | null = config.kubeconfigPath ?? join(resolve(config.dataDir), 'kubeconfig')): Promise<Listening> {
  try {
    await server.app.listen({ host: config.host, port: config.port });
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'EADDRINUSE')
      throw new ListenError(`port ${config.port} on ${config.host} is already in use (choose another with --port, or --port 0 for a free one)`);
    if (code === 'EADDRNOTAVAIL' || code === 'ENOTFOUND')
      throw new ListenError(`cannot listen on ${config.host}: no such local address`);
    if (code === 'EACCES') throw new ListenError(`not allowed to listen on ${config.host}:${config.port}`);
    throw err;
  }
  const address = server.app.server.address();
  const port = typeof address === 'object' && address ? address.port : config.port;
  const host = config.host.includes(':') ? `[${config.host}]` : config.host === '0.0.0.0' ? '127.0.0.1' : config.host;
  const url = `${server.tls ? 'https' : 'http'}://${host}:${port}`;
  const kubeconfig = server.kubeconfig(url);
  if (kubeconfigPath === null) return { url, port, kubeconfig };
  const path = resolve(kubeconfigPath);
  await writeKubeconfig(path, kubeconfig);
  return { url, port, kubeconfig, kubeconfigPath: path };
}
