/**
 * Conformance scenarios: the namespaces every cluster starts with, as `kubectl get ns` shows them.
 * Must not: depend on kubemu specifics (a real cluster has the same four system namespaces).
 */
import { expectEqual, expectMatch, expectSuccess, scenario } from '../harness.js';

const SYSTEM_NAMESPACES = ['default', 'kube-node-lease', 'kube-public', 'kube-system'];

/** `kubectl get ns` lists the four system namespaces; `default` is Active. */
export const systemNamespaces = scenario({
  name: 'namespaces/system-present',
  async run(ctx) {
    const out = expectSuccess(await ctx.kubectl(['get', 'ns']), 'kubectl get ns');
    const [header, ...rows] = out.trimEnd().split('\n');
    expectMatch(header ?? '', /^NAME\s/, 'first column of the header');
    const names = rows.map((row) => row.split(/\s+/)[0]);
    for (const ns of SYSTEM_NAMESPACES) {
      expectEqual(names.includes(ns), true, `namespace ${ns} listed by kubectl get ns (names: ${names.join(', ')})`);
    }
    const phase = expectSuccess(await ctx.kubectl(['get', 'ns', 'default', '-o', 'jsonpath={.status.phase}']), 'get ns default');
    expectEqual(phase, 'Active', 'status.phase of namespace default');
    const listed = expectSuccess(await ctx.kubectl(['get', 'ns', ...SYSTEM_NAMESPACES, '-o', 'name']), 'get ns -o name');
    expectEqual(listed, SYSTEM_NAMESPACES.map((n) => `namespace/${n}\n`).join(''), 'kubectl get ns <names> -o name');
  },
});

