/**
 * The garbage collector's monitors of custom resources (kube-controller-manager's GC resyncs
 * its monitors from discovery every 30 s; kubemu follows the CustomResourceDefinitions instead,
 * which reacts at once): every Established CRD gets an informer on the resource it serves (its
 * storage version when served), indexed by owner uid and attached to the collector as a source;
 * a CRD that changes version or scope gets a fresh one; a CRD that goes away, or stops being
 * established or served, has its informer detached and stopped (a CRD being deleted keeps it
 * until it is gone, so the deletion of its objects still reaches their dependents). Adding a monitor also queues
 * the watched objects that already name that kind as an owner, since their owners could not be
 * resolved before.
 * Owns: the set of custom-resource monitors. Must not: import registry or storage.
 */
import type { KubeObject, StoredObject } from '../../api/types.js';
import { byOwnerUid, type ControllerContext, type Source } from '../runtime/index.js';
import { errorFields } from '../runtime/log.js';
import { customResourceOf, isEstablished, type ServedResource } from '../resources.js';
import { addedKeys, deletedKeys, type GarbageCollectorReconciler, OWNER_INDEX, updatedKeys, type Watched } from './reconciler.js';

interface Monitor {
  resource: ServedResource;
  detach: () => void;
}

/** One monitor per established CRD (by CRD name), kept in step with the CRDs the collector sees. */
export class CustomResourceMonitors {
  readonly #ctx: ControllerContext;
  readonly #gc: GarbageCollectorReconciler;
  readonly #monitors = new Map<string, Monitor>();

  constructor(ctx: ControllerContext, gc: GarbageCollectorReconciler) {
    this.#ctx = ctx;
    this.#gc = gc;
  }

  /** The resources monitored now (for tests and logs). */
  resources(): ServedResource[] {
    return [...this.#monitors.values()].map((m) => m.resource);
  }

  /**
   * A CRD was added or changed: starts, replaces or stops its monitor. Returns the keys to
   * reconcile (objects naming a newly watched kind as owner).
   */
  sync(crd: KubeObject): string[] {
    const name = crd.metadata?.name ?? '';
    const wanted = isEstablished(crd) ? customResourceOf(crd) : undefined;
    const current = this.#monitors.get(name);
    // A CRD being deleted keeps its monitor until it is gone: the deletions of its objects must reach their dependents.
    if (current && crd.metadata?.deletionTimestamp) return [];
    if (current && wanted && same(current.resource, wanted)) return [];
    if (current) this.#stop(name, current);
    if (!wanted || this.#gc.watched(wanted.group, wanted.resource)) return [];
    return this.#start(name, wanted);
  }

  /** A CRD is gone: stops its monitor. */
  remove(crd: KubeObject): void {
    const name = crd.metadata?.name ?? '';
    const current = this.#monitors.get(name);
    if (current) this.#stop(name, current);
  }

  #start(name: string, resource: ServedResource): string[] {
    const informer = this.#ctx.informers.informer(resource, { indexers: { [OWNER_INDEX]: byOwnerUid } });
    const watched: Watched = { resource, informer };
    this.#gc.watch(watched);
    const source: Source = {
      informer,
      map: (obj: StoredObject) => addedKeys(watched, obj),
      mapUpdate: (oldObj: StoredObject, obj: StoredObject) => updatedKeys(this.#gc, watched, oldObj, obj),
      mapDelete: (obj: StoredObject) => deletedKeys(this.#gc, obj),
    };
    const detach = this.#ctx.addSource(source);
    this.#monitors.set(name, { resource, detach });
    this.#ctx.log.info({ controller: this.#ctx.name, resource: `${resource.resource}.${resource.group}`, version: resource.version }, 'garbage collector: monitoring custom resource');
    return this.#gc.referencingKind(resource.group, resource.kind);
  }

  #stop(name: string, monitor: Monitor): void {
    this.#monitors.delete(name);
    monitor.detach();
    this.#gc.unwatch(monitor.resource);
    this.#ctx.informers.release(monitor.resource).catch((err: unknown) => {
      this.#ctx.log.warn({ controller: this.#ctx.name, ...errorFields(err) }, 'garbage collector: stopping a custom resource monitor failed');
    });
    this.#ctx.log.info({ controller: this.#ctx.name, resource: `${monitor.resource.resource}.${monitor.resource.group}` }, 'garbage collector: stopped monitoring custom resource');
  }
}

function same(a: ServedResource, b: ServedResource): boolean {
  return a.group === b.group && a.version === b.version && a.resource === b.resource && a.kind === b.kind && a.namespaced === b.namespaced;
}
