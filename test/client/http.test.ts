/**
 * The Client suite against HttpClient over HTTPS with the admin's client certificate (the
 * kubeconfig startKubemu writes), plus bearer-token auth over plain HTTP, kubeconfig reading,
 * and transport failures.
 */
import t from 'tap';
import { StatusError } from '../../src/api/errors.js';
import { HttpClient } from '../../src/client/http.js';
import { connectionFromKubeconfig } from '../../src/client/kubeconfig.js';
import { RESOURCES } from '../../src/client/types.js';
import { startKubemu } from '../../src/index.js';
import { clientSuite, SUITE_EVENT_WINDOW } from './suite.js';

const kubemu = await startKubemu({ eventWindow: SUITE_EVENT_WINDOW, controllers: false });
t.teardown(() => kubemu.close());
const client = HttpClient.fromKubeconfig(kubemu.kubeconfig, { fieldManager: 'suite' });
t.teardown(() => client.close());

t.test('HttpClient over HTTPS with a client certificate', async (t) => clientSuite(t, client));

t.test('connectionFromKubeconfig: client certificate and CA from startKubemu', async (t) => {
  const connection = connectionFromKubeconfig(kubemu.kubeconfig);
  t.equal(connection.server, kubemu.url);
  t.equal(connection.ca, kubemu.caCert);
  t.match(connection.cert, /BEGIN CERTIFICATE/);
  t.match(connection.key, /PRIVATE KEY/);
  t.throws(() => connectionFromKubeconfig(kubemu.kubeconfig, { context: 'nope' }), TypeError);
});

t.test('HttpClient over plain HTTP with a bearer token', async (t) => {
  const plain = await startKubemu({ tls: false, controllers: false });
  t.teardown(() => plain.close());
  const good = new HttpClient({ server: plain.url, token: plain.token });
  t.teardown(() => good.close());
  const ns = await good.get(RESOURCES.namespaces, 'default');
  t.equal(ns.metadata.name, 'default');
  const bad = new HttpClient({ server: plain.url, token: 'wrong' });
  t.teardown(() => bad.close());
  const err = await bad.get(RESOURCES.namespaces, 'default').catch((e: unknown) => e);
  t.type(err, StatusError);
  t.match(err, { code: 401, reason: 'Unauthorized' });
});

t.test('HttpClient: an unreachable server is a plain Error, also from a watch', async (t) => {
  const gone = new HttpClient({ server: 'http://127.0.0.1:1' });
  t.teardown(() => gone.close());
  const err = await gone.get(RESOURCES.namespaces, 'default').catch((e: unknown) => e);
  t.type(err, Error);
  t.notOk(err instanceof StatusError);
  const watchErr = await (async () => {
    for await (const _ of gone.watch(RESOURCES.namespaces)) return undefined;
    return undefined;
  })().catch((e: unknown) => e);
  t.type(watchErr, Error);
});
