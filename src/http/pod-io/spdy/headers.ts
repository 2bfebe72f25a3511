/**
 * SPDY/3 name/value header blocks: the uncompressed layout (32-bit pair count, then each name
 * and value as 32-bit length + bytes; several values of one name joined by NUL) and its zlib
 * compression with the SPDY/3 dictionary. Each direction of a connection keeps ONE zlib context
 * for all its blocks, each block ending in a sync flush, so blocks must be compressed and
 * decompressed in wire order: the codec classes serialize their calls.
 * Owns: header blocks ↔ header maps. Must not: know frames or streams.
 */
import zlib from 'node:zlib';

/** Header names and their values (names lower case, as SPDY requires). */
export type HeaderMap = Map<string, string[]>;

/** Header names the SPDY/3 dictionary lists, each preceded by its 32-bit length. */
const DICTIONARY_NAMES = [
  'options', 'head', 'post', 'put', 'delete', 'trace', 'accept', 'accept-charset', 'accept-encoding', 'accept-language',
  'accept-ranges', 'age', 'allow', 'authorization', 'cache-control', 'connection', 'content-base', 'content-encoding',
  'content-language', 'content-length', 'content-location', 'content-md5', 'content-range', 'content-type', 'date', 'etag',
  'expect', 'expires', 'from', 'host', 'if-match', 'if-modified-since', 'if-none-match', 'if-range', 'if-unmodified-since',
  'last-modified', 'location', 'max-forwards', 'pragma', 'proxy-authenticate', 'proxy-authorization', 'range', 'referer',
  'retry-after', 'server', 'te', 'trailer', 'transfer-encoding', 'upgrade', 'user-agent', 'vary', 'via', 'warning',
  'www-authenticate', 'method', 'get', 'status', '200 OK', 'version', 'HTTP/1.1', 'url', 'public', 'set-cookie',
  'keep-alive', 'origin',
];

/** The dictionary's tail: status codes and phrases, dates, common values, without separators. */
const DICTIONARY_TAIL = [
  '100101201202205206300302303304305306307402405406407408409410411412413414415416417502504505',
  '203 Non-Authoritative Information204 No Content301 Moved Permanently400 Bad Request401 Unauthorized',
  '403 Forbidden404 Not Found500 Internal Server Error501 Not Implemented503 Service Unavailable',
  'Jan Feb Mar Apr May Jun Jul Aug Sept Oct Nov Dec 00:00:00 Mon, Tue, Wed, Thu, Fri, Sat, Sun, GMT',
  'chunked,text/html,image/png,image/jpg,image/gif,application/xml,application/xhtml+xml,text/plain,',
  'text/javascript,publicprivatemax-age=gzip,deflate,sdchcharset=utf-8charset=iso-8859-1,utf-,*,enq=0.',
].join('');

function lengthPrefixed(text: string): Buffer {
  const body = Buffer.from(text, 'latin1');
  const length = Buffer.alloc(4);
  length.writeUInt32BE(body.length, 0);
  return Buffer.concat([length, body]);
}

/** The SPDY/3 zlib dictionary (1423 bytes). */
export const SPDY3_DICTIONARY: Buffer = Buffer.concat([...DICTIONARY_NAMES.map(lengthPrefixed), Buffer.from(DICTIONARY_TAIL, 'latin1')]);

/** A header map from plain pairs (names lower-cased). */
export function headerMap(pairs: Record<string, string | string[]>): HeaderMap {
  const map: HeaderMap = new Map();
  for (const [name, value] of Object.entries(pairs)) map.set(name.toLowerCase(), Array.isArray(value) ? value : [value]);
  return map;
}

/** The uncompressed name/value block of `headers`. */
export function encodeHeaderBlock(headers: HeaderMap): Buffer {
  const parts: Buffer[] = [];
  const count = Buffer.alloc(4);
  count.writeUInt32BE(headers.size, 0);
  parts.push(count);
  for (const [name, values] of headers) {
    parts.push(lengthPrefixed(name.toLowerCase()));
    parts.push(Buffer.concat([Buffer.alloc(4), Buffer.from(values.join('\0'), 'utf8')]));
    const value = parts.at(-1)!;
    value.writeUInt32BE(value.length - 4, 0);
  }
  return Buffer.concat(parts);
}

/** Parses an uncompressed name/value block; throws on truncation. */
export function decodeHeaderBlock(block: Buffer): HeaderMap {
  const headers: HeaderMap = new Map();
  let at = 0;
  const read = (): Buffer => {
    if (at + 4 > block.length) throw new RangeError('SPDY header block is truncated');
    const length = block.readUInt32BE(at);
    if (at + 4 + length > block.length) throw new RangeError('SPDY header block is truncated');
    const bytes = block.subarray(at + 4, at + 4 + length);
    at += 4 + length;
    return bytes;
  };
  if (block.length < 4) throw new RangeError('SPDY header block is truncated');
  const count = block.readUInt32BE(0);
  at = 4;
  for (let i = 0; i < count; i++) {
    const name = read().toString('utf8').toLowerCase();
    const values = read().toString('utf8').split('\0');
    headers.set(name, [...(headers.get(name) ?? []), ...values]);
  }
  return headers;
}

/** The first value of `name`, if any. */
export function headerValue(headers: HeaderMap, name: string): string | undefined {
  return headers.get(name.toLowerCase())?.[0];
}

/** One zlib context (deflate or inflate) used block by block, each block sync-flushed. */
class SyncFlushedContext {
  readonly #stream: zlib.Deflate | zlib.Inflate;
  #output: Buffer[] = [];
  #error: Error | undefined;
  #queue: Promise<unknown> = Promise.resolve();

  constructor(stream: zlib.Deflate | zlib.Inflate) {
    this.#stream = stream;
    stream.on('data', (chunk: Buffer) => this.#output.push(chunk));
    stream.on('error', (err: Error) => (this.#error = err));
  }

  /** `input` through the context, everything it produced up to a sync flush. In call order. */
  run(input: Buffer): Promise<Buffer> {
    const next = this.#queue.then(
      () =>
        new Promise<Buffer>((resolve, reject) => {
          if (this.#error) return reject(this.#error);
          this.#stream.write(input);
          this.#stream.flush(zlib.constants.Z_SYNC_FLUSH, () => {
            if (this.#error) return reject(this.#error);
            const out = Buffer.concat(this.#output);
            this.#output = [];
            resolve(out);
          });
        }),
    );
    this.#queue = next.catch(() => undefined);
    return next;
  }

  close(): void {
    this.#stream.destroy();
  }
}

/** The compressing side of a connection (kubemu's outgoing header blocks). */
export class HeaderCompressor {
  readonly #context = new SyncFlushedContext(zlib.createDeflate({ dictionary: SPDY3_DICTIONARY }));

  /** The compressed block of `headers`; resolve in call order. */
  compress(headers: HeaderMap): Promise<Buffer> {
    return this.#context.run(encodeHeaderBlock(headers));
  }

  close(): void {
    this.#context.close();
  }
}

/** The decompressing side of a connection (the peer's header blocks). */
export class HeaderDecompressor {
  readonly #context = new SyncFlushedContext(zlib.createInflate({ dictionary: SPDY3_DICTIONARY }));

  /** The headers of a compressed block; call in wire order. */
  async decompress(block: Buffer): Promise<HeaderMap> {
    return decodeHeaderBlock(await this.#context.run(block));
  }

  close(): void {
    this.#context.close();
  }
}
