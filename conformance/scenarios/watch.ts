/**
 * Conformance scenarios: kubectl commands that watch — `get -w` (with and without
 * `--output-watch-events`) and `wait --for=delete | jsonpath | condition`. kubectl runs in the
 * background; the scenario waits until it has listed (its first rows are printed) or opened its
 * watch (the `watch=true` request in its `-v=6` log), then changes objects over HTTP and checks
 * what kubectl printed.
 * Must not: depend on kubemu specifics (expectations are what a real cluster prints).
 */
import { expectEqual, expectSuccess, scenario, type Context, type KubectlProcess } from '../harness.js';
import { AGE, collection, configMap, create, expectTable, mergePatch } from './read-fixtures.js';

/** Matches text of at least `n` complete lines. */
function lines(n: number): RegExp {
  return new RegExp(`^(?:.*\\n){${n}}`);
}

/** Resolves once kubectl has opened its watch (needs `-v=6`). */
function watching(proc: KubectlProcess): Promise<void> {
  return proc.waitFor('stderr', /[?&]watch=true/);
}

async function deleteObject(ctx: Context, path: string): Promise<void> {
  const res = await ctx.http('DELETE', path);
  expectEqual(res.status, 200, `DELETE ${path}: status (body ${res.text.slice(0, 300)})`);
}

/** `get -w`: the list, then one row per change (the deleted object's last state for a delete). */
export const getWatch = scenario({
  name: 'get/watch',
  namespace: true,
  async run(ctx) {
    const path = collection(ctx, 'configmaps');
    await create(ctx, path, configMap('w1', { a: '1' }, { set: 'w' }));
    const proc = ctx.startKubectl(['-n', ctx.namespace, 'get', 'configmaps', '-l', 'set=w', '-w']);
    await proc.waitFor('stdout', /^w1\s/m);
    await create(ctx, path, configMap('w2', { a: '1' }, { set: 'w' }));
    await mergePatch(ctx, `${path}/w1`, { data: { a: '1', b: '2' } });
    await deleteObject(ctx, `${path}/w2`);
    await proc.waitFor('stdout', lines(5));
    const result = await proc.stop();
    expectTable(
      result.stdout,
      [['NAME', 'DATA', 'AGE'], ['w1', '1', AGE], ['w2', '1', AGE], ['w1', '2', AGE], ['w2', '1', AGE]],
      'kubectl get configmaps -w',
    );
  },
});

/** `get -w --output-watch-events`: an EVENT column; label changes move objects in and out of the selection. */
export const getWatchEvents = scenario({
  name: 'get/watch-output-events',
  namespace: true,
  async run(ctx) {
    const path = collection(ctx, 'configmaps');
    await create(ctx, path, configMap('w1', { a: '1' }, { set: 'w' }));
    await create(ctx, path, configMap('w3', { a: '1' }, { set: 'other' }));
    const proc = ctx.startKubectl(['-n', ctx.namespace, 'get', 'configmaps', '-l', 'set=w', '-w', '--output-watch-events']);
    await proc.waitFor('stdout', /^ADDED\s+w1\s/m);
    await create(ctx, path, configMap('w2', { a: '1' }, { set: 'w' }));
    await mergePatch(ctx, `${path}/w1`, { data: { a: '1', b: '2' } });
    await mergePatch(ctx, `${path}/w3`, { metadata: { labels: { set: 'w' } } });
    await mergePatch(ctx, `${path}/w3`, { metadata: { labels: { set: 'other' } } });
    await deleteObject(ctx, `${path}/w2`);
    await proc.waitFor('stdout', lines(7));
    const result = await proc.stop();
    expectTable(
      result.stdout,
      [
        ['EVENT', 'NAME', 'DATA', 'AGE'],
        ['ADDED', 'w1', '1', AGE],
        ['ADDED', 'w2', '1', AGE],
        ['MODIFIED', 'w1', '2', AGE],
        ['ADDED', 'w3', '1', AGE],
        ['DELETED', 'w3', '1', AGE],
        ['DELETED', 'w2', '1', AGE],
      ],
      'kubectl get configmaps -w --output-watch-events',
    );
  },
});

/** `wait --for=delete` returns once the object is deleted by someone else. */
export const waitForDelete = scenario({
  name: 'wait/for-delete',
  namespace: true,
  async run(ctx) {
    const path = collection(ctx, 'configmaps');
    await create(ctx, path, configMap('doomed'));
    const proc = ctx.startKubectl(['-n', ctx.namespace, 'wait', '--for=delete', 'configmap/doomed', '--timeout=30s', '-v=6']);
    await watching(proc);
    await deleteObject(ctx, `${path}/doomed`);
    const result = await proc.exited;
    expectEqual(expectSuccess(result, 'kubectl wait --for=delete'), 'configmap/doomed condition met\n', 'kubectl wait --for=delete output');
  },
});

/** `wait --for=jsonpath='{.data.k}'=v` returns once a later update sets the value. */
export const waitForJsonPath = scenario({
  name: 'wait/for-jsonpath',
  namespace: true,
  async run(ctx) {
    const path = collection(ctx, 'configmaps');
    await create(ctx, path, configMap('cm', { k: 'before' }));
    const proc = ctx.startKubectl(['-n', ctx.namespace, 'wait', '--for=jsonpath={.data.k}=v', 'configmap/cm', '--timeout=30s', '-v=6']);
    await watching(proc);
    await mergePatch(ctx, `${path}/cm`, { data: { other: 'x' } });
    await mergePatch(ctx, `${path}/cm`, { data: { k: 'v' } });
    const result = await proc.exited;
    expectEqual(expectSuccess(result, 'kubectl wait --for=jsonpath'), 'configmap/cm condition met\n', 'kubectl wait --for=jsonpath output');
  },
});

/**
 * `wait --for=condition=Available` on a Deployment whose status is written through the status
 * subresource. Its replicas are 0, so a real deployment controller reports Available=True too
 * (perhaps before kubectl starts watching — then kubectl returns at once, which is also right).
 */
export const waitForCondition = scenario({
  name: 'wait/for-condition',
  namespace: true,
  async run(ctx) {
    const path = collection(ctx, 'deployments', 'apps/v1');
    await create(ctx, path, {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'ready' },
      spec: {
        replicas: 0,
        selector: { matchLabels: { app: 'ready' } },
        template: { metadata: { labels: { app: 'ready' } }, spec: { containers: [{ name: 'main', image: 'registry.k8s.io/pause:3.9' }] } },
      },
    });
    const proc = ctx.startKubectl(['-n', ctx.namespace, 'wait', '--for=condition=Available', 'deployment/ready', '--timeout=30s', '-v=6']);
    await watching(proc).catch(async (err: unknown) => {
      // Already Available (a real controller was quicker): kubectl answered without watching.
      if (!proc.stdout.includes('condition met')) throw err;
    });
    const now = new Date().toISOString().replace(/\.\d+Z$/, 'Z');
    const condition = { type: 'Available', status: 'True', reason: 'MinimumReplicasAvailable', message: 'Deployment has minimum availability.', lastUpdateTime: now, lastTransitionTime: now };
    await mergePatch(ctx, `${path}/ready/status`, { status: { conditions: [condition] } });
    const result = await proc.exited;
    expectEqual(expectSuccess(result, 'kubectl wait --for=condition'), 'deployment.apps/ready condition met\n', 'kubectl wait --for=condition=Available output');
  },
});
