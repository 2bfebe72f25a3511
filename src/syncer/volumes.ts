/**
 * The PersistentVolumeClaim syncer, as vcluster's with fake PVs (its default):
 *
 *   virtual PVC                  → host PVC `<name>-x-<ns>-x-<vc>` (spec copied; a dataSource of
 *                                  kind PersistentVolumeClaim renamed); storage request increases
 *                                  flow down later, the rest of the spec is the host's once made
 *   host binds (spec.volumeName) → virtual spec.volumeName = the host volume's name, a fake virtual
 *                                  PersistentVolume of that name (label vcluster.loft.sh/fake-pv,
 *                                  claimRef to the virtual PVC, phase Bound), the bind annotations
 *                                  (pv.kubernetes.io/bind-completed, bound-by-controller,
 *                                  volume.beta.kubernetes.io/storage-provisioner) copied back
 *   host status                  → virtual status (phase, capacity, accessModes, conditions)
 *   virtual deleted              → host deleted (same grace); fake PV deleted once no claim names it
 *   host deleted behind our back → virtual deleted ("host object was deleted"), not recreated
 *
 * Keys are virtual `namespace/name`, or `pv:<name>` for fake PVs.
 * Owns: PVCs both ways and fake PVs. Must not: touch pods.
 */
import { isDeepStrictEqual } from 'node:util';
import type { KubeObject, StoredObject } from '../api/types.js';
import type { Resource } from '../client/types.js';
import { Controller, type Informer } from '../controllers/runtime/index.js';
import { ignoreCodes, isCode, reportFailure, virtualKeyOf, type SyncContext } from './context.js';
import { hostMetadata, hostName, isManaged, MARKERS } from './translate.js';

type Rec = Record<string, unknown>;

export const PVCS: Resource = { group: '', version: 'v1', resource: 'persistentvolumeclaims' };
export const PVS: Resource = { group: '', version: 'v1', resource: 'persistentvolumes' };

/** The label on every fake PersistentVolume. */
export const FAKE_PV_LABEL = 'vcluster.loft.sh/fake-pv';
/** Host annotations of a claim that describe its binding; copied back, never pushed down. */
const BIND_ANNOTATIONS = ['pv.kubernetes.io/bind-completed', 'pv.kubernetes.io/bound-by-controller', 'volume.beta.kubernetes.io/storage-provisioner'];
const BY_VOLUME = 'syncer-volume';

const rec = (v: unknown): Rec => (typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Rec) : {});
const volumeOf = (pvc: StoredObject): string => (typeof rec(pvc.spec).volumeName === 'string' ? (rec(pvc.spec).volumeName as string) : '');
const storageOf = (pvc: KubeObject): unknown => rec(rec(rec(pvc.spec).resources).requests).storage;

/** The host copy of a virtual claim. */
export function toHostClaim(ctx: SyncContext, v: StoredObject): KubeObject {
  const metadata = hostMetadata(ctx, v);
  for (const key of BIND_ANNOTATIONS) delete metadata.annotations![key];
  const spec = structuredClone(rec(v.spec));
  // A fake volume name means nothing to the host; the host binds its own.
  delete spec.volumeName;
  const source = rec(spec.dataSource);
  if (source.kind === 'PersistentVolumeClaim' && typeof source.name === 'string') spec.dataSource = { ...source, name: hostName(source.name, v.metadata.namespace ?? '', ctx.vcluster) };
  delete spec.dataSourceRef;
  return { apiVersion: 'v1', kind: 'PersistentVolumeClaim', metadata, spec };
}

function fakeVolume(name: string, claim: StoredObject): KubeObject {
  const spec = rec(claim.spec);
  return {
    apiVersion: 'v1',
    kind: 'PersistentVolume',
    metadata: {
      name,
      labels: { [FAKE_PV_LABEL]: 'true' },
      annotations: { 'kubernetes.io/createdby': 'fake-pv-provisioner', 'pv.kubernetes.io/bound-by-controller': 'true', 'pv.kubernetes.io/provisioned-by': 'fake-pv-provisioner' },
    },
    spec: {
      flexVolume: { driver: 'fake' },
      capacity: rec(rec(spec.resources).requests),
      accessModes: spec.accessModes ?? [],
      claimRef: { kind: 'PersistentVolumeClaim', apiVersion: 'v1', namespace: claim.metadata.namespace, name: claim.metadata.name, uid: claim.metadata.uid },
      persistentVolumeReclaimPolicy: 'Delete',
      ...(typeof spec.storageClassName === 'string' ? { storageClassName: spec.storageClassName } : {}),
      ...(spec.volumeMode ? { volumeMode: spec.volumeMode } : {}),
    },
  };
}

/** The claim syncer's controller. */
export function volumeSyncer(ctx: SyncContext, options: { resyncPeriodMs?: number; workers?: number } = {}): Controller {
  const virtual: Informer = ctx.virtualInformers.informer(PVCS, { indexers: { [BY_VOLUME]: (o) => (volumeOf(o) ? [volumeOf(o)] : []) } });
  const volumes: Informer = ctx.virtualInformers.informer(PVS, { labelSelector: `${FAKE_PV_LABEL}=true` });
  const host: Informer = ctx.hostInformers.informer(PVCS, { namespace: ctx.hostNamespace, labelSelector: `${MARKERS.managedBy}=${ctx.vcluster}` });

  const reconcileVolume = async (name: string): Promise<void> => {
    const pv = volumes.get(name);
    const claims = virtual.byIndex(BY_VOLUME, name).filter((c) => !c.metadata.deletionTimestamp);
    if (claims.length === 0) {
      if (pv) await ctx.virtual.delete(PVS, name, { preconditions: { uid: pv.metadata.uid } }).catch(ignoreCodes(404, 409));
      return;
    }
    if (pv) return;
    const created = await ctx.virtual.create(PVS, fakeVolume(name, claims[0]!)).catch(ignoreCodes(409));
    if (created) await ctx.virtual.patch(PVS, name, { type: 'merge', patch: { status: { phase: 'Bound' } } }, { subresource: 'status' }).catch(ignoreCodes(404));
  };

  const reconcile = async (key: string): Promise<{ requeueAfter: number } | void> => {
    if (key.startsWith('pv:')) return reconcileVolume(key.slice(3));
    const slash = key.indexOf('/');
    const [vNs, vName] = [key.slice(0, slash), key.slice(slash + 1)];
    const hName = hostName(vName, vNs, ctx.vcluster);
    const v = virtual.get(key);
    let h = host.get(`${ctx.hostNamespace}/${hName}`);
    if (h && !isManaged(ctx, h, 'PersistentVolumeClaim')) h = undefined;
    const record = ctx.mappings.get('persistentvolumeclaims', key);

    if (!v) {
      if (h && !h.metadata.deletionTimestamp) await ctx.host.delete(PVCS, hName, { namespace: ctx.hostNamespace, preconditions: { uid: h.metadata.uid } }).catch(ignoreCodes(404, 409));
      if (record) ctx.mappings.set('persistentvolumeclaims', key, undefined);
      return;
    }
    if (v.metadata.deletionTimestamp) {
      if (h && !h.metadata.deletionTimestamp)
        await ctx.host
          .delete(PVCS, hName, { namespace: ctx.hostNamespace, preconditions: { uid: h.metadata.uid }, ...(v.metadata.deletionGracePeriodSeconds !== undefined ? { gracePeriodSeconds: v.metadata.deletionGracePeriodSeconds } : {}) })
          .catch(ignoreCodes(404, 409));
      return;
    }
    if (!h) {
      if (record?.virtualUid === v.metadata.uid && record.hostUid) {
        ctx.recorder.event(v, 'Warning', 'HostObjectDeleted', `The host persistent volume claim ${ctx.hostNamespace}/${hName} was deleted; deleting the virtual one`);
        await ctx.virtual.delete(PVCS, vName, { namespace: vNs, gracePeriodSeconds: 0, preconditions: { uid: v.metadata.uid } }).catch(ignoreCodes(404, 409));
        ctx.mappings.set('persistentvolumeclaims', key, undefined);
        return;
      }
      const created = await ctx.host.create(PVCS, toHostClaim(ctx, v), { namespace: ctx.hostNamespace }).catch((err: unknown) => {
        if (isCode(err, 409)) return undefined;
        return reportFailure(ctx, v, 'creating host persistent volume claim', err);
      });
      if (created) ctx.mappings.set('persistentvolumeclaims', key, { hostName: hName, hostNamespace: ctx.hostNamespace, virtualUid: v.metadata.uid, hostUid: created.metadata.uid });
      return;
    }
    if (h.metadata.deletionTimestamp) {
      await ctx.virtual.delete(PVCS, vName, { namespace: vNs, gracePeriodSeconds: 30, preconditions: { uid: v.metadata.uid } }).catch(ignoreCodes(404, 409));
      return;
    }
    if (!record || record.hostUid !== h.metadata.uid)
      ctx.mappings.set('persistentvolumeclaims', key, { hostName: hName, hostNamespace: ctx.hostNamespace, virtualUid: v.metadata.uid, hostUid: h.metadata.uid });

    // Down: labels/annotations and storage increases.
    const want = toHostClaim(ctx, v);
    const hostPatch: Rec = {};
    const labels = want.metadata!.labels ?? {};
    const annotations = want.metadata!.annotations ?? {};
    const metaPatch: Rec = {};
    if (Object.entries(labels).some(([k, val]) => h!.metadata.labels?.[k] !== val)) metaPatch.labels = labels;
    if (Object.entries(annotations).some(([k, val]) => h!.metadata.annotations?.[k] !== val)) metaPatch.annotations = annotations;
    if (Object.keys(metaPatch).length) hostPatch.metadata = metaPatch;
    if (storageOf(v) !== undefined && storageOf(v) !== storageOf(h)) hostPatch.spec = { resources: { requests: { storage: storageOf(v) } } };
    if (Object.keys(hostPatch).length)
      await ctx.host.patch(PVCS, hName, { type: 'merge', patch: hostPatch }, { namespace: ctx.hostNamespace }).catch((err: unknown) => reportFailure(ctx, v, 'updating host persistent volume claim', err));

    // Up: the bound volume, the bind annotations, the status.
    const volume = volumeOf(h);
    const upPatch: Rec = {};
    if (volume && volumeOf(v) !== volume) {
      if (volumeOf(v)) ctx.recorder.event(v, 'Warning', 'VolumeNameDiffers', `volumeName differs between host and virtual claim: ${volumeOf(v)} != ${volume}`);
      else upPatch.spec = { volumeName: volume };
    }
    const upAnnotations: Record<string, string | null> = {};
    for (const k of BIND_ANNOTATIONS) if (v.metadata.annotations?.[k] !== h.metadata.annotations?.[k]) upAnnotations[k] = h.metadata.annotations?.[k] ?? null;
    if (Object.keys(upAnnotations).length) upPatch.metadata = { annotations: upAnnotations };
    if (Object.keys(upPatch).length) await ctx.virtual.patch(PVCS, vName, { type: 'merge', patch: upPatch }, { namespace: vNs }).catch(ignoreCodes(404, 409));
    const status = h.status ?? {};
    if (!isDeepStrictEqual(status, v.status ?? {}))
      await ctx.virtual.updateStatus(PVCS, { apiVersion: 'v1', kind: 'PersistentVolumeClaim', metadata: { name: vName, namespace: vNs }, status }).catch(ignoreCodes(404, 409));
  };

  return new Controller({
    name: 'syncer-volumes',
    reconciler: { reconcile },
    log: ctx.log,
    workers: options.workers ?? 4,
    ...(options.resyncPeriodMs ? { resyncPeriodMs: options.resyncPeriodMs } : {}),
    sources: [
      { informer: virtual, map: (o) => [`${o.metadata.namespace}/${o.metadata.name}`, ...(volumeOf(o) ? [`pv:${volumeOf(o)}`] : [])] },
      { informer: host, map: (o) => (virtualKeyOf(o) ? [virtualKeyOf(o)!] : []) },
      { informer: volumes, map: (o) => [`pv:${o.metadata.name}`] },
    ],
  });
}
