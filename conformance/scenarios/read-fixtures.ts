/**
 * Conformance scenarios: what the read and watch scenarios share — objects built as JSON and
 * created over HTTP (works with every kubectl version, none of them needs a controller: the pod
 * cannot be scheduled and the deployment is paused, so a real cluster leaves both as created),
 * and matchers for the tables kubectl prints (ages vary, kubectl aligns the columns).
 * Must not: hold expectations of a scenario, or depend on kubemu specifics.
 */
import { ExpectationError, expectEqual, pick, type Context, type HttpResult, type Json } from '../harness.js';

/** A cell of an age column as kubectl prints it (`0s`, `75s`, `2m10s`, `3h`). */
export const AGE = /(?:\d+[smhdy])+/;

/** An IPv4 or IPv6 address (a service's cluster IP). */
export const IP = /[0-9a-f.:]+/;

/** Labels of a fixture. */
type Labels = Record<string, string>;

/** A v1 ConfigMap body. */
export function configMap(name: string, data: Record<string, string> = { a: '1' }, labels?: Labels): Record<string, unknown> {
  return { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, ...(labels ? { labels } : {}) }, data };
}

/** A v1 Secret body (`stringData`, so the server encodes it). */
export function secret(name: string, type: string, data: Record<string, string>): Record<string, unknown> {
  return { apiVersion: 'v1', kind: 'Secret', metadata: { name }, type, stringData: data };
}

/** A pod nobody can schedule (its nodeSelector matches no node): it stays Pending on any cluster. */
export function pendingPod(name: string, labels: Labels = { app: name }): Record<string, unknown> {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, labels },
    spec: {
      nodeSelector: { 'kubemu.conformance/no-such-node': 'true' },
      containers: [{ name: 'main', image: 'registry.k8s.io/pause:3.9' }],
    },
  };
}

/**
 * A paused Deployment of `replicas` (selector app=<name>): a deployment controller creates no
 * ReplicaSet for it, so READY stays `0/<replicas>` and UP-TO-DATE and AVAILABLE stay 0.
 */
export function pausedDeployment(name: string, replicas: number): Record<string, unknown> {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name },
    spec: {
      replicas,
      paused: true,
      selector: { matchLabels: { app: name } },
      template: {
        metadata: { labels: { app: name } },
        spec: {
          nodeSelector: { 'kubemu.conformance/no-such-node': 'true' },
          containers: [{ name: 'nginx', image: 'nginx:1.25' }],
        },
      },
    },
  };
}

/** A v1 Service body of the given spec. */
export function service(name: string, spec: Record<string, unknown>): Record<string, unknown> {
  return { apiVersion: 'v1', kind: 'Service', metadata: { name }, spec };
}

/** The collection path of a resource in the scenario's namespace, e.g. `/api/v1/namespaces/ns/configmaps`. */
export function collection(ctx: Context, resource: string, group = ''): string {
  return `${group ? `/apis/${group}` : '/api/v1'}/namespaces/${ctx.namespace}/${resource}`;
}

/** POSTs `body` to `path` and throws unless it was created (201); returns the created object. */
export async function create(ctx: Context, path: string, body: Record<string, unknown>): Promise<Json | undefined> {
  const res = await ctx.http('POST', path, { body });
  expectEqual(res.status, 201, `POST ${path} (${String(pick(body as Json, 'metadata.name'))}): status (body ${res.text.slice(0, 300)})`);
  return res.json;
}

/** Merge-patches `path` with `patch`; throws unless 200. */
export async function mergePatch(ctx: Context, path: string, patch: Record<string, unknown>): Promise<HttpResult> {
  const res = await ctx.http('PATCH', path, { body: JSON.stringify(patch), headers: { 'content-type': 'application/merge-patch+json' } });
  expectEqual(res.status, 200, `PATCH ${path}: status (body ${res.text.slice(0, 300)})`);
  return res;
}

/** A cell to expect: literal text, a pattern, or '' for an empty cell. */
export type Cell = string | RegExp;

/** `text` with the characters special in a RegExp escaped (matched literally). */
export function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** A pattern for one printed table line: the cells in order, separated by kubectl's padding. */
export function rowPattern(cells: Cell[]): RegExp {
  const parts = cells.map((c) => (typeof c === 'string' ? escape(c) : `(?:${c.source})`));
  while (parts.length && parts[parts.length - 1] === '') parts.pop();
  return new RegExp(`^${parts.join('\\s+')}$`);
}

/**
 * Throws unless `text` has exactly one line per row and each line matches its row (trailing
 * spaces ignored). The first row is usually the header.
 */
export function expectTable(text: string, rows: Cell[][], what: string): void {
  const lines = text.replace(/\n$/, '').split('\n').map((l) => l.trimEnd());
  const failures = rows.map((row, i) => (lines[i] !== undefined && rowPattern(row).test(lines[i]!) ? undefined : i));
  if (lines.length === rows.length && failures.every((f) => f === undefined)) return;
  const expected = rows.map((row) => rowPattern(row).source).join('\n    ');
  throw new ExpectationError(`${what}:\n  expected lines matching\n    ${expected}\n  actual\n    ${lines.join('\n    ')}`);
}

/** The `metadata.name`s of a list answer's items, in order. */
export function itemNames(res: HttpResult): string[] {
  const items = pick(res.json, 'items');
  return Array.isArray(items) ? items.map((item) => String(pick(item, 'metadata.name'))) : [];
}

/** Resolves after `ms`. */
export function sleep(ms: number): Promise<void> {
  return new Promise((resolveSleep) => setTimeout(resolveSleep, ms));
}
