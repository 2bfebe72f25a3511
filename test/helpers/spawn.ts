/**
 * Test helper: runs `kubemu serve` from source in a child process and waits for its ready line.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { parse as parseYaml } from 'yaml';

const MAIN = fileURLToPath(new URL('../../src/main.ts', import.meta.url));

/** A running kubemu child process. */
export interface Child {
  proc: ChildProcess;
  url: string;
  kubeconfigPath: string;
  /** Bearer token from the kubeconfig (for --no-tls servers). */
  token?: string;
  stderr(): string;
  /** Resolves with the exit code once the process exits. */
  exited: Promise<number | null>;
}

/** Runs `node --import tsx src/main.ts <args>`, without waiting for anything. */
export function runKubemu(args: string[]): { proc: ChildProcess; output: Promise<{ code: number | null; stdout: string; stderr: string }> } {
  const proc = spawn(process.execPath, ['--import', 'tsx', MAIN, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  proc.stdout!.on('data', (d) => (stdout += d));
  proc.stderr!.on('data', (d) => (stderr += d));
  const output = new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) =>
    proc.on('exit', (code) => resolve({ code, stdout, stderr })),
  );
  return { proc, output };
}

/** Starts `kubemu serve <args>` and resolves once it prints its ready line. */
export async function startKubemuProcess(args: string[], timeoutMs = 30000): Promise<Child> {
  const { proc, output } = runKubemu(['serve', ...args]);
  let stderr = '';
  proc.stderr!.on('data', (d) => (stderr += d));
  const ready = await new Promise<string>((resolve, reject) => {
    let buffer = '';
    const timer = setTimeout(() => reject(new Error(`kubemu did not get ready in ${timeoutMs} ms: ${stderr}`)), timeoutMs);
    proc.stdout!.on('data', (d: Buffer) => {
      buffer += d.toString();
      const line = buffer.split('\n').find((l) => l.startsWith('kubemu ready:'));
      if (line) {
        clearTimeout(timer);
        resolve(line);
      }
    });
    output.then(({ code }) => {
      clearTimeout(timer);
      reject(new Error(`kubemu exited with ${code} before it was ready: ${stderr}`));
    });
  });
  const match = /^kubemu ready: (\S+) kubeconfig=(\S+)$/.exec(ready);
  if (!match) throw new Error(`unexpected ready line: ${ready}`);
  const kubeconfigPath = match[2]!;
  const config = parseYaml(await readFile(kubeconfigPath, 'utf8')) as { users: Array<{ user: { token?: string } }> };
  const child: Child = {
    proc,
    url: match[1]!,
    kubeconfigPath,
    stderr: () => stderr,
    exited: output.then((o) => o.code),
  };
  const token = config.users[0]?.user.token;
  if (token) child.token = token;
  return child;
}
