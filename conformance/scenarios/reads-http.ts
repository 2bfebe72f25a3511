/**
 * Conformance scenarios: LIST over plain HTTP — set-based label selectors, field selectors and
 * the 400s of unsupported ones, `limit`/`continue` pagination consistent with the first page,
 * continue-token errors, `resourceVersionMatch`, expired continue tokens, and the Table and
 * PartialObjectMetadataList shapes. All run once per suite (no kubectl).
 * Wordings are kube-apiserver's: apimachinery runtime.DefaultMetaV1FieldSelectorConversion and
 * k/k pkg/apis/core/v1/conversion.go (field selectors), apiserver pkg/storage ValidateListOptions
 * and DecodeContinue (continue tokens), pkg/storage/errors.go (expired continue).
 * Must not: depend on kubemu specifics, except where `needsServerSettings` says so.
 */
import { expectEqual, expectMatch, expectStatus, pick, scenario, type Context, type Json } from '../harness.js';
import { AGE, collection, configMap, create, itemNames, mergePatch, pendingPod } from './read-fixtures.js';

const TABLE = 'application/json;as=Table;v=v1;g=meta.k8s.io';
const METADATA_LIST = 'application/json;as=PartialObjectMetadataList;v=v1;g=meta.k8s.io';

async function listNames(ctx: Context, query: string, what: string): Promise<string[]> {
  const res = await ctx.http('GET', `${collection(ctx, 'configmaps')}?${query}`);
  expectEqual(res.status, 200, `${what}: status (body ${res.text.slice(0, 300)})`);
  return itemNames(res);
}

function q(params: Record<string, string>): string {
  return new URLSearchParams(params).toString();
}

/** `in`, `notin`, `key`, `!key`, `!=` and AND-ed requirements (missing keys match `notin` and `!=`). */
export const labelSelectorSets = scenario({
  name: 'list/label-selector-sets',
  namespace: true,
  httpOnly: true,
  async run(ctx) {
    const labels: Record<string, Record<string, string>> = {
      a: { env: 'prod', tier: 'web' },
      b: { env: 'dev' },
      c: { env: 'test', tier: 'db' },
      d: { tier: 'web' },
      e: {},
    };
    for (const [name, l] of Object.entries(labels)) await create(ctx, collection(ctx, 'configmaps'), configMap(name, { a: '1' }, { set: 'sel', ...l }));
    const cases: [string, string[]][] = [
      ['env in (prod,dev)', ['a', 'b']],
      ['env notin (prod)', ['b', 'c', 'd', 'e']],
      ['!env', ['d', 'e']],
      ['env', ['a', 'b', 'c']],
      ['env,tier=web', ['a']],
      ['env notin (prod,dev),tier', ['c', 'd']],
      ['tier!=web', ['b', 'c', 'e']],
      ['env in (prod),env in (dev)', []],
      ['env==dev', ['b']],
    ];
    for (const [selector, expected] of cases) {
      expectEqual(await listNames(ctx, q({ labelSelector: `set=sel,${selector}` }), selector), expected, `labelSelector "set=sel,${selector}"`);
    }
    const bad = await ctx.http('GET', `${collection(ctx, 'configmaps')}?${q({ labelSelector: 'env in (prod' })}`);
    expectStatus(bad, { code: 400, reason: 'BadRequest' }, 'an unterminated set');
  },
});

/** `metadata.name`, `metadata.namespace` (cluster-wide), `!=`, the pod fields; 400 for unknown fields. */
export const fieldSelectors = scenario({
  name: 'list/field-selectors',
  namespace: true,
  httpOnly: true,
  async run(ctx) {
    for (const name of ['a', 'b', 'c']) await create(ctx, collection(ctx, 'configmaps'), configMap(name, { a: '1' }, { set: 'fs' }));
    expectEqual(await listNames(ctx, q({ fieldSelector: 'metadata.name=b' }), 'name=b'), ['b'], 'fieldSelector metadata.name=b');
    expectEqual(await listNames(ctx, q({ fieldSelector: 'metadata.name==b' }), 'name==b'), ['b'], 'fieldSelector metadata.name==b');
    expectEqual(await listNames(ctx, q({ fieldSelector: 'metadata.name!=b', labelSelector: 'set=fs' }), 'name!=b'), ['a', 'c'], 'fieldSelector metadata.name!=b');
    const wide = await ctx.http('GET', `/api/v1/configmaps?${q({ fieldSelector: `metadata.namespace=${ctx.namespace},metadata.name=c` })}`);
    expectEqual(itemNames(wide), ['c'], 'cluster-wide list with metadata.namespace and metadata.name');
    expectEqual(pick(wide.json, 'items.0.metadata.namespace'), ctx.namespace, 'its namespace');

    await create(ctx, collection(ctx, 'pods'), pendingPod('p'));
    const pods = async (selector: string) => itemNames(await ctx.http('GET', `${collection(ctx, 'pods')}?${q({ fieldSelector: selector })}`));
    expectEqual(await pods('status.phase=Pending'), ['p'], 'pods with status.phase=Pending');
    expectEqual(await pods('status.phase=Running'), [], 'pods with status.phase=Running');
    expectEqual(await pods('spec.nodeName='), ['p'], 'unscheduled pods (spec.nodeName=)');
    expectEqual(await pods('spec.restartPolicy=Always,metadata.name=p'), ['p'], 'pods with spec.restartPolicy=Always');

    const cm = await ctx.http('GET', `${collection(ctx, 'configmaps')}?${q({ fieldSelector: 'spec.foo=x' })}`);
    const cmMessage = '"spec.foo" is not a known field selector: only "metadata.name", "metadata.namespace"';
    expectStatus(cm, { code: 400, reason: 'BadRequest', message: cmMessage }, 'configmaps with fieldSelector spec.foo=x');
    const cmWatch = await ctx.http('GET', `${collection(ctx, 'configmaps')}?${q({ fieldSelector: 'spec.foo=x', watch: 'true' })}`);
    expectStatus(cmWatch, { code: 400, reason: 'BadRequest', message: cmMessage }, 'configmaps watch with fieldSelector spec.foo=x');
    const pod = await ctx.http('GET', `${collection(ctx, 'pods')}?${q({ fieldSelector: 'spec.foo=x' })}`);
    expectStatus(pod, { code: 400, reason: 'BadRequest', message: 'field label not supported: spec.foo' }, 'pods with fieldSelector spec.foo=x');
  },
});

/**
 * limit/continue: pages in key order, `remainingItemCount` on unfiltered lists only, and every
 * page read at the first page's resourceVersion even after the collection changed.
 */
export const pagination = scenario({
  name: 'list/pagination',
  namespace: true,
  httpOnly: true,
  async run(ctx) {
    const path = collection(ctx, 'configmaps');
    for (const name of ['p1', 'p2', 'p3', 'p4', 'p5']) await create(ctx, path, configMap(name, { v: 'old' }, { set: 'page' }));
    const full = await ctx.http('GET', path);
    const all = itemNames(full); // a real cluster adds kube-root-ca.crt
    const versions = ((pick(full.json, 'items') ?? []) as Json[]).map((item) => pick(item, 'metadata.resourceVersion'));
    expectEqual(all.filter((n) => n.startsWith('p')), ['p1', 'p2', 'p3', 'p4', 'p5'], 'the full list');

    const first = await ctx.http('GET', `${path}?limit=2`);
    const rv = pick(first.json, 'metadata.resourceVersion');
    expectEqual(itemNames(first), all.slice(0, 2), 'first page');
    expectEqual(pick(first.json, 'metadata.remainingItemCount'), all.length - 2, 'first page remainingItemCount');
    const token1 = pick(first.json, 'metadata.continue');
    expectMatch(String(token1), /^[A-Za-z0-9_-]+$/, 'first page continue token');

    // Change the collection between pages: the next pages must not see it.
    await mergePatch(ctx, `${path}/${all[2]}`, { data: { v: 'new' } });
    await ctx.http('DELETE', `${path}/${all[3]}`);
    await create(ctx, path, configMap('p6', { v: 'old' }, { set: 'page' }));

    const second = await ctx.http('GET', `${path}?${q({ limit: '2', continue: String(token1) })}`);
    expectEqual(itemNames(second), all.slice(2, 4), 'second page (state of the first page)');
    expectEqual(pick(second.json, 'metadata.resourceVersion'), rv, 'second page resourceVersion');
    expectEqual(pick(second.json, 'items.0.data.v'), 'old', 'second page shows the object as it was');
    expectEqual(pick(second.json, 'items.0.metadata.resourceVersion'), versions[2], 'second page shows its old resourceVersion');
    expectEqual(pick(second.json, 'metadata.remainingItemCount'), all.length - 4, 'second page remainingItemCount');
    const token2 = pick(second.json, 'metadata.continue');

    const third = await ctx.http('GET', `${path}?${q({ limit: '2', continue: String(token2) })}`);
    expectEqual(itemNames(third), all.slice(4, 6), 'third page');
    expectEqual(pick(third.json, 'metadata.resourceVersion'), rv, 'third page resourceVersion');
    const last = all.length <= 6;
    expectEqual(pick(third.json, 'metadata.continue') === undefined || pick(third.json, 'metadata.continue') === '', last, 'continue ends with the last page');
    if (last) expectEqual(pick(third.json, 'metadata.remainingItemCount'), undefined, 'no remainingItemCount on the last page');

    const now = await listNames(ctx, q({ labelSelector: 'set=page' }), 'list after the changes');
    expectEqual(now, [...all.filter((n) => n.startsWith('p') && n !== all[3]), 'p6'], 'a new list sees the changes');
    const filtered = await ctx.http('GET', `${path}?${q({ labelSelector: 'set=page', limit: '2' })}`);
    expectEqual(itemNames(filtered), ['p1', 'p2'], 'first page with a label selector');
    expectEqual(pick(filtered.json, 'metadata.remainingItemCount'), undefined, 'no remainingItemCount with a selector');
    expectMatch(String(pick(filtered.json, 'metadata.continue')), /^[A-Za-z0-9_-]+$/, 'continue with a selector');
  },
});

/** continue with a resourceVersion, and tokens that do not decode: 400 BadRequest. */
export const continueErrors = scenario({
  name: 'list/continue-errors',
  namespace: true,
  httpOnly: true,
  async run(ctx) {
    const path = collection(ctx, 'configmaps');
    for (const name of ['a', 'b', 'c']) await create(ctx, path, configMap(name, { a: '1' }, { set: 'ce' }));
    const first = await ctx.http('GET', `${path}?${q({ labelSelector: 'set=ce', limit: '1' })}`);
    const token = String(pick(first.json, 'metadata.continue'));
    const rv = String(pick(first.json, 'metadata.resourceVersion'));
    const withRv = await ctx.http('GET', `${path}?${q({ labelSelector: 'set=ce', limit: '1', continue: token, resourceVersion: rv })}`);
    expectStatus(withRv, { code: 400, reason: 'BadRequest', message: 'specifying resource version is not allowed when using continue' }, 'continue with resourceVersion');
    const garbage = await ctx.http('GET', `${path}?${q({ continue: 'garbage!' })}`);
    const prefix = 'invalid continue token: continue key is not valid: ';
    expectStatus(garbage, { code: 400, reason: 'BadRequest', message: `${prefix}illegal base64 data at input byte 7` }, 'a continue token that is not base64');
    const notJson = await ctx.http('GET', `${path}?${q({ continue: Buffer.from('{"v":').toString('base64url') })}`);
    expectStatus(notJson, { code: 400, reason: 'BadRequest', message: `${prefix}unexpected end of JSON input` }, 'a continue token that is not JSON');
    const version = await ctx.http('GET', `${path}?${q({ continue: Buffer.from('{"v":"x","rv":1,"start":"a"}').toString('base64url') })}`);
    expectStatus(version, { code: 400, reason: 'BadRequest', message: `${prefix}server does not recognize this encoded version x` }, 'a continue token of another version');
  },
});

/**
 * continue with resourceVersion=0 is allowed, and the page still honours `limit`: kube-apiserver
 * serves any list with a continue token from etcd, which applies the limit (only a plain
 * resourceVersion=0 list, served from the watch cache, may ignore it).
 */
export const continueResourceVersionZero = scenario({
  name: 'list/continue-resource-version-0',
  namespace: true,
  httpOnly: true,
  async run(ctx) {
    const path = collection(ctx, 'configmaps');
    for (const name of ['a', 'b', 'c']) await create(ctx, path, configMap(name, { a: '1' }, { set: 'cz' }));
    const first = await ctx.http('GET', `${path}?${q({ labelSelector: 'set=cz', limit: '1' })}`);
    const token = String(pick(first.json, 'metadata.continue'));
    const second = await ctx.http('GET', `${path}?${q({ labelSelector: 'set=cz', limit: '1', continue: token, resourceVersion: '0' })}`);
    expectEqual([second.status, itemNames(second)], [200, ['b']], 'continue with resourceVersion=0 and limit=1: one item');
    expectMatch(String(pick(second.json, 'metadata.continue')), /^[A-Za-z0-9_-]+$/, 'and a continue token for the last one');
  },
});

/** resourceVersionMatch=Exact lists an old state; NotOlderThan the current; without resourceVersion 422. */
export const resourceVersionMatch = scenario({
  name: 'list/resource-version-match',
  namespace: true,
  httpOnly: true,
  async run(ctx) {
    const path = collection(ctx, 'configmaps');
    await create(ctx, path, configMap('a', { v: 'old' }, { set: 'rvm' }));
    const before = await ctx.http('GET', `${path}?${q({ labelSelector: 'set=rvm' })}`);
    const rv = String(pick(before.json, 'metadata.resourceVersion'));
    await mergePatch(ctx, `${path}/a`, { data: { v: 'new' } });
    await create(ctx, path, configMap('b', { v: 'new' }, { set: 'rvm' }));

    const exact = await ctx.http('GET', `${path}?${q({ labelSelector: 'set=rvm', resourceVersion: rv, resourceVersionMatch: 'Exact' })}`);
    expectEqual(exact.status, 200, 'Exact: status');
    expectEqual(pick(exact.json, 'metadata.resourceVersion'), rv, 'Exact: list resourceVersion');
    expectEqual([itemNames(exact), pick(exact.json, 'items.0.data.v')], [['a'], 'old'], 'Exact: the state at that resourceVersion');
    const newer = await ctx.http('GET', `${path}?${q({ labelSelector: 'set=rvm', resourceVersion: rv, resourceVersionMatch: 'NotOlderThan' })}`);
    expectEqual([itemNames(newer), pick(newer.json, 'items.0.data.v')], [['a', 'b'], 'new'], 'NotOlderThan: the current state');
    expectEqual(Number(pick(newer.json, 'metadata.resourceVersion')) > Number(rv), true, 'NotOlderThan: a newer list resourceVersion');
    const alone = await ctx.http('GET', `${path}?${q({ resourceVersionMatch: 'Exact' })}`);
    expectStatus(
      alone,
      {
        code: 422,
        reason: 'Invalid',
        message: 'ListOptions.meta.k8s.io "" is invalid: resourceVersionMatch: Forbidden: resourceVersionMatch is forbidden unless resourceVersion is provided',
      },
      'resourceVersionMatch without resourceVersion',
    );
  },
});

/**
 * A continue token whose revision left the server's window: 410 Expired with a fresh token that
 * continues at the latest state; an Exact list at that revision: 410 too. Needs the window size
 * to know how many writes push a revision out of it.
 */
export const expiredContinue = scenario({
  name: 'list/expired-continue',
  namespace: true,
  httpOnly: true,
  needsServerSettings: 'pushes a revision out of the event window',
  async run(ctx) {
    const path = collection(ctx, 'configmaps');
    for (const name of ['a', 'b', 'c']) await create(ctx, path, configMap(name, { n: '0' }, { set: 'exp' }));
    const first = await ctx.http('GET', `${path}?${q({ labelSelector: 'set=exp', limit: '1' })}`);
    const token = String(pick(first.json, 'metadata.continue'));
    const rv = String(pick(first.json, 'metadata.resourceVersion'));
    for (let i = 1; i <= 2 * ctx.settings.eventWindow + 1; i++) await mergePatch(ctx, `${path}/a`, { data: { n: String(i) } });

    const expired = await ctx.http('GET', `${path}?${q({ labelSelector: 'set=exp', limit: '1', continue: token })}`);
    expectEqual(expired.status, 410, `expired continue: status (body ${expired.text.slice(0, 300)})`);
    expectEqual([pick(expired.json, 'kind'), pick(expired.json, 'reason'), pick(expired.json, 'code')], ['Status', 'Expired', 410], 'expired continue: Status');
    expectMatch(String(pick(expired.json, 'message')), /^The provided continue parameter is too old to display a consistent list result\. /, 'expired continue: message');
    const fresh = pick(expired.json, 'metadata.continue');
    expectMatch(String(fresh), /^[A-Za-z0-9_-]+$/, 'expired continue: Status.metadata.continue');
    const rest = await ctx.http('GET', `${path}?${q({ labelSelector: 'set=exp', continue: String(fresh) })}`);
    expectEqual([rest.status, itemNames(rest)], [200, ['b', 'c']], 'the inconsistent continuation lists the rest');

    const exact = await ctx.http('GET', `${path}?${q({ resourceVersion: rv, resourceVersionMatch: 'Exact' })}`);
    expectStatus(exact, { code: 410, reason: 'Expired', message: 'The resourceVersion for the provided list is too old.' }, 'Exact list at an expired resourceVersion');
  },
});

/** Table answers: typed cells, priority-1 wide columns, includeObject Metadata/Object/None, v1beta1. */
export const tables = scenario({
  name: 'list/table',
  namespace: true,
  httpOnly: true,
  async run(ctx) {
    await create(ctx, collection(ctx, 'configmaps'), configMap('t1', { a: '1', b: '2' }, { set: 'tbl' }));
    await create(ctx, collection(ctx, 'pods'), pendingPod('web'));
    const list = await ctx.http('GET', `${collection(ctx, 'configmaps')}?labelSelector=set%3Dtbl`, { headers: { accept: TABLE } });
    expectEqual([list.status, pick(list.json, 'kind'), pick(list.json, 'apiVersion')], [200, 'Table', 'meta.k8s.io/v1'], 'configmap Table');
    expectMatch(String(pick(list.json, 'metadata.resourceVersion')), /^\d+$/, 'Table metadata.resourceVersion');
    const columns = ((pick(list.json, 'columnDefinitions') ?? []) as Json[]).map((c) => [pick(c, 'name'), pick(c, 'type'), pick(c, 'format'), pick(c, 'priority')]);
    expectEqual(columns, [['Name', 'string', 'name', 0], ['Data', 'string', '', 0], ['Age', 'string', '', 0]], 'configmap columns');
    const cells = pick(list.json, 'rows.0.cells') as Json[];
    expectEqual(cells.slice(0, 2), ['t1', 2], 'configmap cells (Data is a number)');
    expectMatch(String(cells[2]), new RegExp(`^${AGE.source}$`), 'configmap Age cell');
    const row = pick(list.json, 'rows.0.object');
    expectEqual([pick(row, 'kind'), pick(row, 'apiVersion'), pick(row, 'metadata.name'), pick(row, 'metadata.namespace'), pick(row, 'data')], ['PartialObjectMetadata', 'meta.k8s.io/v1', 't1', ctx.namespace, undefined], 'row object by default: PartialObjectMetadata');

    const full = await ctx.http('GET', `${collection(ctx, 'configmaps')}?labelSelector=set%3Dtbl&includeObject=Object`, { headers: { accept: TABLE } });
    expectEqual([pick(full.json, 'rows.0.object.kind'), pick(full.json, 'rows.0.object.data')], ['ConfigMap', { a: '1', b: '2' }], 'includeObject=Object: the whole object');
    const none = await ctx.http('GET', `${collection(ctx, 'configmaps')}?labelSelector=set%3Dtbl&includeObject=None`, { headers: { accept: TABLE } });
    expectEqual(pick(none.json, 'rows.0.object') ?? null, null, 'includeObject=None: no object');

    const pod = await ctx.http('GET', `${collection(ctx, 'pods')}/web`, { headers: { accept: TABLE } });
    const podColumns = ((pick(pod.json, 'columnDefinitions') ?? []) as Json[]).map((c) => `${String(pick(c, 'name'))}/${String(pick(c, 'priority'))}`);
    expectEqual(podColumns, ['Name/0', 'Ready/0', 'Status/0', 'Restarts/0', 'Age/0', 'IP/1', 'Node/1', 'Nominated Node/1', 'Readiness Gates/1'], 'pod columns');
    const podCells = pick(pod.json, 'rows.0.cells') as Json[];
    expectEqual([...podCells.slice(0, 4), ...podCells.slice(5)], ['web', '0/1', 'Pending', '0', '<none>', '<none>', '<none>', '<none>'], 'pod cells (Restarts is a string)');

    const beta = await ctx.http('GET', `${collection(ctx, 'configmaps')}/t1`, { headers: { accept: 'application/json;as=Table;v=v1beta1;g=meta.k8s.io' } });
    expectEqual([pick(beta.json, 'kind'), pick(beta.json, 'apiVersion'), pick(beta.json, 'rows.0.cells.0')], ['Table', 'meta.k8s.io/v1beta1', 't1'], 'v1beta1 Table');
  },
});

/** PartialObjectMetadataList: metadata only, with the list's resourceVersion and continue. */
export const partialObjectMetadata = scenario({
  name: 'list/partial-object-metadata',
  namespace: true,
  httpOnly: true,
  async run(ctx) {
    const path = collection(ctx, 'configmaps');
    for (const name of ['m1', 'm2', 'm3']) await create(ctx, path, configMap(name, { secret: 'x' }, { set: 'meta' }));
    const list = await ctx.http('GET', `${path}?labelSelector=set%3Dmeta&limit=2`, { headers: { accept: METADATA_LIST } });
    expectEqual([list.status, pick(list.json, 'kind'), pick(list.json, 'apiVersion')], [200, 'PartialObjectMetadataList', 'meta.k8s.io/v1'], 'list kind');
    expectMatch(String(pick(list.json, 'metadata.resourceVersion')), /^\d+$/, 'list metadata.resourceVersion');
    expectMatch(String(pick(list.json, 'metadata.continue')), /^[A-Za-z0-9_-]+$/, 'list metadata.continue');
    const items = (pick(list.json, 'items') ?? []) as Json[];
    expectEqual(items.map((i) => [pick(i, 'kind'), pick(i, 'apiVersion'), pick(i, 'metadata.name'), pick(i, 'metadata.labels.set'), pick(i, 'data')]), [
      ['PartialObjectMetadata', 'meta.k8s.io/v1', 'm1', 'meta', undefined],
      ['PartialObjectMetadata', 'meta.k8s.io/v1', 'm2', 'meta', undefined],
    ], 'items: metadata only');
    expectMatch(String(pick(items[0], 'metadata.uid')), /^[0-9a-f-]{36}$/, 'item uid');
    const one = await ctx.http('GET', `${path}/m3`, { headers: { accept: 'application/json;as=PartialObjectMetadata;v=v1;g=meta.k8s.io' } });
    expectEqual([pick(one.json, 'kind'), pick(one.json, 'apiVersion'), pick(one.json, 'metadata.name'), pick(one.json, 'data')], ['PartialObjectMetadata', 'meta.k8s.io/v1', 'm3', undefined], 'one object');
  },
});
