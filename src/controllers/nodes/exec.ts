/**
 * The built-in commands a container on a simulated node runs for `pods/exec`: `echo [-n]`,
 * `true`, `false`, `exit N`, `env`, `printenv [VAR...]`, `hostname`, `cat` (stdin to stdout, or
 * `/etc/hostname`), `sleep N`, `pwd`, `whoami`, and `sh|bash -c "<one of these>"`. Anything else
 * fails to start as a missing executable does in a real runtime.
 * Owns: the simulated command behaviour. Must not: know the wire protocol.
 */
import type { StoredObject } from '../../api/types.js';

/** What a running command can use. */
export interface ExecIO {
  /** stdin bytes until the client closes it; undefined when stdin was not requested. */
  stdin?: AsyncIterable<Uint8Array>;
  write(stream: 'stdout' | 'stderr', data: Uint8Array | string): void;
  /** Aborted when the client goes away. */
  signal: AbortSignal;
  /** A terminal is attached (`-t`): an interactive shell prints a prompt. */
  tty?: boolean;
}

/** How a command ended: an exit code, or a failure to start (`error`, upstream's runtime message). */
export type ExecResult = { exitCode: number } | { error: string };

type Rec = Record<string, unknown>;

/** The environment of `container`: PATH, HOSTNAME, HOME, then its literal `env` values. */
export function containerEnv(pod: StoredObject, container: string): [string, string][] {
  const spec = (pod.spec ?? {}) as { containers?: Rec[]; initContainers?: Rec[]; hostname?: string };
  const c = [...(spec.containers ?? []), ...(spec.initContainers ?? [])].find((x) => x.name === container) ?? {};
  const env: [string, string][] = [
    ['PATH', '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin'],
    ['HOSTNAME', spec.hostname ?? pod.metadata.name],
  ];
  for (const e of (Array.isArray(c.env) ? c.env : []) as Rec[]) {
    if (typeof e.name === 'string' && typeof e.value === 'string') env.push([e.name, e.value]);
    else if (typeof e.name === 'string' && !e.valueFrom) env.push([e.name, '']);
  }
  env.push(['HOME', '/root']);
  return env;
}

/** Splits a shell word list (single and double quotes, backslash escapes). */
export function splitWords(script: string): string[] {
  const words: string[] = [];
  let word = '';
  let inWord = false;
  let quote: string | undefined;
  for (let i = 0; i < script.length; i++) {
    const ch = script[i]!;
    if (quote) {
      if (ch === quote) quote = undefined;
      else if (ch === '\\' && quote === '"' && i + 1 < script.length) word += script[++i];
      else word += ch;
    } else if (ch === "'" || ch === '"') {
      quote = ch;
      inWord = true;
    } else if (ch === '\\' && i + 1 < script.length) {
      word += script[++i];
      inWord = true;
    } else if (/\s/.test(ch)) {
      if (inWord) words.push(word);
      word = '';
      inWord = false;
    } else {
      word += ch;
      inWord = true;
    }
  }
  if (inWord) words.push(word);
  return words;
}

/** Resolves after `ms`, or at once when `signal` aborts; never rejects (also used by attach in http/pod-io/simulated.ts). */
export function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise<void>((resolve) => {
    if (signal.aborted) return resolve();
    const onAbort = () => {
      clearTimeout(timer);
      resolve();
    };
    const timer = setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal.addEventListener('abort', onAbort, { once: true });
  });
}

/** Runs `command` in `container` of `pod`. */
export async function runBuiltin(pod: StoredObject, container: string, command: readonly string[], io: ExecIO): Promise<ExecResult> {
  const [program = '', ...args] = command;
  const name = program.split('/').at(-1)!;
  const env = containerEnv(pod, container);
  const out = (text: string) => io.write('stdout', text);
  switch (name) {
    case 'sh':
    case 'bash':
    case 'ash':
      if (args[0] === '-c' && args[1] !== undefined) {
        const words = splitWords(args[1]);
        return words.length ? runBuiltin(pod, container, words, io) : { exitCode: 0 };
      }
      if (args.length === 0 && io.stdin) {
        // An interactive shell: each stdin line runs as a command, until EOF or `exit`.
        let buffered = '';
        const prompt = () => io.tty && io.write('stdout', '# ');
        prompt();
        for await (const chunk of io.stdin) {
          buffered += Buffer.from(chunk).toString('utf8');
          let nl: number;
          while ((nl = buffered.indexOf('\n')) >= 0) {
            const words = splitWords(buffered.slice(0, nl));
            buffered = buffered.slice(nl + 1);
            if (!words.length) continue;
            if (words[0] === 'exit') return { exitCode: Number(words[1] ?? 0) || 0 };
            const result = await runBuiltin(pod, container, words, io);
            if ('error' in result) io.write('stderr', `sh: ${words[0]}: not found\n`);
          }
          prompt();
        }
        return { exitCode: 0 };
      }
      return { exitCode: 0 };
    case 'echo': {
      const newline = args[0] !== '-n';
      out(`${(newline ? args : args.slice(1)).join(' ')}${newline ? '\n' : ''}`);
      return { exitCode: 0 };
    }
    case 'true':
      return { exitCode: 0 };
    case 'false':
      return { exitCode: 1 };
    case 'exit':
      return { exitCode: (Number(args[0] ?? 0) || 0) & 255 };
    case 'env':
      out(env.map(([k, v]) => `${k}=${v}\n`).join(''));
      return { exitCode: 0 };
    case 'printenv': {
      if (!args.length) {
        out(env.map(([k, v]) => `${k}=${v}\n`).join(''));
        return { exitCode: 0 };
      }
      const values = new Map(env);
      let code = 0;
      for (const key of args) {
        if (values.has(key)) out(`${values.get(key)}\n`);
        else code = 1;
      }
      return { exitCode: code };
    }
    case 'hostname':
      out(`${new Map(env).get('HOSTNAME')}\n`);
      return { exitCode: 0 };
    case 'pwd':
      out('/\n');
      return { exitCode: 0 };
    case 'whoami':
      out('root\n');
      return { exitCode: 0 };
    case 'sleep':
      await sleep(Math.min(Number(args[0]) || 0, 3600) * 1000, io.signal);
      return { exitCode: 0 };
    case 'cat': {
      if (!args.length || args[0] === '-') {
        if (io.stdin) for await (const chunk of io.stdin) io.write('stdout', chunk);
        return { exitCode: 0 };
      }
      let code = 0;
      for (const file of args) {
        if (file === '/etc/hostname') out(`${new Map(env).get('HOSTNAME')}\n`);
        else {
          io.write('stderr', `cat: ${file}: No such file or directory\n`);
          code = 1;
        }
      }
      return { exitCode: code };
    }
    default:
      return { error: `exec: ${JSON.stringify(program)}: executable file not found in $PATH` };
  }
}
