/**
 * Continue tokens of paginated lists in kube-apiserver's own format, and the errors a list or
 * watch gets when its resourceVersion or token is out of the server's reach.
 *
 * A token is URL-safe base64 without padding (Go's RawURLEncoding) of the JSON Go's
 * encoding/json writes for apiserver `storage.continueToken` (pkg/storage/continue.go):
 *
 *   {"v":"meta.k8s.io/v1","rv":42,"start":"nginx\u0000"}
 *     → eyJ2IjoibWV0YS5rOHMuaW8vdjEiLCJydiI6NDIsInN0YXJ0IjoibmdpbnhcdTAwMDAifQ
 *
 * `rv` is the revision every page of the list is read at (-1: the latest, see expiredContinue);
 * `start` is where the next page begins, relative to the list's key prefix: the last returned
 * key without the prefix, plus "\u0000" so that the range starts just after it.
 * Decoding reproduces Go's base64 and JSON error wording, since upstream puts them in the 400.
 *
 * Owns: the token format and the pagination / resourceVersion freshness errors.
 * Must not: know storage keys, caches or HTTP.
 */
import { goJsonSyntaxError } from './go-json-error.js';
import { badRequest, resourceExpired, StatusError } from './errors.js';

/** A decoded continue token. */
export interface ContinueToken {
  /** Revision of the list (> 0), or -1 for "continue at the latest revision". */
  rv: number;
  /** Start of the next page relative to the list's key prefix (path-cleaned, no leading `/`). */
  start: string;
}

/** The only token version upstream writes and reads. */
const TOKEN_VERSION = 'meta.k8s.io/v1';

// ---------------------------------------------------------------------------------------------
// Encoding

/** One code point as Go's encoding/json escapes it inside a string (HTML-safe, as json.Marshal). */
function goJsonChar(ch: string): string {
  const cp = ch.codePointAt(0)!;
  if (ch === '"' || ch === '\\') return `\\${ch}`;
  const short: Record<number, string> = { 0x08: '\\b', 0x0c: '\\f', 0x0a: '\\n', 0x0d: '\\r', 0x09: '\\t' };
  if (short[cp]) return short[cp];
  if (cp < 0x20 || ch === '<' || ch === '>' || ch === '&' || cp === 0x2028 || cp === 0x2029)
    return `\\u${cp.toString(16).padStart(4, '0')}`;
  // A lone surrogate cannot be UTF-8; Go writes the replacement character for invalid bytes.
  if (cp >= 0xd800 && cp <= 0xdfff) return '\\ufffd';
  return ch;
}

/**
 * The token for a page read at revision `rv` whose next page begins at `start` (EncodeContinue).
 * Use continueAfter to compute `start` from the last returned key.
 */
export function encodeContinueToken(rv: number, start: string): string {
  if (!Number.isSafeInteger(rv)) throw new TypeError(`continue token revision must be an integer, got ${rv}`);
  const quoted = `"${Array.from(start, goJsonChar).join('')}"`;
  const json = `{"v":"${TOKEN_VERSION}","rv":${rv},"start":${quoted}}`;
  return Buffer.from(json, 'utf8').toString('base64url');
}

/**
 * The `start` of the page after the one that ended with `lastKey`, for a list over `prefix`
 * (PrepareContinueToken: `lastKey + "\x00"` without the prefix). The next page lists keys
 * `>= prefix + start`, i.e. strictly after `lastKey`. Throws a TypeError when `lastKey` is not
 * under `prefix` (upstream: "the key and key prefix do not match").
 */
export function continueAfter(lastKey: string, prefix: string): string {
  if (!lastKey.startsWith(prefix)) throw new TypeError(`key ${lastKey} is not under the list prefix ${prefix}`);
  return `${lastKey.slice(prefix.length)}\u0000`;
}

// ---------------------------------------------------------------------------------------------
// Decoding

class InvalidKey extends Error {}

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
const DECODE = new Map([...ALPHABET].map((c, i) => [c.charCodeAt(0), i]));

/**
 * Go's base64.RawURLEncoding.DecodeString, quantum by quantum so that a bad input fails with
 * the same `illegal base64 data at input byte N` offset (bytes of the UTF-8 text; `\r` and `\n`
 * are skipped; no padding character exists, so `=` is illegal too).
 */
function goBase64Decode(text: string): Uint8Array {
  const src = Buffer.from(text, 'utf8');
  const out: number[] = [];
  let si = 0;
  while (si < src.length) {
    const quantum: number[] = [];
    while (quantum.length < 4) {
      if (si === src.length) {
        if (quantum.length === 1) throw new InvalidKey(`illegal base64 data at input byte ${si - 1}`);
        break;
      }
      const c = src[si++]!;
      const v = DECODE.get(c);
      if (v !== undefined) quantum.push(v);
      else if (c !== 0x0a && c !== 0x0d) throw new InvalidKey(`illegal base64 data at input byte ${si - 1}`);
    }
    const [a = 0, b = 0, c = 0, d = 0] = quantum;
    const bits = (a << 18) | (b << 12) | (c << 6) | d;
    out.push(...[(bits >> 16) & 0xff, (bits >> 8) & 0xff, bits & 0xff].slice(0, Math.max(0, quantum.length - 1)));
  }
  return Uint8Array.from(out);
}

/** The raw text of each member of a top-level JSON object (input known to be valid JSON). */
function objectMembers(text: string): [key: string, raw: string][] {
  let i = 0;
  const ws = () => {
    while (' \t\r\n'.includes(text[i] ?? '.')) i++;
  };
  const skipString = () => {
    for (i++; text[i] !== '"'; i++) if (text[i] === '\\') i++;
    i++;
  };
  const skipValue = () => {
    const c = text[i];
    if (c === '"') return skipString();
    if (c !== '{' && c !== '[') {
      while (i < text.length && !',}] \t\r\n'.includes(text[i]!)) i++;
      return;
    }
    let depth = 0;
    do {
      if (text[i] === '"') {
        skipString();
        continue;
      }
      if (text[i] === '{' || text[i] === '[') depth++;
      else if (text[i] === '}' || text[i] === ']') depth--;
      i++;
    } while (depth > 0);
  };
  const members: [string, string][] = [];
  ws();
  i++; // '{'
  for (;;) {
    ws();
    if (text[i] === '}') return members;
    if (text[i] === ',') {
      i++;
      ws();
    }
    const keyStart = i;
    skipString();
    const key = JSON.parse(text.slice(keyStart, i)) as string;
    ws();
    i++; // ':'
    ws();
    const valueStart = i;
    skipValue();
    members.push([key, text.slice(valueStart, i)]);
  }
}

/** What Go's UnmarshalTypeError calls a JSON value that does not fit its target. */
function jsonKind(raw: string): string {
  const c = raw[0];
  if (c === '"') return 'string';
  if (c === '{') return 'object';
  if (c === '[') return 'array';
  if (c === 't' || c === 'f') return 'bool';
  return 'number';
}

const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;

/** Go's json field matching: exact, else case-insensitive with Go's folding (ſ folds to S). */
function fold(key: string): string {
  return key.replace(/[a-z]/g, (c) => c.toUpperCase()).replace(/\u017f/g, 'S');
}

/** json.Unmarshal into storage.continueToken, with Go's type-error wording. */
function unmarshalToken(bytes: Uint8Array): { v: string; rv: number; start: string } {
  const text = Buffer.from(bytes).toString('utf8');
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new InvalidKey(goJsonSyntaxError(bytes) ?? 'unexpected end of JSON input');
  }
  const token = { v: '', rv: 0, start: '' };
  if (parsed === null) return token;
  if (typeof parsed !== 'object' || Array.isArray(parsed))
    throw new InvalidKey(`json: cannot unmarshal ${jsonKind(text.trim())} into Go value of type storage.continueToken`);
  let firstError: string | undefined;
  const typeError = (value: string, name: string, type: string) => {
    firstError ??= `json: cannot unmarshal ${value} into Go struct field continueToken.${name} of type ${type}`;
  };
  for (const [key, raw] of objectMembers(text)) {
    const name = { V: 'v', RV: 'rv', START: 'start' }[fold(key)];
    if (!name || raw === 'null') continue;
    if (name === 'rv') {
      if (!/^-?\d+$/.test(raw)) typeError(raw[0] === '-' || /\d/.test(raw[0]!) ? `number ${raw}` : jsonKind(raw), 'rv', 'int64');
      else if (BigInt(raw) < INT64_MIN || BigInt(raw) > INT64_MAX) typeError(`number ${raw}`, 'rv', 'int64');
      else token.rv = Number(raw);
    } else if (raw[0] !== '"') typeError(jsonKind(raw), name, 'string');
    else token[name as 'v' | 'start'] = JSON.parse(raw) as string;
  }
  if (firstError) throw new InvalidKey(firstError);
  return token;
}

/** path.Clean of a rooted path. */
function cleanRooted(path: string): string {
  const out: string[] = [];
  for (const part of path.split('/')) {
    if (part === '' || part === '.') continue;
    if (part === '..') out.pop();
    else out.push(part);
  }
  return `/${out.join('/')}`;
}

/** DecodeContinue's checks; messages are the Go error texts. */
function decode(value: string): ContinueToken {
  const prefix = 'continue key is not valid';
  let token: { v: string; rv: number; start: string };
  try {
    token = unmarshalToken(goBase64Decode(value));
  } catch (err) {
    if (err instanceof InvalidKey) throw new InvalidKey(`${prefix}: ${err.message}`);
    throw err;
  }
  if (token.v !== TOKEN_VERSION) throw new InvalidKey(`${prefix}: server does not recognize this encoded version ${token.v}`);
  if (token.rv === 0) throw new InvalidKey(`${prefix}: incorrect encoded start resourceVersion (version meta.k8s.io/v1)`);
  if (token.start === '') throw new InvalidKey(`${prefix}: encoded start key empty (version meta.k8s.io/v1)`);
  // Path traversal defence: the start must already be a clean path below the list prefix.
  const key = token.start.startsWith('/') ? token.start : `/${token.start}`;
  const cleaned = cleanRooted(key);
  if (cleaned !== key) throw new InvalidKey(`${prefix}: ${token.start}`);
  return { rv: token.rv, start: cleaned.slice(1) };
}

/**
 * Decodes a `continue` query value as storage.DecodeContinue. Throws 400 BadRequest
 * `invalid continue token: continue key is not valid: <reason>` (ValidateListOptions), where the
 * reason is Go's base64 error, Go's JSON error, `server does not recognize this encoded version
 * <v>`, `incorrect encoded start resourceVersion (version meta.k8s.io/v1)` (rv 0), `encoded
 * start key empty (version meta.k8s.io/v1)`, or the start itself when it is not a clean path.
 */
export function decodeContinueToken(value: string): ContinueToken {
  try {
    return decode(value);
  } catch (err) {
    if (err instanceof InvalidKey) throw badRequest(`invalid continue token: ${err.message}`);
    throw err;
  }
}

// ---------------------------------------------------------------------------------------------
// Errors and list metadata

/** The 410 message for a continue token whose revision is gone (apiserver etcd3/errors.go). */
export const INCONSISTENT_CONTINUE_MESSAGE =
  'The provided continue parameter is too old to display a consistent list result. You can start a new list ' +
  'without the continue parameter, or use the continue token in this response to retrieve the remainder of the ' +
  'results. Continuing with the provided token results in an inconsistent list - objects that were created, ' +
  'modified, or deleted between the time the first chunk was returned and now may show up in the list.';

/**
 * 410 Expired for a continue token whose revision can no longer be listed. Like upstream, the
 * Status carries in `metadata.continue` a new token with the same start and rv -1, which lists
 * the rest at the latest revision (an "inconsistent" continuation).
 */
export function expiredContinue(token: ContinueToken): StatusError {
  const err = resourceExpired(INCONSISTENT_CONTINUE_MESSAGE);
  err.status.metadata.continue = encodeContinueToken(-1, token.start);
  return err;
}

/**
 * `metadata.remainingItemCount` of a page (PrepareContinueToken): only when more items follow
 * and the list has neither label nor field selector (`unfiltered`); `remaining` counts the items
 * after the page in the listed state. Undefined means "omit the field".
 */
export function remainingItemCount(more: boolean, remaining: number, unfiltered: boolean): number | undefined {
  return more && unfiltered ? remaining : undefined;
}

/**
 * 410 Expired `too old resource version: <requested> (<oldest>)` for a watch from a revision
 * older than the window (watch_cache_history.go). `oldest` is the oldest revision a watch may
 * still start from: the revision just before the first event kept. Upstream sends it as an
 * ERROR event in a 200 stream, not as the HTTP status.
 */
export function watchResourceVersionTooOld(requested: number, oldest: number): StatusError {
  return resourceExpired(`too old resource version: ${requested} (${oldest})`);
}

/** 410 Expired for `resourceVersionMatch=Exact` at a compacted revision (etcd3/errors.go). */
export function listResourceVersionTooOld(): StatusError {
  return resourceExpired('The resourceVersion for the provided list is too old.');
}

/** How long a read for a future revision waits for the cache before failing (watch_cache.go blockTimeout). */
export const RESOURCE_VERSION_WAIT_MS = 3000;

/** retryAfterSeconds of the too-large error (resourceVersionTooHighRetrySeconds). */
export const RESOURCE_VERSION_RETRY_SECONDS = 1;

/**
 * 504 Timeout `Timeout: Too large resource version: <requested>, current: <current>` with
 * `retryAfterSeconds` 1 and a `ResourceVersionTooLarge` cause (storage.NewTooLargeResourceVersionError),
 * for a get or list whose resourceVersion the server has not reached after RESOURCE_VERSION_WAIT_MS.
 * The HTTP layer should also send `Retry-After: 1`.
 */
export function resourceVersionTooLarge(requested: number, current: number): StatusError {
  return new StatusError(504, 'Timeout', `Timeout: Too large resource version: ${requested}, current: ${current}`, {
    causes: [{ reason: 'ResourceVersionTooLarge', message: 'Too large resource version' }],
    retryAfterSeconds: RESOURCE_VERSION_RETRY_SECONDS,
  });
}
