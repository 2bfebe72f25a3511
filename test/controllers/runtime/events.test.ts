/**
 * EventRecorder with a fake clock against an in-process server: the Event's fields as kubectl
 * describe reads them, identical events counted into one, similar events combined after ten
 * distinct messages, the per-object spam filter, cluster-scoped objects, and re-creation when
 * the Event was deleted. Field selectors find them as kubectl describe asks.
 */
import t from 'tap';
import type { StoredObject } from '../../../src/api/types.js';
import { withDefaults } from '../../../src/cli/config.js';
import { LocalClient } from '../../../src/client/local.js';
import { RESOURCES } from '../../../src/client/types.js';
import { EventRecorder } from '../../../src/controllers/runtime/events.js';
import { buildServer } from '../../../src/server.js';
import { within } from '../../helpers/wait.js';

const server = await buildServer(withDefaults({ storage: 'memory', tls: false, port: 0 }));
t.teardown(() => server.close());
const client = new LocalClient(server.registry).withFieldManager('toy-controller');

let clock = Date.parse('2024-05-01T10:00:00.000Z');
const now = () => new Date(clock);
let namespaces = 0;

async function setup() {
  const ns = `ev-${++namespaces}`;
  await client.create(RESOURCES.namespaces, { metadata: { name: ns } });
  const cm = await client.create(RESOURCES.configmaps, { metadata: { name: 'subject' } }, { namespace: ns });
  const events = async (): Promise<StoredObject[]> => {
    const selector = `involvedObject.kind=ConfigMap,involvedObject.name=subject,involvedObject.namespace=${ns},involvedObject.uid=${cm.metadata.uid}`;
    return (await client.list(RESOURCES.events, { namespace: ns, fieldSelector: selector })).items;
  };
  return { ns, cm, events };
}

t.test('EventRecorder: an Event as kubectl describe shows it', async (t) => {
  const { ns, cm, events } = await setup();
  const recorder = new EventRecorder({ client, component: 'toy-controller', host: 'node-1', now });
  recorder.event(cm, 'Warning', 'FailedSync', 'it broke');
  await within(recorder.flush(), 2000, 'flush');
  const [event, ...rest] = await events();
  t.equal(rest.length, 0);
  t.match(event, {
    apiVersion: 'v1',
    kind: 'Event',
    metadata: { namespace: ns, name: /^subject\.[0-9a-f]+$/ },
    involvedObject: { kind: 'ConfigMap', apiVersion: 'v1', namespace: ns, name: 'subject', uid: cm.metadata.uid, resourceVersion: cm.metadata.resourceVersion },
    type: 'Warning',
    reason: 'FailedSync',
    message: 'it broke',
    source: { component: 'toy-controller', host: 'node-1' },
    reportingComponent: 'toy-controller',
    reportingInstance: 'node-1',
    firstTimestamp: '2024-05-01T10:00:00Z',
    lastTimestamp: '2024-05-01T10:00:00Z',
    count: 1,
  });
  t.ok((event!.metadata.managedFields as { manager: string }[]).some((m) => m.manager === 'toy-controller'), 'written as the component');
});

t.test('EventRecorder: identical events become one Event with a count', async (t) => {
  const { cm, events } = await setup();
  const recorder = new EventRecorder({ client, component: 'toy-controller', now });
  const first = clock;
  for (let i = 0; i < 3; i++) {
    recorder.event(cm, 'Normal', 'Synced', 'all good');
    clock += 2000;
  }
  await recorder.flush();
  const list = await events();
  t.equal(list.length, 1);
  t.match(list[0], { count: 3, firstTimestamp: new Date(first).toISOString().slice(0, 19) + 'Z', lastTimestamp: new Date(clock - 2000).toISOString().slice(0, 19) + 'Z' });

  await client.delete(RESOURCES.events, list[0]!.metadata.name, { namespace: list[0]!.metadata.namespace });
  recorder.event(cm, 'Normal', 'Synced', 'all good');
  await recorder.flush();
  const again = await events();
  t.equal(again.length, 1, 'a deleted Event is created again');
  t.match(again[0], { count: 4, metadata: { name: list[0]!.metadata.name } });
});

t.test('EventRecorder: similar events are combined from the tenth distinct message on', async (t) => {
  const { cm, events } = await setup();
  const recorder = new EventRecorder({ client, component: 'toy-controller', now });
  for (let i = 1; i <= 12; i++) recorder.event(cm, 'Warning', 'Failed', `error ${i}`);
  await recorder.flush();
  const list = await events();
  t.equal(list.length, 10, 'nine single events and one combined');
  const combined = list.find((e) => String(e.message).startsWith('(combined'));
  t.match(combined, { message: '(combined from similar events): error 12', count: 3, reason: 'Failed' });
});

t.test('EventRecorder: the spam filter limits events per object; cluster-scoped objects go to default', async (t) => {
  const { cm, events } = await setup();
  const recorder = new EventRecorder({ client, component: 'toy-controller', now, burst: 3 });
  for (let i = 0; i < 5; i++) recorder.event(cm, 'Normal', `Reason${i}`, 'spam');
  await recorder.flush();
  t.equal((await events()).length, 3, 'burst of 3, the rest dropped');
  clock += 300_000;
  recorder.event(cm, 'Normal', 'Later', 'after the refill');
  await recorder.flush();
  t.equal((await events()).length, 4, 'one more token after 5 minutes');

  const node = { apiVersion: 'v1', kind: 'Node', metadata: { name: 'node-x', uid: 'uid-node-x' } };
  recorder.event(node, 'Normal', 'Registered', 'node registered');
  await recorder.flush();
  const { items } = await client.list(RESOURCES.events, { namespace: 'default', fieldSelector: 'involvedObject.name=node-x' });
  t.match(items, [{ involvedObject: { kind: 'Node', name: 'node-x' }, reason: 'Registered' }]);
  t.notOk(items[0]!.involvedObject && (items[0]!.involvedObject as { namespace?: string }).namespace, 'no namespace on the reference');
});
