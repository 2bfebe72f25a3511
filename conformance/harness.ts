/**
 * Conformance: the scenario API. A scenario is a name, the kubectl versions it skips (each with a
 * reason), an optional known-issue marker and `run(ctx)`; ctx runs kubectl (to completion or in
 * the background) and plain HTTP (whole answers or watch streams) against the cluster under test
 * and gives the scenario a private namespace. A scenario that uses no kubectl says `httpOnly` and
 * runs once per suite instead of once per kubectl version; one that relies on settings of the
 * server (such as its watch event window) says `needsServerSettings` and is skipped when the
 * runner does not know them (an external cluster). Assertion helpers throw `ExpectationError`s
 * whose messages say what was expected and what came back.
 * Owns: the contract between scenarios and the runner. Must not: know kubemu (scenarios must hold
 * against a real cluster) or how results are printed.
 */
import { isDeepStrictEqual } from 'node:util';
import type { HttpOptions, HttpResult, Json, WatchStream } from './http-client.js';
import type { KubectlProcess, KubectlResult } from './kubectl.js';

export type { HttpOptions, HttpResult, Json, WatchEvent, WatchStream } from './http-client.js';
export type { KubectlProcess, KubectlResult } from './kubectl.js';
export { versionMatches } from './versions.js';

/** Versions a scenario does not apply to (range syntax of versions.ts) and why. */
export interface SkipRule {
  versions: string;
  reason: string;
}

/**
 * Settings of the server under test that some scenarios depend on. Only a runner that started
 * the server itself knows them; against an external kubeconfig they are unknown.
 */
export interface ServerSettings {
  /** Events each resource keeps for watches and continue tokens to resume from (at least this many). */
  eventWindow: number;
  /** Interval of the periodic BOOKMARK events of watches that allow them. */
  bookmarkIntervalMs: number;
  /**
   * The CA whose client certificates the server accepts (PEM certificate and key), when the runner
   * holds its key (kubemu: its own CA; a kind cluster: /etc/kubernetes/pki/ca.{crt,key}).
   */
  clientCa?: { cert: string; key: string };
}

/** What a scenario can do. */
export interface Context {
  /** The kubectl minor version of this run, e.g. "1.31". */
  readonly version: string;
  /** The scenario's own namespace (created before run, deleted after); throws unless the scenario set `namespace: true`. */
  readonly namespace: string;
  /** `base` plus a suffix unique to this scenario run, for cluster-scoped names. */
  unique(base: string): string;
  /** Runs the chosen kubectl with the kubeconfig under test; never rejects on a non-zero exit. */
  kubectl(args: string[], options?: { stdin?: string }): Promise<KubectlResult>;
  /** One HTTP request with the kubeconfig's credentials (or none with `auth: false`). */
  http(method: string, path: string, options?: HttpOptions): Promise<HttpResult>;
  /** Starts kubectl in the background (`get -w`, `wait`); the runner stops it when the scenario ends. */
  startKubectl(args: string[]): KubectlProcess;
  /** Opens a watch stream (GET of `path`, which says `watch=true`); the runner closes it when the scenario ends. */
  watch(path: string, options?: Omit<HttpOptions, 'body'>): Promise<WatchStream>;
  /** The server's settings; throws unless the scenario set `needsServerSettings`. */
  readonly settings: ServerSettings;
}

/** One conformance case. Keep it small and its expectations those of a real cluster. */
export interface Scenario {
  /** `area/behaviour`, e.g. `configmap/round-trip`; unique in the suite. */
  name: string;
  /** Versions to skip, each with its reason. */
  skip?: SkipRule[];
  /** Create `ctx.namespace` for this scenario. */
  namespace?: boolean;
  /** A kubemu bug this scenario exposes: a failure is reported as `not ok # known` and does not fail the tap test. */
  knownIssue?: string;
  /** The scenario runs no kubectl: run it once per suite (reported as version `http`), not per kubectl version. */
  httpOnly?: boolean;
  /** Why the scenario needs `ctx.settings`; it is skipped with this reason when they are unknown. */
  needsServerSettings?: string;
  run(ctx: Context): Promise<void>;
}

/** A failed expectation (as opposed to a crash of the scenario or the harness). */
export class ExpectationError extends Error {
  override name = 'ExpectationError';
}

function show(value: unknown): string {
  return typeof value === 'string' ? JSON.stringify(value) : JSON.stringify(value, null, 0) ?? String(value);
}

/** Throws unless `actual` deep-equals `expected`. */
export function expectEqual<T>(actual: unknown, expected: T, what: string): asserts actual is T {
  if (!isDeepStrictEqual(actual, expected)) {
    throw new ExpectationError(`${what}:\n  expected ${show(expected)}\n  actual   ${show(actual)}`);
  }
}

/** Throws unless `text` matches `pattern`. */
export function expectMatch(text: string, pattern: RegExp, what: string): void {
  if (!pattern.test(text)) throw new ExpectationError(`${what}:\n  expected to match ${pattern}\n  actual   ${show(text)}`);
}

/** Throws unless `text` contains `part`. */
export function expectIncludes(text: string, part: string, what: string): void {
  if (!text.includes(part)) throw new ExpectationError(`${what}:\n  expected to contain ${show(part)}\n  actual   ${show(text)}`);
}

/** Throws unless kubectl exited 0; returns its stdout. */
export function expectSuccess(result: KubectlResult, what: string): string {
  if (result.code !== 0) {
    throw new ExpectationError(`${what}: kubectl exited ${result.code}\n  stdout ${show(result.stdout)}\n  stderr ${show(result.stderr)}`);
  }
  return result.stdout;
}

/** Throws unless kubectl failed and printed exactly `stderr` (trailing newline ignored). */
export function expectFailure(result: KubectlResult, stderr: string, what: string): void {
  if (result.code === 0) throw new ExpectationError(`${what}: kubectl succeeded but should fail\n  stdout ${show(result.stdout)}`);
  expectEqual(result.stderr.replace(/\n$/, ''), stderr, `${what} (stderr)`);
}

/** Reads `a.b.0.c` from JSON; undefined when any step is missing. */
export function pick(value: Json | undefined, path: string): Json | undefined {
  let current: Json | undefined = value;
  for (const step of path.split('.')) {
    if (current === null || current === undefined || typeof current !== 'object') return undefined;
    current = Array.isArray(current) ? current[Number(step)] : current[step];
  }
  return current;
}

/** Throws unless the response is a failure Status with this code and reason (and message when given). */
export function expectStatus(res: HttpResult, expected: { code: number; reason: string; message?: string | RegExp }, what: string): void {
  expectEqual(res.status, expected.code, `${what}: HTTP status (body ${res.text.slice(0, 300)})`);
  expectEqual(pick(res.json, 'kind'), 'Status', `${what}: body kind`);
  expectEqual(pick(res.json, 'apiVersion'), 'v1', `${what}: Status.apiVersion`);
  expectEqual(pick(res.json, 'metadata'), {}, `${what}: Status.metadata`);
  expectEqual(pick(res.json, 'status'), 'Failure', `${what}: Status.status`);
  expectEqual(pick(res.json, 'code'), expected.code, `${what}: Status.code`);
  expectEqual(pick(res.json, 'reason'), expected.reason, `${what}: Status.reason`);
  const message = pick(res.json, 'message');
  if (typeof expected.message === 'string') expectEqual(message, expected.message, `${what}: Status.message`);
  else if (expected.message) expectMatch(String(message), expected.message, `${what}: Status.message`);
}

/** Identity helper that type-checks a scenario definition. */
export function scenario(definition: Scenario): Scenario {
  return definition;
}
