/**
 * Conformance: runs scenarios against one kubeconfig: the HTTP-only ones once, then the others
 * for each kubectl version in turn and each scenario in turn (sequentially: the numbers stay
 * comparable and a shared cluster stays calm). Per scenario it creates the namespace, records a
 * transcript of what was sent, stops what the scenario left running (background kubectl, watch
 * streams), and turns the outcome into a ScenarioResult; it formats results as one line each plus
 * a summary.
 * Owns: scheduling, isolation, outcomes. Must not: know kubemu or what any scenario checks.
 */
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Context, Scenario, ServerSettings } from './harness.js';
import { httpClient, type HttpClient, type HttpResult, type WatchStream } from './http-client.js';
import { loadConnection } from './kubeconfig.js';
import { findKubectl, runKubectl, startKubectl, type KubectlProcess, type KubectlResult, type KubectlTarget } from './kubectl.js';
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
  /** Settings of the server under test, when the caller started it; scenarios that need them are skipped otherwise. */
  serverSettings?: ServerSettings;
}

/** Version label of the results of HTTP-only scenarios (run once, not per kubectl version). */
export const HTTP_ONLY_VERSION = 'http';

/**
 * Settings for a server a runner starts for the suite: a small event window, so that the
 * scenarios about expired resourceVersions need only a few hundred writes, and a bookmark every
 * second. Pass the same object to the server and as `serverSettings`.
 */
export const SUITE_SERVER_SETTINGS: ServerSettings = { eventWindow: 100, bookmarkIntervalMs: 1000 };

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

interface RunTarget {
  /** The kubectl to run; undefined for HTTP-only scenarios. */
  kubectl: KubectlTarget | undefined;
  client: HttpClient;
  settings: ServerSettings | undefined;
  timeoutMs: number;
}

async function runOne(scenario: Scenario, version: string, run: RunTarget): Promise<ScenarioResult> {
  const { client } = run;
  const started = Date.now();
  const transcript: string[] = [];
  const processes: KubectlProcess[] = [];
  const streams: WatchStream[] = [];
  const namespace = scenario.namespace ? namespaceFor(scenario.name, version) : undefined;
  const runId = randomBytes(3).toString('hex');
  const kubectlTarget = (): KubectlTarget => {
    if (!run.kubectl) throw new TypeError(`scenario ${scenario.name} is httpOnly but runs kubectl`);
    return run.kubectl;
  };
  const ctx: Context = {
    version,
    get namespace(): string {
      if (!namespace) throw new TypeError(`scenario ${scenario.name} uses ctx.namespace without namespace: true`);
      return namespace;
    },
    get settings(): ServerSettings {
      if (!scenario.needsServerSettings || !run.settings) throw new TypeError(`scenario ${scenario.name} uses ctx.settings without needsServerSettings`);
      return run.settings;
    },
    unique: (base) => `${base}-${runId}`,
    async kubectl(args, options = {}): Promise<KubectlResult> {
      const result = await runKubectl(kubectlTarget(), args, options);
      transcript.push(`$ kubectl ${args.join(' ')}  → exit ${result.code}\n    stdout: ${clip(result.stdout)}\n    stderr: ${clip(result.stderr)}`);
      return result;
    },
    startKubectl(args): KubectlProcess {
      const proc = startKubectl(kubectlTarget(), args);
      processes.push(proc);
      transcript.push(`$ kubectl ${args.join(' ')} &  (started in the background)`);
      proc.exited.then(
        (result) => transcript.push(`$ kubectl ${args.join(' ')} &  → exit ${result.code}\n    stdout: ${clip(result.stdout)}\n    stderr: ${clip(result.stderr)}`),
        () => undefined,
      );
      return proc;
    },
    async http(method, path, options): Promise<HttpResult> {
      const result = await client.request(method, path, options);
      transcript.push(`> ${method} ${path}  → ${result.status} ${clip(result.text, 300)}`);
      return result;
    },
    async watch(path, options): Promise<WatchStream> {
      const stream = await client.watch(path, options);
      streams.push(stream);
      transcript.push(`> GET ${path}  → ${stream.status} (watch) ${clip(stream.text, 300)}`);
      const next = stream.next.bind(stream);
      stream.next = async (timeoutMs) => {
        const event = await next(timeoutMs);
        transcript.push(`  < ${event ? clip(JSON.stringify(event), 300) : '(end of stream)'}`);
        return event;
      };
      return stream;
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
    await withTimeout(scenario.run(ctx), run.timeoutMs, scenario.name);
  } catch (err) {
    error = err;
  } finally {
    streams.forEach((stream) => stream.close());
    await Promise.all(processes.map((p) => p.stop().catch(() => undefined)));
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
  const selected = options.filter ? options.scenarios.filter((s) => s.name.includes(options.filter!)) : options.scenarios;
  const base = { client, settings: options.serverSettings, timeoutMs: options.scenarioTimeoutMs ?? 60_000 };
  const unknownSettings = (scenario: Scenario) =>
    scenario.needsServerSettings && !options.serverSettings
      ? `${scenario.needsServerSettings}: needs the settings of a server the runner started itself (the target is an external cluster)`
      : undefined;
  try {
    for (const scenario of selected.filter((s) => s.httpOnly)) {
      const reason = unknownSettings(scenario);
      if (reason) report({ scenario: scenario.name, version: HTTP_ONLY_VERSION, outcome: 'skip', reason, ms: 0 });
      else report(await runOne(scenario, HTTP_ONLY_VERSION, { ...base, kubectl: undefined }));
    }
    const scenarios = selected.filter((s) => !s.httpOnly);
    for (const version of scenarios.length ? options.versions : []) {
      const binary = await findKubectl(version);
      const homeDir = await mkdtemp(join(tmpdir(), `kubemu-conformance-${version}-`));
      const target: KubectlTarget = { binary: binary ?? '', kubeconfigPath: options.kubeconfigPath, homeDir, ...(options.context ? { context: options.context } : {}) };
      try {
        for (const scenario of scenarios) {
          const rule = options.ignoreSkips ? undefined : scenario.skip?.find((r) => versionMatches(version, r.versions));
          const reason = !binary ? `kubectl ${version} is not installed` : (unknownSettings(scenario) ?? rule?.reason);
          if (reason) report({ scenario: scenario.name, version, outcome: 'skip', reason, ms: 0 });
          else report(await runOne(scenario, version, { ...base, kubectl: target }));
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
