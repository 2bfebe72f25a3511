/**
 * The namespace controller (kube-controller-manager's `namespace-controller`, after
 * `namespaced_resources_deleter.go`): a namespace with a deletionTimestamp whose spec still
 * lists the `kubernetes` finalizer is emptied — every namespaced resource, built-in and
 * custom (discovered from the CRDs), is deleted in the background — its status conditions say
 * how far that got, worded as upstream, and once nothing is left `kubernetes` is removed through
 * `PUT /api/v1/namespaces/<n>/finalize`, after which the API server removes the namespace.
 * Owns: emptying and finalizing namespaces. Must not: import registry or storage.
 */
import { StatusError } from '../api/errors.js';
import type { StoredObject } from '../api/types.js';
import { RESOURCES, type Client } from '../client/types.js';
import type { ControllerDefinition, Informer, Reconciler, Result } from './runtime/index.js';
import { discoverNamespaced, groupResource, type ServedResource } from './resources.js';

const KUBERNETES = 'kubernetes';
/** How soon a namespace whose content is still going is looked at again. */
const REMAINING_RECHECK_MS = 1000;

/** A NamespaceCondition. */
interface Condition {
  type: string;
  status: 'True' | 'False';
  lastTransitionTime?: string;
  reason: string;
  message: string;
}

/** Upstream's condition types with their reason and message when all is well. */
const OK: Record<string, [reason: string, message: string]> = {
  NamespaceDeletionDiscoveryFailure: ['ResourcesDiscovered', 'All resources successfully discovered'],
  NamespaceDeletionGroupVersionParsingFailure: ['ParsedGroupVersions', 'All legacy kube types successfully parsed'],
  NamespaceDeletionContentFailure: ['ContentDeleted', 'All content successfully deleted, may be waiting on finalization'],
  NamespaceContentRemaining: ['ContentRemoved', 'All content successfully removed'],
  NamespaceFinalizersRemaining: ['ContentHasNoFinalizers', 'All content-preserving finalizers finished'],
};

/** What emptying a namespace found. */
interface Sweep {
  discoveryError?: string;
  /** Resources whose list or delete failed. */
  failed: string[];
  /** GroupResource → objects still there. */
  remaining: Map<string, number>;
  /** Finalizer → objects still carrying it. */
  finalizers: Map<string, number>;
}

/** The namespace controller's reconciler. */
export class NamespaceReconciler implements Reconciler {
  readonly #client: Client;
  readonly #namespaces: Informer;

  constructor(client: Client, namespaces: Informer) {
    this.#client = client;
    this.#namespaces = namespaces;
  }

  async reconcile(key: string): Promise<Result | void> {
    const ns = this.#namespaces.get(key);
    if (!ns?.metadata.deletionTimestamp) return;
    const specFinalizers = ((ns.spec as { finalizers?: string[] } | undefined)?.finalizers ?? []);
    if (!specFinalizers.includes(KUBERNETES)) return;
    const sweep = await this.#sweep(ns.metadata.name);
    await this.#reportConditions(ns, sweep);
    if (sweep.discoveryError || sweep.failed.length || sweep.remaining.size) return { requeueAfter: REMAINING_RECHECK_MS };
    // Unconditional (no resourceVersion): finalize replaces spec.finalizers only, and the status write above moved the version on.
    const { resourceVersion: _rv, ...metadata } = ns.metadata;
    const finalized = { ...ns, metadata, spec: { ...(ns.spec as object), finalizers: specFinalizers.filter((f) => f !== KUBERNETES) } };
    try {
      await this.#client.update(RESOURCES.namespaces, finalized, { subresource: 'finalize' });
    } catch (err) {
      if (!(err instanceof StatusError && err.code === 404)) throw err;
    }
  }

  /** Deletes what is in `namespace`; counts what remains and which finalizers hold it. */
  async #sweep(namespace: string): Promise<Sweep> {
    const sweep: Sweep = { failed: [], remaining: new Map(), finalizers: new Map() };
    let resources: ServedResource[];
    try {
      resources = await discoverNamespaced(this.#client);
    } catch (err) {
      sweep.discoveryError = err instanceof Error ? err.message : String(err);
      return sweep;
    }
    await Promise.all(resources.map((resource) => this.#empty(resource, namespace, sweep)));
    return sweep;
  }

  async #empty(resource: ServedResource, namespace: string, sweep: Sweep): Promise<void> {
    const name = groupResource(resource);
    try {
      const { items } = await this.#client.list(resource, { namespace });
      let left = 0;
      for (const obj of items) {
        const after = obj.metadata.deletionTimestamp ? obj : await this.#delete(resource, obj);
        if (!after) continue;
        left++;
        for (const f of after.metadata.finalizers ?? []) sweep.finalizers.set(f, (sweep.finalizers.get(f) ?? 0) + 1);
      }
      if (left) sweep.remaining.set(name, left);
    } catch (err) {
      if (err instanceof StatusError && err.code === 404) return; // not served (a CRD on its way out)
      sweep.failed.push(name);
    }
  }

  /** Deletes one object in the background; answers the object when it is still there (finalizers). */
  async #delete(resource: ServedResource, obj: StoredObject): Promise<StoredObject | undefined> {
    try {
      const result = await this.#client.delete(resource, obj.metadata.name, {
        namespace: obj.metadata.namespace!,
        propagationPolicy: 'Background',
        preconditions: { uid: obj.metadata.uid },
      });
      const kept = result as StoredObject;
      return kept.kind !== 'Status' && kept.metadata?.deletionTimestamp && kept.metadata.finalizers?.length ? kept : undefined;
    } catch (err) {
      if (err instanceof StatusError && (err.code === 404 || err.code === 409)) return undefined;
      throw err;
    }
  }

  async #reportConditions(ns: StoredObject, sweep: Sweep): Promise<void> {
    const failures: Record<string, [reason: string, message: string] | undefined> = {
      NamespaceDeletionDiscoveryFailure: sweep.discoveryError
        ? ['DiscoveryFailed', `Discovery failed for some groups, 1 failing: ${sweep.discoveryError}`]
        : undefined,
      NamespaceDeletionContentFailure: sweep.failed.length
        ? ['ContentDeletionFailed', `Failed to delete all resource types, ${sweep.failed.length} remaining: ${sweep.failed.sort().join(', ')}`]
        : undefined,
      NamespaceContentRemaining: sweep.remaining.size
        ? ['SomeResourcesRemain', `Some resources are remaining: ${counted(sweep.remaining, 'has', 'resource instances')}`]
        : undefined,
      NamespaceFinalizersRemaining: sweep.finalizers.size
        ? ['SomeFinalizersRemain', `Some content in the namespace has finalizers remaining: ${counted(sweep.finalizers, 'in', 'resource instances')}`]
        : undefined,
    };
    const now = new Date().toISOString().replace(/\.\d+Z$/, 'Z');
    const old = ((ns.status as { conditions?: Condition[] } | undefined)?.conditions ?? []);
    const conditions: Condition[] = Object.entries(OK).map(([type, ok]) => {
      const [reason, message] = failures[type] ?? ok;
      const status = failures[type] ? 'True' : 'False';
      const prev = old.find((c) => c.type === type);
      const lastTransitionTime = prev?.status === status && prev.lastTransitionTime ? prev.lastTransitionTime : now;
      return { type, status, lastTransitionTime, reason, message };
    });
    const same = conditions.every((c) => {
      const prev = old.find((o) => o.type === c.type);
      return prev && prev.status === c.status && prev.reason === c.reason && prev.message === c.message;
    });
    if (same) return;
    const status = { ...(ns.status as object | undefined), conditions: [...old.filter((c) => !(c.type in OK)), ...conditions] };
    try {
      await this.#client.updateStatus(RESOURCES.namespaces, { ...ns, status });
    } catch (err) {
      if (!(err instanceof StatusError && (err.code === 404 || err.code === 409))) throw err;
    }
  }
}

/** `pods has 2 resource instances, services has 1 resource instances` (sorted, upstream's wording). */
function counted(counts: Map<string, number>, verb: string, noun: string): string {
  return [...counts].sort(([a], [b]) => a.localeCompare(b)).map(([name, n]) => `${name} ${verb} ${n} ${noun}`).join(', ');
}

/** The namespace controller, declared for the Manager. */
export function namespaceController(options: { workers?: number } = {}): ControllerDefinition {
  return {
    name: 'namespace-controller',
    workers: options.workers ?? 2,
    setup(ctx) {
      const namespaces = ctx.informers.informer(RESOURCES.namespaces);
      return { reconciler: new NamespaceReconciler(ctx.client, namespaces), sources: [{ informer: namespaces }] };
    },
  };
}
