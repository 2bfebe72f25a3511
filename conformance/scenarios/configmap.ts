/**
 * Conformance scenarios: a ConfigMap's life through kubectl — create, get -o yaml, label,
 * annotate, replace -f, delete — checking the text kubectl prints at each step.
 * Must not: depend on kubemu specifics (expectations are what a real cluster prints).
 */
import { parse as parseYaml } from 'yaml';
import { expectEqual, expectFailure, expectMatch, expectSuccess, scenario } from '../harness.js';

interface ConfigMapYaml {
  data?: Record<string, string>;
  metadata?: { labels?: Record<string, string>; annotations?: Record<string, string> };
}

/** create configmap → get -o yaml → label → annotate → replace -f → delete. */
export const configMapRoundTrip = scenario({
  name: 'configmap/round-trip',
  namespace: true,
  async run(ctx) {
    const ns = ['-n', ctx.namespace];
    const created = await ctx.kubectl([...ns, 'create', 'configmap', 'cm1', '--from-literal=a=1', '--from-literal=b=two']);
    expectEqual(expectSuccess(created, 'create configmap'), 'configmap/cm1 created\n', 'create configmap output');

    const yaml = expectSuccess(await ctx.kubectl([...ns, 'get', 'configmap', 'cm1', '-o', 'yaml']), 'get -o yaml');
    const expectedYaml = new RegExp(
      [
        '^apiVersion: v1',
        'data:',
        '  a: "1"',
        '  b: two',
        'kind: ConfigMap',
        'metadata:',
        '  creationTimestamp: "\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\dZ"',
        '  name: cm1',
        `  namespace: ${ctx.namespace}`,
        '  resourceVersion: "\\d+"',
        '  uid: [0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}',
        '$',
      ].join('\\n'),
    );
    expectMatch(yaml, expectedYaml, 'kubectl get cm -o yaml');

    expectEqual(expectSuccess(await ctx.kubectl([...ns, 'label', 'configmap', 'cm1', 'tier=web']), 'label'), 'configmap/cm1 labeled\n', 'label output');
    const annotated = await ctx.kubectl([...ns, 'annotate', 'configmap', 'cm1', 'note=hello world']);
    // kubectl 1.27 prints the verb without its past tense.
    const verb = ctx.version === '1.27' ? 'annotate' : 'annotated';
    expectEqual(expectSuccess(annotated, 'annotate'), `configmap/cm1 ${verb}\n`, 'annotate output');

    const current = expectSuccess(await ctx.kubectl([...ns, 'get', 'configmap', 'cm1', '-o', 'yaml']), 'get -o yaml after label');
    expectMatch(current, /\n {2}labels:\n {4}tier: web\n/, 'labels in -o yaml');
    expectMatch(current, /\n {2}annotations:\n {4}note: hello world\n/, 'annotations in -o yaml');
    const parsed = parseYaml(current) as ConfigMapYaml;
    expectEqual(parsed.metadata?.labels, { tier: 'web' }, 'metadata.labels');
    expectEqual(parsed.metadata?.annotations, { note: 'hello world' }, 'metadata.annotations');

    const edited = current.replace('  b: two\n', '  b: three\n');
    const replaced = await ctx.kubectl([...ns, 'replace', '-f', '-'], { stdin: edited });
    expectEqual(expectSuccess(replaced, 'replace -f'), 'configmap/cm1 replaced\n', 'replace output');
    const after = parseYaml(expectSuccess(await ctx.kubectl([...ns, 'get', 'configmap', 'cm1', '-o', 'yaml']), 'get after replace')) as ConfigMapYaml;
    expectEqual(after.data, { a: '1', b: 'three' }, 'data after replace');
    expectEqual(after.metadata?.labels, { tier: 'web' }, 'labels kept by replace');

    const deleted = await ctx.kubectl([...ns, 'delete', 'configmap', 'cm1']);
    expectEqual(expectSuccess(deleted, 'delete'), 'configmap "cm1" deleted\n', 'delete output');
    expectFailure(await ctx.kubectl([...ns, 'get', 'configmap', 'cm1']), 'Error from server (NotFound): configmaps "cm1" not found', 'get after delete');
  },
});

