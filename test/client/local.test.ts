/**
 * The Client suite against LocalClient over an app built without listening, plus what only the
 * local client has: a consumer that falls too far behind is dropped with 410.
 */
import t from 'tap';
import { StatusError } from '../../src/api/errors.js';
import { withDefaults } from '../../src/cli/config.js';
import { LocalClient } from '../../src/client/local.js';
import { RESOURCES } from '../../src/client/types.js';
import { buildServer } from '../../src/server.js';
import { within } from '../helpers/wait.js';
import { clientSuite, SUITE_EVENT_WINDOW } from './suite.js';

const server = await buildServer(withDefaults({ storage: 'memory', tls: false, port: 0, eventWindow: SUITE_EVENT_WINDOW }));
t.teardown(() => server.close());

t.test('LocalClient', async (t) => clientSuite(t, new LocalClient(server.registry)));

t.test('LocalClient.watch: a consumer more than maxWatchEvents behind ends with 410', async (t) => {
  const client = new LocalClient(server.registry, { maxWatchEvents: 5 });
  await client.create(RESOURCES.namespaces, { metadata: { name: 'local-slow' } });
  const { resourceVersion } = await client.list(RESOURCES.configmaps, { namespace: 'local-slow' });
  const watch = client.watch(RESOURCES.configmaps, { namespace: 'local-slow', resourceVersion });
  for (let i = 0; i < 10; i++) await client.create(RESOURCES.configmaps, { metadata: { name: `c${i}` } }, { namespace: 'local-slow' });
  const seen: string[] = [];
  const failure = await within(
    (async () => {
      try {
        for await (const event of watch) if (event.type !== 'BOOKMARK') seen.push(event.object.metadata.name);
      } catch (err) {
        return err;
      }
      return undefined;
    })(),
    3000,
    'the slow watch to end',
  );
  t.type(failure, StatusError);
  t.match(failure, { code: 410, reason: 'Expired' });
  t.same(seen, ['c0', 'c1', 'c2', 'c3', 'c4'], 'the buffered events come first');
});
