/**
 * The Syncer: kubemu as a virtual cluster whose Pods run in one namespace of a host cluster.
 * It runs beside the API server, reaching kubemu through a (local) Client and the host through a
 * paced, retrying HostClient, with two informer factories:
 *
 *   start: load mappings → list/watch both sides (informers) → reconcile every virtual object,
 *          every managed host object and every remembered mapping (full resync of both sides)
 *   run:   events of either side enqueue the virtual key; every `driftIntervalMs` everything is
 *          revisited and changed host objects are repaired
 *   stop:  workers finish, watches end, pending mappings are written
 *
 * Owns: composing the syncer's controllers. Must not: hold their logic.
 */
import type { Client } from '../client/types.js';
import { EventRecorder, InformerFactory, silentLogger, type Controller, type Logger } from '../controllers/runtime/index.js';
import type { NodeMode, SyncContext } from './context.js';
import { HostClient, type HostClientOptions } from './host-client.js';
import { MappingStore } from './mapping-store.js';
import { nodeGarbageCollector } from './nodes.js';
import type { PodEnvironment } from './pod-translate.js';
import { podSyncer } from './pods.js';
import { resourceSyncer } from './resources.js';
import { serviceAdmission } from './service-admission.js';
import { eventSyncer } from './events.js';
import { volumeSyncer } from './volumes.js';

export { hostName, hostPodName, safeConcatName, type NamespacedName, type TranslateContext } from './translate.js';
export { serviceAdmission } from './service-admission.js';

/** Settings of a Syncer. */
export interface SyncerOptions {
  /** Client of the virtual cluster (kubemu itself). */
  virtual: Client;
  /** Client of the host cluster (wrapped in a HostClient with `rateLimit`). */
  host: Client;
  /** The virtual cluster's name, the `<vcluster>` of host names. */
  name: string;
  /** The host namespace synced objects go to. */
  hostNamespace: string;
  /** Host QPS/burst and retries (default 40/80, 5 attempts). */
  rateLimit?: HostClientOptions;
  /** Every object is revisited this often and host drift repaired (default 60 s; 0 = never). */
  driftIntervalMs?: number;
  nodeMode?: NodeMode;
  env?: PodEnvironment;
  mintToken?: SyncContext['mintToken'];
  caCert?: string;
  log?: Logger;
}

/** A running (or startable) syncer. */
export class Syncer {
  readonly ctx: SyncContext;
  readonly #controllers: Controller[] = [];
  readonly #pending: Set<string>;
  #started = false;

  constructor(options: SyncerOptions) {
    const log = options.log ?? silentLogger;
    const virtual = options.virtual.withFieldManager('kubemu-syncer');
    const host = new HostClient(options.host.withFieldManager('kubemu-syncer'), options.rateLimit);
    this.ctx = {
      vcluster: options.name,
      hostNamespace: options.hostNamespace,
      virtual,
      host,
      virtualInformers: new InformerFactory(virtual, { log }),
      hostInformers: new InformerFactory(host, { log }),
      mappings: new MappingStore(virtual, { onError: (err) => log.error({ err }, 'writing syncer mappings failed') }),
      recorder: new EventRecorder({ client: virtual, component: 'kubemu-syncer', log }),
      log,
      env: options.env ?? {},
      nodeMode: options.nodeMode ?? 'fake',
      ...(options.mintToken ? { mintToken: options.mintToken } : {}),
      ...(options.caCert ? { caCert: options.caCert } : {}),
    };
    const resync = options.driftIntervalMs ?? 60_000;
    const resyncOption = resync > 0 ? { resyncPeriodMs: resync } : {};
    const pods = podSyncer(this.ctx, (kind, key) => resources.syncReference(kind, key), resyncOption);
    const resources = resourceSyncer(this.ctx, pods.virtualPods, resyncOption);
    this.#pending = resources.pendingServices;
    this.#controllers.push(
      pods.controller,
      resources.controller,
      volumeSyncer(this.ctx, resyncOption),
      nodeGarbageCollector(this.ctx, pods.virtualPods, pods.virtualNodes, pods.hostPods),
      eventSyncer(this.ctx),
    );
  }

  /** The admission plugin that creates host Services first (wire into the virtual registry). */
  admission() {
    return serviceAdmission(() => (this.#started ? this.ctx : undefined), () => this.#pending);
  }

  /** Loads mappings, syncs both sides' informers, reconciles everything, then runs. */
  async start(syncTimeoutMs = 30_000): Promise<void> {
    await this.ctx.mappings.load(['pods', 'configmaps', 'secrets', 'services', 'endpoints', 'persistentvolumeclaims']);
    this.ctx.virtualInformers.start();
    this.ctx.hostInformers.start();
    const unsynced = [...(await this.ctx.virtualInformers.waitForSync(syncTimeoutMs)), ...(await this.ctx.hostInformers.waitForSync(syncTimeoutMs))];
    if (unsynced.length) {
      await this.stop();
      throw new Error(`syncer: informers did not sync within ${syncTimeoutMs} ms: ${unsynced.join(', ')}`);
    }
    // Mappings whose objects are gone on both sides get one reconcile too (it drops them).
    const [pods, resources, volumes] = this.#controllers;
    for (const [key] of this.ctx.mappings.entries('pods')) pods!.enqueue(key);
    for (const kind of ['configmaps', 'secrets', 'services', 'endpoints']) for (const [key] of this.ctx.mappings.entries(kind)) resources!.enqueue(`${kind}:${key}`);
    for (const [key] of this.ctx.mappings.entries('persistentvolumeclaims')) volumes!.enqueue(key);
    this.#started = true;
    for (const controller of this.#controllers) controller.start();
    this.ctx.log.info({ name: this.ctx.vcluster, hostNamespace: this.ctx.hostNamespace }, 'syncer started');
  }

  /** Stops controllers and informers and writes pending mappings. Idempotent. */
  async stop(): Promise<void> {
    this.#started = false;
    await Promise.all(this.#controllers.map((c) => c.stop()));
    await Promise.all([this.ctx.virtualInformers.stop(), this.ctx.hostInformers.stop()]);
    await this.ctx.recorder.flush();
    await this.ctx.mappings.close();
  }
}
