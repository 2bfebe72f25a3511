/**
 * The pod syncer. Keys are virtual `namespace/name`; host pod events map back through their
 * object-name/-namespace annotations. One reconcile looks at the virtual pod, the managed host
 * pod and the mapping record, and does exactly one of:
 *
 *   virtual gone, host there            → delete host pod (and its token Secret), drop mapping
 *   virtual deleting, host there        → delete host pod with the virtual grace period (uid
 *                                         precondition); keep mirroring status meanwhile
 *   virtual deleting, host gone         → finish the virtual delete (grace 0)
 *   host object of an older virtual uid → delete it (then recreate)
 *   host gone, mapping says it started  → host pod deleted behind kubemu's back: delete the
 *                                         virtual pod (grace 0, Warning event); its controller
 *                                         replaces it (vcluster: a started pod is never recreated)
 *   host gone otherwise                 → sync referenced ConfigMaps/Secrets, token Secret,
 *                                         create the host pod, record the mapping
 *   host deleting, virtual not          → delete the virtual pod with the host's grace period
 *   both there                          → bind the virtual pod to the host's node (pods/binding,
 *                                         making the virtual Node), mirror status, repair host drift
 *                                         (labels, annotations, images)
 *
 * Owns: pods both ways. Must not: translate specs itself (pod-translate.ts) or sync the objects
 * pods reference (resources.ts does; this calls it first).
 */
import { isDeepStrictEqual } from 'node:util';
import type { KubeObject, StoredObject } from '../api/types.js';
import { RESOURCES } from '../client/types.js';
import { Controller, type Informer } from '../controllers/runtime/index.js';
import { ignoreCodes, isCode, messageOf, reportFailure, virtualKeyOf, type SyncContext } from './context.js';
import { BY_NODE, ensureVirtualNode, nodeKeysOf, nodeNameOf } from './nodes.js';
import { podReferences, tokenSecretName, toHostPod, virtualPodStatus, wantsToken } from './pod-translate.js';
import { hostName, isManaged, MARKERS } from './translate.js';

type Rec = Record<string, unknown>;

/** Syncs the objects a pod references before its host copy is created. */
export type ReferenceSync = (kind: 'configmaps' | 'secrets', key: string) => Promise<void>;

/** Settings of the pod syncer. */
export interface PodSyncerOptions {
  workers?: number;
  /** Every pod is revisited this often (drift detection). */
  resyncPeriodMs?: number;
}

/** The pod syncer: builds its informers on `ctx` and returns the controller. */
export function podSyncer(ctx: SyncContext, syncReference: ReferenceSync, options: PodSyncerOptions = {}): { controller: Controller; virtualPods: Informer; virtualNodes: Informer; hostPods: Informer } {
  const virtualPods = ctx.virtualInformers.informer(RESOURCES.pods, {
    indexers: { [BY_NODE]: nodeKeysOf },
  });
  const virtualNodes = ctx.virtualInformers.informer(RESOURCES.nodes);
  const hostPods = ctx.hostInformers.informer(RESOURCES.pods, {
    namespace: ctx.hostNamespace,
    labelSelector: `${MARKERS.managedBy}=${ctx.vcluster}`,
    indexers: { [BY_NODE]: nodeKeysOf },
  });
  const reconciler = new PodReconciler(ctx, virtualPods, hostPods, virtualNodes, syncReference);
  const controller = new Controller({
    name: 'syncer-pods',
    reconciler,
    log: ctx.log,
    workers: options.workers ?? 10,
    ...(options.resyncPeriodMs ? { resyncPeriodMs: options.resyncPeriodMs } : {}),
    sources: [{ informer: virtualPods }, { informer: hostPods, map: (h) => (virtualKeyOf(h) ? [virtualKeyOf(h)!] : []) }],
  });
  return { controller, virtualPods, virtualNodes, hostPods };
}

class PodReconciler {
  readonly #ctx: SyncContext;
  readonly #virtual: Informer;
  readonly #host: Informer;
  readonly #nodes: Informer;
  readonly #syncReference: ReferenceSync;

  constructor(ctx: SyncContext, virtual: Informer, host: Informer, nodes: Informer, syncReference: ReferenceSync) {
    this.#ctx = ctx;
    this.#virtual = virtual;
    this.#host = host;
    this.#nodes = nodes;
    this.#syncReference = syncReference;
  }

  async reconcile(key: string): Promise<{ requeueAfter: number } | void> {
    const ctx = this.#ctx;
    const slash = key.indexOf('/');
    const [vNs, vName] = [key.slice(0, slash), key.slice(slash + 1)];
    const hName = hostName(vName, vNs, ctx.vcluster);
    const v = this.#virtual.get(key);
    let h = this.#host.get(`${ctx.hostNamespace}/${hName}`);
    if (h && !isManaged(ctx, h, 'Pod')) h = undefined;
    const record = ctx.mappings.get('pods', key);

    if (!v) {
      if (h && !h.metadata.deletionTimestamp) await this.#deleteHost(h, undefined);
      if (record || h) await this.#cleanup(key, vNs, vName);
      return;
    }
    if (h && h.metadata.annotations?.[MARKERS.objectUid] !== v.metadata.uid) {
      // The virtual pod was recreated under the same name: the host copy is stale.
      if (!h.metadata.deletionTimestamp) await this.#deleteHost(h, 0);
      return { requeueAfter: 500 };
    }
    if (v.metadata.deletionTimestamp) {
      if (h) {
        if (!h.metadata.deletionTimestamp) await this.#deleteHost(h, v.metadata.deletionGracePeriodSeconds ?? 30);
        await this.#mirrorStatus(v, h);
        return;
      }
      await ctx.virtual.delete(RESOURCES.pods, vName, { namespace: vNs, gracePeriodSeconds: 0, preconditions: { uid: v.metadata.uid } }).catch(ignoreCodes(404, 409));
      await this.#cleanup(key, vNs, vName);
      return;
    }
    if (!h) {
      const started = (record?.virtualUid === v.metadata.uid && record.started) || Boolean((v.status as Rec | undefined)?.startTime);
      if (record?.virtualUid === v.metadata.uid && record.hostUid && started) {
        ctx.recorder.event(v, 'Warning', 'HostPodDeleted', `The host pod ${ctx.hostNamespace}/${hName} was deleted; deleting the virtual pod`);
        await ctx.virtual.delete(RESOURCES.pods, vName, { namespace: vNs, gracePeriodSeconds: 0, preconditions: { uid: v.metadata.uid } }).catch(ignoreCodes(404, 409));
        await this.#cleanup(key, vNs, vName);
        return;
      }
      await this.#create(key, v);
      return;
    }
    if (h.metadata.deletionTimestamp) {
      const grace = h.metadata.deletionGracePeriodSeconds ?? 30;
      await ctx.virtual.delete(RESOURCES.pods, vName, { namespace: vNs, gracePeriodSeconds: grace, preconditions: { uid: v.metadata.uid } }).catch(ignoreCodes(404, 409));
      await this.#mirrorStatus(v, h);
      return;
    }
    const started = Boolean(nodeNameOf(h) || (h.status as Rec | undefined)?.startTime);
    if (!record || record.hostUid !== h.metadata.uid || (started && !record.started))
      ctx.mappings.set('pods', key, { hostName: hName, hostNamespace: ctx.hostNamespace, virtualUid: v.metadata.uid, hostUid: h.metadata.uid, started });
    const node = nodeNameOf(h);
    if (node && !nodeNameOf(v)) {
      await ensureVirtualNode(ctx, this.#nodes, node);
      await this.#bind(v, node);
    }
    await this.#mirrorStatus(v, h);
    await this.#repairDrift(v, h);
  }

  /**
   * Binds the virtual pod to `node` as a scheduler does: POST a v1 Binding to `pods/<name>/binding`.
   * A kubemu without that subresource refuses the POST (400 kind mismatch, 404/405 no route);
   * then spec.nodeName is set by a merge patch, which such a kubemu allows once from empty.
   * 409 (bound already, being deleted) is left to the next reconcile.
   */
  async #bind(v: StoredObject, node: string): Promise<void> {
    const ctx = this.#ctx;
    const { name, namespace, uid } = v.metadata;
    const binding = { apiVersion: 'v1', kind: 'Binding', metadata: { name, namespace, uid }, target: { apiVersion: 'v1', kind: 'Node', name: node } };
    // Not a literal at the call: the `subresource` create option is newer than some clients' types.
    const options: { namespace: string; subresource: 'binding' } = { namespace: namespace!, subresource: 'binding' };
    try {
      await ctx.virtual.create(RESOURCES.pods, binding, options);
    } catch (err) {
      if (isCode(err, 409)) return;
      if (!(isCode(err, 400) || isCode(err, 404) || isCode(err, 405))) throw err;
      await ctx.virtual
        .patch(RESOURCES.pods, name, { type: 'merge', patch: { spec: { nodeName: node } } }, { namespace: namespace! })
        .catch((patchErr: unknown) => {
          if (isCode(patchErr, 404)) return undefined;
          throw err;
        });
    }
  }

  async #create(key: string, v: StoredObject): Promise<void> {
    const ctx = this.#ctx;
    const vNs = v.metadata.namespace!;
    const refs = podReferences((v.spec as Rec) ?? {});
    try {
      for (const name of refs.configmaps) await this.#syncReference('configmaps', `${vNs}/${name}`);
      for (const name of refs.secrets) await this.#syncReference('secrets', `${vNs}/${name}`);
      if (wantsToken(v)) await this.#ensureToken(v);
      const created = await ctx.host.create(RESOURCES.pods, toHostPod(ctx, v, ctx.env), { namespace: ctx.hostNamespace }).catch(ignoreCodes(409));
      if (created) ctx.mappings.set('pods', key, { hostName: created.metadata.name, hostNamespace: ctx.hostNamespace, virtualUid: v.metadata.uid, hostUid: created.metadata.uid, started: false });
    } catch (err) {
      await this.#markUnsynced(v, err);
      reportFailure(ctx, v, `creating host pod`, err);
    }
  }

  async #ensureToken(v: StoredObject): Promise<void> {
    const ctx = this.#ctx;
    if (!ctx.mintToken) return;
    const vNs = v.metadata.namespace!;
    const name = tokenSecretName(ctx, vNs, v.metadata.name);
    const sa = (v.spec as { serviceAccountName?: string }).serviceAccountName ?? 'default';
    const token = await ctx.mintToken(vNs, sa, { name: v.metadata.name, uid: v.metadata.uid });
    const data: Record<string, string> = { token: Buffer.from(token).toString('base64'), namespace: Buffer.from(vNs).toString('base64') };
    if (ctx.caCert) data['ca.crt'] = Buffer.from(ctx.caCert).toString('base64');
    const secret = {
      apiVersion: 'v1',
      kind: 'Secret',
      type: 'Opaque',
      metadata: {
        name,
        namespace: ctx.hostNamespace,
        labels: { [MARKERS.managedBy]: ctx.vcluster, [MARKERS.namespaceLabel]: vNs },
        annotations: { [MARKERS.podName]: v.metadata.name, [MARKERS.podUid]: v.metadata.uid },
      },
      data,
    };
    await ctx.host.create(RESOURCES.secrets, secret, { namespace: ctx.hostNamespace }).catch(async (err: unknown) => {
      if (!isCode(err, 409)) throw err;
      await ctx.host.update(RESOURCES.secrets, secret, { namespace: ctx.hostNamespace });
    });
  }

  /** Condition `kubemu.io/Synced=False` on the virtual pod: the failure is visible in `kubectl describe`. */
  async #markUnsynced(v: StoredObject, err: unknown): Promise<void> {
    const conditions = ((v.status as { conditions?: Rec[] } | undefined)?.conditions ?? []).filter((c) => c.type !== 'kubemu.io/Synced');
    conditions.push({ type: 'kubemu.io/Synced', status: 'False', reason: 'SyncError', message: messageOf(err), lastTransitionTime: new Date().toISOString().replace(/\.\d+Z$/, 'Z') });
    await this.#ctx.virtual
      .patch(RESOURCES.pods, v.metadata.name, { type: 'merge', patch: { status: { conditions } } }, { namespace: v.metadata.namespace!, subresource: 'status' })
      .catch(() => undefined);
  }

  async #mirrorStatus(v: StoredObject, h: StoredObject): Promise<void> {
    const status = virtualPodStatus(v, h);
    if (isDeepStrictEqual(status, v.status ?? {})) return;
    await this.#ctx.virtual
      .updateStatus(RESOURCES.pods, { apiVersion: 'v1', kind: 'Pod', metadata: { name: v.metadata.name, namespace: v.metadata.namespace! }, status })
      .catch(ignoreCodes(404));
  }

  async #repairDrift(v: StoredObject, h: StoredObject): Promise<void> {
    const ctx = this.#ctx;
    const want = toHostPod(ctx, v, ctx.env);
    const patch: Rec = {};
    const wantMeta = want.metadata!;
    const labels: Record<string, string | null> = {};
    for (const [k, val] of Object.entries(wantMeta.labels ?? {})) if (h.metadata.labels?.[k] !== val) labels[k] = val;
    const managedLabels = (h.metadata.annotations?.[MARKERS.managedLabels] ?? '').split('\n').filter(Boolean);
    for (const k of managedLabels) if (!(k in (wantMeta.labels ?? {})) && h.metadata.labels?.[k] !== undefined) labels[k] = null;
    const annotations: Record<string, string | null> = {};
    for (const [k, val] of Object.entries(wantMeta.annotations ?? {})) if (h.metadata.annotations?.[k] !== val) annotations[k] = val;
    const managedAnnotations = (h.metadata.annotations?.[MARKERS.managedAnnotations] ?? '').split('\n').filter(Boolean);
    for (const k of managedAnnotations) if (!(k in (wantMeta.annotations ?? {})) && h.metadata.annotations?.[k] !== undefined) annotations[k] = null;
    if (Object.keys(labels).length || Object.keys(annotations).length) patch.metadata = { labels, annotations };
    const images = (pod: KubeObject) => ((pod.spec as { containers?: { name: string; image: string }[] })?.containers ?? []).map((c) => [c.name, c.image]);
    const wantImages = images(want);
    if (!isDeepStrictEqual(wantImages, images(h))) patch.spec = { containers: wantImages.map(([name, image]) => ({ name, image })) };
    if (Object.keys(patch).length === 0) return;
    await ctx.host.patch(RESOURCES.pods, h.metadata.name, { type: 'strategic', patch }, { namespace: ctx.hostNamespace }).catch((err: unknown) => reportFailure(ctx, v, 'updating host pod', err));
  }

  async #deleteHost(h: StoredObject, gracePeriodSeconds: number | undefined): Promise<void> {
    await this.#ctx.host
      .delete(RESOURCES.pods, h.metadata.name, {
        namespace: this.#ctx.hostNamespace,
        preconditions: { uid: h.metadata.uid },
        ...(gracePeriodSeconds !== undefined ? { gracePeriodSeconds } : {}),
      })
      .catch(ignoreCodes(404, 409));
  }

  async #cleanup(key: string, vNs: string, vName: string): Promise<void> {
    const ctx = this.#ctx;
    ctx.mappings.set('pods', key, undefined);
    if (ctx.mintToken) await ctx.host.delete(RESOURCES.secrets, tokenSecretName(ctx, vNs, vName), { namespace: ctx.hostNamespace }).catch(ignoreCodes(404));
  }
}
