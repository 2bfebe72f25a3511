/**
 * ServiceAccount admission, the part kubemu needs (kube-apiserver's `plugin/pkg/admission/
 * serviceaccount`): a Pod created without `spec.serviceAccountName` gets `default` (and the
 * deprecated `spec.serviceAccount` mirrors it). Mirror pods are left alone. The referenced
 * account is not required to exist yet, and no token volume is mounted.
 * Owns: that defaulting. Must not: read storage.
 */
import type { AdmissionRequest } from '../registry/generic-store.js';

/** The plugin. */
export function serviceAccountAdmission() {
  return async (req: AdmissionRequest): Promise<void> => {
    if (req.operation !== 'CREATE' || req.info.group !== '' || req.info.plural !== 'pods' || req.subresource || !req.object) return;
    if (req.object.metadata?.annotations?.['kubernetes.io/config.mirror'] !== undefined) return;
    const spec = (req.object.spec ??= {}) as Record<string, unknown>;
    if (!spec.serviceAccountName) spec.serviceAccountName = typeof spec.serviceAccount === 'string' && spec.serviceAccount ? spec.serviceAccount : 'default';
    spec.serviceAccount = spec.serviceAccountName;
  };
}
