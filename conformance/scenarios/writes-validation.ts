/**
 * Conformance scenarios: writes the server refuses or trims, and what kubectl knows of the
 * schema — a Deployment whose selector misses its template's labels (422, upstream wording), an
 * unknown field under kubectl's default Strict validation (400 from create and client-side
 * apply, the typed-patch error of server-side apply), `--validate=warn|ignore`, `kubectl explain`
 * of a nested field, Go's omission of empty maps, and over HTTP the answers kubectl hides
 * (dryRun=All, Warning headers, the strict decoding error, an apply conflict's Status).
 * Must not: depend on kubemu specifics (expectations are what a real cluster prints).
 */
import { expectEqual, expectFailure, expectIncludes, expectMatch, expectStatus, expectSuccess, pick, scenario, versionMatches } from '../harness.js';
import { deployment, deploymentPath, expectAbsent, expectDiffExit, expectOutput, getObject, yaml } from './write-fixtures.js';

/** A Deployment selecting app=other while its template is labelled app=web, through create -f and server-side apply. */
export const invalidSelector = scenario({
  name: 'validation/deployment-selector-mismatch',
  namespace: true,
  async run(ctx) {
    const stdin = yaml(deployment('web', { selector: { app: 'other' } }));
    const message = 'The Deployment "web" is invalid: spec.template.metadata.labels: Invalid value: map[string]string{"app":"web"}: `selector` does not match template `labels`';
    expectFailure(await ctx.kubectl(['-n', ctx.namespace, 'create', '-f', '-'], { stdin }), message, 'create -f');
    expectFailure(await ctx.kubectl(['-n', ctx.namespace, 'apply', '--server-side', '-f', '-'], { stdin }), message, 'apply --server-side');
    await expectAbsent(ctx, deploymentPath(ctx, 'web'), 'after the refused creates');
  },
});

/** spec.foo: refused under the default Strict validation, a warning with --validate=warn, silence with ignore. */
export const unknownField = scenario({
  name: 'validation/unknown-field',
  namespace: true,
  async run(ctx) {
    const ns = ['-n', ctx.namespace];
    const stdin = yaml(deployment('web', { extraSpec: { foo: 'bar' } }));
    const strict = 'Error from server (BadRequest): error when creating "STDIN": Deployment in version "v1" cannot be handled as a Deployment: strict decoding error: unknown field "spec.foo"';
    expectFailure(await ctx.kubectl([...ns, 'create', '-f', '-'], { stdin }), strict, 'create -f');
    expectFailure(await ctx.kubectl([...ns, 'apply', '-f', '-'], { stdin }), strict, 'apply -f');
    // Server-side apply fails while converting the patch to the schema's types (a plain error: 500, no reason).
    expectFailure(
      await ctx.kubectl([...ns, 'apply', '--server-side', '-f', '-'], { stdin }),
      `Error from server: failed to create typed patch object (${ctx.namespace}/web; apps/v1, Kind=Deployment): .spec.foo: field not declared in schema`,
      'apply --server-side',
    );
    await expectAbsent(ctx, deploymentPath(ctx, 'web'), 'after the refused creates');

    const warned = await ctx.kubectl([...ns, 'create', '--validate=warn', '-f', '-'], { stdin });
    expectOutput(warned, 'deployment.apps/web created\n', 'create --validate=warn');
    expectEqual(warned.stderr, 'Warning: unknown field "spec.foo"\n', 'create --validate=warn: stderr');
    expectEqual(pick(await getObject(ctx, deploymentPath(ctx, 'web')), 'spec.foo'), undefined, 'spec.foo is dropped');
    const ignored = await ctx.kubectl([...ns, 'create', '--validate=ignore', '-f', '-'], { stdin: yaml(deployment('quiet', { extraSpec: { foo: 'bar' } })) });
    expectOutput(ignored, 'deployment.apps/quiet created\n', 'create --validate=ignore');
    expectEqual(ignored.stderr, '', 'create --validate=ignore: stderr');
  },
});

/** The FIELDS kubectl lists for deployment.spec.strategy and their types, from the OpenAPI v3 document. */
export const explainStrategy = scenario({
  name: 'explain/deployment-strategy',
  async run(ctx) {
    const out = expectSuccess(await ctx.kubectl(['explain', 'deployment.spec.strategy']), 'explain deployment.spec.strategy');
    // 1.33 prints an empty line more after FIELD.
    expectMatch(out, /^GROUP:\s+apps\nKIND:\s+Deployment\nVERSION:\s+v1\n\nFIELD: strategy <DeploymentStrategy>\n\n+DESCRIPTION:\n/, 'explain header');
    expectIncludes(out, '    DeploymentStrategy describes how to replace existing pods with new ones.\n', 'the type description');
    const fields = [...out.matchAll(/^ {2}(\S+)\t<([^>]*)>/gm)].map((m) => [m[1], m[2]]);
    expectEqual(fields, [['rollingUpdate', 'RollingUpdateDeployment'], ['type', 'string']], 'FIELDS and their types');
    expectIncludes(out, '    Type of deployment. Can be "Recreate" or "RollingUpdate". Default is\n    RollingUpdate.\n', 'description of type');
  },
});

/**
 * What a real server's v3 document says of fields that refer to another schema: the property is
 * `{allOf: [{$ref}], description}`, so explain prints the field's own description first, and
 * describes rollingUpdate; string enums carry `enum`, which kubectl 1.30+ print.
 */
export const explainFieldDescriptions = scenario({
  name: 'explain/ref-field-descriptions',
  knownIssue:
    '/openapi/v3 serves a property that refers to another schema as a bare {$ref} (kube-apiserver: {allOf:[{$ref}], description}) and drops `enum` of string enums, so explain deployment.spec.strategy lacks "The deployment strategy to use…", prints "<no description>" for rollingUpdate and (1.30+) no "enum: Recreate, RollingUpdate"',
  async run(ctx) {
    const out = expectSuccess(await ctx.kubectl(['explain', 'deployment.spec.strategy']), 'explain deployment.spec.strategy');
    expectIncludes(
      out,
      'DESCRIPTION:\n    The deployment strategy to use to replace existing pods with new ones.\n    DeploymentStrategy describes how to replace existing pods with new ones.\n',
      'DESCRIPTION: the field, then its type',
    );
    expectIncludes(out, '  rollingUpdate\t<RollingUpdateDeployment>\n    Rolling update config params. Present only if DeploymentStrategyType =\n    RollingUpdate.\n', 'rollingUpdate described');
    if (versionMatches(ctx.version, '>=1.30')) expectIncludes(out, '  type\t<string>\n  enum: Recreate, RollingUpdate\n', 'enum of type');
  },
});

/** Go omits empty maps (omitempty): `labels: {}`, `annotations: {}`, `data: {}` are not stored, an empty patch changes nothing, diff sees no change. */
export const emptyMapsOmitted = scenario({
  name: 'writes/empty-maps-omitted',
  namespace: true,
  async run(ctx) {
    const ns = ['-n', ctx.namespace];
    const empty = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'e', labels: {}, annotations: {} }, data: {} };
    expectOutput(await ctx.kubectl([...ns, 'create', '-f', '-'], { stdin: yaml(empty) }), 'configmap/e created\n', 'create -f');
    const cm = await getObject(ctx, `/api/v1/namespaces/${ctx.namespace}/configmaps/e`);
    const present = (path: string) => (pick(cm, path) === undefined ? 'absent' : pick(cm, path));
    expectEqual(
      { labels: present('metadata.labels'), annotations: present('metadata.annotations'), data: present('data') },
      { labels: 'absent', annotations: 'absent', data: 'absent' },
      'empty maps after create',
    );
    expectOutput(
      await ctx.kubectl([...ns, 'patch', 'configmap', 'e', '--type=merge', '-p', '{"metadata":{"annotations":{}}}']),
      'configmap/e patched (no change)\n',
      'merge patch of an empty annotations map',
    );
    const manifest = { stdin: yaml(deployment('web')) };
    expectOutput(await ctx.kubectl([...ns, 'create', '-f', '-'], manifest), 'deployment.apps/web created\n', 'create -f deployment');
    // kubectl diff's patch carries `annotations: {}` (its manifest without the last-applied key).
    expectDiffExit(await ctx.kubectl([...ns, 'diff', '-f', '-'], manifest), false, 'diff of the created manifest');
  },
});

const CONFLICT_MESSAGE = 'Apply failed with 1 conflict: conflict with "first": .data.k';

/** Over HTTP: dryRun=All stores nothing, Warn warns per problem, Strict refuses, an apply conflict's Status. */
export const writesHttp = scenario({
  name: 'writes-http/dry-run-validation-conflict',
  httpOnly: true,
  namespace: true,
  async run(ctx) {
    const configmaps = `/api/v1/namespaces/${ctx.namespace}/configmaps`;
    const dry = await ctx.http('POST', `${configmaps}?dryRun=All`, { body: { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'dry' }, data: { a: '1' } } });
    expectEqual(dry.status, 201, `POST ?dryRun=All: status (body ${dry.text.slice(0, 200)})`);
    expectEqual([pick(dry.json, 'metadata.name'), pick(dry.json, 'data')], ['dry', { a: '1' }], 'dry-run answer');
    expectEqual(pick(dry.json, 'metadata.resourceVersion'), undefined, 'a dry-run create has no resourceVersion');
    await expectAbsent(ctx, `${configmaps}/dry`, 'after a dry-run create');

    const body = '{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"dup","name":"dup"},"data":{"a":"1"},"foo":1}';
    const json = { 'content-type': 'application/json' };
    const strict = await ctx.http('POST', `${configmaps}?fieldValidation=Strict`, { body, headers: json });
    expectStatus(
      strict,
      { code: 400, reason: 'BadRequest', message: 'ConfigMap in version "v1" cannot be handled as a ConfigMap: strict decoding error: duplicate field "metadata.name", unknown field "foo"' },
      'POST ?fieldValidation=Strict',
    );
    const warn = await ctx.http('POST', `${configmaps}?fieldValidation=Warn`, { body, headers: json });
    expectEqual(warn.status, 201, `POST ?fieldValidation=Warn: status (body ${warn.text.slice(0, 200)})`);
    expectEqual(warn.headers.warning, '299 - "duplicate field \\"metadata.name\\"", 299 - "unknown field \\"foo\\""', 'Warning headers');
    expectEqual(pick(warn.json, 'foo'), undefined, 'unknown field dropped');

    const apply = (manager: string, value: string) =>
      ctx.http('PATCH', `${configmaps}/ssa?fieldManager=${manager}`, {
        body: JSON.stringify({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'ssa' }, data: { k: value } }),
        headers: { 'content-type': 'application/apply-patch+yaml' },
      });
    expectEqual((await apply('first', 'a')).status, 201, 'apply creating the object');
    const conflict = await apply('second', 'b');
    expectStatus(conflict, { code: 409, reason: 'Conflict', message: CONFLICT_MESSAGE }, 'apply by a second manager');
    expectEqual(pick(conflict.json, 'details'), { causes: [{ reason: 'FieldManagerConflict', message: 'conflict with "first"', field: '.data.k' }] }, 'conflict details');
  },
});
