/**
 * Test helper: the frame the etcd end-to-end tests share. A test on a fresh etcd (passed as
 * skipped without an `etcd` binary, the cluster stopped at teardown), a temp dir removed at
 * teardown, and `kubemu serve` children on that etcd, SIGKILLed at teardown.
 * Owns: that setup and teardown. Must not: hold test logic or assertions.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t, { type Test } from 'tap';
import { haveEtcd, startEtcd, type EtcdCluster } from './etcd.js';
import { startKubemuProcess, type Child } from './spawn.js';

/**
 * Runs `body` as the top-level test `name` on a freshly started etcd (one member unless `size`
 * says three); without an `etcd` binary on PATH, one passing "skipped" assertion instead.
 */
export function etcdTest(name: string, body: (t: Test, etcd: EtcdCluster) => Promise<void>, options: { size?: 1 | 3 } = {}): void {
  if (!haveEtcd) {
    t.pass('skipped: no etcd binary on PATH');
    return;
  }
  t.test(name, async (t) => {
    const etcd = await startEtcd(options);
    t.teardown(() => etcd.stop());
    await body(t, etcd);
  });
}

/** A fresh directory under the OS temp dir named `<prefix>…`, removed with its contents at teardown. */
export async function tempDir(t: Test, prefix: string): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), prefix));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

/** Options of {@link serveOnEtcd}. */
export interface ServeOnEtcdOptions {
  /** `--etcd-prefix`; kubemu's default when absent. */
  prefix?: string;
  /** How long to wait for the ready line (startKubemuProcess's default when absent). */
  timeoutMs?: number;
}

/**
 * Starts `kubemu serve --storage etcd --etcd-endpoints <etcd> [--etcd-prefix P] --port 0 <args>`
 * and resolves once it is ready; the child is SIGKILLed at teardown.
 */
export async function serveOnEtcd(t: Test, etcd: EtcdCluster, args: string[], options: ServeOnEtcdOptions = {}): Promise<Child> {
  const child = await startKubemuProcess([
    '--storage', 'etcd', '--etcd-endpoints', etcd.endpoints.join(','),
    ...(options.prefix ? ['--etcd-prefix', options.prefix] : []),
    '--port', '0', ...args,
  ], options.timeoutMs);
  t.teardown(() => child.proc.kill('SIGKILL'));
  return child;
}
