/**
 * Test helpers of pod I/O: a listening kubemu (TLS, memory storage) with its kubeconfig on disk,
 * kubectl of a chosen version, and a pod made Running by simulated nodes.
 */
import { execFile, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { withDefaults, type Config } from '../../src/cli/config.js';
import { listen } from '../../src/cli/listen.js';
import { buildServer, type Server } from '../../src/server.js';

/** A listening server. */
export interface Running {
  server: Server;
  url: string;
  kubeconfigPath: string;
  close(): Promise<void>;
}

/** Builds and listens; `--nodes` simulated nodes run pods unless `controllers: false`. */
export async function runServer(options: Partial<Config> = {}): Promise<Running> {
  const dir = await mkdtemp(join(tmpdir(), 'kubemu-podio-'));
  const config = withDefaults({ storage: 'memory', port: 0, dataDir: dir, ...options });
  const server = await buildServer(config);
  const kubeconfigPath = join(dir, 'kubeconfig');
  const listening = await listen(server, config, kubeconfigPath);
  return {
    server,
    url: listening.url,
    kubeconfigPath,
    close: async () => {
      await server.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/** The kubectl binary of `version` (e.g. '1.27'), or undefined when not installed. */
export function kubectlBinary(version: string): string | undefined {
  const path = `/usr/lib/google-cloud-sdk/bin/kubectl.${version}`;
  return existsSync(path) ? path : undefined;
}

/** Result of one kubectl run. */
export interface Ran {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs kubectl with `args` against `kubeconfig`, optional stdin text. */
export function kubectl(binary: string, kubeconfig: string, args: string[], stdin?: string): Promise<Ran> {
  return new Promise((resolve) => {
    const child = execFile(binary, ['--kubeconfig', kubeconfig, ...args], { timeout: 30_000 }, (err, stdout, stderr) => {
      const code = err ? (typeof (err as { code?: unknown }).code === 'number' ? ((err as { code: number }).code) : 1) : 0;
      resolve({ code, stdout, stderr });
    });
    if (stdin !== undefined) child.stdin!.end(stdin);
    else child.stdin!.end();
  });
}

/**
 * Runs `kubectl <args>` (a following command) until `lines` lines arrived on stdout, then kills
 * it; resolves with those lines.
 */
export function firstLines(binary: string, kubeconfig: string, args: string[], lines: number): Promise<string[]> {
  return new Promise((resolve, reject) => {
    const child = spawn(binary, ['--kubeconfig', kubeconfig, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    const timer = setTimeout(() => {
      child.kill();
      reject(new Error(`kubectl ${args.join(' ')}: only ${JSON.stringify(out)} after 20 s; stderr ${err}`));
    }, 20_000);
    child.stdout.on('data', (d) => {
      out += d;
      const got = out.split('\n').slice(0, -1);
      if (got.length >= lines) {
        clearTimeout(timer);
        child.kill();
        resolve(got.slice(0, lines));
      }
    });
    child.stderr.on('data', (d) => (err += d));
    child.on('exit', () => {
      clearTimeout(timer);
      const got = out.split('\n').slice(0, -1);
      if (got.length < lines) reject(new Error(`kubectl ${args.join(' ')} ended with ${JSON.stringify(out)}; stderr ${err}`));
    });
  });
}

/** Writes `text` to a temporary file and returns its path. */
export async function tempFile(name: string, text: string): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'kubemu-podio-file-'));
  const path = join(dir, name);
  await writeFile(path, text);
  return path;
}
