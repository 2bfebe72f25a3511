/**
 * Bench helper: the CPU profile of a forked bench server, driven over IPC. `{ profile: 'start' }`
 * starts the V8 sampling profiler (node:inspector, 200 µs) and answers `{ profiling: 'started' }`;
 * `{ profile: 'stop', file }` writes the .cpuprofile to `file` and answers `{ profiling: file }`.
 * Owns: starting, stopping and writing a profile. Must not: know what the server benchmarks.
 */
import { writeFile } from 'node:fs/promises';
import { Session } from 'node:inspector/promises';

/** Starts the V8 profiler of this process; the returned function stops it and writes `file`. */
export async function startProfiler(): Promise<(file: string) => Promise<void>> {
  const session = new Session();
  session.connect();
  await session.post('Profiler.enable');
  await session.post('Profiler.setSamplingInterval', { interval: 200 });
  await session.post('Profiler.start');
  return async (file) => {
    const { profile } = await session.post('Profiler.stop');
    session.disconnect();
    await writeFile(file, JSON.stringify(profile));
  };
}

/**
 * A handler of this process's IPC messages that acts on the profile ones (see the module header)
 * and ignores any other; one profile at a time.
 */
export function profileMessages(): (message: unknown) => Promise<void> {
  let stop: ((file: string) => Promise<void>) | undefined;
  return async (message) => {
    if (typeof message !== 'object' || message === null) return;
    const { profile, file } = message as { profile?: unknown; file?: unknown };
    if (profile === 'start') {
      stop = await startProfiler();
      process.send!({ profiling: 'started' });
    }
    if (profile === 'stop' && stop) {
      const done = stop;
      stop = undefined;
      await done(String(file));
      process.send!({ profiling: file });
    }
  };
}
