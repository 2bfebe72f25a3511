/**
 * Conformance: finds the kubectl binary of a minor version and runs it against one kubeconfig
 * with an isolated HOME and discovery cache, so runs never share or pollute cached discovery;
 * to completion, or in the background for commands that stream (`get -w`, `wait`).
 * Owns: kubectl binaries and processes. Must not: know scenarios or kubemu.
 */
import { spawn } from 'node:child_process';
import { access, constants } from 'node:fs/promises';
import { constants as osConstants } from 'node:os';
import { join } from 'node:path';

/** Where the versioned binaries `kubectl.<minor>` live unless KUBEMU_KUBECTL_DIR says otherwise. */
export const DEFAULT_KUBECTL_DIR = '/usr/lib/google-cloud-sdk/bin';

/** The outcome of one kubectl invocation. */
export interface KubectlResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** How to run one kubectl binary against one cluster. */
export interface KubectlTarget {
  binary: string;
  kubeconfigPath: string;
  /** Context to use instead of the kubeconfig's current-context. */
  context?: string;
  /** A private directory: HOME of the process and parent of its discovery cache. */
  homeDir: string;
}

/** Path of the binary for `version` (e.g. "1.31"), or undefined when it is not installed. */
export async function findKubectl(version: string, dir = process.env.KUBEMU_KUBECTL_DIR ?? DEFAULT_KUBECTL_DIR): Promise<string | undefined> {
  const path = join(dir, `kubectl.${version}`);
  try {
    await access(path, constants.X_OK);
    return path;
  } catch {
    return undefined;
  }
}

/** A kubectl process started in the background (e.g. `get -w`, `wait`). */
export interface KubectlProcess {
  /** Output so far. */
  readonly stdout: string;
  readonly stderr: string;
  /**
   * Resolves once the output of `stream` so far matches `pattern`; rejects when `timeoutMs`
   * (default 15 s) passes first or the process exits without it (the message shows the output).
   */
  waitFor(stream: 'stdout' | 'stderr', pattern: RegExp, timeoutMs?: number): Promise<void>;
  /** Settles when the process exits by itself or is stopped. */
  readonly exited: Promise<KubectlResult>;
  /** Ends the process (SIGTERM, SIGKILL after 2 s) unless it already exited; its result. */
  stop(): Promise<KubectlResult>;
}

/** The fixed arguments and clean environment of every kubectl run against `target`. */
function invocation(target: KubectlTarget, args: string[]): { argv: string[]; env: NodeJS.ProcessEnv } {
  const fixed = [`--kubeconfig=${target.kubeconfigPath}`, `--cache-dir=${join(target.homeDir, 'cache')}`];
  if (target.context) fixed.push(`--context=${target.context}`);
  return { argv: [...fixed, ...args], env: { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: target.homeDir, LANG: 'C' } };
}

/**
 * Starts `kubectl <args>` as runKubectl does, without waiting for it. The caller must `stop()`
 * it (or await `exited`); `exited` rejects only if the process cannot start.
 */
export function startKubectl(target: KubectlTarget, args: string[], options: { stdin?: string } = {}): KubectlProcess {
  const { argv, env } = invocation(target, args);
  const child = spawn(target.binary, argv, { env, stdio: ['pipe', 'pipe', 'pipe'] });
  const out = { stdout: '', stderr: '' };
  const listeners = new Set<() => void>();
  let result: KubectlResult | undefined;
  const exited = new Promise<KubectlResult>((resolvePromise, reject) => {
    child.on('error', reject);
    child.on('close', (code, signal) => {
      result = { code: code ?? 128 + (signal ? (osConstants.signals[signal] ?? 0) : 0), ...out };
      resolvePromise(result);
      listeners.forEach((listener) => listener());
    });
  });
  const notify = () => listeners.forEach((listener) => listener());
  child.stdout.on('data', (d: Buffer) => {
    out.stdout += d.toString('utf8');
    notify();
  });
  child.stderr.on('data', (d: Buffer) => {
    out.stderr += d.toString('utf8');
    notify();
  });
  child.stdin.on('error', () => {}); // kubectl may exit before reading stdin
  child.stdin.end(options.stdin ?? '');
  return {
    get stdout() {
      return out.stdout;
    },
    get stderr() {
      return out.stderr;
    },
    exited,
    waitFor(stream, pattern, timeoutMs = 15_000) {
      return new Promise<void>((resolvePromise, reject) => {
        const check = () => {
          if (pattern.test(out[stream])) return finish();
          if (result) finish(new Error(`kubectl ${args.join(' ')} exited ${result.code} before its ${stream} matched ${pattern}`));
        };
        const finish = (err?: Error) => {
          clearTimeout(timer);
          listeners.delete(check);
          if (err) reject(new Error(`${err.message}\n  stdout ${JSON.stringify(out.stdout)}\n  stderr ${JSON.stringify(out.stderr.slice(-2000))}`));
          else resolvePromise();
        };
        const timer = setTimeout(() => finish(new Error(`kubectl ${args.join(' ')}: ${stream} did not match ${pattern} in ${timeoutMs} ms`)), timeoutMs);
        listeners.add(check);
        check();
      });
    },
    async stop() {
      if (result) return result;
      child.kill('SIGTERM');
      const killer = setTimeout(() => child.kill('SIGKILL'), 2000);
      try {
        return await exited;
      } finally {
        clearTimeout(killer);
      }
    },
  };
}

/**
 * Runs `kubectl <args>` with `--kubeconfig`, `--cache-dir` inside `homeDir` and a clean
 * environment (HOME = homeDir, no KUBECONFIG). Never rejects for a non-zero exit; rejects
 * only if the process cannot start. Killed after `timeoutMs` (exit code 124 then).
 */
export function runKubectl(target: KubectlTarget, args: string[], options: { stdin?: string; timeoutMs?: number } = {}): Promise<KubectlResult> {
  const { argv, env } = invocation(target, args);
  return new Promise((resolvePromise, reject) => {
    const child = spawn(target.binary, argv, { env, stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGKILL');
    }, options.timeoutMs ?? 30_000);
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString('utf8')));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString('utf8')));
    child.on('error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      resolvePromise({ code: timedOut ? 124 : (code ?? 1), stdout, stderr: timedOut ? `${stderr}\n(killed after timeout)` : stderr });
    });
    child.stdin.on('error', () => {}); // kubectl may exit before reading stdin
    child.stdin.end(options.stdin ?? '');
  });
}
