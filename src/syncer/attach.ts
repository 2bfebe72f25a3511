/**
 * Building a Syncer from the server's `hostCluster` config: reads the host kubeconfig into
 * kubemu's own HttpClient (client certificates, bearer tokens and token files are supported;
 * exec/auth-provider plugins are not), and mints pod tokens with the virtual cluster's
 * service-account issuer (10-year bound tokens, as vcluster's, bound to the virtual pod).
 * Owns: that composition, so server.ts stays a few lines. Must not: hold sync logic.
 */
import type { HostSyncConfig } from '../cli/config.js';
import { HttpClient } from '../client/http.js';
import { loadKubeconfig, connectionFromKubeconfig } from '../client/kubeconfig.js';
import { RESOURCES, type Client } from '../client/types.js';
import type { Logger } from '../controllers/runtime/index.js';
import { Syncer } from './index.js';

/** What the server hands over. */
export interface AttachOptions {
  virtual: Client;
  log?: Logger;
  /** Issues a bound token (the server's ServiceAccountTokens.issue). */
  issue?: (spec: {
    namespace: string;
    serviceAccount: { name: string; uid: string };
    audiences: readonly string[];
    expirationSeconds: number;
    pod: { name: string; uid: string };
  }) => { token: string };
  audiences?: readonly string[];
  caCert?: string;
}

/** The syncer for `config` (not started). */
export function createSyncer(config: HostSyncConfig, options: AttachOptions): { syncer: Syncer; close(): void } {
  const connection = config.kubeconfigText !== undefined ? connectionFromKubeconfig(config.kubeconfigText) : loadKubeconfig(config.kubeconfig ?? '');
  const host = new HttpClient(connection, { fieldManager: 'kubemu-syncer', userAgent: `kubemu-syncer/${config.name}` });
  const issue = options.issue;
  const syncer = new Syncer({
    virtual: options.virtual,
    host,
    name: config.name,
    hostNamespace: config.namespace,
    rateLimit: { ...(config.qps !== undefined ? { qps: config.qps } : {}), ...(config.burst !== undefined ? { burst: config.burst } : {}) },
    ...(config.driftIntervalMs !== undefined ? { driftIntervalMs: config.driftIntervalMs } : {}),
    ...(config.nodeMode ? { nodeMode: config.nodeMode } : {}),
    env: { ...(config.apiHost ? { apiHost: config.apiHost } : {}), ...(config.apiPort ? { apiPort: config.apiPort } : {}) },
    ...(options.log ? { log: options.log } : {}),
    ...(options.caCert ? { caCert: options.caCert } : {}),
    ...(issue
      ? {
          mintToken: async (namespace: string, serviceAccount: string, pod: { name: string; uid: string }) => {
            const sa = await options.virtual.get(RESOURCES.serviceaccounts, serviceAccount, { namespace });
            return issue({
              namespace,
              serviceAccount: { name: serviceAccount, uid: sa.metadata.uid },
              audiences: options.audiences ?? [],
              expirationSeconds: 10 * 365 * 24 * 3600,
              pod,
            }).token;
          },
        }
      : {}),
  });
  return { syncer, close: () => host.close() };
}
