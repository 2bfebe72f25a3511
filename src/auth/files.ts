/**
 * Small file helpers for secrets: atomic writes with a fixed mode, reads that treat a missing file
 * as absent.
 * Owns: how secret files reach the disk (temp file + rename, mode set on the final file).
 * Must not: know what the bytes mean (certificates, tokens, kubeconfigs).
 */
import { randomBytes } from 'node:crypto';
import { chmod, mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
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
