/**
 * The PodIO backend of simulated nodes: logs from the lifecycle stages' log definitions
 * (controllers/nodes/pod-logs.ts), exec by the built-in commands (controllers/nodes/exec.ts),
 * attach as the container's new log lines plus stdin echoed, port-forward as an echo of each
 * port a container declares (any other port is refused at once, on its error channel).
 * Owns: mapping those behaviours onto the wire (log text, channel protocol).
 * Must not: parse requests (routes and options do) or write objects.
 */
import { badRequest, isStatusError, StatusError } from '../../api/errors.js';
import type { Status, StoredObject } from '../../api/types.js';
import { runBuiltin, sleep } from '../../controllers/nodes/exec.js';
import { containerLog, logTimestamp, type LogLine } from '../../controllers/nodes/pod-logs.js';
import type { Stage } from '../../controllers/nodes/stages.js';
import type { LogOptions, PodIO, Session, StreamOptions } from './backend.js';
import { exitStatus, frame, RemoteCommandChannels, STDERR, STDOUT } from './channel.js';

/** How often a followed log or an attach looks at the pod again. */
const POLL_MS = 200;

/** Construction options of {@link SimulatedPodIO}. */
export interface SimulatedPodIOOptions {
  stages: readonly Stage[];
  /** The current pod, or undefined when it is gone. */
  getPod(namespace: string, name: string): StoredObject | undefined;
}

/** A queue of chunks read as an async iterable (stdin). */
class Pipe implements AsyncIterable<Uint8Array> {
  #chunks: Uint8Array[] = [];
  #ended = false;
  #wake: (() => void) | undefined;
  push(chunk: Uint8Array): void {
    this.#chunks.push(chunk);
    this.#wake?.();
  }
  end(): void {
    this.#ended = true;
    this.#wake?.();
  }
  async *[Symbol.asyncIterator](): AsyncIterator<Uint8Array> {
    for (;;) {
      const chunk = this.#chunks.shift();
      if (chunk) yield chunk;
      else if (this.#ended) return;
      else await new Promise<void>((resolve) => (this.#wake = resolve));
    }
  }
}

/**
 * A terminal's canonical input for `exec -t`: typed bytes are echoed and collected into a line
 * that reaches the command on Enter (CR), backspace edits it, Ctrl-D on an empty line ends
 * input, Ctrl-C interrupts.
 */
class LineDiscipline {
  #line = '';
  readonly #pipe: Pipe;
  readonly #echo: (text: string) => void;
  readonly #interrupt: () => void;

  constructor(pipe: Pipe, echo: (text: string) => void, interrupt: () => void) {
    this.#pipe = pipe;
    this.#echo = echo;
    this.#interrupt = interrupt;
  }

  input(data: Uint8Array): void {
    for (const ch of Buffer.from(data).toString('utf8')) {
      if (ch === '\r' || ch === '\n') {
        this.#echo('\r\n');
        this.#pipe.push(Buffer.from(`${this.#line}\n`));
        this.#line = '';
      } else if (ch === '\x7f' || ch === '\b') {
        if (this.#line) {
          this.#line = this.#line.slice(0, -1);
          this.#echo('\b \b');
        }
      } else if (ch === '\x04') {
        if (!this.#line) this.#pipe.end();
      } else if (ch === '\x03') {
        this.#echo('^C\r\n');
        this.#interrupt();
        this.#pipe.end();
      } else {
        this.#line += ch;
        this.#echo(ch);
      }
    }
  }
}

function internalStatus(message: string): Status {
  return { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message: `Internal error occurred: ${message}`, reason: 'InternalError', code: 500 } as Status;
}

/** See the module comment. */
export class SimulatedPodIO implements PodIO {
  readonly #stages: readonly Stage[];
  readonly #getPod: SimulatedPodIOOptions['getPod'];

  constructor(options: SimulatedPodIOOptions) {
    this.#stages = options.stages;
    this.#getPod = options.getPod;
  }

  #current(pod: StoredObject): StoredObject | undefined {
    const now = this.#getPod(pod.metadata.namespace ?? '', pod.metadata.name);
    return now && now.metadata.uid === pod.metadata.uid ? now : undefined;
  }

  async logs(pod: StoredObject, options: LogOptions, signal: AbortSignal): Promise<AsyncIterable<Uint8Array>> {
    const { container } = options;
    const name = pod.metadata.name;
    const log = containerLog(this.#stages, pod, container);
    if (options.previous) throw badRequest(`previous terminated container ${JSON.stringify(container)} in pod ${JSON.stringify(name)} not found`);
    if (log.state === 'waiting') throw badRequest(`container ${JSON.stringify(container)} in pod ${JSON.stringify(name)} is waiting to start: ${log.reason}`);
    const since = options.sinceSeconds !== undefined ? Date.now() - options.sinceSeconds * 1000 : options.sinceTime ? Date.parse(options.sinceTime) : undefined;
    const render = (line: LogLine) => Buffer.from(`${options.timestamps ? `${logTimestamp(line.at)} ` : ''}${line.text}\n`);
    const wanted = (line: LogLine) => since === undefined || line.at >= since;
    const self = this;
    let budget = options.limitBytes ?? Infinity;
    const limit = (chunk: Buffer): Buffer | undefined => {
      if (budget <= 0) return undefined;
      const cut = chunk.length > budget ? chunk.subarray(0, budget) : chunk;
      budget -= cut.length;
      return cut;
    };
    async function* stream(): AsyncGenerator<Uint8Array> {
      let current: StoredObject | undefined = pod;
      let state = log;
      const due = () => state.lines.filter((l) => l.at <= Date.now());
      let printed = due();
      let first = printed.filter(wanted);
      if (options.tailLines !== undefined) first = options.tailLines === 0 ? [] : first.slice(-options.tailLines);
      for (const line of first) {
        const chunk = limit(render(line));
        if (!chunk) return;
        yield chunk;
      }
      if (!options.follow) return;
      let sent = printed.length;
      while (!signal.aborted) {
        if (state.state === 'terminated' && sent >= state.lines.length) return;
        const next = state.lines[sent];
        await sleep(next ? Math.max(0, Math.min(POLL_MS, next.at - Date.now())) : POLL_MS, signal);
        current = self.#current(current);
        if (!current) return;
        state = containerLog(self.#stages, current, container);
        printed = due();
        for (const line of printed.slice(sent)) {
          if (!wanted(line)) continue;
          const chunk = limit(render(line));
          if (!chunk) return;
          yield chunk;
        }
        sent = Math.max(sent, printed.length);
      }
    }
    return stream();
  }

  #requireRunning(pod: StoredObject, container: string): void {
    if (containerLog(this.#stages, pod, container).state !== 'running') throw new StatusError(400, 'BadRequest', `container not found (${JSON.stringify(container)})`);
  }

  exec(pod: StoredObject, options: StreamOptions, session: Session): void {
    this.#requireRunning(pod, options.container);
    const stdin = options.stdin ? new Pipe() : undefined;
    const abort = new AbortController();
    let interrupted = false;
    const terminal = options.tty && stdin ? new LineDiscipline(stdin, (echo) => channels.write(STDOUT, echo), () => ((interrupted = true), abort.abort())) : undefined;
    const channels = new RemoteCommandChannels(session.socket, session.protocol, {
      onStdin: (data) => (terminal ? terminal.input(data) : stdin?.push(data)),
      onStdinEnd: () => stdin?.end(),
      onClose: () => abort.abort(),
    });
    channels.ready(options);
    const write = (stream: 'stdout' | 'stderr', data: Uint8Array | string) => {
      if (stream === 'stdout' ? !options.stdout : !options.stderr && !options.tty) return;
      // A terminal turns each newline into CR LF (onlcr).
      const bytes = options.tty ? Buffer.from(Buffer.from(data).toString('utf8').replace(/\r?\n/g, '\r\n')) : data;
      channels.write(stream === 'stderr' && !options.tty ? STDERR : STDOUT, bytes);
    };
    const io = { ...(stdin ? { stdin } : {}), write, signal: abort.signal, tty: options.tty };
    runBuiltin(pod, options.container, options.command, io)
      .then((result) => {
        const code = interrupted ? 130 : 'error' in result ? undefined : result.exitCode;
        channels.finish(code === undefined ? internalStatus(`error executing command in container: ${(result as { error: string }).error}`) : exitStatus(code, options.command));
      })
      .catch((err: unknown) => channels.finish(isStatusError(err) ? err.status : internalStatus(String(err))));
  }

  attach(pod: StoredObject, options: StreamOptions, session: Session): void {
    this.#requireRunning(pod, options.container);
    const abort = new AbortController();
    const channels = new RemoteCommandChannels(session.socket, session.protocol, {
      onStdin: (data) => options.stdout && channels.write(STDOUT, data),
      onClose: () => abort.abort(),
    });
    channels.ready(options);
    // Output printed from now on: the follow part of the log, without history.
    const follow = { container: options.container, follow: true, previous: false, timestamps: false, tailLines: 0 };
    void (async () => {
      try {
        for await (const chunk of await this.logs(pod, follow, abort.signal)) if (options.stdout) channels.write(STDOUT, chunk);
        channels.finish(exitStatus(0, []));
      } catch (err) {
        channels.finish(isStatusError(err) ? err.status : internalStatus(String(err)));
      }
    })();
  }

  portForward(pod: StoredObject, ports: number[], session: Session): void {
    const { socket } = session;
    const declared = new Set<number>();
    for (const c of ((pod.spec as { containers?: { ports?: { containerPort?: number }[] }[] }).containers ?? []))
      for (const p of c.ports ?? []) if (typeof p.containerPort === 'number') declared.add(p.containerPort);
    const portBytes = (port: number) => Buffer.from([port & 0xff, port >> 8]);
    ports.forEach((port, i) => {
      socket.send(frame(2 * i, portBytes(port)));
      socket.send(frame(2 * i + 1, portBytes(port)));
    });
    // As the kubelet, which dials each port at once: an undeclared port is refused right away.
    const refusal = (port: number) => `error forwarding port ${port} to pod ${pod.metadata.name}, uid ${pod.metadata.uid}: failed to connect to localhost:${port} inside the pod: connection refused`;
    ports.forEach((port, i) => {
      if (!declared.has(port)) socket.send(frame(2 * i + 1, refusal(port)));
    });
    socket.on('message', (raw: Buffer | ArrayBuffer | Buffer[]) => {
      const data = Array.isArray(raw) ? Buffer.concat(raw) : Buffer.isBuffer(raw) ? raw : Buffer.from(raw);
      if (data.length === 0) return;
      const channel = data[0]!;
      const port = ports[channel >> 1];
      if (port === undefined || channel % 2 === 1) return;
      if (declared.has(port)) socket.send(frame(channel, data.subarray(1)));
    });
  }
}
