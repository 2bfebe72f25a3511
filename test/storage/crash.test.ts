/**
 * Durability of LevelDB storage across a crash: a child process writes concurrently and prints
 * each acknowledged write; we SIGKILL it mid-stream, reopen the data dir and check that every
 * acknowledged write survived, the event log has no torn entry, and revisions go on. Also: a
 * data dir held by a live process is refused with a clear message.
 * Owns: crash-consistency tests. Must not: test what the shared suite covers.
 */

import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import t from 'tap';
import { createStorage } from '../../src/storage/index.js';
import { str } from './suite.js';

const root = fileURLToPath(new URL('../..', import.meta.url));
const writerScript = fileURLToPath(new URL('./crash-writer.ts', import.meta.url));

interface CrashRun {
  /** Highest acknowledged revision per key. */
  acked: Map<string, number>;
  startRevision: number;
  lines: number;
}

/** Runs the writer on `dataDir`, kills it with SIGKILL after `killAfter` acknowledged writes. */
function runAndKill(dataDir: string, killAfter: number): Promise<CrashRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', writerScript, dataDir], { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
    const run: CrashRun = { acked: new Map(), startRevision: -1, lines: 0 };
    let buffered = '';
    let stderr = '';
    let killed = false;
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.stdout.on('data', (chunk: Buffer) => {
      buffered += chunk.toString();
      const lines = buffered.split('\n');
      buffered = lines.pop()!; // a partial last line is not an acknowledgement we can trust
      for (const line of lines) {
        const [key, revision] = line.split(' ');
        if (key === 'ready') {
          run.startRevision = Number(revision);
          continue;
        }
        run.lines++;
        run.acked.set(key!, Math.max(run.acked.get(key!) ?? 0, Number(revision)));
      }
      if (!killed && run.lines >= killAfter) {
        killed = true;
        child.kill('SIGKILL');
      }
    });
    child.on('error', reject);
    child.on('close', (code, signal) => {
      if (signal === 'SIGKILL') resolve(run);
      else reject(new Error(`writer exited with ${code}, not by SIGKILL:\n${stderr}`));
    });
  });
}

t.test('level storage survives SIGKILL mid-stream with every acknowledged write', async (t) => {
  const dataDir = await mkdtemp(join(tmpdir(), 'kubemu-crash-'));
  t.teardown(() => rm(dataDir, { recursive: true, force: true }));
  let previousRevision = 0;

  for (const [round, killAfter] of [[1, 1500], [2, 800]] as const) {
    const run = await runAndKill(dataDir, killAfter);
    t.ok(run.lines >= killAfter, `round ${round}: ${run.lines} acknowledged writes before the kill`);
    t.equal(run.startRevision, previousRevision, `round ${round}: the writer resumed at the last revision`);

    const storage = createStorage({ kind: 'level', dataDir, eventWindow: 300 });
    await storage.open();
    const maxAcked = Math.max(...run.acked.values());
    t.ok(storage.revision >= maxAcked, `round ${round}: revision ${storage.revision} ≥ last acknowledged ${maxAcked}`);

    let lost = 0;
    for (const [key, revision] of run.acked) {
      const entry = await storage.get(key);
      if (!entry || entry.modRevision < revision || !str(entry.value)!.startsWith(`${key}@${entry.modRevision} `)) lost++;
    }
    t.equal(lost, 0, `round ${round}: all ${run.acked.size} acknowledged keys hold their write or a later one`);

    const compacted = storage.compactedRevision;
    const events = await storage.eventsSince(compacted);
    t.same(
      [events[0]?.revision, events.at(-1)?.revision, events.length],
      [compacted + 1, storage.revision, storage.revision - compacted],
      `round ${round}: the event log is contiguous from ${compacted + 1} to ${storage.revision}`,
    );
    const byRevision = new Map(events.map((e) => [e.revision, e]));
    const { entries } = await storage.list('/crash/');
    let orphans = 0;
    for (const entry of entries) {
      if (entry.modRevision <= compacted) continue;
      const event = byRevision.get(entry.modRevision);
      if (!event || event.key !== entry.key || str(event.value) !== str(entry.value)) orphans++;
    }
    t.equal(orphans, 0, `round ${round}: every object newer than the window has its event`);
    t.ok(events.every((e) => e.type === 'put' && str(e.value)!.startsWith(`${e.key}@${e.revision} `)), `round ${round}: no torn event`);

    const next = await storage.create(`/after/${round}`, (rev) => Buffer.from(`after@${rev}`));
    t.equal(next.modRevision, storage.revision, 'a new write is acknowledged');
    t.ok(next.modRevision > maxAcked, `round ${round}: new writes continue above ${maxAcked} (${next.modRevision})`);
    previousRevision = storage.revision;
    await storage.close();
  }
});

t.test('level storage refuses a data dir held by another live process', async (t) => {
  const dataDir = await mkdtemp(join(tmpdir(), 'kubemu-lock-'));
  t.teardown(() => rm(dataDir, { recursive: true, force: true }));
  const child = spawn(process.execPath, ['--import', 'tsx', writerScript, dataDir], { cwd: root, stdio: ['ignore', 'pipe', 'inherit'] });
  const exited = new Promise((resolve) => child.on('close', resolve));
  t.teardown(async () => {
    child.kill('SIGKILL');
    await exited;
  });
  await new Promise<void>((resolve, reject) => {
    child.stdout.on('data', (chunk: Buffer) => chunk.toString().startsWith('ready') && resolve());
    child.on('error', reject);
  });
  const storage = createStorage({ kind: 'level', dataDir });
  const err = await storage.open().then(() => undefined, (e: unknown) => e as Error);
  t.match(err, { name: 'DataDirError' });
  t.ok(err?.message.startsWith(`cannot open data dir ${dataDir}: it is locked by another kubemu process`), String(err?.message));
});
