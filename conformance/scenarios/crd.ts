/**
 * Conformance scenarios: CustomResourceDefinitions with kubectl — the CronTab CRD of the docs
 * becomes Established (`kubectl wait`), its objects print the CRD's columns and resolve by short
 * name and by category (`get all`), `explain` reads the CRD schema, a schema violation is
 * refused with the upstream messages and field paths, an unknown field is refused under the
 * default strict validation and pruned with --validate=false, defaults fill in; a Widget CRD
 * with status/scale subresources and a CEL rule scales, takes `patch --subresource=status`
 * (kubectl 1.24+) and refuses a rule violation; deleting a CRD removes its objects.
 * Must not: depend on kubemu specifics (expectations are what a real cluster prints).
 */
import { expectEqual, expectFailure, expectIncludes, expectMatch, expectSuccess, pick, scenario, type Context } from '../harness.js';
import { cronTab, cronTabCrd, widgetCrd } from './crd-fixtures.js';
import { expectOutput, getObject } from './write-fixtures.js';

const SKIP_FOR_TIME = [{ versions: '1.28,1.29,1.31,1.32', reason: 'the same kubectl code paths as the neighbouring versions; skipped to keep the suite short' }];

async function applyCrd(ctx: Context, crd: Record<string, unknown>, name: string): Promise<void> {
  expectOutput(await ctx.kubectl(['apply', '-f', '-'], { stdin: JSON.stringify(crd) }), `customresourcedefinition.apiextensions.k8s.io/${name} created\n`, `apply CRD ${name}`);
  expectSuccess(await ctx.kubectl(['wait', '--for', 'condition=established', '--timeout=30s', `crd/${name}`]), `wait established ${name}`);
}

async function deleteCrd(ctx: Context, name: string): Promise<void> {
  expectOutput(await ctx.kubectl(['delete', 'crd', name]), `customresourcedefinition.apiextensions.k8s.io "${name}" deleted\n`, `delete CRD ${name}`);
}

/** CronTab: columns, short name, category, explain, validation, pruning, defaults, CRD deletion. */
export const crdCronTab = scenario({
  name: 'crd/crontab',
  namespace: true,
  skip: SKIP_FOR_TIME,
  async run(ctx) {
    const group = `${ctx.unique('stable')}.example.com`;
    const crdName = `crontabs.${group}`;
    const ns = ['-n', ctx.namespace];
    await applyCrd(ctx, cronTabCrd(group), crdName);
    const resource = `crontabs.${group}`;
    const manifest = cronTab(group, 'my-new-cron-object', { cronSpec: '* * * * */5', image: 'my-awesome-cron-image' });
    expectOutput(await ctx.kubectl([...ns, 'apply', '-f', '-'], { stdin: JSON.stringify(manifest) }), `crontab.${group}/my-new-cron-object created\n`, 'apply CronTab');

    // A second apply patches with a JSON merge patch: CRs take no strategic merge patch.
    const changed = cronTab(group, 'my-new-cron-object', { cronSpec: '* * * * */5', image: 'my-awesome-cron-image:2' });
    expectOutput(await ctx.kubectl([...ns, 'apply', '-f', '-'], { stdin: JSON.stringify(changed) }), `crontab.${group}/my-new-cron-object configured\n`, 'apply CronTab again');
    const table = expectSuccess(await ctx.kubectl([...ns, 'get', resource]), 'get crontabs');
    expectMatch(table, /^NAME\s+SPEC\s+REPLICAS\s+AGE\nmy-new-cron-object\s+\* \* \* \* \*\/5\s+1\s+\d+s\n$/, 'printer columns (replicas defaulted to 1)');
    const short = expectSuccess(await ctx.kubectl([...ns, 'get', `ct.${group}`, '-o', 'name']), 'get by short name');
    expectEqual(short, `crontab.${group}/my-new-cron-object\n`, 'short name ct');
    const all = expectSuccess(await ctx.kubectl([...ns, 'get', 'all', '-o', 'name']), 'get all');
    expectIncludes(all, `crontab.${group}/my-new-cron-object\n`, 'category all');

    const explain = expectSuccess(await ctx.kubectl(['explain', `${resource}.spec`]), 'explain crontabs.spec');
    expectMatch(explain, /KIND:\s+CronTab\nVERSION:\s+v1\n/, 'explain header');
    const fields = [...explain.matchAll(/^ {2}(\S+)\t<([^>]*)>/gm)].map((m) => [m[1], m[2]]);
    expectEqual(fields, [['cronSpec', 'string'], ['image', 'string'], ['replicas', 'integer']], 'explain FIELDS');

    const bad = cronTab(group, 'bad', { cronSpec: 'every minute', replicas: 20 });
    const refused = await ctx.kubectl([...ns, 'apply', '-f', '-'], { stdin: JSON.stringify(bad) });
    expectEqual(refused.code !== 0, true, 'schema violation refused');
    expectIncludes(refused.stderr, `The CronTab "bad" is invalid: `, 'Invalid header');
    expectIncludes(refused.stderr, `spec.replicas: Invalid value: 20: spec.replicas in body should be less than or equal to 10`, 'maximum message and path');
    expectIncludes(refused.stderr, `spec.cronSpec: Invalid value: "every minute": spec.cronSpec in body should match '^(\\d+|\\*)(/\\d+)?(\\s+(\\d+|\\*)(/\\d+)?){4}$'`, 'pattern message and path');

    const unknown = cronTab(group, 'extra', { cronSpec: '* * * * *', foo: 'bar' });
    expectFailure(
      await ctx.kubectl([...ns, 'create', '-f', '-'], { stdin: JSON.stringify(unknown) }),
      `Error from server (BadRequest): error when creating "STDIN": CronTab in version "v1" cannot be handled as a CronTab: strict decoding error: unknown field "spec.foo"`,
      'unknown field under strict validation',
    );
    expectOutput(await ctx.kubectl([...ns, 'create', '--validate=false', '-f', '-'], { stdin: JSON.stringify(unknown) }), `crontab.${group}/extra created\n`, 'create --validate=false');
    const extra = await getObject(ctx, `/apis/${group}/v1/namespaces/${ctx.namespace}/crontabs/extra`);
    expectEqual(pick(extra, 'spec'), { cronSpec: '* * * * *', replicas: 1 }, 'unknown field pruned, default filled in');

    await deleteCrd(ctx, crdName);
    expectSuccess(await ctx.kubectl(['wait', '--for=delete', '--timeout=30s', `crd/${crdName}`]), 'CRD gone');
    await applyCrd(ctx, cronTabCrd(group), crdName);
    const empty = await ctx.kubectl([...ns, 'get', resource]);
    expectEqual(empty.stderr.trim(), `No resources found in ${ctx.namespace} namespace.`, 'objects were deleted with the CRD');
    await deleteCrd(ctx, crdName);
  },
});

/** Widget: scale, patch --subresource=status, a CEL rule. */
export const crdWidget = scenario({
  name: 'crd/status-scale-cel',
  namespace: true,
  skip: [{ versions: '1.28,1.29,1.31,1.32', reason: 'the same kubectl code paths as the neighbouring versions; skipped to keep the suite short' }],
  async run(ctx) {
    const group = `${ctx.unique('widgets')}.example.com`;
    const crdName = `widgets.${group}`;
    const ns = ['-n', ctx.namespace];
    const resource = `widgets.${group}`;
    await applyCrd(ctx, widgetCrd(group), crdName);
    const widget = { apiVersion: `${group}/v1`, kind: 'Widget', metadata: { name: 'w' }, spec: { replicas: 2 } };
    expectOutput(await ctx.kubectl([...ns, 'apply', '-f', '-'], { stdin: JSON.stringify(widget) }), `widget.${group}/w created\n`, 'apply Widget');
    expectOutput(await ctx.kubectl([...ns, 'scale', `${resource}/w`, '--replicas=4']), `widget.${group}/w scaled\n`, 'scale');
    const path = `/apis/${group}/v1/namespaces/${ctx.namespace}/widgets/w`;
    expectEqual(pick(await getObject(ctx, path), 'spec.replicas'), 4, 'spec.replicas after scale');
    expectOutput(
      await ctx.kubectl([...ns, 'patch', `${resource}/w`, '--subresource=status', '--type=merge', '-p', '{"status":{"replicas":4,"phase":"Ready"},"spec":{"replicas":9}}']),
      `widget.${group}/w patched\n`,
      'patch --subresource=status',
    );
    const patched = await getObject(ctx, path);
    expectEqual([pick(patched, 'status.phase'), pick(patched, 'spec.replicas'), pick(patched, 'metadata.generation')], ['Ready', 4, 2], 'status changed, spec kept, generation from the scale only');
    const scale = await ctx.http('GET', `${path}/scale`);
    expectEqual(pick(scale.json, 'status.replicas'), 4, 'Scale status.replicas from statusReplicasPath');
    const cel = await ctx.kubectl([...ns, 'scale', `${resource}/w`, '--replicas=40']);
    expectEqual(cel.code !== 0, true, 'CEL rule refuses the scale');
    expectIncludes(cel.stderr, 'replicas must not exceed maxReplicas', 'CEL message');
    await deleteCrd(ctx, crdName);
  },
});
