/**
 * Conformance scenarios: what the write scenarios share — a Deployment manifest built from a few
 * knobs (image, labels, env, replicas) and printed as YAML for `kubectl … -f -`, reading an
 * object back over HTTP, waiting until a Deployment's controller has stopped writing (before a
 * scenario takes a resourceVersion or expects "no change"), and the checks of kubectl's one-line
 * answers and of a `kubectl diff`.
 * Must not: hold the expectations of a scenario, or depend on kubemu specifics.
 */
import { stringify } from 'yaml';
import { ExpectationError, expectEqual, expectSuccess, pick, type Context, type Json, type KubectlResult } from '../harness.js';
import { sleep } from './read-fixtures.js';

/** The knobs of {@link deployment}. */
export interface DeploymentOptions {
  /** Container `main`'s image; default `nginx:1.25`. */
  image?: string;
  /** metadata.labels; default `{ app: <name> }`. */
  labels?: Record<string, string>;
  /** Container `main`'s env, in order; none by default. */
  env?: Record<string, string>;
  /** spec.replicas; default 1. */
  replicas?: number;
  /** spec.selector.matchLabels; default `{ app: <name> }` (the template's labels). */
  selector?: Record<string, string>;
  /** Fields merged into spec (e.g. an unknown one). */
  extraSpec?: Record<string, unknown>;
}

/** An apps/v1 Deployment with one container `main`; its template is labelled `app: <name>`. */
export function deployment(name: string, options: DeploymentOptions = {}): Record<string, unknown> {
  const container: Record<string, unknown> = { name: 'main', image: options.image ?? 'nginx:1.25' };
  if (options.env) container.env = Object.entries(options.env).map(([envName, value]) => ({ name: envName, value }));
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name, labels: options.labels ?? { app: name } },
    spec: {
      replicas: options.replicas ?? 1,
      selector: { matchLabels: options.selector ?? { app: name } },
      template: { metadata: { labels: { app: name } }, spec: { containers: [container] } },
      ...options.extraSpec,
    },
  };
}

/** `value` as a YAML document, for `kubectl … -f -`. */
export function yaml(value: unknown): string {
  return stringify(value);
}

/** Path of a Deployment in the scenario's namespace. */
export function deploymentPath(ctx: Context, name: string): string {
  return `/apis/apps/v1/namespaces/${ctx.namespace}/deployments/${name}`;
}

/** GETs `path` and throws unless 200; returns the object. */
export async function getObject(ctx: Context, path: string): Promise<Json> {
  const res = await ctx.http('GET', path);
  expectEqual(res.status, 200, `GET ${path}: status (body ${res.text.slice(0, 300)})`);
  return res.json ?? null;
}

/** Polling interval and bounds of {@link settledDeployment}. */
const SETTLE_POLL_MS = 50;
const SETTLE_QUIET_MS = 1000;
const SETTLE_LIMIT_MS = 30_000;

function count(object: Json, path: string): number {
  const value = pick(object, path);
  return typeof value === 'number' ? value : 0;
}

/**
 * Whether a Deployment's rollout is complete by `kubectl rollout status`'s rule: the controller
 * has observed the current generation, all replicas are updated, no old ones are left and all
 * updated ones are available. (Zero counts are omitted from status, hence the defaults.)
 */
function rolledOut(object: Json): boolean {
  const observed = pick(object, 'status.observedGeneration');
  if (typeof observed !== 'number' || count(object, 'metadata.generation') > observed) return false;
  const wanted = pick(object, 'spec.replicas');
  const updated = count(object, 'status.updatedReplicas');
  if (typeof wanted === 'number' && updated < wanted) return false;
  return count(object, 'status.replicas') <= updated && count(object, 'status.availableReplicas') >= updated;
}

/**
 * Reads the Deployment at `path` once its controller is done with it: the rollout is complete
 * (`kubectl rollout status`'s rule) and the resourceVersion did not move between two reads, or,
 * on a cluster without a deployment controller or without nodes to run the pods, the
 * resourceVersion stayed the same for a second. A scenario calls this after a write that the
 * controller reacts to and before it takes a resourceVersion or expects a later write to be
 * "(no change)": the controller's status writes move the resourceVersion on a real cluster too,
 * and how long they take depends on the storage.
 */
export async function settledDeployment(ctx: Context, path: string, what: string): Promise<Json> {
  const started = Date.now();
  let previous = await getObject(ctx, path);
  let quietSince = Date.now();
  for (;;) {
    await sleep(SETTLE_POLL_MS);
    const current = await getObject(ctx, path);
    const same = pick(current, 'metadata.resourceVersion') === pick(previous, 'metadata.resourceVersion');
    if (!same) quietSince = Date.now();
    if (same && (rolledOut(current) || Date.now() - quietSince >= SETTLE_QUIET_MS)) return current;
    if (Date.now() - started > SETTLE_LIMIT_MS) {
      throw new ExpectationError(`${what}: the Deployment at ${path} kept changing for ${SETTLE_LIMIT_MS} ms; last status ${JSON.stringify(pick(current, 'status'))}`);
    }
    previous = current;
  }
}

/** Throws unless `path` answers 404 (the object does not exist). */
export async function expectAbsent(ctx: Context, path: string, what: string): Promise<void> {
  const res = await ctx.http('GET', path);
  expectEqual(res.status, 404, `${what}: GET ${path} status (body ${res.text.slice(0, 200)})`);
}

/** Throws unless kubectl exited 0 and printed exactly `stdout`. */
export function expectOutput(result: KubectlResult, stdout: string, what: string): void {
  expectEqual(expectSuccess(result, what), stdout, `${what}: output`);
}

/** The `name` → `value` pairs of container `index`'s env of a Deployment (undefined without env). */
export function envOf(object: Json, index = 0): Record<string, string> | undefined {
  const env = pick(object, `spec.template.spec.containers.${index}.env`);
  if (!Array.isArray(env)) return undefined;
  return Object.fromEntries(env.map((e) => [String(pick(e, 'name')), String(pick(e, 'value'))]));
}

/** The `-`/`+` lines of a unified diff, without its `---`/`+++` file headers. */
export function changedLines(diff: string): string[] {
  return diff.split('\n').filter((line) => /^[-+]/.test(line) && !/^(---|\+\+\+) /.test(line));
}

/**
 * Throws unless `kubectl diff` exited as expected: 0 with no output (no differences), or 1 with
 * a diff (`kubectl diff` uses 1 for "differences found" and >1 for failures).
 */
export function expectDiffExit(result: KubectlResult, differs: boolean, what: string): string {
  const expectedCode = differs ? 1 : 0;
  if (result.code !== expectedCode) {
    throw new ExpectationError(`${what}: kubectl diff exited ${result.code}, expected ${expectedCode}\n  stdout ${JSON.stringify(result.stdout.slice(0, 1500))}\n  stderr ${JSON.stringify(result.stderr)}`);
  }
  if (!differs) expectEqual(result.stdout, '', `${what}: diff output`);
  return result.stdout;
}
