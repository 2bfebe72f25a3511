/**
 * An in-memory view of namespaces, fed by storage events, so that admission answers "does this
 * namespace exist, is it terminating?" without a storage read on every create.
 *
 * Entries carry the revision they were read at; a listing never overwrites a newer event, so
 * subscribing before listing loses nothing:
 *
 *   subscribe ──► events (rev 12: put team-a) ──► cache {team-a@12}
 *   list at rev 10 (team-a absent, b@7)         ──► cache {team-a@12, b@7}
 *
 * Owns: the namespace view. Must not: write anything.
 */
import type { KubeObject } from '../api/types.js';
import type { Storage, StorageEvent } from '../storage/types.js';
import { decodeStored } from './codec.js';

interface Slot {
  revision: number;
  object?: KubeObject;
}

/** Namespaces by name, kept current by storage events. */
export class NamespaceCache {
  readonly #storage: Storage;
  readonly #prefix: string;
  readonly #slots = new Map<string, Slot>();
  #unsubscribe?: () => void;

  constructor(storage: Storage, prefix: string) {
    this.#storage = storage;
    this.#prefix = prefix;
  }

  /** Subscribes, then loads the current namespaces. */
  async start(): Promise<void> {
    this.#unsubscribe = this.#storage.subscribe((events) => events.forEach((e) => this.#apply(e)));
    const { entries } = await this.#storage.list(this.#prefix);
    for (const entry of entries) this.#set(entry.key, entry.modRevision, decodeStored(entry.value));
  }

  /** Stops following storage. */
  stop(): void {
    this.#unsubscribe?.();
  }

  /** The namespace object, or undefined when it does not exist. */
  get(name: string): KubeObject | undefined {
    return this.#slots.get(name)?.object;
  }

  #apply(event: StorageEvent): void {
    if (!event.key.startsWith(this.#prefix)) return;
    this.#set(event.key, event.revision, event.type === 'put' ? decodeStored(event.value) : undefined);
  }

  #set(key: string, revision: number, object: KubeObject | undefined): void {
    const name = key.slice(this.#prefix.length);
    const slot = this.#slots.get(name);
    if (slot && slot.revision >= revision) return;
    this.#slots.set(name, object ? { revision, object } : { revision });
  }
}
