/**
 * Conformance: finds the kubectl binary of a minor version and runs it against one kubeconfig
 * with an isolated HOME and discovery cache, so runs never share or pollute cached discovery.
 * Owns: kubectl binaries and processes. Must not: know scenarios or kubemu.
 */
import { spawn } from 'node:child_process';
import { access, constants } from 'node:fs/promises';
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

/**
 * Runs `kubectl <args>` with `--kubeconfig`, `--cache-dir` inside `homeDir` and a clean
 * environment (HOME = homeDir, no KUBECONFIG). Never rejects for a non-zero exit; rejects
 * only if the process cannot start. Killed after `timeoutMs` (exit code 124 then).
 */
export function runKubectl(target: KubectlTarget, args: string[], options: { stdin?: string; timeoutMs?: number } = {}): Promise<KubectlResult> {
  const fixed = [`--kubeconfig=${target.kubeconfigPath}`, `--cache-dir=${join(target.homeDir, 'cache')}`];
  if (target.context) fixed.push(`--context=${target.context}`);
  const env: NodeJS.ProcessEnv = { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: target.homeDir, LANG: 'C' };
  return new Promise((resolvePromise, reject) => {
    const child = spawn(target.binary, [...fixed, ...args], { env, stdio: ['pipe', 'pipe', 'pipe'] });
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
