/**
 * Pod IPs of the simulated nodes: each node hands out 10.244.<i>.2 upwards, the lowest address
 * no pod of the node holds. A node's addresses are learnt once from the pods already there (a
 * restart), then kept from what is handed out, seen and released, so an allocation costs a few
 * lookups instead of a scan of the node's pods:
 *
 *   ipFor(ns/a, node-0) → 10.244.0.2    ipFor(ns/b, node-0) → 10.244.0.3
 *   release(ns/a)                       ipFor(ns/c, node-0) → 10.244.0.2
 *
 * Owns: which pod holds which address. Must not: write objects.
 */
import type { StoredObject } from '../../api/types.js';
import { keyOf } from '../runtime/index.js';

interface Held {
  uid: string;
  node: string;
  ip: string;
}

const podIPOf = (pod: StoredObject): string | undefined => (pod.status as { podIP?: string } | undefined)?.podIP || undefined;

/** Address bookkeeping of every simulated node. */
export class PodIPs {
  readonly #podsOf: (node: string) => readonly StoredObject[];
  /** Pod key → its address. */
  readonly #held = new Map<string, Held>();
  /** Node → addresses held there. */
  readonly #taken = new Map<string, Set<string>>();
  /** Node → no free host number below this one (where the search for a free address starts). */
  readonly #lowest = new Map<string, number>();

  /** `podsOf(node)`: the pods bound to a node now (read once per node, for addresses held before a restart). */
  constructor(podsOf: (node: string) => readonly StoredObject[]) {
    this.#podsOf = podsOf;
  }

  /** The address of the pod at `key` on `node` (its own, or a new one); throws when the /24 is full. */
  ipFor(key: string, pod: StoredObject, node: string, index: number): string {
    const own = podIPOf(pod);
    if (own) {
      this.#hold(key, pod.metadata.uid, node, own);
      return own;
    }
    const held = this.#held.get(key);
    if (held?.uid === pod.metadata.uid) return held.ip;
    const taken = this.#takenOn(node);
    for (let host = this.#lowest.get(node) ?? 2; host < 255; host++) {
      const ip = `10.244.${index % 256}.${host}`;
      if (!taken.has(ip)) {
        this.#hold(key, pod.metadata.uid, node, ip);
        this.#lowest.set(node, host + 1);
        return ip;
      }
    }
    throw new Error(`node ${node}: no free pod IP in 10.244.${index % 256}.0/24`);
  }

  /** The pod at `key` is gone (or another pod now has the key): its address is free. */
  release(key: string): void {
    const held = this.#held.get(key);
    if (!held) return;
    this.#held.delete(key);
    this.#taken.get(held.node)?.delete(held.ip);
    const host = Number(held.ip.slice(held.ip.lastIndexOf('.') + 1));
    if (host < (this.#lowest.get(held.node) ?? 2)) this.#lowest.set(held.node, host);
  }

  /** The uid the address of `key` was handed to, if any. */
  holder(key: string): string | undefined {
    return this.#held.get(key)?.uid;
  }

  #hold(key: string, uid: string, node: string, ip: string): void {
    const held = this.#held.get(key);
    if (held?.uid === uid && held.ip === ip && held.node === node) return;
    this.release(key);
    this.#held.set(key, { uid, node, ip });
    this.#takenOn(node).add(ip);
  }

  #takenOn(node: string): Set<string> {
    let taken = this.#taken.get(node);
    if (!taken) {
      this.#taken.set(node, (taken = new Set()));
      for (const pod of this.#podsOf(node)) {
        const ip = podIPOf(pod);
        if (ip) {
          this.#held.set(keyOf(pod), { uid: pod.metadata.uid, node, ip });
          taken.add(ip);
        }
      }
    }
    return taken;
  }
}
