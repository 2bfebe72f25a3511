/**
 * The query parameters of GET, LIST and WATCH, parsed and checked in the order kube-apiserver
 * checks them, with its codes and wording:
 *
 *   1. decoding (ParameterCodec, url.Values → metav1.ListOptions → internal): integers through
 *      strconv.ParseInt, then the label selector, then the field selector's syntax   → 400
 *   2. WatchList defaulting (SetListOptionsDefaults)
 *   3. ValidateListOptions (internalversion/validation)        → 422 ListOptions.meta.k8s.io
 *   4. field labels of the kind (ConvertFieldLabel), name of a single-object watch    → 400
 *   5. storage: continue token, resourceVersion with continue, resourceVersion syntax → 400
 *      for a list; a watch's or get's bad resourceVersion is a 500 upstream (raw storage error)
 *
 * Booleans never fail: only "0" and "false" (any case) are false, anything else, "" included,
 * is true (runtime.Convert_Slice_string_To_bool). The first value of a repeated parameter counts.
 *
 * Owns: query → ListOptions / GetOptions. Must not: read the cache or storage, know HTTP.
 */
import { decodeContinueToken, type ContinueToken } from './continue-token.js';
import { badRequest, invalid, isStatusError, StatusError } from './errors.js';
import { field, type FieldError } from './field-errors.js';
import { FieldSelector, LabelSelector, parseFieldSelector, parseFieldSelectorFor, parseLabelSelector } from './selectors.js';

/** A query string as fastify parses it. */
export type QueryValues = Record<string, string | string[] | undefined>;

/** Parsed options of a LIST or WATCH. */
export interface ListOptions {
  labelSelector: LabelSelector;
  /** After field-label conversion (aliases rewritten); `metadata.name=<name>` for a named watch. */
  fieldSelector: FieldSelector;
  /** Serve as a watch (`watch` true, or forced by a /watch/ path). */
  watch: boolean;
  allowWatchBookmarks: boolean;
  /** Set when given, and defaulted to true for a watch from "" or "0" under the WatchList gate. */
  sendInitialEvents?: boolean;
  /** Absent when not given or empty. */
  resourceVersion?: string;
  resourceVersionMatch?: 'NotOlderThan' | 'Exact';
  /** As given; see watchTimeoutSeconds for what a watch makes of it. */
  timeoutSeconds?: number;
  /** The page size to apply: absent when not positive, and for resourceVersion "0" (the cache ignores it). */
  limit?: number;
  /** The token as given (lists only; a watch ignores it). */
  continue?: string;
  /** The decoded token, for a list with `continue`. */
  continueToken?: ContinueToken;
}

/** What the route knows beyond the query. */
export interface ListOptionsContext {
  /** The object name of a single-object watch path; the field selector must select it. */
  name?: string;
  /** A deprecated /watch/ path: served as a watch although validated with the query's `watch`. */
  forceWatch?: boolean;
  /** Field labels the kind accepts (custom resources); default: the built-in table for groupPlural. */
  fieldLabels?: readonly string[];
  /** The WatchList feature gate; default true (Kubernetes 1.34+). */
  watchList?: boolean;
}

/** Parsed options of a GET. */
export interface GetOptions {
  /** Absent when not given or empty. */
  resourceVersion?: string;
}

// ---------------------------------------------------------------------------------------------
// Go's strconv, as the messages quote it

const PRINTABLE = /^[\p{L}\p{M}\p{N}\p{P}\p{S} ]$/u;
const SHORT_ESCAPES: Record<number, string> = { 7: '\\a', 8: '\\b', 12: '\\f', 10: '\\n', 13: '\\r', 9: '\\t', 11: '\\v' };

/** strconv.Quote: printable runes as they are, others escaped as Go does. */
function goQuote(s: string): string {
  let out = '"';
  for (const ch of s) {
    const cp = ch.codePointAt(0)!;
    if (ch === '"' || ch === '\\') out += `\\${ch}`;
    else if (PRINTABLE.test(ch)) out += ch;
    else if (SHORT_ESCAPES[cp]) out += SHORT_ESCAPES[cp];
    else if (cp < 0x20 || cp === 0x7f) out += `\\x${cp.toString(16).padStart(2, '0')}`;
    else if (cp >= 0xd800 && cp <= 0xdfff) out += '\\ufffd';
    else if (cp < 0x10000) out += `\\u${cp.toString(16).padStart(4, '0')}`;
    else out += `\\U${cp.toString(16).padStart(8, '0')}`;
  }
  return `${out}"`;
}

const UINT64_MAX = 2n ** 64n - 1n;

/** ParseUint's digit loop: undefined on a bad digit, 'range' as soon as the value passes 2^64-1. */
function goDigits(s: string): bigint | 'range' | undefined {
  if (s === '') return undefined;
  let n = 0n;
  for (const c of s) {
    if (c < '0' || c > '9') return undefined;
    n = n * 10n + BigInt(c.charCodeAt(0) - 48);
    if (n > UINT64_MAX) return 'range';
  }
  return n;
}

/** strconv.ParseUint(s, 10, 64); the error text as Go prints it. */
function goParseUint(s: string): bigint | string {
  const n = goDigits(s);
  if (n === undefined) return `strconv.ParseUint: parsing ${goQuote(s)}: invalid syntax`;
  if (n === 'range') return `strconv.ParseUint: parsing ${goQuote(s)}: value out of range`;
  return n;
}

/** strconv.ParseInt(s, 10, 64) as a number; throws 400 with Go's error text. */
function goParseInt(s: string): number {
  const negative = s.startsWith('-');
  const n = goDigits(s.startsWith('+') || negative ? s.slice(1) : s);
  if (n === undefined) throw badRequest(`strconv.ParseInt: parsing ${goQuote(s)}: invalid syntax`);
  if (n === 'range' || n > (negative ? 2n ** 63n : 2n ** 63n - 1n))
    throw badRequest(`strconv.ParseInt: parsing ${goQuote(s)}: value out of range`);
  return Number(negative ? -n : n);
}

// ---------------------------------------------------------------------------------------------
// resourceVersion

/**
 * A resourceVersion as APIObjectVersioner.ParseResourceVersion reads it: "" and "0" are 0,
 * otherwise a decimal uint64 (no sign). A bad value fails as upstream answers it for `verb`:
 * - `list`: 400 BadRequest `invalid resource version: resourceVersion: Invalid value: "x": strconv.ParseUint: parsing "x": invalid syntax`;
 * - `get`, `watch` (default `get`): 400 BadRequest `resourceVersion: Invalid value: "x": strconv.ParseUint: ...`.
 *   Upstream lets this storage error reach the client untranslated as a 500 (kubernetes#139485);
 *   kubemu answers the client's mistake with a 400 and the same text.
 * Values above 2^53 lose precision in the returned number.
 */
export function parseResourceVersion(rv: string, verb: 'get' | 'list' | 'watch' = 'get'): number {
  if (rv === '' || rv === '0') return 0;
  const parsed = goParseUint(rv);
  if (typeof parsed === 'bigint') return Number(parsed);
  const message = `resourceVersion: Invalid value: ${goQuote(rv)}: ${parsed}`;
  throw badRequest(verb === 'list' ? `invalid resource version: ${message}` : message);
}

// ---------------------------------------------------------------------------------------------
// Parsing

function first(query: QueryValues, key: string): string | undefined {
  const v = query[key];
  return Array.isArray(v) ? v[0] : v;
}

/** Convert_Slice_string_To_bool. */
function goBool(value: string): boolean {
  return value !== '0' && value.toLowerCase() !== 'false';
}

/** A field selector's syntax error (fields.ParseSelector) as opposed to a label refusal. */
const FIELD_SYNTAX = /^invalid (field )?selector: /;

/** Parses the field selector; a label refusal is returned for later (it comes after validation upstream). */
function fieldSelectorOf(text: string, groupPlural: string, labels: readonly string[] | undefined): FieldSelector | StatusError {
  try {
    return labels ? parseFieldSelector(text, labels) : parseFieldSelectorFor(groupPlural, text);
  } catch (err) {
    if (isStatusError(err) && !FIELD_SYNTAX.test(err.message)) return err;
    throw err;
  }
}

interface Decoded {
  watch: boolean;
  resourceVersion: string;
  resourceVersionMatch: string;
  continue: string;
  sendInitialEvents?: boolean;
}

/** ValidateListOptions (apimachinery internalversion/validation/validation.go). */
function validate(o: Decoded, watchList: boolean): FieldError[] {
  const errs: FieldError[] = [];
  const match = o.resourceVersionMatch;
  if (o.watch) {
    if (o.sendInitialEvents !== undefined) {
      if (match !== 'NotOlderThan')
        errs.push(field.forbidden('resourceVersionMatch', 'sendInitialEvents requires setting resourceVersionMatch to NotOlderThan'));
      if (!watchList)
        errs.push(field.forbidden('sendInitialEvents', 'sendInitialEvents is forbidden for watch unless the WatchList feature gate is enabled'));
    }
    if (match) {
      if (o.sendInitialEvents === undefined)
        errs.push(field.forbidden('resourceVersionMatch', 'resourceVersionMatch is forbidden for watch unless sendInitialEvents is provided'));
      if (match !== 'NotOlderThan') errs.push(field.notSupported('resourceVersionMatch', match, ['NotOlderThan']));
      if (o.continue) errs.push(field.forbidden('resourceVersionMatch', 'resourceVersionMatch is forbidden when continue is provided'));
    }
    return errs;
  }
  if (match) {
    if (!o.resourceVersion)
      errs.push(field.forbidden('resourceVersionMatch', 'resourceVersionMatch is forbidden unless resourceVersion is provided'));
    if (o.continue) errs.push(field.forbidden('resourceVersionMatch', 'resourceVersionMatch is forbidden when continue is provided'));
    if (match !== 'Exact' && match !== 'NotOlderThan')
      errs.push(field.notSupported('resourceVersionMatch', match, ['Exact', 'NotOlderThan', '']));
    if (match === 'Exact' && o.resourceVersion === '0')
      errs.push(field.forbidden('resourceVersionMatch', 'resourceVersionMatch "exact" is forbidden for resourceVersion "0"'));
  }
  if (o.sendInitialEvents !== undefined) errs.push(field.forbidden('sendInitialEvents', 'sendInitialEvents is forbidden for list'));
  return errs;
}

/**
 * Parses the query of a LIST or WATCH of `groupPlural` (`plural` for the core group, else
 * `group/plural`) as ListResource does, throwing the first failure upstream would answer:
 * 400 for undecodable integers and selectors, 422 `ListOptions.meta.k8s.io "" is invalid: ...`
 * for inconsistent options, 400 for refused field labels, a mismatched name, a bad continue
 * token, `resourceVersion` with `continue` (except "0") or a bad list resourceVersion, and 500
 * for a bad watch resourceVersion (see parseResourceVersion).
 */
export function parseListOptions(query: QueryValues, groupPlural: string, context: ListOptionsContext = {}): ListOptions {
  // 1. Decoding: url.Values → v1 (integers), then v1 → internal (selectors).
  const timeoutText = first(query, 'timeoutSeconds');
  const timeoutSeconds = timeoutText === undefined ? undefined : goParseInt(timeoutText);
  const limitText = first(query, 'limit');
  const limit = limitText === undefined ? 0 : goParseInt(limitText);
  const labelSelector = parseLabelSelector(first(query, 'labelSelector') ?? '');
  const fields = fieldSelectorOf(first(query, 'fieldSelector') ?? '', groupPlural, context.fieldLabels);
  const sendText = first(query, 'sendInitialEvents');
  const o: Decoded = {
    watch: goBool(first(query, 'watch') ?? 'false'),
    resourceVersion: first(query, 'resourceVersion') ?? '',
    resourceVersionMatch: first(query, 'resourceVersionMatch') ?? '',
    continue: first(query, 'continue') ?? '',
  };
  if (sendText !== undefined) o.sendInitialEvents = goBool(sendText);

  // 2. SetListOptionsDefaults: a watch from "" or "0" becomes a watch-list under the gate.
  const watchList = context.watchList ?? true;
  if (watchList && o.watch && o.sendInitialEvents === undefined && !o.resourceVersionMatch && ['', '0'].includes(o.resourceVersion)) {
    o.sendInitialEvents = true;
    o.resourceVersionMatch = 'NotOlderThan';
  }

  // 3. Validation, on the query's own `watch` even for a forced watch.
  const errs = validate(o, watchList);
  if (errs.length) throw invalid({ group: 'meta.k8s.io', name: 'ListOptions' }, '', errs);

  // 4. Field labels, then the name of a single-object watch.
  if (fields instanceof StatusError) throw fields;
  let fieldSelector = fields;
  if (context.name !== undefined) {
    if (fieldSelector.empty) fieldSelector = new FieldSelector([{ field: 'metadata.name', operator: '=', value: context.name }]);
    else if (fieldSelector.exactValue('metadata.name') !== context.name)
      throw badRequest("fieldSelector metadata.name doesn't match requested name");
  }

  // 5. Storage-level checks.
  const watch = o.watch || context.forceWatch === true;
  let continueToken: ContinueToken | undefined;
  if (watch) parseResourceVersion(o.resourceVersion, 'watch');
  else if (o.continue) {
    continueToken = decodeContinueToken(o.continue);
    if (o.resourceVersion && o.resourceVersion !== '0') throw badRequest('specifying resource version is not allowed when using continue');
  } else parseResourceVersion(o.resourceVersion, 'list');

  const options: ListOptions = { labelSelector, fieldSelector, watch, allowWatchBookmarks: goBool(first(query, 'allowWatchBookmarks') ?? 'false') };
  if (o.sendInitialEvents !== undefined) options.sendInitialEvents = o.sendInitialEvents;
  if (o.resourceVersion) options.resourceVersion = o.resourceVersion;
  if (o.resourceVersionMatch) options.resourceVersionMatch = o.resourceVersionMatch as 'NotOlderThan' | 'Exact';
  if (timeoutSeconds !== undefined) options.timeoutSeconds = timeoutSeconds;
  // The watch cache serves resourceVersion "0" whole; a continuation is paged ("Continue Token, Exact").
  if (limit > 0 && (o.resourceVersion !== '0' || o.continue)) options.limit = limit;
  if (o.continue) options.continue = o.continue;
  if (continueToken) options.continueToken = continueToken;
  return options;
}

/**
 * Parses the query of a GET as GetResource does: `export` set to anything but "0"/"false" is
 * 400 `the export parameter, deprecated since v1.14, is no longer supported`; a bad
 * resourceVersion is upstream's 500 (see parseResourceVersion).
 */
export function parseGetOptions(query: QueryValues): GetOptions {
  const exportText = first(query, 'export');
  if (exportText !== undefined && goBool(exportText))
    throw badRequest('the export parameter, deprecated since v1.14, is no longer supported');
  const resourceVersion = first(query, 'resourceVersion') ?? '';
  if (!resourceVersion) return {};
  parseResourceVersion(resourceVersion, 'get');
  return { resourceVersion };
}

/**
 * How long a watch lasts, in seconds, as ListResource's handleWatch chooses: `timeoutSeconds`
 * when given and non-zero (a negative value ends the watch at once), otherwise a random time
 * between the server's min request timeout (default 1800 s) and twice that.
 */
export function watchTimeoutSeconds(timeoutSeconds: number | undefined, minRequestTimeoutSeconds = 1800, random: () => number = Math.random): number {
  if (timeoutSeconds) return timeoutSeconds;
  return minRequestTimeoutSeconds > 0 ? minRequestTimeoutSeconds * (random() + 1) : 0;
}
