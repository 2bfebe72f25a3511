/**
 * Conformance scenarios: the write commands of kubectl on a Deployment, with the text a real
 * cluster makes kubectl print — client-side `apply` (the three-way merge through the
 * last-applied annotation), server-side `apply` (managers, conflicts, `--force-conflicts`,
 * managedFields), `create`/`replace -f` (and a stale replace), `patch` of every type, `set image`,
 * `scale`, `diff` (a dry-run that changes nothing), `--dry-run=server`, and the typed `create`
 * commands (protobuf bodies on kubectl 1.32+). Objects are read back over HTTP (quicker than
 * kubectl). None of this needs a controller, but a cluster's deployment controller writes the
 * status of every Deployment created or changed here: before a scenario takes a resourceVersion
 * (to compare, or to replace with) or expects "no change", it waits until the controller is done
 * (settledDeployment), as a user on a real cluster would have to.
 * Must not: depend on kubemu specifics (expectations are what a real cluster prints).
 */
import { expectEqual, expectFailure, expectIncludes, expectMatch, expectSuccess, pick, scenario, type Json } from '../harness.js';
import {
  changedLines,
  deployment,
  deploymentPath,
  envOf,
  expectAbsent,
  expectDiffExit,
  expectOutput,
  getObject,
  settledDeployment,
  yaml,
} from './write-fixtures.js';

/** kubectl's advice after an apply conflict (pkg/cmd/apply), the same in 1.27–1.33. */
const CONFLICT_ADVICE = `Please review the fields above--they currently have other managers. Here
are the ways you can resolve this warning:
* If you intend to manage all of these fields, please re-run the apply
  command with the \`--force-conflicts\` flag.
* If you do not intend to manage all of the fields, please edit your
  manifest to remove references to the fields that should keep their
  current managers.
* You may co-own fields by updating your manifest to match the existing
  value; in this case, you'll become the manager if the other manager(s)
  stop managing the field (remove it from their configuration).
See https://kubernetes.io/docs/reference/using-api/server-side-apply/#conflicts`;

/** apiserver's optimistic-concurrency Conflict for deployments/web. */
const STALE_MESSAGE = 'Operation cannot be fulfilled on deployments.apps "web": the object has been modified; please apply your changes to the latest version and try again';

const LAST_APPLIED = 'kubectl.kubernetes.io/last-applied-configuration';

/** `apply -f`: created → configured → a label and an env var dropped from the manifest go → unchanged. */
export const applyClientSide = scenario({
  name: 'apply/client-side',
  namespace: true,
  async run(ctx) {
    const apply = (manifest: Record<string, unknown>) => ctx.kubectl(['-n', ctx.namespace, 'apply', '-f', '-'], { stdin: yaml(manifest) });
    const path = deploymentPath(ctx, 'web');
    const first = deployment('web', { labels: { app: 'web', tier: 'front' }, env: { A: '1', B: '2' } });
    expectOutput(await apply(first), 'deployment.apps/web created\n', 'apply -f (new)');
    let live = await getObject(ctx, path);
    const lastApplied = JSON.parse(annotation(live)) as Json;
    expectEqual(pick(lastApplied, 'spec'), first.spec as Json, 'last-applied annotation: spec of the manifest');
    expectEqual(pick(lastApplied, 'metadata.labels'), { app: 'web', tier: 'front' }, 'last-applied annotation: labels');

    const second = deployment('web', { image: 'nginx:1.26', labels: { app: 'web', tier: 'front' }, env: { A: '1', B: '2' } });
    expectOutput(await apply(second), 'deployment.apps/web configured\n', 'apply -f (image changed)');
    live = await getObject(ctx, path);
    expectEqual(pick(live, 'spec.template.spec.containers.0.image'), 'nginx:1.26', 'image after apply');
    expectEqual(pick(live, 'metadata.generation'), 2, 'generation after a template change');

    // A label set by someone else is not the manifest's business: the three-way merge keeps it.
    expectOutput(await ctx.kubectl(['-n', ctx.namespace, 'label', 'deployment', 'web', 'extra=kept']), 'deployment.apps/web labeled\n', 'label');
    const third = deployment('web', { image: 'nginx:1.26', labels: { app: 'web' }, env: { A: '1' } });
    expectOutput(await apply(third), 'deployment.apps/web configured\n', 'apply -f (label tier and env B removed)');
    live = await settledDeployment(ctx, path, 'after the third apply');
    expectEqual(pick(live, 'metadata.labels'), { app: 'web', extra: 'kept' }, 'labels: tier removed, extra kept');
    expectEqual(envOf(live), { A: '1' }, 'env: B removed');
    expectEqual(pick(JSON.parse(annotation(live)) as Json, 'metadata.labels'), { app: 'web' }, 'last-applied annotation follows the manifest');

    const rv = pick(live, 'metadata.resourceVersion');
    expectOutput(await apply(third), 'deployment.apps/web unchanged\n', 'apply -f (same manifest)');
    expectEqual(pick(await getObject(ctx, path), 'metadata.resourceVersion'), rv, 'resourceVersion after an unchanged apply');
  },
});

/** The last-applied annotation of an object (its key has dots, which `pick` cannot walk). */
function annotation(object: Json): string {
  const annotations = pick(object, 'metadata.annotations');
  const value = annotations && typeof annotations === 'object' && !Array.isArray(annotations) ? annotations[LAST_APPLIED] : undefined;
  expectEqual(typeof value, 'string', `annotation ${LAST_APPLIED}`);
  return value as string;
}

/** Managers of controllers (a real kube-controller-manager, kubemu's deployment-controller...), not asserted on. */
const CONTROLLER_MANAGERS = /^(kube-controller-manager|deployment-controller|replicaset-controller)$/;

/**
 * The managedFields entries of `kubectl get -o json --show-managed-fields`, without their times,
 * by manager name (the server orders them by operation, then time to the second, then name);
 * entries written by controllers (status, revision annotations) are left out.
 */
function managers(json: string): Json[] {
  const entries = pick(JSON.parse(json) as Json, 'metadata.managedFields');
  if (!Array.isArray(entries)) return [];
  const byName = entries.filter((e) => !CONTROLLER_MANAGERS.test(String(pick(e, 'manager')))).sort((a, b) => String(pick(a, 'manager')).localeCompare(String(pick(b, 'manager'))));
  return byName.map((entry) => {
    if (!entry || typeof entry !== 'object' || Array.isArray(entry)) return entry;
    expectMatch(String(entry.time), /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/, `managedFields time of ${String(entry.manager)}`);
    const { time: _time, ...rest } = entry;
    return rest;
  });
}

const ENV_FIELDS = { '.': {}, 'f:name': {}, 'f:value': {} };

/** What manager `kubectl` owns after applying `deployment('web', {labels, env: {A, B}})`, image aside. */
function kubectlFields(labels: string[], withImage: boolean): Json {
  const container: Record<string, Json> = { '.': {}, 'f:env': { 'k:{"name":"A"}': ENV_FIELDS, 'k:{"name":"B"}': ENV_FIELDS }, 'f:name': {} };
  if (withImage) container['f:image'] = {};
  return {
    'f:metadata': { 'f:labels': Object.fromEntries(labels.map((l) => [`f:${l}`, {}])) },
    'f:spec': {
      'f:replicas': {},
      'f:selector': {},
      'f:template': { 'f:metadata': { 'f:labels': { 'f:app': {} } }, 'f:spec': { 'f:containers': { 'k:{"name":"main"}': container } } },
    },
  };
}

/** `apply --server-side`: conflicts with `kubectl scale` and with a second manager, forced; managedFields. */
export const applyServerSide = scenario({
  name: 'apply/server-side',
  namespace: true,
  async run(ctx) {
    const ns = ['-n', ctx.namespace];
    const apply = (manifest: Record<string, unknown>, ...flags: string[]) => ctx.kubectl([...ns, 'apply', '--server-side', ...flags, '-f', '-'], { stdin: yaml(manifest) });
    const path = deploymentPath(ctx, 'web');
    const manifest = deployment('web', { labels: { app: 'web', tier: 'front' }, env: { A: '1', B: '2' } });
    expectOutput(await apply(manifest), 'deployment.apps/web serverside-applied\n', 'apply --server-side (new)');
    expectOutput(await ctx.kubectl([...ns, 'scale', 'deployment', 'web', '--replicas=3']), 'deployment.apps/web scaled\n', 'scale');

    // kubectl scale sends no fieldManager: the server names the manager after the User-Agent (the binary's name).
    expectFailure(
      await apply(manifest),
      `error: Apply failed with 1 conflict: conflict with "kubectl.${ctx.version}" with subresource "scale" using apps/v1: .spec.replicas\n${CONFLICT_ADVICE}`,
      'apply --server-side after scale',
    );
    expectEqual(pick(await getObject(ctx, path), 'spec.replicas'), 3, 'replicas after the refused apply');
    expectOutput(await apply(manifest, '--force-conflicts'), 'deployment.apps/web serverside-applied\n', 'apply --server-side --force-conflicts');
    expectEqual(pick(await getObject(ctx, path), 'spec.replicas'), 1, 'replicas after the forced apply');

    const other = { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'web' }, spec: { template: { spec: { containers: [{ name: 'main', image: 'nginx:1.26' }] } } } };
    expectFailure(
      await apply(other, '--field-manager=other'),
      `error: Apply failed with 1 conflict: conflict with "kubectl": .spec.template.spec.containers[name="main"].image\n${CONFLICT_ADVICE}`,
      'apply --server-side --field-manager=other',
    );
    expectOutput(await apply(other, '--field-manager=other', '--force-conflicts'), 'deployment.apps/web serverside-applied\n', 'apply --field-manager=other --force-conflicts');

    const show = async (what: string) => managers(expectSuccess(await ctx.kubectl([...ns, 'get', 'deployment', 'web', '-o', 'json', '--show-managed-fields']), what));
    const otherEntry = {
      apiVersion: 'apps/v1',
      fieldsType: 'FieldsV1',
      fieldsV1: { 'f:spec': { 'f:template': { 'f:spec': { 'f:containers': { 'k:{"name":"main"}': { '.': {}, 'f:image': {}, 'f:name': {} } } } } } },
      manager: 'other',
      operation: 'Apply',
    };
    expectEqual(
      await show('get --show-managed-fields'),
      [{ apiVersion: 'apps/v1', fieldsType: 'FieldsV1', fieldsV1: kubectlFields(['app', 'tier'], false), manager: 'kubectl', operation: 'Apply' }, otherEntry],
      'managedFields after both forced applies (the scale entry is gone, kubectl lost the image)',
    );

    // Applying without a field this manager applied before removes it; agreeing on a value co-owns it.
    const again = deployment('web', { image: 'nginx:1.26', labels: { app: 'web' }, env: { A: '1', B: '2' } });
    expectOutput(await apply(again), 'deployment.apps/web serverside-applied\n', 'apply --server-side without label tier');
    const live = await getObject(ctx, path);
    expectEqual(pick(live, 'metadata.labels'), { app: 'web' }, 'labels after tier left the manifest');
    expectEqual(
      managers(JSON.stringify(live)),
      [{ apiVersion: 'apps/v1', fieldsType: 'FieldsV1', fieldsV1: kubectlFields(['app'], true), manager: 'kubectl', operation: 'Apply' }, otherEntry],
      'managedFields after re-applying the shared image',
    );
  },
});

/**
 * `apply -f`, then `apply --server-side` of the manifest without a label: kubectl moves the
 * client-side manager's fields to `kubectl` and re-sends its apply, so the label goes; the server
 * keeps the last-applied annotation in step with what `kubectl` applied.
 */
export const applyClientToServerSide = scenario({
  name: 'apply/client-side-to-server-side',
  namespace: true,
  async run(ctx) {
    const ns = ['-n', ctx.namespace];
    const path = deploymentPath(ctx, 'web');
    const first = { stdin: yaml(deployment('web', { labels: { app: 'web', tier: 'front' } })) };
    expectOutput(await ctx.kubectl([...ns, 'apply', '-f', '-'], first), 'deployment.apps/web created\n', 'apply -f');
    const second = deployment('web', { image: 'nginx:1.26' });
    expectOutput(await ctx.kubectl([...ns, 'apply', '--server-side', '-f', '-'], { stdin: yaml(second) }), 'deployment.apps/web serverside-applied\n', 'apply --server-side');
    const live = await getObject(ctx, path);
    expectEqual(pick(live, 'metadata.labels'), { app: 'web' }, 'labels after the server-side apply');
    const lastApplied = JSON.parse(annotation(live)) as Json;
    expectEqual([pick(lastApplied, 'metadata.labels'), pick(lastApplied, 'spec')], [{ app: 'web' }, second.spec as Json], 'last-applied annotation after the server-side apply');
    const names = (pick(live, 'metadata.managedFields') as Json[]).map((entry) => [pick(entry, 'manager'), pick(entry, 'operation')]);
    expectEqual(names.some(([manager]) => manager === 'kubectl-client-side-apply'), false, `no kubectl-client-side-apply manager left (managers ${JSON.stringify(names)})`);
    expectEqual(names.some(([manager, op]) => manager === 'kubectl' && op === 'Apply'), true, `kubectl applies (managers ${JSON.stringify(names)})`);
  },
});

/** `create -f`, `replace -f` (conditional and unconditional), and a replace of a stale copy. */
export const createReplace = scenario({
  name: 'deployment/create-replace',
  namespace: true,
  async run(ctx) {
    const ns = ['-n', ctx.namespace, '-f', '-'];
    const path = deploymentPath(ctx, 'web');
    expectOutput(await ctx.kubectl(['create', ...ns], { stdin: yaml(deployment('web')) }), 'deployment.apps/web created\n', 'create -f');
    const stale = (await settledDeployment(ctx, path, 'after create -f')) as Record<string, Json>;
    const edited = { ...stale, spec: { ...(stale.spec as Record<string, Json>), replicas: 2 } };
    expectOutput(await ctx.kubectl(['replace', ...ns], { stdin: JSON.stringify(edited) }), 'deployment.apps/web replaced\n', 'replace -f (current resourceVersion)');
    expectEqual(pick(await getObject(ctx, path), 'spec.replicas'), 2, 'replicas after replace');
    expectFailure(
      await ctx.kubectl(['replace', ...ns], { stdin: JSON.stringify(stale) }),
      `Error from server (Conflict): error when replacing "STDIN": ${STALE_MESSAGE}`,
      'replace -f of a stale copy',
    );
    expectOutput(await ctx.kubectl(['replace', ...ns], { stdin: yaml(deployment('web', { replicas: 4 })) }), 'deployment.apps/web replaced\n', 'replace -f (no resourceVersion)');
    expectEqual(pick(await getObject(ctx, path), 'spec.replicas'), 4, 'replicas after an unconditional replace');
  },
});

/** `patch --type=strategic|merge|json` (patched, patched (no change), a failing JSON patch), `set image`, `scale`. */
export const patchTypes = scenario({
  name: 'deployment/patch-set-image-scale',
  namespace: true,
  async run(ctx) {
    const path = deploymentPath(ctx, 'web');
    const created = await ctx.http('POST', `/apis/apps/v1/namespaces/${ctx.namespace}/deployments`, {
      body: deployment('web', { labels: { app: 'web', tier: 'front' }, env: { A: '1', B: '2' } }),
    });
    expectEqual(created.status, 201, `POST deployment (body ${created.text.slice(0, 200)})`);
    const patch = (type: string, body: unknown) => ctx.kubectl(['-n', ctx.namespace, 'patch', 'deployment', 'web', `--type=${type}`, '-p', JSON.stringify(body)]);
    const twice = async (type: string, body: unknown) => {
      expectOutput(await patch(type, body), 'deployment.apps/web patched\n', `patch --type=${type}`);
      // kubectl says "(no change)" when the PATCH answers the object it read before: no status write in between.
      await settledDeployment(ctx, path, `after patch --type=${type}`);
      expectOutput(await patch(type, body), 'deployment.apps/web patched (no change)\n', `patch --type=${type} again`);
    };

    // Strategic merge: containers merge by name, env by name; a new env var is appended.
    await twice('strategic', { spec: { template: { spec: { containers: [{ name: 'main', env: [{ name: 'C', value: '3' }] }] } } } });
    expectEqual(envOf(await getObject(ctx, path)), { A: '1', B: '2', C: '3' }, 'env after the strategic patch');
    await twice('merge', { metadata: { labels: { tier: null } } });
    expectEqual(pick(await getObject(ctx, path), 'metadata.labels'), { app: 'web' }, 'labels after the merge patch');
    await twice('json', [{ op: 'replace', path: '/spec/replicas', value: 2 }]);
    expectEqual(pick(await getObject(ctx, path), 'spec.replicas'), 2, 'replicas after the JSON patch');

    // A JSON merge patch replaces lists whole: the container loses its env.
    expectOutput(await patch('merge', { spec: { template: { spec: { containers: [{ name: 'main', image: 'nginx:1.27' }] } } } }), 'deployment.apps/web patched\n', 'merge patch of containers');
    let live = await getObject(ctx, path);
    expectEqual([pick(live, 'spec.template.spec.containers.0.image'), envOf(live)], ['nginx:1.27', undefined], 'container after the merge patch');
    expectFailure(
      await patch('json', [{ op: 'remove', path: '/metadata/labels/missing' }]),
      'The request is invalid: the server rejected our request due to an error in our request',
      'JSON patch removing a missing path',
    );

    expectOutput(await ctx.kubectl(['-n', ctx.namespace, 'set', 'image', 'deployment/web', 'main=nginx:2']), 'deployment.apps/web image updated\n', 'set image');
    expectOutput(await ctx.kubectl(['-n', ctx.namespace, 'scale', 'deployment/web', '--replicas=5']), 'deployment.apps/web scaled\n', 'scale');
    live = await getObject(ctx, path);
    expectEqual([pick(live, 'spec.template.spec.containers.0.image'), pick(live, 'spec.replicas')], ['nginx:2', 5], 'image and replicas');
  },
});

/** `diff -f`: exit 1 and the changed fields for a change, 0 and nothing when equal; the dry run stores nothing. */
export const diffDeployment = scenario({
  name: 'diff/deployment',
  namespace: true,
  async run(ctx) {
    const diff = (manifest: Record<string, unknown>) => ctx.kubectl(['-n', ctx.namespace, 'diff', '-f', '-'], { stdin: yaml(manifest) });
    const path = deploymentPath(ctx, 'web');
    const added = expectDiffExit(await diff(deployment('web', { replicas: 3 })), true, 'diff of a new object');
    expectIncludes(added, '\n+kind: Deployment\n', 'diff of a new object: added lines');
    expectIncludes(added, '\n+  replicas: 3\n', 'diff of a new object: replicas');
    await expectAbsent(ctx, path, 'after diff of a new object');

    expectOutput(await ctx.kubectl(['-n', ctx.namespace, 'apply', '-f', '-'], { stdin: yaml(deployment('web')) }), 'deployment.apps/web created\n', 'apply -f');
    const before = await settledDeployment(ctx, path, 'after apply -f');
    const changed = expectDiffExit(await diff(deployment('web', { replicas: 3 })), true, 'diff of a changed replicas');
    expectEqual(changedLines(changed), ['-  generation: 1', '+  generation: 2', '-  replicas: 1', '+  replicas: 3'], 'changed lines');
    const after = await getObject(ctx, path);
    expectEqual([pick(after, 'metadata.resourceVersion'), pick(after, 'spec.replicas')], [pick(before, 'metadata.resourceVersion'), 1], 'object after diff');
    expectDiffExit(await diff(deployment('web')), false, 'diff of the applied manifest');
  },
});

/** `--dry-run=server` on create, apply (both kinds), typed create, apply of a change and delete: nothing stored. */
export const dryRunServer = scenario({
  name: 'dry-run/server',
  namespace: true,
  async run(ctx) {
    const ns = ['-n', ctx.namespace];
    const manifest = { stdin: yaml(deployment('web')) };
    const path = deploymentPath(ctx, 'web');
    const dry = '--dry-run=server';
    expectOutput(await ctx.kubectl([...ns, 'create', dry, '-f', '-'], manifest), 'deployment.apps/web created (server dry run)\n', 'create -f --dry-run=server');
    expectOutput(await ctx.kubectl([...ns, 'apply', dry, '-f', '-'], manifest), 'deployment.apps/web created (server dry run)\n', 'apply -f --dry-run=server');
    expectOutput(await ctx.kubectl([...ns, 'apply', '--server-side', dry, '-f', '-'], manifest), 'deployment.apps/web serverside-applied (server dry run)\n', 'apply --server-side --dry-run=server');
    expectOutput(await ctx.kubectl([...ns, 'create', 'configmap', 'x', '--from-literal=a=b', dry]), 'configmap/x created (server dry run)\n', 'create configmap --dry-run=server');
    await expectAbsent(ctx, path, 'deployment after dry runs');
    await expectAbsent(ctx, `/api/v1/namespaces/${ctx.namespace}/configmaps/x`, 'configmap after a dry run');

    const made = await ctx.http('POST', `/apis/apps/v1/namespaces/${ctx.namespace}/deployments`, { body: deployment('web') });
    expectEqual(made.status, 201, `POST deployment (body ${made.text.slice(0, 200)})`);
    const before = await settledDeployment(ctx, path, 'after POST');
    const changed = { stdin: yaml(deployment('web', { image: 'nginx:1.26' })) };
    expectOutput(await ctx.kubectl([...ns, 'apply', dry, '-f', '-'], changed), 'deployment.apps/web configured (server dry run)\n', 'apply -f of a change --dry-run=server');
    expectOutput(await ctx.kubectl([...ns, 'delete', 'deployment', 'web', dry]), 'deployment.apps "web" deleted (server dry run)\n', 'delete --dry-run=server');
    const after = await getObject(ctx, path);
    expectEqual(
      [pick(after, 'metadata.resourceVersion'), pick(after, 'spec.template.spec.containers.0.image')],
      [pick(before, 'metadata.resourceVersion'), 'nginx:1.25'],
      'object after the dry-run apply and delete',
    );
  },
});

/** `create deployment|configmap|secret generic` (kubectl 1.32+ send these as protobuf). */
export const createTyped = scenario({
  name: 'create/deployment-configmap-secret',
  namespace: true,
  async run(ctx) {
    const ns = ['-n', ctx.namespace, 'create'];
    expectOutput(await ctx.kubectl([...ns, 'deployment', 'x', '--image=nginx']), 'deployment.apps/x created\n', 'create deployment');
    expectOutput(await ctx.kubectl([...ns, 'configmap', 'x', '--from-literal=a=b']), 'configmap/x created\n', 'create configmap');
    expectOutput(await ctx.kubectl([...ns, 'secret', 'generic', 'x', '--from-literal=k=v']), 'secret/x created\n', 'create secret generic');
    const d = await getObject(ctx, deploymentPath(ctx, 'x'));
    expectEqual(
      {
        labels: pick(d, 'metadata.labels'),
        replicas: pick(d, 'spec.replicas'),
        selector: pick(d, 'spec.selector'),
        templateLabels: pick(d, 'spec.template.metadata.labels'),
        containers: (pick(d, 'spec.template.spec.containers') as Json[]).map((c) => [pick(c, 'name'), pick(c, 'image')]),
        strategy: pick(d, 'spec.strategy'),
      },
      {
        labels: { app: 'x' },
        replicas: 1,
        selector: { matchLabels: { app: 'x' } },
        templateLabels: { app: 'x' },
        containers: [['nginx', 'nginx']],
        strategy: { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: '25%', maxSurge: '25%' } },
      },
      'the created deployment',
    );
    const cm = await getObject(ctx, `/api/v1/namespaces/${ctx.namespace}/configmaps/x`);
    expectEqual(pick(cm, 'data'), { a: 'b' }, 'configmap data');
    const secret = await getObject(ctx, `/api/v1/namespaces/${ctx.namespace}/secrets/x`);
    expectEqual([pick(secret, 'type'), pick(secret, 'data')], ['Opaque', { k: 'dg==' }], 'secret type and data');
  },
});
