/**
 * Claiming (kubernetes `controller.BaseControllerRefManager.ClaimObject`): a controller takes
 * the objects its selector matches. An object it controls that stops matching is released (its
 * owner reference removed); a matching orphan is adopted (a controller owner reference added),
 * unless the controller or the orphan is being deleted; objects controlled by others are left
 * alone. Before the first adoption the controller is read again from the API, uncached, so a
 * controller deleted (or re-created) meanwhile adopts nothing.
 * Owns: adopt/release patches. Must not: decide what a controller does with what it claims.
 */
import type { StoredObject } from '../../api/types.js';
import type { LabelSelector } from '../../api/selectors.js';
import { StatusError } from '../../api/errors.js';
import type { Client, Resource } from '../../client/types.js';
import { controllerOf, controllerRef } from './objects.js';

/** What claim() needs. */
export interface ClaimOptions<T extends StoredObject> {
  client: Client;
  /** The controller (ReplicaSet, Deployment) and its resource. */
  owner: StoredObject;
  ownerResource: Resource;
  /** The claimed kind's resource. */
  resource: Resource;
  selector: LabelSelector;
  candidates: readonly T[];
}

function notFound(err: unknown): boolean {
  return err instanceof StatusError && err.status.code === 404;
}

/** The candidates the owner controls after adopting and releasing; see the module comment. */
export async function claim<T extends StoredObject>(options: ClaimOptions<T>): Promise<T[]> {
  const { client, owner, selector, resource } = options;
  const uid = owner.metadata.uid;
  const ownerDeleting = Boolean(owner.metadata.deletionTimestamp);
  const namespace = owner.metadata.namespace;
  let canAdopt: Promise<boolean> | undefined;
  const claimed: T[] = [];
  for (const obj of options.candidates) {
    const ref = controllerOf(obj);
    const matches = selector.matches(obj.metadata.labels);
    if (ref) {
      if (ref.uid !== uid) continue;
      if (matches || ownerDeleting) {
        if (matches) claimed.push(obj);
        continue;
      }
      const patch = { metadata: { ownerReferences: [{ $patch: 'delete', uid }], uid: obj.metadata.uid } };
      await client.patch(resource, obj.metadata.name, { type: 'strategic', patch }, { namespace }).catch((err: unknown) => {
        if (!notFound(err)) throw err;
      });
      continue;
    }
    if (ownerDeleting || !matches || obj.metadata.deletionTimestamp) continue;
    canAdopt ??= client.get(options.ownerResource, owner.metadata.name, { namespace }).then(
      (fresh) => fresh.metadata.uid === uid && !fresh.metadata.deletionTimestamp,
      () => false,
    );
    if (!(await canAdopt)) continue;
    const patch = { metadata: { ownerReferences: [controllerRef(owner)], uid: obj.metadata.uid } };
    try {
      claimed.push((await client.patch(resource, obj.metadata.name, { type: 'strategic', patch }, { namespace })) as T);
    } catch (err) {
      if (!notFound(err)) throw err;
    }
  }
  return claimed;
}
