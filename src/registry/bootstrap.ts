/**
 * The state every cluster starts with: namespaces default, kube-system, kube-public and
 * kube-node-lease, the `kubernetes` Service (with its Endpoints) in default, and the bootstrap
 * RBAC policy (src/auth/rbac/bootstrap-policy.ts). Created only
 * when missing, so a restart on the same data changes nothing.
 * Owns: bootstrap objects. Must not: know HTTP.
 */
import { StatusError } from '../api/errors.js';
import type { KubeObject } from '../api/types.js';
import { ensureBootstrapPolicy } from '../auth/rbac/bootstrap-policy.js';
import type { Registry } from './registry.js';

const SYSTEM_NAMESPACES = ['default', 'kube-system', 'kube-public', 'kube-node-lease'];

/** Where the kubernetes Service points. */
export interface BootstrapOptions {
  /** Address clients reach the API server on, for the Endpoints of the kubernetes Service. */
  advertiseAddress: string;
  port: number;
}

async function ensure(create: () => Promise<unknown>): Promise<void> {
  try {
    await create();
  } catch (err) {
    if (!(err instanceof StatusError && err.reason === 'AlreadyExists')) throw err;
  }
}

/** Creates whatever bootstrap object is missing. */
export async function bootstrap(registry: Registry, options: BootstrapOptions): Promise<void> {
  // With port 0 the real port is known only once listening; the Service then names the default one.
  const port = options.port || 6443;
  const namespaces = registry.storeFor('', 'namespaces');
  for (const name of SYSTEM_NAMESPACES) await ensure(() => namespaces.create(undefined, { metadata: { name } }));

  const service: KubeObject = {
    metadata: { name: 'kubernetes', labels: { component: 'apiserver', provider: 'kubernetes' } },
    spec: {
      type: 'ClusterIP',
      clusterIP: '10.96.0.1',
      ports: [{ name: 'https', port: 443, protocol: 'TCP', targetPort: port }],
      sessionAffinity: 'None',
    },
  };
  await ensure(() => registry.storeFor('', 'services').create('default', service));

  const ip = /^\d+\.\d+\.\d+\.\d+$/.test(options.advertiseAddress) ? options.advertiseAddress : '127.0.0.1';
  const endpoints: KubeObject = {
    metadata: { name: 'kubernetes', labels: { 'endpointslice.kubernetes.io/skip-mirror': 'true' } },
    subsets: [{ addresses: [{ ip }], ports: [{ name: 'https', port, protocol: 'TCP' }] }],
  };
  await ensure(() => registry.storeFor('', 'endpoints').create('default', endpoints));
  await ensureBootstrapPolicy(registry);
}
