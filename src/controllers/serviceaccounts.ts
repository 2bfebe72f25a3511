/**
 * ServiceAccount and root-CA publishing (kube-controller-manager's serviceaccount-controller and
 * root-ca-cert-publisher): every active namespace has a `default` ServiceAccount and, when the
 * server has a CA, a `kube-root-ca.crt` ConfigMap whose `ca.crt` is that CA; both come back if
 * deleted, and the ConfigMap's data is restored if changed.
 * Owns: those two objects per namespace. Must not: default pods' service accounts (admission does).
 */
import { StatusError } from '../api/errors.js';
import { RESOURCES, type Client } from '../client/types.js';
import type { ControllerDefinition, Informer, Reconciler } from './runtime/index.js';

/** Name of the root CA ConfigMap. */
export const ROOT_CA_CONFIGMAP = 'kube-root-ca.crt';
const DESCRIPTION =
  'Contains a CA bundle that can be used to verify the kube-apiserver when using internal endpoints such as the internal service IP or kubernetes.default.svc. No other usage is guaranteed across distributions of Kubernetes clusters.';

const byNamespace = (obj: { metadata: { namespace?: string } }) => (obj.metadata.namespace ? [obj.metadata.namespace] : []);

function alreadyExists(err: unknown): void {
  if (!(err instanceof StatusError && (err.code === 409 || err.code === 403 || err.code === 404))) throw err;
}

/** Ensures the per-namespace objects of one namespace. */
export class ServiceAccountsReconciler implements Reconciler {
  constructor(
    readonly client: Client,
    readonly namespaces: Informer,
    readonly accounts: Informer,
    readonly configMaps: Informer,
    readonly caCert: string | undefined,
  ) {}

  async reconcile(namespace: string): Promise<void> {
    const ns = this.namespaces.get(namespace);
    if (!ns || ns.metadata.deletionTimestamp || (ns.status as { phase?: string } | undefined)?.phase === 'Terminating') return;
    if (!this.accounts.get(`${namespace}/default`)) {
      const sa = { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: 'default', namespace } };
      await this.client.create(RESOURCES.serviceaccounts, sa, { namespace }).catch(alreadyExists);
    }
    if (this.caCert === undefined) return;
    const data = { 'ca.crt': this.caCert };
    const current = this.configMaps.get(`${namespace}/${ROOT_CA_CONFIGMAP}`);
    if (!current) {
      const cm = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: ROOT_CA_CONFIGMAP, namespace, annotations: { 'kubernetes.io/description': DESCRIPTION } }, data };
      await this.client.create(RESOURCES.configmaps, cm, { namespace }).catch(alreadyExists);
    } else if ((current.data as Record<string, string> | undefined)?.['ca.crt'] !== this.caCert || Object.keys(current.data ?? {}).length !== 1) {
      await this.client.patch(RESOURCES.configmaps, ROOT_CA_CONFIGMAP, { type: 'json', patch: [{ op: 'replace', path: '/data', value: data }] }, { namespace }).catch(alreadyExists);
    }
  }
}

/** The controller definition; `caCert` is the PEM of kubemu's CA (no ConfigMap without one). */
export function serviceAccountsController(caCert: string | undefined): ControllerDefinition {
  return {
    name: 'serviceaccount-controller',
    setup(ctx) {
      const namespaces = ctx.informers.informer(RESOURCES.namespaces);
      const accounts = ctx.informers.informer(RESOURCES.serviceaccounts, { fieldSelector: 'metadata.name=default' });
      const configMaps = ctx.informers.informer(RESOURCES.configmaps, { fieldSelector: `metadata.name=${ROOT_CA_CONFIGMAP}` });
      const reconciler = new ServiceAccountsReconciler(ctx.client, namespaces, accounts, configMaps, caCert);
      return {
        reconciler,
        sources: [{ informer: namespaces }, { informer: accounts, map: byNamespace }, { informer: configMaps, map: byNamespace }],
      };
    },
  };
}
