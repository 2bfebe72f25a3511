/**
 * Syncer benchmark: N pods (default 1,000; KUBEMU_BENCH_SYNCER_PODS) created in a virtual kubemu
 * synced to a host kubemu with simulated nodes; measured until every virtual pod is Running with
 * the status mirrored from its host pod. Floor: the same N pods created directly in the host
 * kubemu, in the same run, until all are Running. Each phase stops at a deadline (60 s) and
 * reports how many made it. Then the host→virtual status latency: 50 changes of one host pod's
 * `status.message`, each timed until the virtual pod shows it (polled every 2 ms). Host QPS/burst of the syncer: KUBEMU_BENCH_SYNCER_QPS (default 400,
 * burst twice that — vcluster's recommended tuning; its default is 40/80).
 *
 *   node --import tsx test/bench/syncer.ts      # prints JSON
 *
 * Owns: this measurement. Must not: assert timings.
 */
import { pathToFileURL } from 'node:url';
import { HttpClient } from '../../src/client/http.js';
import { RESOURCES, type Client } from '../../src/client/types.js';
import { startKubemu } from '../../src/index.js';

const DEADLINE_MS = 60_000;
const CONCURRENCY = 32;

/** One phase: creates and time to all Running. */
export interface PhaseResult {
  pods: number;
  createdMs: number;
  allRunningMs: number | null;
  running: number;
  podsPerSecond: number | null;
}

/** The benchmark's document. */
export interface SyncerBenchResult {
  pods: number;
  hostQps: number;
  floor: PhaseResult;
  syncer: PhaseResult;
  ratio: number | null;
  goal: { allRunningMs: number; met: boolean };
  /** Host pod status change → visible on the virtual pod, over 50 changes (ms). */
  statusMirrorMs: { p50: number; p99: number; max: number; samples: number } | null;
}

const podBody = (name: string, namespace: string) => ({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name, namespace, labels: { app: 'bench' } },
  spec: { automountServiceAccountToken: false, containers: [{ name: 'c', image: 'nginx', resources: { requests: { cpu: '1m', memory: '1Mi' } } }] },
});

async function runPhase(client: Client, namespace: string, pods: number): Promise<PhaseResult> {
  const t0 = performance.now();
  let next = 0;
  const workers = Array.from({ length: CONCURRENCY }, async () => {
    while (next < pods) {
      const n = next++;
      await client.create(RESOURCES.pods, podBody(`p-${n}`, namespace), { namespace });
    }
  });
  await Promise.all(workers);
  const createdMs = performance.now() - t0;
  let running = 0;
  for (;;) {
    const { items } = await client.list(RESOURCES.pods, { namespace, labelSelector: 'app=bench' });
    running = items.filter((p) => (p.status as { phase?: string } | undefined)?.phase === 'Running').length;
    const elapsed = performance.now() - t0;
    if (running === pods) return { pods, createdMs: Math.round(createdMs), allRunningMs: Math.round(elapsed), running, podsPerSecond: Math.round((pods / elapsed) * 1000) };
    if (elapsed > DEADLINE_MS) return { pods, createdMs: Math.round(createdMs), allRunningMs: null, running, podsPerSecond: null };
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** Times host status changes of one synced pod until the virtual pod shows them. */
async function statusMirrorLatency(host: Client, virtual: Client, hostPod: string, virtualPod: string): Promise<SyncerBenchResult['statusMirrorMs']> {
  const samples: number[] = [];
  for (let i = 0; i < 50; i++) {
    const message = `bench-${i}`;
    const t0 = performance.now();
    await host.patch(RESOURCES.pods, hostPod, { type: 'merge', patch: { status: { message } } }, { namespace: 'vc-host', subresource: 'status' });
    for (;;) {
      const pod = await virtual.get(RESOURCES.pods, virtualPod, { namespace: 'default' });
      if ((pod.status as { message?: string } | undefined)?.message === message) break;
      if (performance.now() - t0 > 5000) return null;
      await new Promise((resolve) => setTimeout(resolve, 2));
    }
    samples.push(performance.now() - t0);
  }
  samples.sort((a, b) => a - b);
  const at = (q: number) => Math.round(samples[Math.min(samples.length - 1, Math.floor(q * samples.length))]! * 10) / 10;
  return { p50: at(0.5), p99: at(0.99), max: at(1), samples: samples.length };
}

/** Runs the floor and the syncer phase; see the module comment. */
export async function benchSyncer(options: { pods?: number; qps?: number } = {}): Promise<SyncerBenchResult> {
  const pods = options.pods ?? Number(process.env.KUBEMU_BENCH_SYNCER_PODS ?? 1000);
  const qps = options.qps ?? Number(process.env.KUBEMU_BENCH_SYNCER_QPS ?? 400);
  // 110 pods per simulated node: enough nodes for both phases at once.
  const host = await startKubemu({ tls: false, nodes: Math.ceil((2 * pods) / 100) });
  const h = HttpClient.fromKubeconfig(host.kubeconfig);
  let virtual: Awaited<ReturnType<typeof startKubemu>> | undefined;
  let v: HttpClient | undefined;
  try {
    for (const name of ['floor', 'vc-host']) await h.create(RESOURCES.namespaces, { apiVersion: 'v1', kind: 'Namespace', metadata: { name } });
    const floor = await runPhase(h, 'floor', pods);
    virtual = await startKubemu({ tls: false, hostCluster: { kubeconfigText: host.kubeconfig, namespace: 'vc-host', name: 'bench', qps, burst: 2 * qps } });
    v = HttpClient.fromKubeconfig(virtual.kubeconfig);
    const syncer = await runPhase(v, 'default', pods);
    const ratio = floor.allRunningMs && syncer.allRunningMs ? Math.round((syncer.allRunningMs / floor.allRunningMs) * 100) / 100 : null;
    const statusMirrorMs = syncer.running > 0 ? await statusMirrorLatency(h, v, 'p-0-x-default-x-bench', 'p-0') : null;
    return { pods, hostQps: qps, floor, syncer, ratio, goal: { allRunningMs: 20_000, met: syncer.allRunningMs !== null && syncer.allRunningMs < 20_000 }, statusMirrorMs };
  } finally {
    v?.close();
    h.close();
    await virtual?.close();
    await host.close();
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  console.log(JSON.stringify(await benchSyncer(), null, 2));
}
