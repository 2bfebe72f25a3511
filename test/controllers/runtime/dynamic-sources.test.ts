/**
 * Sources attached at run time (ControllerContext.addSource, Controller.addSource) and released
 * informers (InformerFactory.release): a source added after start queues the objects already
 * there and later changes; detached, it queues nothing more; a released informer is stopped and
 * a new request builds a fresh one; addSource during setup() is refused. Bounded waits.
 */
import t from 'tap';
import { withDefaults } from '../../../src/cli/config.js';
import { LocalClient } from '../../../src/client/local.js';
import { RESOURCES } from '../../../src/client/types.js';
import { Manager, type ControllerContext, type Informer } from '../../../src/controllers/runtime/index.js';
import { buildServer } from '../../../src/server.js';
import { eventually, sleep } from '../../helpers/wait.js';

const server = await buildServer(withDefaults({ storage: 'memory', tls: false, port: 0, controllers: false }));
t.teardown(() => server.close());
const client = new LocalClient(server.registry);
await client.create(RESOURCES.namespaces, { metadata: { name: 'dyn' } });

t.test('a source added after start, then detached and its informer released', async (t) => {
  const seen: string[] = [];
  let ctx: ControllerContext | undefined;
  const manager = new Manager({ client });
  manager.add({
    name: 'dynamic',
    setup: (c) => {
      ctx = c;
      return { sources: [], reconciler: { reconcile: async (key) => void seen.push(key) } };
    },
  });
  await manager.start();
  t.teardown(() => manager.stop());
  await client.create(RESOURCES.configmaps, { metadata: { name: 'before' } }, { namespace: 'dyn' });
  const informer: Informer = ctx!.informers.informer(RESOURCES.configmaps, { namespace: 'dyn' });
  const detach = ctx!.addSource({ informer });
  await eventually(() => seen.includes('dyn/before'), 'existing object queued by the new source');
  await client.create(RESOURCES.configmaps, { metadata: { name: 'during' } }, { namespace: 'dyn' });
  await eventually(() => seen.includes('dyn/during'), 'a later change queued');
  detach();
  await ctx!.informers.release(RESOURCES.configmaps, { namespace: 'dyn' });
  t.not(ctx!.informers.informer(RESOURCES.configmaps, { namespace: 'dyn' }), informer, 'a new request builds a new informer');
  await client.create(RESOURCES.configmaps, { metadata: { name: 'after' } }, { namespace: 'dyn' });
  await sleep(200);
  t.notOk(seen.includes('dyn/after'), 'a detached source queues nothing');
});

t.test('addSource during setup() is refused', async (t) => {
  const manager = new Manager({ client });
  manager.add({
    name: 'early',
    setup: (ctx) => {
      ctx.addSource({ informer: ctx.informers.informer(RESOURCES.configmaps) });
      return { sources: [], reconciler: { reconcile: async () => {} } };
    },
  });
  await t.rejects(manager.start(), TypeError);
  await manager.stop();
});
