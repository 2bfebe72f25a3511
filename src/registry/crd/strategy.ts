/**
 * The strategy of customresourcedefinitions (apiextensions' pkg/registry/customresourcedefinition
 * strategy.go and etcd.go Delete): status reset on create with `storedVersions` = the storage
 * version, the storage version added to `storedVersions` on update, generation tracking,
 * validation (./validation.ts), and deletion that first adds the
 * `customresourcecleanup.apiextensions.k8s.io` finalizer with a Terminating condition so the
 * CRD controller can delete the custom resources before the CRD goes.
 * Owns: those hooks. Must not: do I/O.
 */
import { nowTimestamp } from '../codec.js';
import { compileSchema } from '../crd-schema/index.js';
import { strategy, type Strategy } from '../strategy.js';
import { CLEANUP_FINALIZER, setCondition, storageVersionOf, type Crd } from './types.js';
import { validateCrd, validateCrdUpdate } from './validation.js';

function addStoredVersion(crd: Crd): void {
  const storage = storageVersionOf(crd);
  if (!storage) return;
  const status = (crd.status ??= {});
  const stored = (status.storedVersions ??= []);
  if (!stored.includes(storage)) stored.push(storage);
}

/** Said to whoever writes a CRD with webhook conversion. */
const WEBHOOK_WARNING =
  'kubemu does not call conversion webhooks: objects are served at every version with only apiVersion rewritten (as with conversion strategy None)';

/** v1 defaulting (SetDefaults_CustomResourceDefinition...): singular, listKind, conversion None. */
function applyDefaults(crd: Crd): void {
  const spec = (crd.spec ??= {});
  const names = (spec.names ??= {});
  if (!names.singular && names.kind) names.singular = names.kind.toLowerCase();
  if (!names.listKind && names.kind) names.listKind = `${names.kind}List`;
  spec.conversion ??= { strategy: 'None' };
}

/** The CRD strategy. */
export const crdStrategy: Strategy = strategy({
  tracksGeneration: true,
  prepareForCreate(obj) {
    const crd = obj as Crd;
    applyDefaults(crd);
    crd.status = {};
    addStoredVersion(crd);
  },
  prepareForUpdate(obj) {
    const crd = obj as Crd;
    if (crd.status) crd.status = structuredClone(crd.status); // carried over by reference from the stored object
    applyDefaults(crd);
    addStoredVersion(crd);
  },
  // Schema warnings (e.g. CEL rules kubemu cannot evaluate) go back to whoever wrote the CRD.
  warningsOnWrite: (obj) => [
    ...((obj as Crd).spec?.conversion?.strategy === 'Webhook' ? [WEBHOOK_WARNING] : []),
    ...((obj as Crd).spec?.versions ?? []).flatMap((v) => {
      const schema = v.schema?.openAPIV3Schema;
      if (!schema) return [];
      try {
        return compileSchema(schema, { kind: (obj as Crd).spec?.names?.kind ?? '', apiVersion: `${(obj as Crd).spec?.group ?? ''}/${v.name ?? ''}` }).warnings;
      } catch {
        return [];
      }
    }),
  ],
  validate: (obj) => validateCrd(obj as Crd),
  validateUpdate: (obj, old) => validateCrdUpdate(obj as Crd, old as Crd),
  // A CRD not yet marked always waits: its delete adds the cleanup finalizer (prepareForDelete).
  finalizersPending: (obj) => (obj.metadata?.finalizers?.length ?? 0) > 0 || !obj.metadata?.deletionTimestamp,
  prepareForDelete(obj) {
    const meta = (obj.metadata ??= {});
    const finalizers = (meta.finalizers ??= []);
    if (!finalizers.includes(CLEANUP_FINALIZER)) finalizers.push(CLEANUP_FINALIZER);
    setCondition(
      obj as Crd,
      {
        type: 'Terminating',
        status: 'True',
        reason: 'InstanceDeletionPending',
        message: 'CustomResourceDefinition marked for deletion; CustomResource deletion will begin soon',
      },
      nowTimestamp(),
    );
  },
});
