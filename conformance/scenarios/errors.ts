/**
 * Conformance scenarios: the error text kubectl prints for the server's NotFound, AlreadyExists,
 * Conflict and Invalid Status errors, and the Invalid Status itself over HTTP. Message bodies are
 * apimachinery's (pkg/api/errors, pkg/util/validation); the framing is kubectl's
 * (pkg/cmd/util/helpers.go checkErr: Invalid Status with details → `The <Kind> "<name>" is
 * invalid: <field>: <message>`; other Status errors → `Error from server (<Reason>): …`).
 * Must not: depend on kubemu specifics.
 */
import {
  expectEqual,
  expectFailure,
  expectStatus,
  expectSuccess,
  pick,
  scenario,
} from '../harness.js';
import { configMapJson, configMapYaml } from './manifests.js';

/** apimachinery IsDNS1123Subdomain message for an invalid object name. */
const SUBDOMAIN_MESSAGE =
  "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')";

/** kubectl get of a missing object. */
export const notFound = scenario({
  name: 'errors/not-found',
  namespace: true,
  async run(ctx) {
    const result = await ctx.kubectl(['-n', ctx.namespace, 'get', 'configmap', 'nope']);
    expectFailure(result, 'Error from server (NotFound): configmaps "nope" not found', 'get cm nope');
    const res = await ctx.http('GET', `/api/v1/namespaces/${ctx.namespace}/configmaps/nope`);
    expectStatus(res, { code: 404, reason: 'NotFound', message: 'configmaps "nope" not found' }, 'GET missing configmap');
    expectEqual(pick(res.json, 'details'), { name: 'nope', kind: 'configmaps' }, 'Status.details of NotFound');
  },
});

/** `kubectl create configmap` of a name that exists: the typed command wraps the server error. */
export const alreadyExistsCreateConfigMap = scenario({
  name: 'errors/already-exists-create-configmap',
  namespace: true,
  async run(ctx) {
    const args = ['-n', ctx.namespace, 'create', 'configmap', 'dup', '--from-literal=a=1'];
    expectSuccess(await ctx.kubectl(args), 'first create');
    expectFailure(await ctx.kubectl(args), 'error: failed to create configmap: configmaps "dup" already exists', 'second create');
  },
});

/** `kubectl create -f` of an object that exists. */
export const alreadyExistsCreateFile = scenario({
  name: 'errors/already-exists-create-f',
  namespace: true,
  async run(ctx) {
    const args = ['-n', ctx.namespace, 'create', '-f', '-'];
    expectEqual(expectSuccess(await ctx.kubectl(args, { stdin: configMapYaml('dup') }), 'first create -f'), 'configmap/dup created\n', 'first create -f output');
    expectFailure(
      await ctx.kubectl(args, { stdin: configMapYaml('dup') }),
      'Error from server (AlreadyExists): error when creating "STDIN": configmaps "dup" already exists',
      'second create -f',
    );
    const res = await ctx.http('POST', `/api/v1/namespaces/${ctx.namespace}/configmaps`, { body: configMapJson('dup') });
    expectStatus(res, { code: 409, reason: 'AlreadyExists', message: 'configmaps "dup" already exists' }, 'POST existing configmap');
    expectEqual(pick(res.json, 'details'), { name: 'dup', kind: 'configmaps' }, 'Status.details of AlreadyExists');
  },
});

/** `kubectl replace -f` of a copy whose resourceVersion is stale. */
export const conflictStaleReplace = scenario({
  name: 'errors/conflict-stale-replace',
  namespace: true,
  async run(ctx) {
    const ns = ['-n', ctx.namespace];
    expectSuccess(await ctx.kubectl([...ns, 'create', '-f', '-'], { stdin: configMapYaml('cm1') }), 'create -f');
    const stale = expectSuccess(await ctx.kubectl([...ns, 'get', 'configmap', 'cm1', '-o', 'yaml']), 'get -o yaml');
    expectSuccess(await ctx.kubectl([...ns, 'label', 'configmap', 'cm1', 'changed=yes']), 'label (moves resourceVersion on)');
    expectFailure(
      await ctx.kubectl([...ns, 'replace', '-f', '-'], { stdin: stale.replace('  a: "1"\n', '  a: "2"\n') }),
      'Error from server (Conflict): error when replacing "STDIN": Operation cannot be fulfilled on configmaps "cm1": the object has been modified; please apply your changes to the latest version and try again',
      'replace of the stale copy',
    );
    const staleJson = await ctx.http('GET', `/api/v1/namespaces/${ctx.namespace}/configmaps/cm1`);
    const body = JSON.parse(staleJson.text) as { metadata: { resourceVersion: string } };
    expectEqual(expectSuccess(await ctx.kubectl([...ns, 'label', 'configmap', 'cm1', 'again=yes']), 'label again'), 'configmap/cm1 labeled\n', 'label output');
    const res = await ctx.http('PUT', `/api/v1/namespaces/${ctx.namespace}/configmaps/cm1`, { body });
    expectStatus(
      res,
      { code: 409, reason: 'Conflict', message: 'Operation cannot be fulfilled on configmaps "cm1": the object has been modified; please apply your changes to the latest version and try again' },
      'PUT with a stale resourceVersion',
    );
    expectEqual(pick(res.json, 'details'), { name: 'cm1', kind: 'configmaps' }, 'Status.details of Conflict');
  },
});

/** An invalid object name, through `create -f` and over HTTP. */
export const invalidName = scenario({
  name: 'errors/invalid-name',
  namespace: true,
  async run(ctx) {
    expectFailure(
      await ctx.kubectl(['-n', ctx.namespace, 'create', '-f', '-'], { stdin: configMapYaml('Bad_Name') }),
      `The ConfigMap "Bad_Name" is invalid: metadata.name: Invalid value: "Bad_Name": ${SUBDOMAIN_MESSAGE}`,
      'create -f of an invalid name',
    );
    const res = await ctx.http('POST', `/api/v1/namespaces/${ctx.namespace}/configmaps`, { body: configMapJson('Bad_Name') });
    expectStatus(
      res,
      { code: 422, reason: 'Invalid', message: `ConfigMap "Bad_Name" is invalid: metadata.name: Invalid value: "Bad_Name": ${SUBDOMAIN_MESSAGE}` },
      'POST of an invalid name',
    );
    expectEqual(
      pick(res.json, 'details'),
      {
        name: 'Bad_Name',
        kind: 'ConfigMap',
        causes: [{ reason: 'FieldValueInvalid', message: `Invalid value: "Bad_Name": ${SUBDOMAIN_MESSAGE}`, field: 'metadata.name' }],
      },
      'Status.details of Invalid',
    );
  },
});

/** `kubectl create configmap` with an invalid name: the typed command wraps the server message. */
export const invalidNameCreateConfigMap = scenario({
  name: 'errors/invalid-name-create-configmap',
  namespace: true,
  async run(ctx) {
    expectFailure(
      await ctx.kubectl(['-n', ctx.namespace, 'create', 'configmap', 'Bad_Name', '--from-literal=a=1']),
      `error: failed to create configmap: ConfigMap "Bad_Name" is invalid: metadata.name: Invalid value: "Bad_Name": ${SUBDOMAIN_MESSAGE}`,
      'create configmap with an invalid name',
    );
  },
});
