/**
 * NamespaceLifecycle admission: objects are created only in namespaces that exist and are not
 * being terminated, and the system namespaces cannot be deleted (kube-apiserver's
 * `admission/plugin/namespace/lifecycle`).
 * Owns: those rules and their wording. Must not: know storage keys (it asks `getNamespace`).
 */
import { forbidden, notFound } from '../api/errors.js';
import type { KubeObject } from '../api/types.js';
import type { AdmissionRequest } from '../registry/generic-store.js';

const IMMORTAL = new Set(['default', 'kube-system', 'kube-public']);

/** Builds the plugin over a namespace lookup (undefined when the namespace does not exist). */
export function namespaceLifecycle(getNamespace: (name: string) => Promise<KubeObject | undefined>) {
  return async (req: AdmissionRequest): Promise<void> => {
    const resource = { group: req.info.group, name: req.info.plural };
    if (req.operation === 'DELETE' && !req.info.group && req.info.plural === 'namespaces' && IMMORTAL.has(req.name)) {
      throw forbidden(resource, req.name, 'this namespace may not be deleted');
    }
    if (req.operation !== 'CREATE' || !req.info.namespaced || !req.namespace) return;
    const ns = await getNamespace(req.namespace);
    if (!ns) throw notFound({ group: '', name: 'namespaces' }, req.namespace);
    if (ns.metadata?.deletionTimestamp || (ns.status as { phase?: string } | undefined)?.phase === 'Terminating') {
      throw forbidden(resource, req.name, `unable to create new content in namespace ${req.namespace} because it is being terminated`);
    }
  };
}
