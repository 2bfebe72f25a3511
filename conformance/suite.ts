/**
 * Conformance: runs scenarios against one kubeconfig, for each kubectl version in turn and each
 * scenario in turn (sequentially: the numbers stay comparable and a shared cluster stays calm).
 * Per scenario it creates the namespace, records a transcript of what was sent, and turns the
 * outcome into a ScenarioResult; it formats results as one line each plus a summary.
 * Owns: scheduling, isolation, outcomes. Must not: know kubemu or what any scenario checks.
 */
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Context, Scenario } from './harness.js';
import { httpClient, type HttpClient, type HttpResult } from './http-client.js';
import { loadConnection } from './kubeconfig.js';
import { findKubectl, runKubectl, type KubectlResult, type KubectlTarget } from './kubectl.js';
import { versionMatches } from './versions.js';

/** pass; fail; skip (not applicable, or kubectl absent); known = failed with a knownIssue marker. */
export type Outcome = 'pass' | 'fail' | 'skip' | 'known';

/** What happened to one scenario with one kubectl version. */
export interface ScenarioResult {
  scenario: string;
  version: string;
  outcome: Outcome;
  /** Skip reason, or the knownIssue text. */
  reason?: string;
  /** Failure message with the transcript of the last requests. */
  detail?: string;
  /** Set when a scenario marked knownIssue passed: the marker can go. */
  note?: string;
  ms: number;
}

/** Options of runSuite. */
export interface SuiteOptions {
  kubeconfigPath: string;
  /** Context other than the kubeconfig's current-context. */
  context?: string;
  versions: string[];
  scenarios: Scenario[];
  /** Run scenarios even for versions their skip rules exclude (e.g. against a real cluster). */
  ignoreSkips?: boolean;
  /** Only scenarios whose name contains this text. */
  filter?: string;
  /** Called as each result is known (for streaming output). */
  onResult?: (result: ScenarioResult) => void;
  /** Per-scenario time limit; default 60 s. */
  scenarioTimeoutMs?: number;
}

const TRANSCRIPT_LINES = 4;

function clip(text: string, max = 400): string {
  const flat = text.replace(/\n+$/, '');
  return flat.length > max ? `${flat.slice(0, max)}…` : flat;
}

function namespaceFor(scenario: string, version: string): string {
  const suffix = `-${version.replace('.', '')}-${randomBytes(3).toString('hex')}`;
  const slug = scenario.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '');
  return `kc-${slug}`.slice(0, 63 - suffix.length).replace(/-$/, '') + suffix;
}

async function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} did not finish in ${ms} ms`)), ms);
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

async function runOne(scenario: Scenario, version: string, target: KubectlTarget, client: HttpClient, timeoutMs: number): Promise<ScenarioResult> {
  const started = Date.now();
  const transcript: string[] = [];
  const namespace = scenario.namespace ? namespaceFor(scenario.name, version) : undefined;
  const runId = randomBytes(3).toString('hex');
  const ctx: Context = {
    version,
    get namespace(): string {
      if (!namespace) throw new TypeError(`scenario ${scenario.name} uses ctx.namespace without namespace: true`);
      return namespace;
    },
    unique: (base) => `${base}-${runId}`,
    async kubectl(args, options = {}): Promise<KubectlResult> {
      const result = await runKubectl(target, args, options);
      transcript.push(`$ kubectl ${args.join(' ')}  → exit ${result.code}\n    stdout: ${clip(result.stdout)}\n    stderr: ${clip(result.stderr)}`);
      return result;
    },
    async http(method, path, options): Promise<HttpResult> {
      const result = await client.request(method, path, options);
      transcript.push(`> ${method} ${path}  → ${result.status} ${clip(result.text, 300)}`);
      return result;
    },
  };
  let error: unknown;
  try {
    if (namespace) {
      const created = await client.request('POST', '/api/v1/namespaces', {
        body: { apiVersion: 'v1', kind: 'Namespace', metadata: { name: namespace, labels: { 'kubemu-conformance': 'true' } } },
      });
      if (created.status !== 201) throw new Error(`could not create namespace ${namespace}: ${created.status} ${clip(created.text)}`);
    }
    await withTimeout(scenario.run(ctx), timeoutMs, scenario.name);
  } catch (err) {
    error = err;
  } finally {
    // Best effort: kubemu keeps the namespace Terminating until it has a namespace controller.
    if (namespace) await client.request('DELETE', `/api/v1/namespaces/${namespace}`).catch(() => undefined);
  }
  const ms = Date.now() - started;
  const base = { scenario: scenario.name, version, ms };
  if (error === undefined) {
    return scenario.knownIssue ? { ...base, outcome: 'pass', note: `passes although marked knownIssue (${scenario.knownIssue}); remove the marker` } : { ...base, outcome: 'pass' };
  }
  const message = error instanceof Error ? (error.name === 'ExpectationError' ? error.message : String(error.stack ?? error)) : String(error);
  const detail = [message, ...(transcript.length ? ['transcript (last requests):', ...transcript.slice(-TRANSCRIPT_LINES)] : [])].join('\n');
  return scenario.knownIssue ? { ...base, outcome: 'known', reason: scenario.knownIssue, detail } : { ...base, outcome: 'fail', detail };
}

/** Runs every scenario for every version (sequentially) and returns the results in order. */
export async function runSuite(options: SuiteOptions): Promise<ScenarioResult[]> {
  const connection = await loadConnection(options.kubeconfigPath, options.context);
  const client = httpClient(connection);
  const results: ScenarioResult[] = [];
  const report = (result: ScenarioResult) => {
    results.push(result);
    options.onResult?.(result);
  };
  const scenarios = options.filter ? options.scenarios.filter((s) => s.name.includes(options.filter!)) : options.scenarios;
  try {
    for (const version of options.versions) {
      const binary = await findKubectl(version);
      const homeDir = await mkdtemp(join(tmpdir(), `kubemu-conformance-${version}-`));
      const target: KubectlTarget = { binary: binary ?? '', kubeconfigPath: options.kubeconfigPath, homeDir, ...(options.context ? { context: options.context } : {}) };
      try {
        for (const scenario of scenarios) {
          const rule = options.ignoreSkips ? undefined : scenario.skip?.find((r) => versionMatches(version, r.versions));
          if (!binary) report({ scenario: scenario.name, version, outcome: 'skip', reason: `kubectl ${version} is not installed`, ms: 0 });
          else if (rule) report({ scenario: scenario.name, version, outcome: 'skip', reason: rule.reason, ms: 0 });
          else report(await runOne(scenario, version, target, client, options.scenarioTimeoutMs ?? 60_000));
        }
      } finally {
        await rm(homeDir, { recursive: true, force: true });
      }
    }
  } finally {
    client.close();
  }
  return results;
}

/** One line per result (`ok`, `not ok`, `not ok … # known: …`, `skip …: reason`), details indented below. */
export function formatResult(result: ScenarioResult): string {
  const head = `${result.version} ${result.scenario}`;
  const indent = (text: string) => text.replace(/^/gm, '    ');
  switch (result.outcome) {
    case 'pass':
      return `ok ${head} (${result.ms} ms)${result.note ? `\n${indent(`note: ${result.note}`)}` : ''}`;
    case 'skip':
      return `skip ${head}: ${result.reason}`;
    case 'known':
      return `not ok ${head} (${result.ms} ms) # known: ${result.reason}\n${indent(result.detail ?? '')}`;
    case 'fail':
      return `not ok ${head} (${result.ms} ms)\n${indent(result.detail ?? '')}`;
  }
}

/** Counts of a run; known failures count as failed (the cluster did not conform). */
export function summarize(results: ScenarioResult[]): { passed: number; failed: number; skipped: number; known: number; line: string } {
  const count = (outcome: Outcome) => results.filter((r) => r.outcome === outcome).length;
  const passed = count('pass');
  const known = count('known');
  const failed = count('fail') + known;
  const skipped = count('skip');
  return { passed, failed, skipped, known, line: `${passed} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ''}` };
}
