/**
 * Test helper for the workload controllers: since pods do not run by themselves in these tests,
 * `markReady` writes a Running/Ready status through `/status` for the pods a selector matches,
 * as a kubelet (or the simulated nodes) would.
 */
import type { StoredObject } from '../../src/api/types.js';
import { RESOURCES, type Client } from '../../src/client/types.js';

/** Marks every (or only not yet ready) pod of `labelSelector` Running and Ready; returns how many it changed. */
export async function markReady(client: Client, namespace: string, labelSelector: string, readySince = new Date()): Promise<number> {
  const { items } = await client.list(RESOURCES.pods, { namespace, labelSelector });
  let changed = 0;
  const at = `${readySince.toISOString().slice(0, 19)}Z`;
  for (const pod of items) {
    const status = (pod.status ?? {}) as { conditions?: { type: string; status: string }[] };
    if (pod.metadata.deletionTimestamp || status.conditions?.some((c) => c.type === 'Ready' && c.status === 'True')) continue;
    const containers = ((pod.spec as { containers?: { name: string; image?: string }[] } | undefined)?.containers ?? []).map((c) => ({
      name: c.name,
      image: c.image ?? '',
      imageID: '',
      ready: true,
      started: true,
      restartCount: 0,
      state: { running: { startedAt: at } },
    }));
    const next: StoredObject = {
      ...pod,
      status: {
        phase: 'Running',
        startTime: at,
        podIP: '10.0.0.1',
        conditions: [
          { type: 'Initialized', status: 'True', lastTransitionTime: at },
          { type: 'Ready', status: 'True', lastTransitionTime: at },
          { type: 'ContainersReady', status: 'True', lastTransitionTime: at },
          { type: 'PodScheduled', status: 'True', lastTransitionTime: at },
        ],
        containerStatuses: containers,
      },
    };
    try {
      await client.updateStatus(RESOURCES.pods, next, { namespace });
      changed++;
    } catch {
      // Gone or changed meanwhile: the next call picks it up.
    }
  }
  return changed;
}

/** The pods of a selector that are not being deleted. */
export async function livePods(client: Client, namespace: string, labelSelector: string): Promise<StoredObject[]> {
  const { items } = await client.list(RESOURCES.pods, { namespace, labelSelector });
  return items.filter((p) => !p.metadata.deletionTimestamp);
}

/** A pod template with one container. */
export function template(labels: Record<string, string>, image = 'nginx:1.25'): Record<string, unknown> {
  return { metadata: { labels }, spec: { containers: [{ name: 'app', image }] } };
}
