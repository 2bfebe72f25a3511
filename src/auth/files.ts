/**
 * Small file helpers for secrets: atomic writes with a fixed mode, reads that treat a missing file
 * as absent.
 * Owns: how secret files reach the disk (temp file + rename, mode set on the final file), and a
 * lock file so that processes sharing a directory make its files once.
 * Must not: know what the bytes mean (certificates, tokens, kubeconfigs).
 */
import { randomBytes } from 'node:crypto';
import { chmod, mkdir, open, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import { dirname, join, basename } from 'node:path';

/**
 * Writes `text` to `path` atomically (a reader sees the old or the new content, never half of
 * one) with permission `mode`, creating missing parent directories with mode 0700.
 */
export async function writeFileAtomic(path: string, text: string, mode: number): Promise<void> {
  const dir = dirname(path);
  await mkdir(dir, { recursive: true, mode: 0o700 });
  const tmp = join(dir, `.${basename(path)}.${randomBytes(6).toString('hex')}.tmp`);
  try {
    await writeFile(tmp, text, { mode });
    await chmod(tmp, mode); // the umask may have narrowed or the file may have existed
    await rename(tmp, path);
  } catch (err) {
    await rm(tmp, { force: true });
    throw err;
  }
}

/** The UTF-8 content of `path`, or undefined when it does not exist. */
export async function readOptional(path: string): Promise<string | undefined> {
  try {
    return await readFile(path, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
}

/**
 * Runs `fn` while holding the lock file `path` (created exclusively; removed afterwards), so that
 * processes sharing a directory (kubemu replicas on one --data-dir) do not both make the files
 * `fn` loads or creates: the second finds and reuses what the first wrote. A lock left by a dead
 * process on this host, or older than `staleMs`, is broken; waiting longer than `timeoutMs` is
 * an error naming the file.
 */
export async function withFileLock<T>(path: string, fn: () => Promise<T>, options: { staleMs?: number; timeoutMs?: number } = {}): Promise<T> {
  const { staleMs = 60_000, timeoutMs = 120_000 } = options;
  await mkdir(dirname(path), { recursive: true, mode: 0o700 });
  const owner = `${hostname()} ${process.pid} ${randomBytes(4).toString('hex')}`;
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      const handle = await open(path, 'wx', 0o600);
      try {
        await handle.writeFile(`${owner}\n`);
      } finally {
        await handle.close();
      }
      break;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    }
    if (await isStaleLock(path, staleMs)) {
      await rm(path, { force: true });
      continue;
    }
    if (Date.now() > deadline) throw new Error(`${path} is held by another process for more than ${timeoutMs} ms (remove it if no kubemu is starting)`);
    await new Promise((r) => setTimeout(r, 20 + Math.floor(Math.random() * 30)));
  }
  try {
    return await fn();
  } finally {
    // Only our own lock: a stale-lock breaker may have replaced it.
    if ((await readOptional(path))?.trim() === owner) await rm(path, { force: true });
  }
}

async function isStaleLock(path: string, staleMs: number): Promise<boolean> {
  try {
    const [text, info] = await Promise.all([readFile(path, 'utf8'), stat(path)]);
    if (Date.now() - info.mtimeMs > staleMs) return true;
    const [host, pid] = text.trim().split(' ');
    if (host !== hostname() || !pid) return false;
    try {
      process.kill(Number(pid), 0);
      return false;
    } catch (err) {
      return (err as NodeJS.ErrnoException).code === 'ESRCH';
    }
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'ENOENT' ? false : Promise.reject(err);
  }
}
