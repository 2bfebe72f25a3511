/**
 * Test helper: real etcd members on loopback ports, each in its own temp dir (under /dev/shm
 * when it exists, so fsync costs little). One member, or a cluster of three whose members can be
 * killed and restarted.
 * Owns: spawning, health-waiting and stopping etcd processes. Must not: know kubemu.
 */

import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { request } from 'node:https';
import { existsSync, readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { connect, createServer, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** True when an `etcd` binary is on PATH (tests skip otherwise). */
export const haveEtcd: boolean = spawnSync('etcd', ['--version'], { stdio: 'ignore' }).status === 0;

/** One etcd process of a cluster. */
export interface EtcdMember {
  name: string;
  clientUrl: string;
  peerUrl: string;
  dataDir: string;
  proc?: ChildProcess;
  /** The member's output so far (for failure messages). */
  log: string;
  /** TLS of the client URL (https) with client-certificate auth. */
  tls?: EtcdTlsFiles;
}

/** PEM files of an etcd serving TLS with client-certificate auth (`--client-cert-auth`). */
export interface EtcdTlsFiles {
  /** CA that signed the serving and the client certificates (`--trusted-ca-file`). */
  caFile: string;
  certFile: string;
  keyFile: string;
  /** A client certificate and key signed by the CA, for the health check. */
  clientCertFile: string;
  clientKeyFile: string;
}

/** A running etcd cluster (one or three members). */
export interface EtcdCluster {
  members: EtcdMember[];
  /** Client URLs of every member, for `--etcd-endpoints`. */
  endpoints: string[];
  /** SIGKILLs one member; resolves once it exited. */
  kill(index: number): Promise<void>;
  /** Starts a killed member again over its data dir; resolves once it answers /health. */
  restart(index: number): Promise<void>;
  /** Stops every member and removes the data dirs. */
  stop(): Promise<void>;
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

function healthyTls(url: string, tls: EtcdTlsFiles): Promise<boolean> {
  return new Promise((resolve) => {
    const req = request(`${url}/health`, {
      ca: readFileSync(tls.caFile), cert: readFileSync(tls.clientCertFile), key: readFileSync(tls.clientKeyFile), timeout: 1000,
    }, (res) => {
      let body = '';
      res.on('data', (d: Buffer) => (body += d.toString()));
      res.on('end', () => resolve(body.includes('"health":"true"')));
      res.on('error', () => resolve(false));
    });
    req.on('error', () => resolve(false));
    req.on('timeout', () => req.destroy());
    req.end();
  });
}

async function healthy(url: string, tls?: EtcdTlsFiles): Promise<boolean> {
  if (tls) return healthyTls(url, tls);
  try {
    const res = await fetch(`${url}/health`, { signal: AbortSignal.timeout(1000) });
    const body = (await res.json()) as { health?: string };
    return body.health === 'true';
  } catch {
    return false;
  }
}

function launch(member: EtcdMember, initialCluster: string, state: 'new' | 'existing'): void {
  const args = [
    '--name', member.name,
    '--data-dir', member.dataDir,
    '--listen-client-urls', member.clientUrl,
    '--advertise-client-urls', member.clientUrl,
    '--listen-peer-urls', member.peerUrl,
    '--initial-advertise-peer-urls', member.peerUrl,
    '--initial-cluster', initialCluster,
    '--initial-cluster-state', state,
    '--initial-cluster-token', `kubemu-test-${member.dataDir.split('/').at(-2)}`,
    '--heartbeat-interval', '50',
    '--election-timeout', '500',
    '--logger', 'zap',
    '--log-outputs', 'stderr',
    ...(member.tls ? ['--cert-file', member.tls.certFile, '--key-file', member.tls.keyFile, '--trusted-ca-file', member.tls.caFile, '--client-cert-auth'] : []),
  ];
  const proc = spawn('etcd', args, { stdio: ['ignore', 'ignore', 'pipe'] });
  member.proc = proc;
  // A test process that ends without stop() (a timeout, a crash) must not leave etcd running.
  const orphanGuard = () => proc.kill('SIGKILL');
  process.once('exit', orphanGuard);
  proc.once('exit', () => process.removeListener('exit', orphanGuard));
  proc.stderr!.on('data', (d: Buffer) => {
    member.log += d.toString();
    if (member.log.length > 200_000) member.log = member.log.slice(-100_000);
  });
}

async function waitHealthy(members: EtcdMember[], timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (const member of members) {
    while (!(await healthy(member.clientUrl, member.tls))) {
      if (member.proc?.exitCode !== null && member.proc?.exitCode !== undefined) {
        throw new Error(`etcd ${member.name} exited with ${member.proc.exitCode}: ${member.log.slice(-2000)}`);
      }
      if (Date.now() > deadline) throw new Error(`etcd ${member.name} not healthy in ${timeoutMs} ms: ${member.log.slice(-2000)}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  }
}

/** Starts an etcd cluster of `size` members (1 or 3) on loopback ports and waits until it is healthy. */
export async function startEtcd(options: { size?: 1 | 3; tls?: EtcdTlsFiles } = {}): Promise<EtcdCluster> {
  const size = options.size ?? 1;
  const base = existsSync('/dev/shm') ? '/dev/shm' : tmpdir();
  const root = await mkdtemp(join(base, 'kubemu-etcd-'));
  const members: EtcdMember[] = [];
  for (let i = 0; i < size; i++) {
    members.push({
      name: `m${i}`,
      clientUrl: `${options.tls ? 'https' : 'http'}://127.0.0.1:${await freePort()}`,
      peerUrl: `http://127.0.0.1:${await freePort()}`,
      dataDir: join(root, `m${i}`),
      log: '',
      ...(options.tls ? { tls: options.tls } : {}),
    });
  }
  const initialCluster = members.map((m) => `${m.name}=${m.peerUrl}`).join(',');
  for (const member of members) launch(member, initialCluster, 'new');

  const kill = async (index: number): Promise<void> => {
    const proc = members[index]?.proc;
    if (!proc || proc.exitCode !== null || proc.signalCode !== null) return;
    const exited = new Promise((r) => proc.once('exit', r));
    proc.kill('SIGKILL');
    await exited;
  };
  const cluster: EtcdCluster = {
    members,
    endpoints: members.map((m) => m.clientUrl),
    kill,
    async restart(index) {
      const member = members[index]!;
      await kill(index);
      launch(member, initialCluster, 'existing');
      await waitHealthy([member], 20000);
    },
    async stop() {
      await Promise.all(members.map((_, i) => kill(i)));
      await rm(root, { recursive: true, force: true });
    },
  };
  try {
    await waitHealthy(members, 20000);
  } catch (err) {
    await cluster.stop();
    throw err;
  }
  return cluster;
}

/** A TCP proxy in front of an etcd member that a test can cut (a replica losing etcd) and restore. */
export interface EtcdProxy {
  /** Client URL through the proxy. */
  url: string;
  /** Drops every connection and refuses new ones until `restore()`. */
  cut(): void;
  restore(): void;
  close(): Promise<void>;
}

/** Starts a TCP proxy to `target` (an http://host:port client URL) on a free loopback port. */
export async function startEtcdProxy(target: string): Promise<EtcdProxy> {
  const { hostname, port } = new URL(target);
  const sockets = new Set<Socket>();
  let open = true;
  const server = createServer((client) => {
    if (!open) {
      client.destroy();
      return;
    }
    const upstream = connect(Number(port), hostname);
    for (const s of [client, upstream]) {
      sockets.add(s);
      s.on('close', () => sockets.delete(s));
      s.on('error', () => undefined);
    }
    client.pipe(upstream).pipe(client);
    client.on('close', () => upstream.destroy());
    upstream.on('close', () => client.destroy());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port: local } = server.address() as { port: number };
  return {
    url: `http://127.0.0.1:${local}`,
    cut() {
      open = false;
      for (const s of sockets) s.destroy();
    },
    restore() {
      open = true;
    },
    async close() {
      open = false;
      for (const s of sockets) s.destroy();
      await new Promise((r) => server.close(r));
    },
  };
}
