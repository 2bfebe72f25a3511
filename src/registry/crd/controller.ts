/**
 * The CRD controller: what kube-apiserver's apiextensions controllers (naming, establishing,
 * finalizer) do, run inside the server because serving is part of the API server, not of
 * kube-controller-manager: it must work with `controllers: false`, and it registers stores in
 * this process's Registry, which controllers reached through client/ cannot do. It follows the
 * CRD watch cache and, per CRD, serially:
 *
 *   gone            → stop serving its versions
 *   being deleted   → Terminating InstanceDeletionInProgress, delete every custom resource, look
 *                     again until they are gone (their own finalizers may hold them), Terminating
 *                     False InstanceDeletionCompleted, drop the
 *                     `customresourcecleanup.apiextensions.k8s.io` finalizer (the CRD goes)
 *   otherwise       → accepted names and NamesAccepted (./naming.ts); when accepted: serve
 *                     every served version (Registry.addResource, so discovery and OpenAPI
 *                     change), then Established True `InitialNamesAccepted`
 *
 * Serving starts before Established is written, so a client that saw Established can create at
 * once. Changes of names or versions re-register; other CRDs of the group are looked at again
 * when one goes (a name may have become free).
 * Owns: CRD lifecycle and the served set of custom resources. Must not: know HTTP.
 */
import { isStatusError } from '../../api/errors.js';
import type { ResourceInfo } from '../../api/resource.js';
import type { CustomResourceOpenAPI } from '../../openapi/custom-resources.js';
import { objectOf, type CacheEntry } from '../../watch/entry.js';
import { deepEqual, nowTimestamp } from '../codec.js';
import type { GenericStore } from '../generic-store.js';
import { objectKey } from '../keys.js';
import type { Registry } from '../registry.js';
import { computeNaming } from './naming.js';
import { servedVersionsOf, type ServedVersion } from './serving.js';
import { CLEANUP_FINALIZER, isConditionTrue, setCondition, type Crd, type CrdStatus } from './types.js';
import { apiApprovalCondition } from './validation.js';

/** What is served for one CRD. */
interface Served {
  signature: string;
  crd: Crd;
  versions: ServedVersion[];
  /** Set once deletion began: creates are refused from then on. */
  terminating: boolean;
}

/** Options of the controller. */
export interface CrdControllerOptions {
  /** Called with errors the controller cannot answer to anyone (it retries). */
  onError?: (err: unknown) => void;
}

const RETRY_MS = 1000;
/** How often a CRD being deleted looks again for custom resources that wait on finalizers. */
const CLEANUP_POLL_MS = 200;

/** The in-server CRD controller over one Registry. */
export class CrdController {
  readonly #registry: Registry;
  readonly #store: GenericStore;
  readonly #options: CrdControllerOptions;
  readonly #served = new Map<string, Served>();
  readonly #queue = new Set<string>();
  readonly #idle = new Set<() => void>();
  readonly #timers = new Set<NodeJS.Timeout>();
  #running = false;
  #stopped = false;
  #unwatch = () => {};
  #generation = 0;
  readonly #summaries = new WeakMap<CacheEntry, Crd>();

  constructor(registry: Registry, options: CrdControllerOptions = {}) {
    this.#registry = registry;
    this.#store = registry.storeFor('apiextensions.k8s.io', 'customresourcedefinitions');
    this.#options = options;
  }

  /** Follows the CRD cache (existing CRDs are served again at once). */
  start(): void {
    this.#unwatch = this.#store.cache.watch(
      {
        filter: () => true,
        sink: { send: (_type, entry) => (this.#enqueue(entry.name), true) },
        onExpired: () => {},
      },
      undefined,
    );
  }

  /** Stops following; pending work is dropped. */
  stop(): void {
    this.#stopped = true;
    this.#unwatch();
    for (const timer of this.#timers) clearTimeout(timer);
    this.#timers.clear();
    this.#queue.clear();
    for (const resolve of this.#idle) resolve();
  }

  /** Resolves when no CRD waits to be looked at (tests, benchmarks). */
  idle(): Promise<void> {
    if (!this.#running && this.#queue.size === 0) return Promise.resolve();
    return new Promise((resolve) => this.#idle.add(resolve));
  }

  /** A counter bumped whenever the served set changes (OpenAPI caches key on it). */
  get generation(): number {
    return this.#generation;
  }

  /** The served custom resources, for OpenAPI. */
  openapi(): CustomResourceOpenAPI[] {
    const out: CustomResourceOpenAPI[] = [];
    for (const served of this.#served.values())
      for (const v of served.versions)
        out.push({
          group: v.info.group,
          version: v.info.version,
          kind: v.info.kind,
          listKind: v.info.listKind,
          plural: v.info.plural,
          namespaced: v.info.namespaced,
          schema: v.schema,
          status: v.info.subresources.some((s) => s.name === 'status'),
          scale: v.info.subresources.some((s) => s.name === 'scale'),
        });
    return out;
  }

  /** Schema compilation warnings of a served CRD (returned to the client that created it). */
  schemaWarnings(name: string): string[] {
    return this.#served.get(name)?.versions.flatMap((v) => v.schemaWarnings) ?? [];
  }

  #enqueue(name: string): void {
    if (this.#stopped) return;
    this.#queue.add(name);
    // Never from inside the storage notification that reported the change: start on a microtask.
    if (!this.#running) {
      this.#running = true;
      queueMicrotask(() => void this.#run());
    }
  }

  async #run(): Promise<void> {
    try {
      while (this.#queue.size && !this.#stopped) {
        const name = this.#queue.values().next().value as string;
        this.#queue.delete(name);
        try {
          await this.#reconcile(name);
        } catch (err) {
          if (this.#stopped) break;
          this.#options.onError?.(err);
          this.#retry(name);
        }
      }
    } finally {
      this.#running = false;
      for (const resolve of this.#idle) resolve();
      this.#idle.clear();
    }
  }

  #retry(name: string, ms = RETRY_MS): void {
    const timer = setTimeout(() => {
      this.#timers.delete(timer);
      this.#enqueue(name);
    }, ms);
    timer.unref?.();
    this.#timers.add(timer);
  }

  #current(name: string): Crd | undefined {
    const entry = this.#store.cache.get(objectKey(this.#store.info, undefined, name));
    return entry && (objectOf(entry) as Crd);
  }

  /** The other CRDs of `group`, reduced to what naming needs (parsed once per stored version). */
  #group(group: string | undefined, except: string): Crd[] {
    const out: Crd[] = [];
    for (const entry of this.#store.list(undefined).entries) {
      let summary = this.#summaries.get(entry);
      if (!summary) {
        const crd = objectOf(entry) as Crd;
        summary = { metadata: { name: entry.name }, spec: { group: crd.spec?.group ?? '' }, status: { acceptedNames: crd.status?.acceptedNames ?? {}, conditions: crd.status?.conditions ?? [] } };
        this.#summaries.set(entry, summary);
      }
      if (summary.spec!.group === group && entry.name !== except) out.push(summary);
    }
    return out;
  }

  async #reconcile(name: string): Promise<void> {
    const crd = this.#current(name);
    if (!crd) {
      const gone = this.#served.get(name);
      this.#unserve(name);
      if (gone) for (const other of this.#group(gone.crd.spec?.group, name)) this.#enqueue(other.metadata!.name!);
      return;
    }
    const served = this.#served.get(name);
    if (served) served.crd = crd;
    if (crd.metadata?.deletionTimestamp) {
      if (served) served.terminating = true;
      if (crd.metadata.finalizers?.includes(CLEANUP_FINALIZER)) await this.#finalize(crd);
      return;
    }
    const naming = computeNaming(crd, this.#group(crd.spec?.group, name));
    const accepted = naming.namesAccepted.status === 'True';
    if (accepted) {
      const withNames: Crd = { ...crd, status: { ...crd.status, acceptedNames: naming.acceptedNames } };
      await this.#serve(name, withNames);
    }
    const now = nowTimestamp();
    const changed = await this.#writeStatus(name, (status) => {
      status.acceptedNames = naming.acceptedNames;
      const holder: Crd = { status };
      setCondition(holder, naming.namesAccepted, now);
      const established = accepted ? { type: 'Established', status: 'True' as const, reason: 'InitialNamesAccepted', message: 'the initial names have been accepted' } : naming.established;
      if (!(accepted && isConditionTrue(holder, 'Established'))) setCondition(holder, established, now);
      const approval = apiApprovalCondition(crd);
      if (approval) setCondition(holder, approval, now);
    });
    if (changed && !deepEqual(crd.status?.acceptedNames ?? null, naming.acceptedNames))
      for (const other of this.#group(crd.spec?.group, name)) if (!isConditionTrue(other, 'NamesAccepted')) this.#enqueue(other.metadata!.name!);
  }

  /** Updates the CRD's status through `/status` when `change` changes it; true when written. */
  async #writeStatus(name: string, change: (status: CrdStatus) => void): Promise<boolean> {
    let wrote = false;
    try {
      await this.#store.update(
        undefined,
        name,
        (current) => {
          // `current` is the store's own copy: change it in place.
          const next = current as Crd;
          const before = JSON.stringify(next.status ?? {});
          const status = (next.status ??= {});
          change(status);
          wrote = JSON.stringify(status) !== before;
          return next;
        },
        { subresource: 'status' },
      );
    } catch (err) {
      if (isStatusError(err) && err.code === 404) return false;
      throw err;
    }
    return wrote;
  }

  async #serve(name: string, crd: Crd): Promise<void> {
    const signature = JSON.stringify([crd.spec, crd.status?.acceptedNames]);
    const existing = this.#served.get(name);
    if (existing?.signature === signature) return;
    const versions = servedVersionsOf(crd, { terminating: () => this.#served.get(name)?.terminating ?? false });
    const keep = new Set(versions.map((v) => key(v.info)));
    for (const old of existing?.versions ?? []) if (!keep.has(key(old.info))) this.#registry.removeResource(old.info.group, old.info.version, old.info.plural);
    this.#served.set(name, { signature, crd, versions, terminating: false });
    this.#generation++;
    for (const v of versions) await this.#registry.addResource(v.info, v.strategy, { hooks: v.hooks, fieldsOf: v.fieldsOf });
    if (existing) this.#endWatches(versions);
  }

  /**
   * A changed CRD (spec or accepted names) is served afresh: as kube-apiserver tears down the
   * old storage of every version (its watch cache destroyed, every watch of every version
   * closed), the watches started before the change end — with a 410 here, as when a CRD goes,
   * so clients list and watch again and find a version that is no longer served gone (404).
   */
  #endWatches(versions: readonly ServedVersion[]): void {
    const message = 'the CustomResourceDefinition changed; list and watch again';
    const first = versions[0]?.info;
    const store = first && this.#registry.store(first.group, first.version, first.plural);
    // (a cache no version shares any more was unregistered by removeResource, its watches ended)
    if (store) store.cache.closeWatchers(message);
  }

  #unserve(name: string): void {
    const served = this.#served.get(name);
    if (!served) return;
    this.#served.delete(name);
    this.#generation++;
    for (const v of served.versions) this.#registry.removeResource(v.info.group, v.info.version, v.info.plural);
  }

  /**
   * Deletes every custom resource of a CRD being deleted, then lets the CRD go. Objects that
   * stay (finalizers of their own) are waited for without holding the queue: the CRD is looked
   * at again shortly, and creates stay refused meanwhile.
   */
  async #finalize(crd: Crd): Promise<void> {
    const name = crd.metadata!.name!;
    const now = () => nowTimestamp();
    await this.#writeStatus(name, (status) =>
      setCondition({ status }, { type: 'Terminating', status: 'True', reason: 'InstanceDeletionInProgress', message: 'CustomResource deletion is in progress' }, now()),
    );
    const served = this.#served.get(name);
    const first = served?.versions[0]?.info;
    const store = first && this.#registry.store(first.group, first.version, first.plural);
    if (isConditionTrue(crd, 'Established') && store) {
      if (store.list(undefined).entries.length > 0) await store.deleteCollection(undefined, () => true);
      if (store.list(undefined).entries.length > 0) {
        this.#retry(name, CLEANUP_POLL_MS);
        return;
      }
      await this.#writeStatus(name, (status) =>
        setCondition({ status }, { type: 'Terminating', status: 'False', reason: 'InstanceDeletionCompleted', message: 'removed all instances' }, now()),
      );
    } else {
      await this.#writeStatus(name, (status) =>
        setCondition({ status }, { type: 'Terminating', status: 'False', reason: 'NeverEstablished', message: 'resource was never established' }, now()),
      );
    }
    await this.#store.update(undefined, name, (next) => {
      const finalizers = (next.metadata.finalizers ?? []).filter((f) => f !== CLEANUP_FINALIZER);
      if (finalizers.length) next.metadata.finalizers = finalizers;
      else delete next.metadata.finalizers;
      return next;
    });
  }
}

function key(info: ResourceInfo): string {
  return `${info.group}/${info.version}/${info.plural}`;
}
