/**
 * Syncers of the objects pods use and expose: ConfigMaps and Secrets (copied to the host only
 * while some virtual pod references them; removed from the host when none does), Services
 * (host copy with translated selector; the host allocates the ClusterIP — see
 * service-admission.ts — and the virtual Service keeps it; a host Service deleted behind
 * kubemu's back is recreated asking for the same ClusterIP; host status copied back), and the
 * Endpoints of Services without a selector (as vcluster: those of selector Services are the host
 * endpoints controller's work from the translated selector; pod targetRefs are renamed).
 * Keys are virtual `namespace/name`; host objects map back through their annotations.
 *
 * Owns: these kinds both ways. Must not: touch pods.
 */
import { isDeepStrictEqual } from 'node:util';
import type { KubeObject, StoredObject } from '../api/types.js';
import { RESOURCES, type Resource } from '../client/types.js';
import { Controller, type Informer } from '../controllers/runtime/index.js';
import { ignoreCodes, isCode, reportFailure, virtualKeyOf, type SyncContext } from './context.js';
import { podReferences } from './pod-translate.js';
import { hostMetadata, hostName, hostSelector, isManaged, MARKERS } from './translate.js';

type Rec = Record<string, unknown>;
type Kind = 'configmaps' | 'secrets' | 'services' | 'endpoints';

const KINDS: Record<Kind, { resource: Resource; kind: string }> = {
  configmaps: { resource: RESOURCES.configmaps, kind: 'ConfigMap' },
  secrets: { resource: RESOURCES.secrets, kind: 'Secret' },
  services: { resource: RESOURCES.services, kind: 'Service' },
  endpoints: { resource: { group: '', version: 'v1', resource: 'endpoints' }, kind: 'Endpoints' },
};

const BY_REFERENCE = 'syncer-references';

/** `configmaps:ns/name` keys of everything a pod references. */
function referenceKeys(pod: StoredObject): string[] {
  const phase = (pod.status as { phase?: string } | undefined)?.phase;
  if (phase === 'Succeeded' || phase === 'Failed') return [];
  const refs = podReferences((pod.spec as Rec) ?? {});
  const ns = pod.metadata.namespace;
  return [...[...refs.configmaps].map((n) => `configmaps:${ns}/${n}`), ...[...refs.secrets].map((n) => `secrets:${ns}/${n}`)];
}

/** The host copy of a virtual ConfigMap, Secret or Service. */
export function toHostObject(ctx: SyncContext, kind: Kind, v: StoredObject, h?: StoredObject): KubeObject {
  const metadata = hostMetadata(ctx, v);
  if (kind === 'configmaps') return { apiVersion: 'v1', kind: 'ConfigMap', metadata, ...(v.data ? { data: v.data } : {}), ...(v.binaryData ? { binaryData: v.binaryData } : {}) };
  if (kind === 'secrets') {
    // Service-account token Secrets become Opaque on the host (the host would refill them).
    const type = v.type === 'kubernetes.io/service-account-token' ? 'Opaque' : v.type;
    return { apiVersion: 'v1', kind: 'Secret', metadata, ...(type ? { type } : {}), ...(v.data ? { data: v.data } : {}) };
  }
  if (kind === 'endpoints') {
    const subsets = structuredClone(Array.isArray(v.subsets) ? (v.subsets as Rec[]) : []);
    for (const subset of subsets)
      for (const address of [...((subset.addresses as Rec[] | undefined) ?? []), ...((subset.notReadyAddresses as Rec[] | undefined) ?? [])]) {
        const ref = address.targetRef as Rec | undefined;
        if (ref?.kind !== 'Pod' || typeof ref.name !== 'string') continue;
        address.targetRef = { ...ref, name: hostName(ref.name, String(ref.namespace ?? v.metadata.namespace ?? ''), ctx.vcluster), namespace: ctx.hostNamespace };
        delete (address.targetRef as Rec).uid;
        delete (address.targetRef as Rec).resourceVersion;
      }
    return { apiVersion: 'v1', kind: 'Endpoints', metadata, subsets };
  }
  const spec = structuredClone((v.spec as Rec) ?? {});
  const selector = hostSelector(spec.selector as Record<string, string> | undefined, ctx.vcluster, v.metadata.namespace ?? '');
  if (selector) spec.selector = selector;
  const hostSpec = (h?.spec as Rec | undefined) ?? {};
  if (h) {
    // The host owns its allocations.
    for (const field of ['clusterIP', 'clusterIPs', 'ipFamilies', 'ipFamilyPolicy', 'healthCheckNodePort']) if (hostSpec[field] !== undefined) spec[field] = hostSpec[field];
  }
  delete spec.externalIPs;
  return { apiVersion: 'v1', kind: 'Service', metadata, spec };
}

/** The resource syncer (ConfigMaps, Secrets, Services) and `syncReference` for the pod syncer. */
export function resourceSyncer(ctx: SyncContext, virtualPods: Informer, options: { resyncPeriodMs?: number; workers?: number } = {}) {
  virtualPods.addIndexer(BY_REFERENCE, referenceKeys);
  const virtual: Record<Kind, Informer> = {
    configmaps: ctx.virtualInformers.informer(RESOURCES.configmaps),
    secrets: ctx.virtualInformers.informer(RESOURCES.secrets),
    services: ctx.virtualInformers.informer(RESOURCES.services),
    endpoints: ctx.virtualInformers.informer(KINDS.endpoints.resource),
  };
  const selection = { namespace: ctx.hostNamespace, labelSelector: `${MARKERS.managedBy}=${ctx.vcluster}` };
  const host: Record<Kind, Informer> = {
    configmaps: ctx.hostInformers.informer(RESOURCES.configmaps, selection),
    secrets: ctx.hostInformers.informer(RESOURCES.secrets, selection),
    services: ctx.hostInformers.informer(RESOURCES.services, selection),
    endpoints: ctx.hostInformers.informer(KINDS.endpoints.resource, selection),
  };
  /** Host Services being created by service admission right now (their virtual write is pending). */
  const pendingServices = new Set<string>();

  /** Endpoints are synced while their Service exists without a selector. */
  const selectorless = (key: string) => {
    const svc = virtual.services.get(key);
    const selector = (svc?.spec as Rec | undefined)?.selector;
    return Boolean(svc && !svc.metadata.deletionTimestamp && (!selector || Object.keys(selector).length === 0));
  };
  const used = (kind: Kind, key: string) =>
    kind === 'services' || (kind === 'endpoints' ? selectorless(key) : virtualPods.byIndex(BY_REFERENCE, `${kind}:${key}`).length > 0);

  const reconcile = async (qualified: string): Promise<{ requeueAfter: number } | void> => {
    const colon = qualified.indexOf(':');
    const kind = qualified.slice(0, colon) as Kind;
    const key = qualified.slice(colon + 1);
    const slash = key.indexOf('/');
    const [vNs, vName] = [key.slice(0, slash), key.slice(slash + 1)];
    // The virtual API's own Service and Endpoints stay virtual.
    if ((kind === 'services' || kind === 'endpoints') && vNs === 'default' && vName === 'kubernetes') return;
    const { resource, kind: kindName } = KINDS[kind];
    const hName = hostName(vName, vNs, ctx.vcluster);
    const v = virtual[kind].get(key);
    // The virtual write of an admitted Service has landed: its host copy is no longer pending.
    if (kind === 'services' && v) pendingServices.delete(key);
    let h = host[kind].get(`${ctx.hostNamespace}/${hName}`);
    if (h && !isManaged(ctx, h, kindName)) h = undefined;

    if (!v || v.metadata.deletionTimestamp || !used(kind, key)) {
      if (kind === 'services' && pendingServices.has(key)) return { requeueAfter: 1000 };
      if (h) await ctx.host.delete(resource, h.metadata.name, { namespace: ctx.hostNamespace, preconditions: { uid: h.metadata.uid } }).catch(ignoreCodes(404, 409));
      if (ctx.mappings.get(kind, key)) ctx.mappings.set(kind, key, undefined);
      return;
    }
    if (h && h.metadata.annotations?.[MARKERS.objectUid] !== v.metadata.uid && kind !== 'services') {
      await ctx.host.delete(resource, h.metadata.name, { namespace: ctx.hostNamespace, preconditions: { uid: h.metadata.uid } }).catch(ignoreCodes(404, 409));
      h = undefined;
    }
    const want = toHostObject(ctx, kind, v, h);
    try {
      if (!h) {
        if (kind === 'services') {
          const spec = want.spec as Rec;
          const ip = (v.spec as Rec | undefined)?.clusterIP;
          if (typeof ip === 'string' && ip) spec.clusterIP = ip;
          delete spec.clusterIPs;
        }
        const created = await ctx.host.create(resource, want, { namespace: ctx.hostNamespace }).catch(ignoreCodes(409));
        if (created) ctx.mappings.set(kind, key, { hostName: hName, hostNamespace: ctx.hostNamespace, virtualUid: v.metadata.uid, hostUid: created.metadata.uid });
        return;
      }
      if (!ctx.mappings.get(kind, key)) ctx.mappings.set(kind, key, { hostName: hName, hostNamespace: ctx.hostNamespace, virtualUid: v.metadata.uid, hostUid: h.metadata.uid });
      const drifted = ['data', 'binaryData', 'type', 'spec', 'subsets'].some((f) => want[f] !== undefined && !isDeepStrictEqual(want[f], h![f])) || !isDeepStrictEqual({ ...h.metadata.labels }, want.metadata!.labels) || Object.entries(want.metadata!.annotations ?? {}).some(([k, val]) => h!.metadata.annotations?.[k] !== val);
      if (drifted) {
        const body = { ...want, metadata: { ...want.metadata, resourceVersion: h.metadata.resourceVersion } };
        await ctx.host.update(resource, body, { namespace: ctx.hostNamespace }).catch(ignoreCodes(409, 404));
      }
      if (kind === 'services') {
        const hostStatus = h.status ?? {};
        if (!isDeepStrictEqual(hostStatus, v.status ?? {}))
          await ctx.virtual.updateStatus(resource, { apiVersion: 'v1', kind: 'Service', metadata: { name: vName, namespace: vNs }, status: hostStatus }).catch(ignoreCodes(404, 409));
        const hostIP = (h.spec as Rec | undefined)?.clusterIP;
        if (hostIP !== (v.spec as Rec | undefined)?.clusterIP)
          ctx.recorder.event(v, 'Warning', 'ClusterIPMismatch', `The host service has ClusterIP ${String(hostIP)}; recreate the service to take it`);
      }
    } catch (err) {
      if (isCode(err, 404)) return;
      reportFailure(ctx, v, `syncing ${kindName.toLowerCase()}`, err);
    }
  };

  const controller = new Controller({
    name: 'syncer-resources',
    reconciler: { reconcile },
    log: ctx.log,
    workers: options.workers ?? 4,
    ...(options.resyncPeriodMs ? { resyncPeriodMs: options.resyncPeriodMs } : {}),
    sources: [
      ...(Object.keys(KINDS) as Kind[]).flatMap((kind) => [
        {
          informer: virtual[kind],
          map: (o: StoredObject) => [`${kind}:${o.metadata.namespace}/${o.metadata.name}`, ...(kind === 'services' ? [`endpoints:${o.metadata.namespace}/${o.metadata.name}`] : [])],
        },
        { informer: host[kind], map: (o: StoredObject) => (virtualKeyOf(o) ? [`${kind}:${virtualKeyOf(o)}`] : []) },
      ]),
      { informer: virtualPods, map: referenceKeys },
    ],
  });

  /** Syncs one referenced ConfigMap/Secret now (before a pod that needs it is created). */
  const syncReference = async (kind: 'configmaps' | 'secrets', key: string): Promise<void> => {
    if (!virtual[kind].get(key)) return;
    // The pod is not yet in the index when its first reconcile runs: copy unconditionally.
    const v = virtual[kind].get(key)!;
    const hName = hostName(v.metadata.name, v.metadata.namespace ?? '', ctx.vcluster);
    if (host[kind].get(`${ctx.hostNamespace}/${hName}`)) return;
    await ctx.host.create(KINDS[kind].resource, toHostObject(ctx, kind, v), { namespace: ctx.hostNamespace }).catch(ignoreCodes(409));
  };

  return { controller, syncReference, pendingServices, hostServices: host.services };
}
