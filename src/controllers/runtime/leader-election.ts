/**
 * Leader election over a coordination.k8s.io/v1 Lease, as client-go's leaderelection package
 * does it for kube-controller-manager: among replicas sharing one storage, one holds the Lease
 * (kube-system/kube-controller-manager) and runs the controllers; the others retry every
 * `retryPeriod` and take over once the holder stopped renewing for `leaseDuration`.
 *
 * Expiry is judged on this replica's own clock (client-go's "observed time"): a candidate
 * remembers when it last saw the Lease's record change, so clocks of replicas need not agree.
 * Writes are compare-and-swap on resourceVersion, so two candidates never both acquire.
 * A leader that cannot renew within `renewDeadline` stops leading (its callback stops the
 * controllers) and becomes a candidate again.
 *
 *   const elector = new LeaderElector({ client, identity: 'host_1234', onStartedLeading, onStoppedLeading });
 *   elector.start();          // runs until stop()
 *   await elector.stop();     // releases the Lease when leading, so another replica takes over at once
 *
 * Owns: the Lease protocol. Must not: know which controllers run, or storage.
 */

import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import { isStatusError } from '../../api/errors.js';
import type { KubeObject, StoredObject } from '../../api/types.js';
import type { Client, Resource } from '../../client/types.js';

const LEASES: Resource = { group: 'coordination.k8s.io', version: 'v1', resource: 'leases' };

/** Options of `LeaderElector`. */
export interface LeaderElectorOptions {
  client: Client;
  /** Unique per replica (client-go: hostname + "_" + uuid). */
  identity: string;
  /** Lease namespace and name (default kube-system/kube-controller-manager). */
  namespace?: string;
  name?: string;
  /** Seconds a Lease stays valid without renewal (default 15, kube-controller-manager's). */
  leaseDurationSeconds?: number;
  /** How long a leader retries renewing before it gives up (default 2/3 of the lease). */
  renewDeadlineMs?: number;
  /** How often candidates try and leaders renew (default a fifth of the lease, at most 2 s). */
  retryPeriodMs?: number;
  /** Called when this replica becomes the leader. */
  onStartedLeading: () => Promise<void> | void;
  /** Called when this replica stops being the leader (lost the Lease or stopped). */
  onStoppedLeading: () => Promise<void> | void;
  /** Errors worth a log line (a failed renew, a failed callback). */
  onError?: (err: unknown) => void;
}

interface LeaseSpec {
  holderIdentity?: string;
  leaseDurationSeconds?: number;
  acquireTime?: string;
  renewTime?: string;
  leaseTransitions?: number;
}

/** Kubernetes MicroTime: RFC 3339 with microseconds. */
function microTime(date = new Date()): string {
  return date.toISOString().replace(/\.(\d{3})Z$/, '.$1000Z');
}

/** One replica's participation in the election (see the module header). */
export class LeaderElector {
  readonly #options: Required<Omit<LeaderElectorOptions, 'onError'>> & Pick<LeaderElectorOptions, 'onError'>;
  #leading = false;
  #stopped = true;
  #timer: ReturnType<typeof setTimeout> | undefined;
  #loop: Promise<void> | undefined;
  /** The Lease record last seen and when (this replica's clock) it last changed. */
  #observed: { record: string; at: number } | undefined;
  #lastRenew = 0;

  constructor(options: LeaderElectorOptions) {
    const leaseDurationSeconds = options.leaseDurationSeconds ?? 15;
    this.#options = {
      namespace: 'kube-system',
      name: 'kube-controller-manager',
      renewDeadlineMs: Math.round((leaseDurationSeconds * 1000 * 2) / 3),
      retryPeriodMs: Math.min(2000, Math.round((leaseDurationSeconds * 1000) / 5)),
      ...options,
      leaseDurationSeconds,
    };
  }

  /** True while this replica holds the Lease and its controllers run. */
  get leading(): boolean {
    return this.#leading;
  }

  /** Starts campaigning; tries at once, then every retry period. */
  start(): void {
    if (!this.#stopped) return;
    this.#stopped = false;
    this.#schedule(0);
  }

  /** Stops campaigning; a leader stops leading and releases the Lease. */
  async stop(): Promise<void> {
    this.#stopped = true;
    clearTimeout(this.#timer);
    await this.#loop;
    if (this.#leading) {
      await this.#lose();
      await this.#release().catch((err: unknown) => this.#options.onError?.(err));
    }
  }

  #schedule(ms: number): void {
    this.#timer = setTimeout(() => {
      this.#loop = this.#tick().finally(() => {
        this.#loop = undefined;
        if (!this.#stopped) this.#schedule(this.#options.retryPeriodMs);
      });
    }, ms);
    this.#timer.unref?.();
  }

  async #tick(): Promise<void> {
    let acquired = false;
    try {
      acquired = await this.#tryAcquireOrRenew();
    } catch (err) {
      this.#options.onError?.(err);
    }
    if (this.#stopped) return;
    if (acquired) {
      this.#lastRenew = Date.now();
      if (!this.#leading) {
        this.#leading = true;
        try {
          await this.#options.onStartedLeading();
        } catch (err) {
          this.#options.onError?.(err);
        }
      }
    } else if (this.#leading && Date.now() - this.#lastRenew > this.#options.renewDeadlineMs) {
      await this.#lose();
    }
  }

  async #lose(): Promise<void> {
    this.#leading = false;
    try {
      await this.#options.onStoppedLeading();
    } catch (err) {
      this.#options.onError?.(err);
    }
  }

  /** One round of client-go's tryAcquireOrRenew; true when this replica holds the Lease after it. */
  async #tryAcquireOrRenew(): Promise<boolean> {
    const { client, namespace, name, identity, leaseDurationSeconds } = this.#options;
    const now = new Date();
    let current: StoredObject | undefined;
    try {
      current = await client.get(LEASES, name, { namespace });
    } catch (err) {
      if (!(isStatusError(err) && err.code === 404)) throw err;
    }
    if (!current) {
      const spec: LeaseSpec = { holderIdentity: identity, leaseDurationSeconds, acquireTime: microTime(now), renewTime: microTime(now), leaseTransitions: 0 };
      await client.create(LEASES, { apiVersion: 'coordination.k8s.io/v1', kind: 'Lease', metadata: { name, namespace }, spec } as KubeObject, { namespace });
      this.#observed = { record: JSON.stringify(spec), at: Date.now() };
      return true;
    }
    const spec = ((current as { spec?: LeaseSpec }).spec ?? {}) as LeaseSpec;
    const record = JSON.stringify(spec);
    if (!this.#observed || this.#observed.record !== record) this.#observed = { record, at: Date.now() };
    const held = Boolean(spec.holderIdentity);
    const mine = spec.holderIdentity === identity;
    const duration = (spec.leaseDurationSeconds ?? leaseDurationSeconds) * 1000;
    if (held && !mine && this.#observed.at + duration > Date.now()) return false;
    const next: LeaseSpec = {
      ...spec,
      holderIdentity: identity,
      leaseDurationSeconds,
      renewTime: microTime(now),
      acquireTime: mine ? (spec.acquireTime ?? microTime(now)) : microTime(now),
      leaseTransitions: (spec.leaseTransitions ?? 0) + (mine || !held ? 0 : 1),
    };
    await client.update(LEASES, { ...current, spec: next } as KubeObject, { namespace });
    this.#observed = { record: JSON.stringify(next), at: Date.now() };
    return true;
  }

  /** Gives the Lease up (holder cleared, duration 1 s), as client-go's ReleaseOnCancel. */
  async #release(): Promise<void> {
    const { client, namespace, name, identity } = this.#options;
    const current = await client.get(LEASES, name, { namespace });
    const spec = ((current as { spec?: LeaseSpec }).spec ?? {}) as LeaseSpec;
    if (spec.holderIdentity !== identity) return;
    const released: LeaseSpec = { leaseDurationSeconds: 1, leaseTransitions: spec.leaseTransitions ?? 0, renewTime: microTime(), acquireTime: microTime() };
    await client.update(LEASES, { ...current, spec: released } as KubeObject, { namespace });
  }
}

/** Something with the Manager's life cycle. */
interface Startable {
  start(): Promise<void>;
  stop(): Promise<void>;
}

/**
 * Runs controllers on the leader only: starts `first` when this replica first leads, and a new
 * one from `make` on each later term (a Manager starts once); stops it when leadership ends.
 * Returns the started elector. Identity: hostname, pid and a random suffix.
 */
export function leaderElectedControllers(options: {
  client: Client;
  first: Startable;
  make: () => Startable;
  leaseDurationSeconds?: number;
  onError?: (err: unknown) => void;
}): LeaderElector {
  let next: Startable | undefined = options.first;
  let running: Startable | undefined;
  const elector = new LeaderElector({
    client: options.client,
    identity: `${hostname()}_${process.pid}_${randomUUID().slice(0, 8)}`,
    ...(options.leaseDurationSeconds ? { leaseDurationSeconds: options.leaseDurationSeconds } : {}),
    ...(options.onError ? { onError: options.onError } : {}),
    onStartedLeading: async () => {
      running = next ?? options.make();
      next = undefined;
      await running.start();
    },
    onStoppedLeading: async () => {
      const stopping = running;
      running = undefined;
      await stopping?.stop();
    },
  });
  elector.start();
  return elector;
}
