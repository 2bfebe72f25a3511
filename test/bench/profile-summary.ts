/**
 * Summarizes V8 CPU profiles (`.cpuprofile`, from `node --cpu-prof`): self time by function and
 * by module (a file of src/, a package of node_modules, node internals, or V8 itself such as GC),
 * plus inclusive time of kubemu's own functions. For finding where a benchmark spends its time:
 * `KUBEMU_BENCH_PROF=/tmp/prof KUBEMU_BENCH_TARGETS=kubemu-level node --import tsx test/bench/api.ts`
 * then `node --import tsx test/bench/profile-summary.ts /tmp/prof/*.cpuprofile`.
 * Owns: reading profiles. Must not: run benchmarks.
 */

import { readFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { round } from './load.js';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}

interface Profile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

/** A row of the summary: a name and its share of sampled time. */
export interface Share {
  name: string;
  ms: number;
  percent: number;
}

/** The module a frame belongs to: `src/...`, a package name, `node:internal` or `(v8)`. */
function moduleOf(url: string, functionName: string): string {
  if (!url) return functionName.startsWith('(') ? functionName : '(v8)';
  const pkg = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
  if (pkg) return pkg[1]!;
  const own = /\/((?:src|dist|test)\/.+)$/.exec(url);
  if (own) return own[1]!;
  return url.startsWith('node:') ? 'node:internal' : url;
}

function top(map: Map<string, number>, total: number, n: number): Share[] {
  return [...map.entries()]
    .sort((a, b) => b[1] - a[1])
    .slice(0, n)
    .map(([name, us]) => ({ name, ms: round(us / 1000, 1), percent: round((100 * us) / total, 1) }));
}

/** Self time by function and by module, and inclusive time of src/ functions, of one or more profiles. */
export function summarizeProfiles(profiles: Profile[], n = 25): Record<string, unknown> {
  const byFunction = new Map<string, number>();
  const byModule = new Map<string, number>();
  const inclusive = new Map<string, number>();
  let total = 0;
  let idle = 0;
  for (const profile of profiles) {
    const nodes = new Map(profile.nodes.map((node) => [node.id, node]));
    const parent = new Map<number, number>();
    for (const node of profile.nodes) for (const child of node.children ?? []) parent.set(child, node.id);
    const selfUs = new Map<number, number>();
    profile.samples.forEach((id, i) => selfUs.set(id, (selfUs.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0)));
    for (const [id, us] of selfUs) {
      const { functionName, url, lineNumber } = nodes.get(id)!.callFrame;
      total += us;
      const module = moduleOf(url, functionName);
      if (functionName === '(idle)') {
        idle += us;
        continue;
      }
      const name = `${functionName || '(anonymous)'} ${module}:${lineNumber + 1}`;
      byFunction.set(name, (byFunction.get(name) ?? 0) + us);
      byModule.set(module, (byModule.get(module) ?? 0) + us);
      // Inclusive time of src/ frames: charge each distinct src/ function on the stack once.
      const seen = new Set<string>();
      for (let at: number | undefined = id; at !== undefined; at = parent.get(at)) {
        const frame = nodes.get(at)!.callFrame;
        const m = moduleOf(frame.url, frame.functionName);
        if (!m.startsWith('src/') && !m.startsWith('dist/')) continue;
        const key = `${frame.functionName || '(anonymous)'} ${m}:${frame.lineNumber + 1}`;
        if (seen.has(key)) continue;
        seen.add(key);
        inclusive.set(key, (inclusive.get(key) ?? 0) + us);
      }
    }
  }
  const busy = total - idle;
  return {
    totalMs: round(total / 1000, 0),
    busyMs: round(busy / 1000, 0),
    selfByModule: top(byModule, busy, n),
    selfByFunction: top(byFunction, busy, n),
    inclusiveKubemu: top(inclusive, busy, n),
  };
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const files = process.argv.slice(2);
  if (!files.length) throw new TypeError('usage: profile-summary.ts <file.cpuprofile>...');
  const profiles = files.map((file) => JSON.parse(readFileSync(file, 'utf8')) as Profile);
  console.log(JSON.stringify(summarizeProfiles(profiles), null, 2));
}
