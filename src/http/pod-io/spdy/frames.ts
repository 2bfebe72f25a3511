/**
 * SPDY/3.1 framing: the 8-byte frame header (control bit, version 3, type, flags, 24-bit length),
 * the payloads of the control frames kubectl's spdystream speaks (SYN_STREAM, SYN_REPLY,
 * RST_STREAM, SETTINGS, PING, GOAWAY, HEADERS, WINDOW_UPDATE) and DATA frames, plus an
 * incremental reader that cuts a byte stream into frames. Name/value header blocks stay
 * compressed bytes here; headers.ts owns their codec.
 * Owns: bytes ↔ frame objects. Must not: know streams, sessions or zlib.
 */

/** The protocol version every control frame carries. */
export const SPDY_VERSION = 3;

/** Control frame types. */
export const SYN_STREAM = 1;
export const SYN_REPLY = 2;
export const RST_STREAM = 3;
export const SETTINGS = 4;
export const PING = 6;
export const GOAWAY = 7;
export const HEADERS = 8;
export const WINDOW_UPDATE = 9;

/** FIN: the sender's last frame on the stream (DATA, SYN_STREAM, SYN_REPLY, HEADERS). */
export const FLAG_FIN = 0x01;
/** SYN_STREAM only: the receiver must not send on the stream. */
export const FLAG_UNIDIRECTIONAL = 0x02;

/** RST_STREAM status codes (the ones kubemu sends or names). */
export const RST_PROTOCOL_ERROR = 1;
export const RST_INVALID_STREAM = 2;
export const RST_REFUSED_STREAM = 3;
export const RST_UNSUPPORTED_VERSION = 4;
export const RST_CANCEL = 5;
export const RST_STREAM_ALREADY_CLOSED = 9;

/** GOAWAY status codes. */
export const GOAWAY_OK = 0;
export const GOAWAY_PROTOCOL_ERROR = 1;

/** SETTINGS id of the initial per-stream window. */
export const SETTINGS_INITIAL_WINDOW_SIZE = 7;

/** The largest payload a frame's 24-bit length can say. */
export const MAX_FRAME_PAYLOAD = 0xffffff;

/** A DATA frame. */
export interface DataFrame {
  kind: 'data';
  streamId: number;
  flags: number;
  data: Buffer;
}

/** A control frame; which fields are set depends on `type`. */
export interface ControlFrame {
  kind: 'control';
  type: number;
  version: number;
  flags: number;
  /** SYN_STREAM, SYN_REPLY, RST_STREAM, HEADERS, WINDOW_UPDATE; GOAWAY's last-good stream. */
  streamId?: number;
  /** SYN_STREAM. */
  associatedStreamId?: number;
  /** SYN_STREAM: 0 (highest) – 7. */
  priority?: number;
  /** SYN_STREAM, SYN_REPLY, HEADERS: the compressed name/value block. */
  headerBlock?: Buffer;
  /** RST_STREAM and GOAWAY status. */
  status?: number;
  /** PING id. */
  pingId?: number;
  /** WINDOW_UPDATE delta. */
  delta?: number;
  /** SETTINGS entries. */
  settings?: { flags: number; id: number; value: number }[];
  /** Types kubemu does not know keep their payload. */
  payload?: Buffer;
}

/** Either kind of frame. */
export type Frame = DataFrame | ControlFrame;

/** A malformed frame; the session answers with GOAWAY (PROTOCOL_ERROR). */
export class SpdyProtocolError extends Error {}

const id31 = (value: number) => value & 0x7fffffff;

function controlHeader(type: number, flags: number, length: number): Buffer {
  if (length > MAX_FRAME_PAYLOAD) throw new RangeError(`SPDY frame payload of ${length} bytes is too long`);
  const head = Buffer.alloc(8);
  head.writeUInt16BE(0x8000 | SPDY_VERSION, 0);
  head.writeUInt16BE(type, 2);
  head.writeUInt32BE(((flags & 0xff) << 24) | length, 4);
  return head;
}

function control(type: number, flags: number, payload: Buffer): Buffer {
  return Buffer.concat([controlHeader(type, flags, payload.length), payload]);
}

/** A DATA frame of `data` on `streamId` (FIN when `fin`). */
export function encodeData(streamId: number, data: Uint8Array, fin = false): Buffer {
  if (data.length > MAX_FRAME_PAYLOAD) throw new RangeError(`SPDY frame payload of ${data.length} bytes is too long`);
  const head = Buffer.alloc(8);
  head.writeUInt32BE(id31(streamId), 0);
  head.writeUInt32BE(((fin ? FLAG_FIN : 0) << 24) | data.length, 4);
  return Buffer.concat([head, data]);
}

/** SYN_STREAM (what a client sends to open a stream; kubemu only reads it, tests write it). */
export function encodeSynStream(streamId: number, headerBlock: Buffer, options: { fin?: boolean; unidirectional?: boolean; priority?: number; associatedStreamId?: number } = {}): Buffer {
  const fixed = Buffer.alloc(10);
  fixed.writeUInt32BE(id31(streamId), 0);
  fixed.writeUInt32BE(id31(options.associatedStreamId ?? 0), 4);
  fixed.writeUInt8(((options.priority ?? 0) & 7) << 5, 8);
  const flags = (options.fin ? FLAG_FIN : 0) | (options.unidirectional ? FLAG_UNIDIRECTIONAL : 0);
  return control(SYN_STREAM, flags, Buffer.concat([fixed, headerBlock]));
}

function streamAndBlock(type: number, streamId: number, headerBlock: Buffer, fin: boolean): Buffer {
  const id = Buffer.alloc(4);
  id.writeUInt32BE(id31(streamId), 0);
  return control(type, fin ? FLAG_FIN : 0, Buffer.concat([id, headerBlock]));
}

/** SYN_REPLY accepting `streamId`. */
export function encodeSynReply(streamId: number, headerBlock: Buffer, fin = false): Buffer {
  return streamAndBlock(SYN_REPLY, streamId, headerBlock, fin);
}

/** HEADERS on `streamId`. */
export function encodeHeaders(streamId: number, headerBlock: Buffer, fin = false): Buffer {
  return streamAndBlock(HEADERS, streamId, headerBlock, fin);
}

function twoWords(type: number, first: number, second: number): Buffer {
  const payload = Buffer.alloc(8);
  payload.writeUInt32BE(first >>> 0, 0);
  payload.writeUInt32BE(second >>> 0, 4);
  return control(type, 0, payload);
}

/** RST_STREAM of `streamId` with `status`. */
export function encodeRstStream(streamId: number, status: number): Buffer {
  return twoWords(RST_STREAM, id31(streamId), status);
}

/** GOAWAY naming the last stream the sender accepted. */
export function encodeGoAway(lastGoodStreamId: number, status = 0): Buffer {
  return twoWords(GOAWAY, id31(lastGoodStreamId), status);
}

/** WINDOW_UPDATE of `delta` bytes for `streamId` (0: the whole session, SPDY/3.1). */
export function encodeWindowUpdate(streamId: number, delta: number): Buffer {
  return twoWords(WINDOW_UPDATE, id31(streamId), id31(delta));
}

/** PING with `id` (a reply repeats the id it got). */
export function encodePing(id: number): Buffer {
  const payload = Buffer.alloc(4);
  payload.writeUInt32BE(id >>> 0, 0);
  return control(PING, 0, payload);
}

/** SETTINGS with `entries`. */
export function encodeSettings(entries: { id: number; value: number; flags?: number }[]): Buffer {
  const payload = Buffer.alloc(4 + 8 * entries.length);
  payload.writeUInt32BE(entries.length, 0);
  entries.forEach((entry, i) => {
    payload.writeUInt32BE((((entry.flags ?? 0) & 0xff) << 24) | (entry.id & 0xffffff), 4 + 8 * i);
    payload.writeUInt32BE(entry.value >>> 0, 8 + 8 * i);
  });
  return control(SETTINGS, 0, payload);
}

function need(payload: Buffer, bytes: number, what: string): void {
  if (payload.length < bytes) throw new SpdyProtocolError(`${what} frame of ${payload.length} bytes is too short`);
}

/** Decodes one whole frame: its 8-byte header and payload. */
export function decodeFrame(head: Buffer, payload: Buffer): Frame {
  const first = head.readUInt32BE(0);
  const flags = head.readUInt8(4);
  if ((first & 0x80000000) === 0) return { kind: 'data', streamId: first & 0x7fffffff, flags, data: payload };
  const version = (first >>> 16) & 0x7fff;
  const type = first & 0xffff;
  const frame: ControlFrame = { kind: 'control', type, version, flags };
  switch (type) {
    case SYN_STREAM:
      need(payload, 10, 'SYN_STREAM');
      frame.streamId = id31(payload.readUInt32BE(0));
      frame.associatedStreamId = id31(payload.readUInt32BE(4));
      frame.priority = payload.readUInt8(8) >> 5;
      frame.headerBlock = payload.subarray(10);
      break;
    case SYN_REPLY:
    case HEADERS:
      need(payload, 4, type === SYN_REPLY ? 'SYN_REPLY' : 'HEADERS');
      frame.streamId = id31(payload.readUInt32BE(0));
      frame.headerBlock = payload.subarray(4);
      break;
    case RST_STREAM:
    case GOAWAY:
      need(payload, 8, type === RST_STREAM ? 'RST_STREAM' : 'GOAWAY');
      frame.streamId = id31(payload.readUInt32BE(0));
      frame.status = payload.readUInt32BE(4);
      break;
    case WINDOW_UPDATE:
      need(payload, 8, 'WINDOW_UPDATE');
      frame.streamId = id31(payload.readUInt32BE(0));
      frame.delta = id31(payload.readUInt32BE(4));
      break;
    case PING:
      need(payload, 4, 'PING');
      frame.pingId = payload.readUInt32BE(0);
      break;
    case SETTINGS: {
      need(payload, 4, 'SETTINGS');
      const count = payload.readUInt32BE(0);
      need(payload, 4 + 8 * count, 'SETTINGS');
      frame.settings = [];
      for (let i = 0; i < count; i++) {
        const word = payload.readUInt32BE(4 + 8 * i);
        frame.settings.push({ flags: word >>> 24, id: word & 0xffffff, value: payload.readUInt32BE(8 + 8 * i) });
      }
      break;
    }
    default:
      frame.payload = payload;
  }
  return frame;
}

/** Cuts a byte stream into frames: `push` bytes as they arrive, get every whole frame back. */
export class FrameReader {
  #buffer: Buffer = Buffer.alloc(0);

  /** Adds `chunk` and returns the frames it completed (possibly none). */
  push(chunk: Uint8Array): Frame[] {
    this.#buffer = this.#buffer.length ? Buffer.concat([this.#buffer, chunk]) : Buffer.from(chunk);
    const frames: Frame[] = [];
    while (this.#buffer.length >= 8) {
      const length = this.#buffer.readUInt32BE(4) & 0xffffff;
      if (this.#buffer.length < 8 + length) break;
      // Copies: the caller may keep a frame's data after more bytes arrive.
      frames.push(decodeFrame(this.#buffer.subarray(0, 8), Buffer.from(this.#buffer.subarray(8, 8 + length))));
      this.#buffer = this.#buffer.subarray(8 + length);
    }
    return frames;
  }

  /** Bytes held that do not make a whole frame yet. */
  get pending(): number {
    return this.#buffer.length;
  }
}
