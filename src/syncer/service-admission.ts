/**
 * Service creation through the host (vcluster's proxy interception, pkg/server/filters/
 * service.go, as an admission plugin): before kubemu stores a new virtual Service of type
 * ClusterIP/NodePort/LoadBalancer, its host copy is created and the virtual Service takes the
 * host-allocated `clusterIP(s)` and node ports, so both sides show the same address. The host
 * refusing (quota, invalid) refuses the virtual create with the host's error. If the virtual
 * write then fails, the resource syncer deletes the orphaned host copy (a short "pending" mark
 * keeps it from doing so while the write is in flight). Dry-run creates do not reach the host.
 * Owns: that interception. Must not: know the generic store beyond its admission contract.
 */
import { StatusError } from '../api/errors.js';
import type { StoredObject } from '../api/types.js';
import { RESOURCES } from '../client/types.js';
import type { AdmissionRequest } from '../registry/generic-store.js';
import { isCode, type SyncContext } from './context.js';
import { toHostObject } from './resources.js';
import { isManaged } from './translate.js';

type Rec = Record<string, unknown>;

/** The admission plugin; `pending` is shared with the resource syncer. */
export function serviceAdmission(getCtx: () => SyncContext | undefined, pending: () => Set<string> | undefined) {
  return async (req: AdmissionRequest): Promise<void> => {
    if (req.operation !== 'CREATE' || req.info.group !== '' || req.info.plural !== 'services' || req.subresource || !req.object) return;
    // A dry run changes nothing on the host either: kubemu's own allocation answers it.
    if (req.dryRun) return;
    const ctx = getCtx();
    if (!ctx) return;
    const spec = (req.object.spec ?? {}) as Rec;
    if (spec.type === 'ExternalName' || spec.clusterIP === 'None') return;
    const namespace = req.namespace ?? '';
    if (namespace === 'default' && req.name === 'kubernetes') return;
    const key = `${namespace}/${req.name}`;
    const virtual = { ...req.object, metadata: { ...req.object.metadata, namespace, name: req.name } } as StoredObject;
    const want = toHostObject(ctx, 'services', virtual);
    const wantSpec = want.spec as Rec;
    // The user's explicit clusterIP is asked of the host; kubemu's own allocation is not.
    delete wantSpec.clusterIP;
    delete wantSpec.clusterIPs;
    if (Array.isArray(wantSpec.ports)) for (const port of wantSpec.ports as Rec[]) delete port.nodePort;
    pending()?.add(key);
    setTimeout(() => pending()?.delete(key), 10_000).unref();
    let host: StoredObject;
    try {
      host = await ctx.host.create(RESOURCES.services, want, { namespace: ctx.hostNamespace });
    } catch (err) {
      if (!isCode(err, 409)) {
        pending()?.delete(key);
        if (err instanceof StatusError) throw new StatusError(err.code, err.reason, `host cluster: ${err.message}`, err.status.details);
        throw err;
      }
      // A host copy exists (left over from an earlier virtual Service of that name): take it over.
      host = await ctx.host.get(RESOURCES.services, want.metadata!.name!, { namespace: ctx.hostNamespace });
      if (!isManaged(ctx, host, 'Service')) throw new StatusError(409, 'AlreadyExists', `host cluster: services "${host.metadata.name}" already exists and is not managed by this virtual cluster`);
      host = await ctx.host.update(RESOURCES.services, { ...want, metadata: { ...want.metadata, resourceVersion: host.metadata.resourceVersion }, spec: { ...wantSpec, clusterIP: (host.spec as Rec).clusterIP, clusterIPs: (host.spec as Rec).clusterIPs } }, { namespace: ctx.hostNamespace });
    }
    const hostSpec = (host.spec ?? {}) as Rec;
    for (const field of ['clusterIP', 'clusterIPs', 'ipFamilies', 'ipFamilyPolicy']) if (hostSpec[field] !== undefined) spec[field] = hostSpec[field];
    if (Array.isArray(spec.ports) && Array.isArray(hostSpec.ports)) {
      for (const port of spec.ports as Rec[]) {
        const match = (hostSpec.ports as Rec[]).find((p) => p.port === port.port && (p.protocol ?? 'TCP') === (port.protocol ?? 'TCP'));
        if (match?.nodePort !== undefined) port.nodePort = match.nodePort;
      }
    }
    req.object.spec = spec;
  };
}
