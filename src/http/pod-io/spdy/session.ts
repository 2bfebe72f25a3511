/**
 * The server side of one SPDY/3.1 connection: streams the client opens with SYN_STREAM are
 * accepted (SYN_REPLY), their DATA delivered, FIN and RST_STREAM honoured; PINGs the client
 * starts are answered; GOAWAY ends the connection; received DATA is acknowledged with
 * WINDOW_UPDATE per stream and for the session. kubemu never opens streams itself, and does not
 * hold back its own DATA for the peer's window: kubectl's spdystream neither sends WINDOW_UPDATE
 * nor enforces windows (the kubelet's side does the same).
 * Header blocks are decompressed and compressed in wire order (one zlib context each way).
 * Owns: frames ↔ streams on one connection. Must not: know what the streams carry.
 */
import {
  encodeData, encodeGoAway, encodePing, encodeRstStream, encodeSynReply, encodeWindowUpdate, FLAG_FIN, FLAG_UNIDIRECTIONAL, FrameReader,
  GOAWAY, GOAWAY_OK, GOAWAY_PROTOCOL_ERROR, HEADERS, PING, RST_PROTOCOL_ERROR, RST_REFUSED_STREAM, RST_STREAM, RST_UNSUPPORTED_VERSION,
  SPDY_VERSION, SYN_REPLY, SYN_STREAM,
  type ControlFrame, type Frame,
} from './frames.js';
import { HeaderCompressor, HeaderDecompressor, type HeaderMap } from './headers.js';

/** Where the session's bytes go: a TCP/TLS socket, or a websocket tunnel. */
export interface Transport {
  write(bytes: Buffer): void;
  /** Closes after what was written (graceful). */
  end(): void;
}

/** The session's callbacks. */
export interface SessionHandlers {
  /** A stream the client opened (SYN_REPLY already queued). */
  onStream(stream: SpdyStream): void;
  /** The connection is gone (transport closed or protocol error). */
  onClose?(): void;
}

/** Bytes of the default window; an update is sent once half of it was received. */
const WINDOW = 65536;
const UPDATE_AT = WINDOW / 2;
/** Largest DATA payload kubemu writes in one frame. */
const DATA_CHUNK = 32 * 1024;

/** One stream of a {@link SpdySession}. */
export class SpdyStream {
  readonly id: number;
  readonly headers: HeaderMap;
  readonly #session: SpdySession;
  #replied: boolean;
  #localDone = false;
  #remoteDone = false;
  #closed = false;
  #unacked = 0;
  #pending: Buffer[] = [];
  #onData: ((data: Buffer) => void) | undefined;
  #onEnd: (() => void) | undefined;
  #onClose: (() => void) | undefined;

  /** @internal created by the session. */
  constructor(session: SpdySession, id: number, headers: HeaderMap, remoteDone: boolean, localDone: boolean) {
    this.#session = session;
    this.id = id;
    this.headers = headers;
    this.#remoteDone = remoteDone;
    this.#localDone = localDone;
    // A unidirectional stream gets no reply: kubemu never sends on it.
    this.#replied = localDone;
  }

  /** Listens: `data` for each DATA payload (earlier ones replayed), `end` at the peer's FIN, `close` when the stream is gone either way. */
  on(handlers: { data?: (data: Buffer) => void; end?: () => void; close?: () => void }): void {
    this.#onData = handlers.data;
    this.#onEnd = handlers.end;
    this.#onClose = handlers.close;
    for (const chunk of this.#pending.splice(0)) this.#onData?.(chunk);
    if (this.#remoteDone) this.#onEnd?.();
    if (this.#closed) this.#onClose?.();
  }

  /** True once the peer sent FIN (or reset the stream). */
  get remoteDone(): boolean {
    return this.#remoteDone;
  }

  /** True once kubemu sent FIN (or the stream was reset). */
  get localDone(): boolean {
    return this.#localDone;
  }

  /** Sends SYN_REPLY (once). */
  reply(headers: HeaderMap = new Map()): void {
    if (this.#replied || this.#closed) return;
    this.#replied = true;
    this.#session.sendHeaders((block) => encodeSynReply(this.id, block), headers);
  }

  /** Sends `data` in DATA frames. */
  write(data: Uint8Array): void {
    if (this.#localDone || this.#closed || data.length === 0) return;
    this.reply();
    for (let at = 0; at < data.length; at += DATA_CHUNK) this.#session.sendRaw(encodeData(this.id, data.subarray(at, at + DATA_CHUNK)));
  }

  /** Sends FIN: kubemu writes nothing more on this stream. */
  end(): void {
    if (this.#localDone || this.#closed) return;
    this.reply();
    this.#localDone = true;
    this.#session.sendRaw(encodeData(this.id, Buffer.alloc(0), true));
    this.#maybeClose();
  }

  /** Resets the stream with RST_STREAM `status`. */
  reset(status: number): void {
    if (this.#closed) return;
    this.#session.sendRaw(encodeRstStream(this.id, status));
    this.#terminate();
  }

  /** @internal DATA from the peer. */
  receive(frame: { data: Buffer; flags: number }): void {
    if (this.#remoteDone || this.#closed) return;
    if (frame.data.length) {
      this.#unacked += frame.data.length;
      if (this.#unacked >= UPDATE_AT && !(frame.flags & FLAG_FIN)) {
        this.#session.sendRaw(encodeWindowUpdate(this.id, this.#unacked));
        this.#unacked = 0;
      }
      if (this.#onData) this.#onData(frame.data);
      else this.#pending.push(frame.data);
    }
    if (frame.flags & FLAG_FIN) this.remoteFinished();
  }

  /** @internal the peer's FIN. */
  remoteFinished(): void {
    if (this.#remoteDone) return;
    this.#remoteDone = true;
    this.#onEnd?.();
    this.#maybeClose();
  }

  /** @internal the peer reset the stream or the connection went. */
  terminate(): void {
    this.#terminate();
  }

  #terminate(): void {
    if (this.#closed) return;
    const wasRemoteDone = this.#remoteDone;
    this.#localDone = this.#remoteDone = this.#closed = true;
    if (!wasRemoteDone) this.#onEnd?.();
    this.#session.forget(this.id);
    this.#onClose?.();
  }

  #maybeClose(): void {
    if (this.#localDone && this.#remoteDone && !this.#closed) {
      this.#closed = true;
      this.#session.forget(this.id);
      this.#onClose?.();
    }
  }
}

/** See the module comment. */
export class SpdySession {
  readonly #transport: Transport;
  readonly #handlers: SessionHandlers;
  readonly #reader = new FrameReader();
  readonly #compressor = new HeaderCompressor();
  readonly #decompressor = new HeaderDecompressor();
  readonly #streams = new Map<number, SpdyStream>();
  #lastStreamId = 0;
  #sessionUnacked = 0;
  #incoming: Promise<void> = Promise.resolve();
  #outgoing: Promise<void> = Promise.resolve();
  #goingAway = false;
  #ended = false;
  #closed = false;
  /** Set once the transport was told to end: nothing may be written after that. */
  #transportEnded = false;

  constructor(transport: Transport, handlers: SessionHandlers) {
    this.#transport = transport;
    this.#handlers = handlers;
  }

  /** Streams currently open. */
  get streams(): ReadonlyMap<number, SpdyStream> {
    return this.#streams;
  }

  /** True once closed. */
  get closed(): boolean {
    return this.#closed;
  }

  /** Bytes from the transport. */
  receive(chunk: Uint8Array): void {
    if (this.#closed) return;
    let frames: Frame[];
    try {
      frames = this.#reader.push(chunk);
    } catch {
      this.#protocolError();
      return;
    }
    for (const frame of frames) {
      this.#incoming = this.#incoming.then(() => (this.#closed ? undefined : this.#handle(frame))).catch(() => this.#protocolError());
    }
  }

  /** The transport closed: every stream ends. */
  transportClosed(): void {
    this.#closed = true;
    this.#shutdown();
  }

  /**
   * Ends the connection: GOAWAY naming the last stream accepted, then the transport closes
   * once everything queued was written.
   */
  close(): void {
    if (this.#goingAway) return;
    this.#goingAway = true;
    this.sendRaw(encodeGoAway(this.#lastStreamId, GOAWAY_OK));
    this.#endTransport();
  }

  /** @internal queues `bytes` in order with every other frame. */
  sendRaw(bytes: Buffer): void {
    if (this.#closed || this.#transportEnded) return;
    this.#outgoing = this.#outgoing.then(() => {
      if (!this.#closed && !this.#transportEnded) this.#transport.write(bytes);
    });
  }

  /** @internal queues a frame that carries a compressed header block. */
  sendHeaders(build: (block: Buffer) => Buffer, headers: HeaderMap): void {
    if (this.#closed || this.#transportEnded) return;
    const block = this.#compressor.compress(headers);
    this.#outgoing = this.#outgoing.then(async () => {
      const bytes = build(await block);
      if (!this.#closed && !this.#transportEnded) this.#transport.write(bytes);
    }).catch(() => this.#protocolError());
  }

  /** Ends the transport after everything queued so far; later frames are dropped. */
  #endTransport(): void {
    this.#outgoing = this.#outgoing.then(() => {
      if (this.#transportEnded) return;
      this.#transportEnded = true;
      this.#transport.end();
    });
  }

  /** @internal a closed stream leaves the table. */
  forget(id: number): void {
    this.#streams.delete(id);
  }

  async #handle(frame: Frame): Promise<void> {
    if (frame.kind === 'data') {
      this.#sessionUnacked += frame.data.length;
      if (this.#sessionUnacked >= UPDATE_AT) {
        this.sendRaw(encodeWindowUpdate(0, this.#sessionUnacked));
        this.#sessionUnacked = 0;
      }
      this.#streams.get(frame.streamId)?.receive(frame);
      return;
    }
    if (frame.version !== SPDY_VERSION) {
      // Still decompress what it carries: the zlib context is shared by every block.
      if (frame.headerBlock) await this.#decompressor.decompress(frame.headerBlock);
      if (frame.type === SYN_STREAM && frame.streamId) this.sendRaw(encodeRstStream(frame.streamId, RST_UNSUPPORTED_VERSION));
      return;
    }
    switch (frame.type) {
      case SYN_STREAM:
        return this.#open(frame);
      case SYN_REPLY:
      case HEADERS: {
        await this.#decompressor.decompress(frame.headerBlock!);
        if (frame.flags & FLAG_FIN) this.#streams.get(frame.streamId!)?.remoteFinished();
        return;
      }
      case RST_STREAM:
        this.#streams.get(frame.streamId!)?.terminate();
        return;
      case PING:
        // Odd ids are the client's own pings: answer with the same id. Even ones would answer ours.
        if (frame.pingId! % 2 === 1) this.sendRaw(encodePing(frame.pingId!));
        return;
      case GOAWAY:
        // The client starts no more streams; the open ones finish, then it closes the connection.
        this.#goingAway = true;
        if (this.#streams.size === 0) this.#endTransport();
        return;
      default:
        // SETTINGS, WINDOW_UPDATE and unknown types change nothing kubemu does.
        return;
    }
  }

  async #open(frame: ControlFrame): Promise<void> {
    const headers = await this.#decompressor.decompress(frame.headerBlock!);
    const id = frame.streamId!;
    if (id % 2 === 0 || id <= this.#lastStreamId) {
      this.sendRaw(encodeRstStream(id, RST_PROTOCOL_ERROR));
      return;
    }
    this.#lastStreamId = id;
    if (this.#goingAway) {
      this.sendRaw(encodeRstStream(id, RST_REFUSED_STREAM));
      return;
    }
    const stream = new SpdyStream(this, id, headers, (frame.flags & FLAG_FIN) !== 0, (frame.flags & FLAG_UNIDIRECTIONAL) !== 0);
    this.#streams.set(id, stream);
    stream.reply();
    this.#handlers.onStream(stream);
  }

  #protocolError(): void {
    if (this.#closed) return;
    if (!this.#goingAway) {
      this.#goingAway = true;
      this.sendRaw(encodeGoAway(this.#lastStreamId, GOAWAY_PROTOCOL_ERROR));
    }
    this.#endTransport();
    this.#shutdown();
  }

  #shutdown(): void {
    if (this.#ended) return;
    this.#ended = this.#goingAway = true;
    for (const stream of [...this.#streams.values()]) stream.terminate();
    // Frames already queued (a GOAWAY) still reach the transport; nothing after them.
    void this.#outgoing.then(() => {
      this.#closed = true;
      this.#compressor.close();
      this.#decompressor.close();
    });
    this.#handlers.onClose?.();
  }
}
