/**
 * Printers for persistent volumes, claims and storage classes (upstream printPersistentVolume,
 * printPersistentVolumeClaim, printStorageClass). Fields upstream's defaulting always fills read
 * as their defaults when absent: PV reclaim policy Retain, phases Pending, volume mode Filesystem.
 * Owns: these kinds' columns and cells. Must not: know HTTP, storage or other kinds.
 */
import type { KubeObject } from '../../../api/types.js';
import { AGE, column, columns, NAME } from '../columns.js';
import { DOC } from '../descriptions.js';
import { accessModes, age, quantity } from '../format.js';
import type { Printer, PrintContext } from '../types.js';

/** The beta annotation that overrides storageClassName on volumes and claims. */
const BETA_CLASS_ANNOTATION = 'volume.beta.kubernetes.io/storage-class';

interface PersistentVolume extends KubeObject {
  spec?: {
    capacity?: Record<string, unknown>;
    accessModes?: string[];
    persistentVolumeReclaimPolicy?: string;
    claimRef?: { namespace?: string; name?: string };
    storageClassName?: string;
    volumeAttributesClassName?: string;
    volumeMode?: string;
  };
  status?: { phase?: string; reason?: string };
}

interface PersistentVolumeClaim extends KubeObject {
  spec?: { volumeName?: string; storageClassName?: string; volumeAttributesClassName?: string; volumeMode?: string };
  status?: { phase?: string; capacity?: Record<string, unknown>; accessModes?: string[] };
}

interface StorageClass extends KubeObject {
  provisioner?: string;
  reclaimPolicy?: string;
  volumeBindingMode?: string;
  allowVolumeExpansion?: boolean;
}

/** GetPersistentVolumeClass / GetPersistentVolumeClaimClass. */
function storageClassOf(obj: KubeObject, specClass: string | undefined): string {
  const annotations = obj.metadata?.annotations ?? {};
  if (Object.hasOwn(annotations, BETA_CLASS_ANNOTATION)) return annotations[BETA_CLASS_ANNOTATION]!;
  return specClass ?? '';
}

/** The phase, or `Terminating` once deletion has begun. */
function phase(obj: KubeObject, value: string | undefined): string {
  return obj.metadata?.deletionTimestamp ? 'Terminating' : value || 'Pending';
}

/**
 * persistentvolumes: Name, Capacity, Access Modes, Reclaim Policy, Status, Claim, StorageClass,
 * VolumeAttributesClass, Reason, Age; wide VolumeMode.
 */
export const persistentVolumePrinter: Printer = {
  columns: columns(
    NAME,
    column('Capacity', DOC.pvCapacity),
    column('Access Modes', DOC.pvAccessModes),
    column('Reclaim Policy', DOC.pvReclaim),
    column('Status', DOC.pvPhase),
    column('Claim', DOC.pvClaimRef),
    column('StorageClass', 'StorageClass of the pv'),
    column('VolumeAttributesClass', 'VolumeAttributesClass of the pv'),
    column('Reason', DOC.pvReason),
    AGE,
    column('VolumeMode', DOC.pvVolumeMode, { priority: 1 }),
  ),
  cells(obj: KubeObject, { now }: PrintContext): unknown[] {
    const pv = obj as PersistentVolume;
    const spec = pv.spec ?? {};
    const claim = spec.claimRef ? `${spec.claimRef.namespace ?? ''}/${spec.claimRef.name ?? ''}` : '';
    return [
      pv.metadata?.name ?? '',
      quantity(spec.capacity?.storage),
      accessModes(spec.accessModes),
      spec.persistentVolumeReclaimPolicy || 'Retain',
      phase(pv, pv.status?.phase),
      claim,
      storageClassOf(pv, spec.storageClassName),
      spec.volumeAttributesClassName ?? '<unset>',
      pv.status?.reason ?? '',
      age(pv, now),
      spec.volumeMode ?? 'Filesystem',
    ];
  },
};

/**
 * persistentvolumeclaims: Name, Status, Volume, Capacity, Access Modes, StorageClass,
 * VolumeAttributesClass, Age; wide VolumeMode. Capacity and access modes show once bound.
 */
export const persistentVolumeClaimPrinter: Printer = {
  columns: columns(
    NAME,
    column('Status', DOC.pvcPhase),
    column('Volume', DOC.pvcVolumeName),
    column('Capacity', DOC.pvcCapacity),
    column('Access Modes', DOC.pvcAccessModes),
    column('StorageClass', 'StorageClass of the pvc'),
    column('VolumeAttributesClass', 'VolumeAttributesClass of the pvc'),
    AGE,
    column('VolumeMode', DOC.pvcVolumeMode, { priority: 1 }),
  ),
  cells(obj: KubeObject, { now }: PrintContext): unknown[] {
    const pvc = obj as PersistentVolumeClaim;
    const spec = pvc.spec ?? {};
    const bound = Boolean(spec.volumeName);
    return [
      pvc.metadata?.name ?? '',
      phase(pvc, pvc.status?.phase),
      spec.volumeName ?? '',
      bound ? quantity(pvc.status?.capacity?.storage) : '',
      bound ? accessModes(pvc.status?.accessModes) : '',
      storageClassOf(pvc, spec.storageClassName),
      spec.volumeAttributesClassName ?? '<unset>',
      age(pvc, now),
      spec.volumeMode ?? 'Filesystem',
    ];
  },
};

/** storageclasses: Name (` (default)` appended for the default class), Provisioner, ReclaimPolicy, VolumeBindingMode, AllowVolumeExpansion, Age. */
export const storageClassPrinter: Printer = {
  columns: columns(
    NAME,
    column('Provisioner', DOC.scProvisioner),
    column('ReclaimPolicy', DOC.scReclaim),
    column('VolumeBindingMode', DOC.scBinding),
    column('AllowVolumeExpansion', DOC.scExpansion),
    AGE,
  ),
  cells(obj: KubeObject, { now }: PrintContext): unknown[] {
    const sc = obj as StorageClass;
    const annotations = sc.metadata?.annotations ?? {};
    const isDefault =
      annotations['storageclass.kubernetes.io/is-default-class'] === 'true' ||
      annotations['storageclass.beta.kubernetes.io/is-default-class'] === 'true';
    return [
      `${sc.metadata?.name ?? ''}${isDefault ? ' (default)' : ''}`,
      sc.provisioner ?? '',
      sc.reclaimPolicy ?? 'Delete',
      sc.volumeBindingMode ?? 'Immediate',
      sc.allowVolumeExpansion ?? false,
      age(sc, now),
    ];
  },
};
