/**
 * Conformance scenarios: what the controllers of a cluster do behind kubectl's back — a
 * Deployment rolled out (ReplicaSet, pods Running with IPs on a node), `set image` / `rollout
 * history` / `rollout undo`, `scale`, `rollout pause|resume|restart`, the ScalingReplicaSet events
 * `describe` shows, cascading and orphaning deletes (garbage collector), namespace deletion and
 * the refusal to create in a Terminating namespace (namespace lifecycle), and the default
 * ServiceAccount and `kube-root-ca.crt` of a new namespace. Every wait is bounded (`--timeout` on
 * kubectl, a deadline on HTTP polls).
 * Must not: depend on kubemu specifics (the expectations are those of a real cluster with nodes
 * that run pods).
 */
import { ExpectationError, expectEqual, expectFailure, expectMatch, expectSuccess, pick, scenario, type Context, type Json } from '../harness.js';
import { configMapYaml } from './manifests.js';

/** kubectl's bound on every rollout wait. */
const ROLLOUT_TIMEOUT = '--timeout=45s';
/** Deadline of the HTTP polls (ReplicaSets and pods going away, a namespace's content). */
const POLL_MS = 30_000;
/** Pause between two reads of a poll (the state usually changes within tens of ms on kubemu). */
const POLL_INTERVAL_MS = 100;

/**
 * The heavy rollout scenarios run on the first, a middle and the last kubectl version only: the
 * verbs are the same requests on every version, and seven passes would push the conformance tap
 * test beyond its time budget on a small machine (measured on 2 loaded cores: 224 s with all seven
 * versions against a ~4 min budget; these two take 1–4 s per version).
 */
const HEAVY_SKIP = [{ versions: '1.28,1.29,1.30,1.32', reason: 'rollout scenarios run on 1.27, 1.31 and 1.33 only (suite time budget)' }];

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Polls `probe` until it returns a value other than undefined; throws with `what` and the last state after `ms`. */
async function until<T>(what: string, probe: () => Promise<T | undefined>, last: () => string, ms = POLL_MS): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new ExpectationError(`${what} within ${ms} ms; last seen: ${last()}`);
    await sleep(POLL_INTERVAL_MS);
  }
}

/** The annotations (or labels) map of an object; keys with dots cannot be walked by `pick`. */
function metaMap(object: Json | undefined, field: 'annotations' | 'labels', path = 'metadata'): Record<string, string> {
  const value = pick(object, `${path}.${field}`);
  return value && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, string>) : {};
}

/** Items of a list answered over HTTP (throws unless 200). */
async function list(ctx: Context, path: string, namespace = ctx.namespace): Promise<Json[]> {
  const full = path.replace('{ns}', namespace);
  const res = await ctx.http('GET', full);
  expectEqual(res.status, 200, `GET ${full}: status (body ${res.text.slice(0, 300)})`);
  const items = pick(res.json, 'items');
  return Array.isArray(items) ? items : [];
}

const replicaSets = (ctx: Context, app: string, ns?: string) => list(ctx, `/apis/apps/v1/namespaces/{ns}/replicasets?labelSelector=app%3D${app}`, ns);
const pods = (ctx: Context, app: string, ns?: string) => list(ctx, `/api/v1/namespaces/{ns}/pods?labelSelector=app%3D${app}`, ns);

/** Summary of ReplicaSets for messages: name, revision, spec/status replicas, image. */
function describeRs(items: Json[]): string {
  return JSON.stringify(
    items.map((rs) => ({
      name: pick(rs, 'metadata.name'),
      revision: metaMap(rs, 'annotations')['deployment.kubernetes.io/revision'],
      replicas: pick(rs, 'spec.replicas'),
      ready: pick(rs, 'status.readyReplicas'),
      image: pick(rs, 'spec.template.spec.containers.0.image'),
    })),
  );
}

/** The ReplicaSet whose revision annotation is `revision` (throws when none). */
function rsByRevision(items: Json[], revision: string): Json {
  const found = items.find((rs) => metaMap(rs, 'annotations')['deployment.kubernetes.io/revision'] === revision);
  if (!found) throw new ExpectationError(`a ReplicaSet with deployment.kubernetes.io/revision=${revision}; ReplicaSets: ${describeRs(items)}`);
  return found;
}

/** `kubectl create deployment <name> --image=nginx --replicas=<n>`, checking kubectl's answer. */
async function createDeployment(ctx: Context, name: string, replicas: number): Promise<void> {
  const out = await ctx.kubectl(['-n', ctx.namespace, 'create', 'deployment', name, '--image=nginx', `--replicas=${replicas}`]);
  expectEqual(expectSuccess(out, 'create deployment'), `deployment.apps/${name} created\n`, 'create deployment output');
}

/**
 * kubectl's progress lines while it waits: for the controller to observe the latest spec (printed
 * when `rollout status` reads the Deployment before the controller has written
 * status.observedGeneration, as on a busy cluster), or for replicas.
 */
const ROLLOUT_PROGRESS = /^(Waiting for deployment spec update to be observed\.\.\.|Waiting for deployment "[a-z0-9-]+" rollout to finish: .+)$/;

/** `kubectl rollout status` until done; its last line is the one a real cluster prints. */
async function rolloutStatus(ctx: Context, name: string, what: string): Promise<void> {
  const out = expectSuccess(await ctx.kubectl(['-n', ctx.namespace, 'rollout', 'status', `deployment/${name}`, ROLLOUT_TIMEOUT]), `rollout status (${what})`);
  const lines = out.trimEnd().split('\n');
  expectEqual(lines[lines.length - 1], `deployment "${name}" successfully rolled out`, `last line of rollout status (${what})`);
  for (const line of lines.slice(0, -1)) expectMatch(line, ROLLOUT_PROGRESS, `progress line of rollout status (${what})`);
}

/** Runs kubectl in `namespace` (default the scenario's; null: none) and expects exactly `stdout`. */
async function expectOut(ctx: Context, args: string[], stdout: string, what: string, namespace: string | null = ctx.namespace): Promise<void> {
  const full = namespace === null ? args : ['-n', namespace, ...args];
  expectEqual(expectSuccess(await ctx.kubectl(full), what), stdout, `${what} output`);
}

/** create deployment → rollout status → READY 3/3 → pods Running with an IP and a node, owned by the RS. */
export const deploymentRollout = scenario({
  name: 'controllers/deployment-rollout',
  namespace: true,
  async run(ctx) {
    await createDeployment(ctx, 'web', 3);
    await rolloutStatus(ctx, 'web', 'new deployment');

    const table = expectSuccess(await ctx.kubectl(['-n', ctx.namespace, 'get', 'deploy', 'web']), 'get deploy web');
    expectMatch(table, /^NAME\s+READY\s+UP-TO-DATE\s+AVAILABLE\s+AGE\n/, 'get deploy header');
    expectMatch(table, /\nweb\s+3\/3\s+3\s+3\s+\d+[smh]\d*[sm]?\n$/, 'get deploy web row (READY 3/3, UP-TO-DATE 3, AVAILABLE 3)');

    const rsTable = expectSuccess(await ctx.kubectl(['-n', ctx.namespace, 'get', 'rs', '-l', 'app=web']), 'get rs');
    expectMatch(rsTable, /^NAME\s+DESIRED\s+CURRENT\s+READY\s+AGE\nweb-[a-z0-9]+\s+3\s+3\s+3\s+\S+\n$/, 'get rs: one ReplicaSet web-<hash> with 3/3/3');

    const [rs] = await replicaSets(ctx, 'web');
    const hash = metaMap(rs, 'labels')['pod-template-hash'];
    expectEqual(typeof hash === 'string' && pick(rs, 'metadata.name') === `web-${hash}`, true, `ReplicaSet named web-<pod-template-hash> (${describeRs(rs ? [rs] : [])})`);
    expectEqual(metaMap(rs, 'annotations')['deployment.kubernetes.io/revision'], '1', 'revision annotation of the first ReplicaSet');

    const podTable = expectSuccess(await ctx.kubectl(['-n', ctx.namespace, 'get', 'pods', '-l', 'app=web']), 'get pods');
    const rows = podTable.trimEnd().split('\n').slice(1);
    expectEqual(rows.length, 3, `pod rows of get pods (${podTable})`);
    for (const row of rows) expectMatch(row, new RegExp(`^web-${hash}-[a-z0-9]{5}\\s+1/1\\s+Running\\s+0\\s+\\S+$`), 'get pods row: 1/1 Running, 0 restarts');

    const jsonpath = '{range .items[*]}{.status.phase} {.status.podIP} {.spec.nodeName} {.metadata.ownerReferences[0].kind}/{.metadata.ownerReferences[0].name}{"\\n"}{end}';
    const detail = expectSuccess(await ctx.kubectl(['-n', ctx.namespace, 'get', 'pods', '-l', 'app=web', '-o', `jsonpath=${jsonpath}`]), 'get pods -o jsonpath');
    const lines = detail.trimEnd().split('\n');
    expectEqual(lines.length, 3, `pods listed (${detail})`);
    for (const line of lines) {
      expectMatch(line, new RegExp(`^Running \\d+\\.\\d+\\.\\d+\\.\\d+ [a-z0-9.-]+ ReplicaSet/web-${hash}$`), 'pod phase, podIP, nodeName and owner');
    }
  },
});

/** set image → a second RS; history 1 and 2; undo → the first RS back up with revision 3. */
export const deploymentHistoryUndo = scenario({
  name: 'controllers/deployment-history-undo',
  namespace: true,
  skip: HEAVY_SKIP,
  async run(ctx) {
    await createDeployment(ctx, 'web', 2);
    await rolloutStatus(ctx, 'web', 'revision 1');
    await expectOut(ctx, ['set', 'image', 'deployment/web', 'nginx=nginx:1.25'], 'deployment.apps/web image updated\n', 'set image');
    await rolloutStatus(ctx, 'web', 'revision 2');

    let rses = await replicaSets(ctx, 'web');
    expectEqual(rses.length, 2, `ReplicaSets after set image (${describeRs(rses)})`);
    const first = rsByRevision(rses, '1');
    const second = rsByRevision(rses, '2');
    expectEqual([pick(first, 'spec.template.spec.containers.0.image'), pick(first, 'spec.replicas')], ['nginx', 0], 'revision 1 RS: image nginx, scaled to 0');
    expectEqual([pick(second, 'spec.template.spec.containers.0.image'), pick(second, 'spec.replicas')], ['nginx:1.25', 2], 'revision 2 RS: image nginx:1.25, 2 replicas');

    const history = expectSuccess(await ctx.kubectl(['-n', ctx.namespace, 'rollout', 'history', 'deployment/web']), 'rollout history');
    expectMatch(history, /^deployment\.apps\/web ?\nREVISION {2}CHANGE-CAUSE\n1 {9}<none>\n2 {9}<none>\n\n?$/, 'rollout history (revisions 1 and 2)');

    await expectOut(ctx, ['rollout', 'undo', 'deployment/web'], 'deployment.apps/web rolled back\n', 'rollout undo');
    await rolloutStatus(ctx, 'web', 'after undo');
    rses = await replicaSets(ctx, 'web');
    expectEqual(rses.length, 2, `ReplicaSets after undo: the first one reused (${describeRs(rses)})`);
    const reused = rsByRevision(rses, '3');
    expectEqual(pick(reused, 'metadata.name'), pick(first, 'metadata.name'), 'undo reuses the revision 1 ReplicaSet (now revision 3)');
    expectEqual(pick(reused, 'spec.replicas'), 2, 'replicas of the reused ReplicaSet');
    expectEqual(metaMap(reused, 'annotations')['deployment.kubernetes.io/revision-history'], '1', 'revision-history annotation of the reused ReplicaSet');
    expectEqual(pick(rsByRevision(rses, '2'), 'spec.replicas'), 0, 'revision 2 RS scaled to 0 after undo');
    const deploy = await list(ctx, '/apis/apps/v1/namespaces/{ns}/deployments');
    expectEqual(metaMap(deploy[0], 'annotations')['deployment.kubernetes.io/revision'], '3', 'revision annotation of the Deployment after undo');
    expectEqual(pick(deploy[0], 'spec.template.spec.containers.0.image'), 'nginx', 'Deployment template image after undo');

    const after = expectSuccess(await ctx.kubectl(['-n', ctx.namespace, 'rollout', 'history', 'deployment/web']), 'rollout history after undo');
    expectMatch(after, /^deployment\.apps\/web ?\nREVISION {2}CHANGE-CAUSE\n2 {9}<none>\n3 {9}<none>\n\n?$/, 'rollout history after undo (revisions 2 and 3)');
    const third = expectSuccess(await ctx.kubectl(['-n', ctx.namespace, 'rollout', 'history', 'deployment/web', '--revision=3']), 'rollout history --revision=3');
    expectMatch(third, /^deployment\.apps\/web with revision #3\nPod Template:\n/, 'rollout history --revision=3 heading');
    expectMatch(third, /\n\s+Image:\s+nginx\n/, 'rollout history --revision=3 shows the first image');
    expectMatch(third, /pod-template-hash=[a-z0-9]+/, 'rollout history --revision=3 shows the pod-template-hash label');
  },
});

/** scale to 5 → 5 available; pause + set image → no new RS; resume → rolls; restart → new RS with restartedAt. */
export const deploymentScalePauseRestart = scenario({
  name: 'controllers/deployment-scale-pause-restart',
  namespace: true,
  skip: HEAVY_SKIP,
  async run(ctx) {
    await createDeployment(ctx, 'web', 2);
    await rolloutStatus(ctx, 'web', 'revision 1');
    await expectOut(ctx, ['scale', 'deploy/web', '--replicas=5'], 'deployment.apps/web scaled\n', 'scale');
    await rolloutStatus(ctx, 'web', 'after scale');
    const avail = expectSuccess(await ctx.kubectl(['-n', ctx.namespace, 'get', 'deploy', 'web', '-o', 'jsonpath={.status.availableReplicas}/{.status.replicas}']), 'get availableReplicas');
    expectEqual(avail, '5/5', 'availableReplicas/replicas after scale');
    expectEqual((await replicaSets(ctx, 'web')).length, 1, 'scaling creates no new ReplicaSet');

    await expectOut(ctx, ['rollout', 'pause', 'deployment/web'], 'deployment.apps/web paused\n', 'rollout pause');
    await expectOut(ctx, ['set', 'image', 'deployment/web', 'nginx=nginx:1.25'], 'deployment.apps/web image updated\n', 'set image while paused');
    // The controller observes the paused spec (observedGeneration catches up) and rolls nothing.
    let seen = '';
    await until(
      'the paused Deployment observed (status.observedGeneration = metadata.generation) with Progressing Unknown/DeploymentPaused',
      async () => {
        const [d] = await list(ctx, '/apis/apps/v1/namespaces/{ns}/deployments');
        const conditions = pick(d, 'status.conditions');
        const progressing = Array.isArray(conditions) ? conditions.find((c) => pick(c, 'type') === 'Progressing') : undefined;
        seen = JSON.stringify({ generation: pick(d, 'metadata.generation'), observed: pick(d, 'status.observedGeneration'), progressing });
        return pick(d, 'status.observedGeneration') === pick(d, 'metadata.generation') && pick(progressing, 'status') === 'Unknown' && pick(progressing, 'reason') === 'DeploymentPaused' ? true : undefined;
      },
      () => seen,
      15_000,
    );
    await sleep(1000);
    let rses = await replicaSets(ctx, 'web');
    expectEqual(rses.length, 1, `no new ReplicaSet while paused (${describeRs(rses)})`);

    await expectOut(ctx, ['rollout', 'resume', 'deployment/web'], 'deployment.apps/web resumed\n', 'rollout resume');
    await rolloutStatus(ctx, 'web', 'after resume');
    rses = await replicaSets(ctx, 'web');
    expectEqual(rses.length, 2, `a second ReplicaSet after resume (${describeRs(rses)})`);
    expectEqual([pick(rsByRevision(rses, '2'), 'spec.replicas'), pick(rsByRevision(rses, '2'), 'spec.template.spec.containers.0.image')], [5, 'nginx:1.25'], 'revision 2 RS: 5 replicas of nginx:1.25');

    await expectOut(ctx, ['rollout', 'restart', 'deployment/web'], 'deployment.apps/web restarted\n', 'rollout restart');
    await rolloutStatus(ctx, 'web', 'after restart');
    rses = await replicaSets(ctx, 'web');
    expectEqual(rses.length, 3, `a third ReplicaSet after restart (${describeRs(rses)})`);
    const restarted = rsByRevision(rses, '3');
    expectMatch(
      metaMap(restarted, 'annotations', 'spec.template.metadata')['kubectl.kubernetes.io/restartedAt'] ?? '',
      /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d[Z+-]/,
      'kubectl.kubernetes.io/restartedAt template annotation of the restarted ReplicaSet',
    );
    expectEqual(pick(restarted, 'spec.replicas'), 5, 'replicas of the restarted ReplicaSet');
  },
});

/** describe deployment shows the controller's ScalingReplicaSet events. */
export const deploymentDescribeEvents = scenario({
  name: 'controllers/deployment-describe-events',
  namespace: true,
  async run(ctx) {
    await createDeployment(ctx, 'web', 2);
    await rolloutStatus(ctx, 'web', 'new deployment');
    const [rs] = await replicaSets(ctx, 'web');
    const rsName = String(pick(rs, 'metadata.name'));
    const out = expectSuccess(await ctx.kubectl(['-n', ctx.namespace, 'describe', 'deployment', 'web']), 'describe deployment');
    expectMatch(out, /^Name:\s+web\n/, 'describe: Name');
    expectMatch(out, /\nReplicas:\s+2 desired \| 2 updated \| 2 total \| 2 available \| 0 unavailable\n/, 'describe: Replicas line');
    expectMatch(out, /\nStrategyType:\s+RollingUpdate\n/, 'describe: StrategyType');
    expectMatch(out, /\nRollingUpdateStrategy:\s+25% max unavailable, 25% max surge\n/, 'describe: RollingUpdateStrategy');
    expectMatch(out, /\n\s+Available\s+True\s+MinimumReplicasAvailable\n/, 'describe: Available condition');
    expectMatch(out, /\n\s+Progressing\s+True\s+NewReplicaSetAvailable\n/, 'describe: Progressing condition');
    expectMatch(out, new RegExp(`\\nNewReplicaSet:\\s+${rsName} \\(2/2 replicas created\\)\\n`), 'describe: NewReplicaSet');
    expectMatch(out, /\nOldReplicaSets:\s+<none>\n/, 'describe: OldReplicaSets');
    expectMatch(out, /\nEvents:\n\s+Type\s+Reason\s+Age\s+From\s+Message\n\s+----\s+------\s+----\s+----\s+-------\n/, 'describe: Events table header');
    expectMatch(
      out,
      new RegExp(`\\n\\s+Normal\\s+ScalingReplicaSet\\s+\\S+\\s+deployment-controller\\s+Scaled up replica set ${rsName} (from 0 )?to 2\\n`),
      'describe: ScalingReplicaSet event from deployment-controller',
    );
  },
});

/** delete deployment → its RS and pods go; --cascade=orphan → they stay, without the ownerReference. */
export const deploymentDeleteCascade = scenario({
  name: 'controllers/delete-cascade-orphan',
  namespace: true,
  async run(ctx) {
    await createDeployment(ctx, 'web', 2);
    await createDeployment(ctx, 'kept', 2);
    await rolloutStatus(ctx, 'web', 'web');
    await rolloutStatus(ctx, 'kept', 'kept');

    await expectOut(ctx, ['delete', 'deployment', 'web', '--timeout=30s'], 'deployment.apps "web" deleted\n', 'delete deployment web');
    let seen = '';
    await until(
      'ReplicaSets and pods of the deleted Deployment gone',
      async () => {
        const [r, p] = await Promise.all([replicaSets(ctx, 'web'), pods(ctx, 'web')]);
        seen = `${r.length} ReplicaSets ${describeRs(r)}, ${p.length} pods`;
        return r.length === 0 && p.length === 0 ? true : undefined;
      },
      () => seen,
    );
    const gone = await ctx.kubectl(['-n', ctx.namespace, 'get', 'rs,pods', '-l', 'app=web']);
    expectEqual(expectSuccess(gone, 'get rs,pods after the cascade'), '', 'get rs,pods after the cascade: stdout');
    expectEqual(gone.stderr, `No resources found in ${ctx.namespace} namespace.\n`, 'get rs,pods after the cascade: stderr');

    const before = await replicaSets(ctx, 'kept');
    expectEqual(before.length, 1, 'one ReplicaSet of deployment kept');
    await expectOut(ctx, ['delete', 'deployment', 'kept', '--cascade=orphan', '--timeout=30s'], 'deployment.apps "kept" deleted\n', 'delete deployment kept --cascade=orphan');
    expectFailure(
      await ctx.kubectl(['-n', ctx.namespace, 'get', 'deployment', 'kept']),
      'Error from server (NotFound): deployments.apps "kept" not found',
      'get the orphaning-deleted deployment',
    );
    await sleep(1000);
    const rses = await replicaSets(ctx, 'kept');
    expectEqual(rses.map((rs) => pick(rs, 'metadata.name')), before.map((rs) => pick(rs, 'metadata.name')), 'the ReplicaSet survives an orphaning delete');
    expectEqual(pick(rses[0], 'metadata.ownerReferences') ?? [], [], 'ownerReferences of the orphaned ReplicaSet');
    expectEqual(pick(rses[0], 'metadata.deletionTimestamp'), undefined, 'the orphaned ReplicaSet is not being deleted');
    const podList = await pods(ctx, 'kept');
    expectEqual(podList.length, 2, 'pods of the orphaned ReplicaSet survive');
    for (const pod of podList) {
      expectEqual([pick(pod, 'metadata.ownerReferences.0.kind'), pick(pod, 'metadata.ownerReferences.0.name'), pick(pod, 'status.phase')], ['ReplicaSet', pick(rses[0], 'metadata.name'), 'Running'], 'an orphaned ReplicaSet still owns its Running pods');
    }
  },
});

/** delete namespace → its content and then the namespace go (NotFound). */
export const namespaceDelete = scenario({
  name: 'controllers/namespace-delete',
  async run(ctx) {
    const ns = ctx.unique('ctl-ns-delete');
    await expectOut(ctx, ['create', 'namespace', ns], `namespace/${ns} created\n`, 'create namespace', null);
    expectEqual(expectSuccess(await ctx.kubectl(['-n', ns, 'create', 'configmap', 'c', '--from-literal=a=1']), 'create configmap'), 'configmap/c created\n', 'create configmap output');
    expectEqual(expectSuccess(await ctx.kubectl(['-n', ns, 'create', 'deployment', 'web', '--image=nginx', '--replicas=2']), 'create deployment'), 'deployment.apps/web created\n', 'create deployment output');
    expectSuccess(await ctx.kubectl(['-n', ns, 'rollout', 'status', 'deployment/web', ROLLOUT_TIMEOUT]), 'rollout status');

    await expectOut(ctx, ['delete', 'namespace', ns, '--timeout=60s'], `namespace "${ns}" deleted\n`, 'delete namespace', null);
    expectFailure(await ctx.kubectl(['get', 'ns', ns]), `Error from server (NotFound): namespaces "${ns}" not found`, 'get the deleted namespace');
    for (const path of ['/api/v1/namespaces/{ns}/configmaps', '/api/v1/namespaces/{ns}/pods', '/apis/apps/v1/namespaces/{ns}/replicasets', '/apis/apps/v1/namespaces/{ns}/deployments']) {
      const items = await list(ctx, path, ns);
      expectEqual(items.map((i) => pick(i, 'metadata.name')), [], `${path.replace('{ns}', ns)} after the namespace is gone`);
    }
  },
});

/** A Terminating namespace (held by a finalizer inside) refuses new content; it goes once the finalizer is removed. */
export const namespaceTerminating = scenario({
  name: 'controllers/namespace-terminating',
  async run(ctx) {
    const ns = ctx.unique('ctl-ns-term');
    await expectOut(ctx, ['create', 'namespace', ns], `namespace/${ns} created\n`, 'create namespace', null);
    const held = ['apiVersion: v1', 'kind: ConfigMap', 'metadata:', '  name: held', '  finalizers:', '  - example.com/hold', 'data:', '  a: "1"', ''].join('\n');
    expectEqual(expectSuccess(await ctx.kubectl(['-n', ns, 'create', '-f', '-'], { stdin: held }), 'create held configmap'), 'configmap/held created\n', 'create -f output');
    try {
      await expectOut(ctx, ['delete', 'namespace', ns, '--wait=false'], `namespace "${ns}" deleted\n`, 'delete namespace --wait=false', null);
      let seen = '';
      await until(
        'the namespace Terminating and its held ConfigMap marked for deletion',
        async () => {
          const nsRes = await ctx.http('GET', `/api/v1/namespaces/${ns}`);
          const cm = await ctx.http('GET', `/api/v1/namespaces/${ns}/configmaps/held`);
          seen = `namespace phase ${String(pick(nsRes.json, 'status.phase'))}, configmap deletionTimestamp ${String(pick(cm.json, 'metadata.deletionTimestamp'))}`;
          return pick(nsRes.json, 'status.phase') === 'Terminating' && pick(cm.json, 'metadata.deletionTimestamp') !== undefined ? true : undefined;
        },
        () => seen,
      );
      const phase = expectSuccess(await ctx.kubectl(['get', 'ns', ns, '-o', 'jsonpath={.status.phase}']), 'get ns phase');
      expectEqual(phase, 'Terminating', 'phase of the namespace being deleted');
      expectFailure(
        await ctx.kubectl(['-n', ns, 'create', '-f', '-'], { stdin: configMapYaml('late') }),
        `Error from server (Forbidden): error when creating "STDIN": configmaps "late" is forbidden: unable to create new content in namespace ${ns} because it is being terminated`,
        'create in a Terminating namespace',
      );
    } finally {
      await ctx.kubectl(['-n', ns, 'patch', 'configmap', 'held', '--type=json', '-p', '[{"op":"remove","path":"/metadata/finalizers"}]']);
    }
    const waited = await ctx.kubectl(['wait', '--for=delete', `namespace/${ns}`, '--timeout=30s']);
    if (waited.code !== 0 && !/not found/.test(waited.stderr)) expectSuccess(waited, 'wait --for=delete namespace once the finalizer is removed');
    expectFailure(await ctx.kubectl(['get', 'ns', ns]), `Error from server (NotFound): namespaces "${ns}" not found`, 'get the namespace after its finalizer went');
  },
});

/** A new namespace gets ServiceAccount default and ConfigMap kube-root-ca.crt; pods default to serviceAccountName default. */
export const serviceAccountDefaults = scenario({
  name: 'controllers/serviceaccount-defaults',
  namespace: true,
  async run(ctx) {
    let seen = '';
    await until(
      'ServiceAccount default and ConfigMap kube-root-ca.crt in the new namespace',
      async () => {
        const sa = await ctx.http('GET', `/api/v1/namespaces/${ctx.namespace}/serviceaccounts/default`);
        const cm = await ctx.http('GET', `/api/v1/namespaces/${ctx.namespace}/configmaps/kube-root-ca.crt`);
        seen = `serviceaccount ${sa.status}, configmap ${cm.status}`;
        return sa.status === 200 && cm.status === 200 ? true : undefined;
      },
      () => seen,
      15_000,
    );
    const sas = expectSuccess(await ctx.kubectl(['-n', ctx.namespace, 'get', 'serviceaccounts']), 'get serviceaccounts');
    expectMatch(sas, /^NAME\s+SECRETS\s+AGE\ndefault\s+0\s+\S+\n$/, 'get serviceaccounts: default with 0 secrets');
    const cms = expectSuccess(await ctx.kubectl(['-n', ctx.namespace, 'get', 'configmaps']), 'get configmaps');
    expectMatch(cms, /^NAME\s+DATA\s+AGE\nkube-root-ca\.crt\s+1\s+\S+\n$/, 'get configmaps: kube-root-ca.crt with one key');
    const ca = expectSuccess(await ctx.kubectl(['-n', ctx.namespace, 'get', 'configmap', 'kube-root-ca.crt', '-o', 'jsonpath={.data.ca\\.crt}']), 'get ca.crt');
    expectMatch(ca, /^-----BEGIN CERTIFICATE-----\n[\s\S]+-----END CERTIFICATE-----\n?$/, 'kube-root-ca.crt data ca.crt is a PEM certificate');

    await expectOut(ctx, ['run', 'p', '--image=nginx', '--restart=Never'], 'pod/p created\n', 'kubectl run');
    const sa = expectSuccess(await ctx.kubectl(['-n', ctx.namespace, 'get', 'pod', 'p', '-o', 'jsonpath={.spec.serviceAccountName}']), 'get pod serviceAccountName');
    expectEqual(sa, 'default', 'spec.serviceAccountName of a pod that names none');
  },
});
