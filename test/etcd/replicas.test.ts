/**
 * Two kubemu replicas on one etcd: what one acknowledges the other reads and watches (its watch
 * cache is fed by etcd), and the controllers move to the survivor when the leader replica dies
 * mid-rollout. Skipped without `etcd`.
 * Owns: multi-replica behaviour through kubectl and HTTP. Must not: test storage internals.
 */

import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { etcdTest, serveOnEtcd, tempDir } from '../helpers/serve-child.js';
import type { Child } from '../helpers/spawn.js';

const run = promisify(execFile);

etcdTest('two kubemu replicas on one etcd', async (t, etcd) => {
  const dir = await tempDir(t, 'kubemu-replicas-');
  const replica = (name: string) =>
    serveOnEtcd(t, etcd, ['--no-tls', '--data-dir', dir, '--kubeconfig', join(dir, `${name}.kubeconfig`), '--leader-elect-lease-duration', '2'], { prefix: '/replicas' });
  const a = await replica('a');
  const b = await replica('b');
  const children = [a, b];
  const kubectl = (c: Child, ...args: string[]) => run('kubectl', ['--kubeconfig', c.kubeconfigPath, ...args], { timeout: 120_000 });

  t.test('a write through one replica is read and watched through the other', async (t) => {
    const auth = { authorization: `Bearer ${b.token}` };
    const list = (await (await fetch(`${b.url}/api/v1/namespaces/default/configmaps`, { headers: auth })).json()) as { metadata: { resourceVersion: string } };
    const controller = new AbortController();
    const watch = await fetch(`${b.url}/api/v1/namespaces/default/configmaps?watch=1&resourceVersion=${list.metadata.resourceVersion}`, { headers: auth, signal: controller.signal });
    const seen = (async () => {
      const reader = watch.body!.getReader();
      let text = '';
      for (;;) {
        const { value, done } = await reader.read();
        if (done) return text;
        text += Buffer.from(value).toString();
        if (text.includes('"from-a"')) return text;
      }
    })();
    await kubectl(a, 'create', 'configmap', 'from-a', '--from-literal=k=v');
    const event = JSON.parse((await seen).split('\n').find((l) => l.includes('"from-a"'))!) as { type: string; object: { metadata: { name: string } } };
    controller.abort();
    t.equal(event.type, 'ADDED', 'b\'s watch saw a\'s create');
    const { stdout } = await kubectl(b, 'get', 'configmap', 'from-a', '-o', 'jsonpath={.data.k}');
    t.equal(stdout, 'v', 'b reads a\'s write');
    await kubectl(b, 'label', 'configmap', 'from-a', 'by=b');
    const labels = await kubectl(a, 'get', 'configmap', 'from-a', '-o', 'jsonpath={.metadata.labels.by}');
    t.equal(labels.stdout, 'b', 'a reads b\'s write');
  });

  t.test('killing the leader replica mid-rollout lets the other finish it', async (t) => {
    const holder = async (c: Child) =>
      (await kubectl(c, 'get', 'lease', '-n', 'kube-system', 'kube-controller-manager', '-o', 'jsonpath={.spec.holderIdentity}')).stdout;
    let identity = '';
    for (let i = 0; i < 50 && !identity; i++) {
      identity = await holder(a).catch(() => '');
      if (!identity) await new Promise((r) => setTimeout(r, 200));
    }
    const leader = children.find((c) => identity.includes(`_${c.proc.pid}_`));
    t.ok(leader, `the Lease names a replica (${identity})`);
    const survivor = leader === a ? b : a;
    await kubectl(survivor, 'create', 'deployment', 'web', '--image=nginx:1.25', '--replicas=4');
    await kubectl(survivor, 'rollout', 'status', 'deployment/web', '--timeout=90s');
    // minReadySeconds holds each step of the next rollout for 2 s, so the kill lands mid-rollout.
    await kubectl(survivor, 'patch', 'deployment', 'web', '-p', '{"spec":{"minReadySeconds":2}}');
    await kubectl(survivor, 'set', 'image', 'deployment/web', 'nginx=nginx:1.26');
    await new Promise((r) => setTimeout(r, 300));
    leader!.proc.kill('SIGKILL');
    const before = await kubectl(survivor, 'get', 'deployment', 'web', '-o', 'jsonpath={.status.updatedReplicas}/{.status.availableReplicas}/{.status.replicas}');
    t.not(before.stdout, '4/4/4', `the rollout was not finished when the leader died (${before.stdout})`);
    await leader!.exited;
    const status = await kubectl(survivor, 'rollout', 'status', 'deployment/web', '--timeout=120s');
    t.match(status.stdout, /successfully rolled out/);
    const images = await kubectl(survivor, 'get', 'pods', '-l', 'app=web', '-o', 'jsonpath={.items[*].spec.containers[0].image}');
    t.ok(images.stdout.split(' ').length >= 4 && images.stdout.split(' ').every((i) => i === 'nginx:1.26'), `pods run the new image: ${images.stdout}`);
    const now = await holder(survivor);
    t.ok(now.includes(`_${survivor.proc.pid}_`), 'the survivor holds the Lease');
  });
});
