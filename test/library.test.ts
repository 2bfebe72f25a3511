import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { promisify } from 'node:util';
import { CoreV1Api, KubeConfig } from '@kubernetes/client-node';
import t from 'tap';
import { startKubemu } from '../src/index.js';

const exec = promisify(execFile);

t.test('startKubemu: several instances in one process, each with its own state', async (t) => {
  const started = performance.now();
  const [a, b] = await Promise.all([startKubemu(), startKubemu()]);
  t.comment(`two instances started in ${(performance.now() - started).toFixed(1)} ms`);
  t.not(a.url, b.url);
  t.match(a.url, /^https:\/\/127\.0\.0\.1:\d+$/);

  const kcA = new KubeConfig();
  kcA.loadFromString(a.kubeconfig);
  const kcB = new KubeConfig();
  kcB.loadFromString(b.kubeconfig);
  const coreA = kcA.makeApiClient(CoreV1Api);
  const coreB = kcB.makeApiClient(CoreV1Api);

  const created = await coreA.createNamespacedConfigMap({ namespace: 'default', body: { metadata: { name: 'only-in-a' }, data: { k: 'v' } } });
  t.equal(created.metadata?.name, 'only-in-a');
  t.equal((await coreA.readNamespacedConfigMap({ namespace: 'default', name: 'only-in-a' })).data?.k, 'v');
  await t.rejects(coreB.readNamespacedConfigMap({ namespace: 'default', name: 'only-in-a' }), { code: 404 }, 'the other instance does not see it');

  const namespaces = (await coreB.listNamespace()).items.map((n) => n.metadata?.name).sort();
  t.same(namespaces, ['default', 'kube-node-lease', 'kube-public', 'kube-system']);

  t.ok(existsSync(a.kubeconfigPath), 'kubeconfig file written');
  await a.close();
  await a.close();
  t.notOk(existsSync(a.kubeconfigPath), 'close removes the temporary kubeconfig');
  await t.rejects(coreA.listNamespace(), 'closed instance no longer answers');
  t.equal((await coreB.listNamespace()).items.length, 4, 'the other instance keeps serving');
  await b.close();
});

t.test('startKubemu answers its first request quickly (figure printed, not asserted)', async (t) => {
  const times: number[] = [];
  for (let i = 0; i < 5; i++) {
    const start = performance.now();
    const k = await startKubemu({ tls: false });
    const res = await fetch(`${k.url}/api/v1/namespaces/default`, { headers: { authorization: `Bearer ${k.token}` } });
    times.push(performance.now() - start);
    t.equal(res.status, 200);
    await k.close();
  }
  times.sort((x, y) => x - y);
  t.comment(`startKubemu → first answer (memory, no TLS): median ${times[2]!.toFixed(1)} ms`);
});

t.test('the kubeconfig works with kubectl', async (t) => {
  const hasKubectl = await exec('kubectl', ['version', '--client']).then(() => true, () => false);
  if (!hasKubectl) {
    t.comment('kubectl not on PATH: skipped');
    return;
  }
  const k = await startKubemu();
  const { stdout } = await exec('kubectl', ['--kubeconfig', k.kubeconfigPath, 'get', 'svc', 'kubernetes', '-o', 'jsonpath={.spec.clusterIP}']);
  t.equal(stdout, '10.96.0.1');
  await k.close();
});
