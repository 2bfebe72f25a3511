import t, { type Test } from 'tap';
import {
  continueAfter,
  decodeContinueToken,
  encodeContinueToken,
  expiredContinue,
  INCONSISTENT_CONTINUE_MESSAGE,
  listResourceVersionTooOld,
  remainingItemCount,
  resourceVersionTooLarge,
  watchResourceVersionTooOld,
} from '../../src/api/continue-token.js';
import { isStatusError } from '../../src/api/errors.js';
import {
  parseGetOptions,
  parseListOptions,
  parseResourceVersion,
  watchTimeoutSeconds,
  type ListOptionsContext,
  type QueryValues,
} from '../../src/api/list-options.js';
import { parseLabelSelector } from '../../src/api/selectors.js';

/** The Status of the StatusError `fn` throws (fails the test when it throws nothing). */
function failure(t: Test, fn: () => unknown): { code: number; reason?: string; message?: string; [k: string]: unknown } {
  try {
    fn();
  } catch (err) {
    if (!isStatusError(err)) throw err;
    return err.status as unknown as { code: number; reason?: string; message?: string };
  }
  t.fail('expected a StatusError');
  return { code: 0 };
}

/** [case, query, code, reason, message]; `reason` undefined means the Status has none. */
type Row = [name: string, query: QueryValues, code: number, reason: string | undefined, message: string, context?: ListOptionsContext];

const token = (json: string) => Buffer.from(json, 'utf8').toString('base64url');
const GOOD_TOKEN = encodeContinueToken(42, 'nginx\u0000');
const LISTOPTS = 'ListOptions.meta.k8s.io "" is invalid: ';
const labelError = (text: string): string => {
  try {
    parseLabelSelector(text);
  } catch (err) {
    return (err as Error).message;
  }
  throw new Error(`${text} is a valid label selector`);
};

t.test('parseListOptions refuses undecodable parameters with ParameterCodec 400s', async (t) => {
  // apimachinery pkg/runtime/conversion.go Convert_Slice_string_To_int64 / _Pointer_int64 →
  // strconv.ParseInt(s, 10, 64); apiserver endpoints/handlers/get.go listOpts wraps the
  // DecodeParameters error in NewBadRequest(err.Error()). kubernetes#101350 shows the 400.
  const rows: Row[] = [
    ['limit not a number', { limit: 'x' }, 400, 'BadRequest', 'strconv.ParseInt: parsing "x": invalid syntax'],
    ['limit empty', { limit: '' }, 400, 'BadRequest', 'strconv.ParseInt: parsing "": invalid syntax'],
    ['limit fractional', { limit: '1.5' }, 400, 'BadRequest', 'strconv.ParseInt: parsing "1.5": invalid syntax'],
    ['limit with blank', { limit: ' 5' }, 400, 'BadRequest', 'strconv.ParseInt: parsing " 5": invalid syntax'],
    ['limit sign only', { limit: '-' }, 400, 'BadRequest', 'strconv.ParseInt: parsing "-": invalid syntax'],
    ['limit over int64', { limit: '9223372036854775808' }, 400, 'BadRequest', 'strconv.ParseInt: parsing "9223372036854775808": value out of range'],
    // ParseUint's loop reports the overflow before it reaches the bad character.
    ['limit overflows before junk', { limit: '99999999999999999999x' }, 400, 'BadRequest', 'strconv.ParseInt: parsing "99999999999999999999x": value out of range'],
    ['timeoutSeconds with unit', { timeoutSeconds: '0.1s' }, 400, 'BadRequest', 'strconv.ParseInt: parsing "0.1s": invalid syntax'],
    // strconv.Quote escapes control characters as \x.., other non-printables as \u....
    ['timeoutSeconds control char', { timeoutSeconds: '\u0001\u00a0' }, 400, 'BadRequest', 'strconv.ParseInt: parsing "\\x01\\u00a0": invalid syntax'],
    // zz_generated.conversion.go autoConvert_url_Values_To_v1_ListOptions: timeoutSeconds before limit,
    // both before the v1 → internal conversion that parses selectors.
    ['timeoutSeconds before limit', { timeoutSeconds: 'a', limit: 'b' }, 400, 'BadRequest', 'strconv.ParseInt: parsing "a": invalid syntax'],
    ['integers before selectors', { limit: 'b', labelSelector: 'a in (' }, 400, 'BadRequest', 'strconv.ParseInt: parsing "b": invalid syntax'],
    // internalversion zz_generated.conversion.go: labels.Parse before fields.ParseSelector.
    ['label before field selector', { labelSelector: 'a in (', fieldSelector: 'x' }, 400, 'BadRequest', labelError('a in (')],
    // Field selector syntax is a decoding error: it precedes ListOptions validation.
    ['field syntax before validation', { fieldSelector: 'x', resourceVersionMatch: 'Exact' }, 400, 'BadRequest', "invalid selector: 'x'; can't understand 'x'"],
  ];
  for (const [name, query, code, reason, message, context] of rows) {
    const s = failure(t, () => parseListOptions(query, 'pods', context));
    t.same([s.code, s.reason, s.message], [code, reason, message], name);
  }
});

t.test('parseListOptions validates as ValidateListOptions with 422 ListOptions.meta.k8s.io', async (t) => {
  // apimachinery pkg/apis/meta/internalversion/validation/validation.go; get.go listOpts answers
  // errors.NewInvalid(schema.GroupKind{Group: "meta.k8s.io", Kind: "ListOptions"}, "", errs).
  const rows: Row[] = [
    ['list: match without resourceVersion', { resourceVersionMatch: 'NotOlderThan' }, 422, 'Invalid',
      `${LISTOPTS}resourceVersionMatch: Forbidden: resourceVersionMatch is forbidden unless resourceVersion is provided`],
    ['list: match with continue', { resourceVersionMatch: 'Exact', resourceVersion: '5', continue: GOOD_TOKEN }, 422, 'Invalid',
      `${LISTOPTS}resourceVersionMatch: Forbidden: resourceVersionMatch is forbidden when continue is provided`],
    ['list: unknown match (case-sensitive)', { resourceVersionMatch: 'exact', resourceVersion: '5' }, 422, 'Invalid',
      `${LISTOPTS}resourceVersionMatch: Unsupported value: "exact": supported values: "Exact", "NotOlderThan", ""`],
    ['list: Exact at 0', { resourceVersionMatch: 'Exact', resourceVersion: '0' }, 422, 'Invalid',
      `${LISTOPTS}resourceVersionMatch: Forbidden: resourceVersionMatch "exact" is forbidden for resourceVersion "0"`],
    ['list: sendInitialEvents', { sendInitialEvents: 'false' }, 422, 'Invalid',
      `${LISTOPTS}sendInitialEvents: Forbidden: sendInitialEvents is forbidden for list`],
    ['list: several errors aggregate', { resourceVersionMatch: 'Foo', sendInitialEvents: 'true' }, 422, 'Invalid',
      `${LISTOPTS}[resourceVersionMatch: Forbidden: resourceVersionMatch is forbidden unless resourceVersion is provided, ` +
        'resourceVersionMatch: Unsupported value: "Foo": supported values: "Exact", "NotOlderThan", "", ' +
        'sendInitialEvents: Forbidden: sendInitialEvents is forbidden for list]'],
    ['watch: sendInitialEvents without match', { watch: 'true', sendInitialEvents: 'true' }, 422, 'Invalid',
      `${LISTOPTS}resourceVersionMatch: Forbidden: sendInitialEvents requires setting resourceVersionMatch to NotOlderThan`],
    ['watch: sendInitialEvents=false still needs the match', { watch: 'true', sendInitialEvents: 'false', resourceVersion: '5' }, 422, 'Invalid',
      `${LISTOPTS}resourceVersionMatch: Forbidden: sendInitialEvents requires setting resourceVersionMatch to NotOlderThan`],
    ['watch: gate off', { watch: 'true', sendInitialEvents: 'true', resourceVersionMatch: 'NotOlderThan' }, 422, 'Invalid',
      `${LISTOPTS}sendInitialEvents: Forbidden: sendInitialEvents is forbidden for watch unless the WatchList feature gate is enabled`,
      { watchList: false }],
    ['watch: match without sendInitialEvents', { watch: 'true', resourceVersion: '5', resourceVersionMatch: 'NotOlderThan' }, 422, 'Invalid',
      `${LISTOPTS}resourceVersionMatch: Forbidden: resourceVersionMatch is forbidden for watch unless sendInitialEvents is provided`],
    ['watch: Exact', { watch: 'true', sendInitialEvents: 'true', resourceVersionMatch: 'Exact' }, 422, 'Invalid',
      `${LISTOPTS}[resourceVersionMatch: Forbidden: sendInitialEvents requires setting resourceVersionMatch to NotOlderThan, ` +
        'resourceVersionMatch: Unsupported value: "Exact": supported values: "NotOlderThan"]'],
    // defaults.go turns this legacy watch into a watch-list, whose match then meets the continue.
    ['watch: defaulted match with continue', { watch: 'true', continue: 'anything' }, 422, 'Invalid',
      `${LISTOPTS}resourceVersionMatch: Forbidden: resourceVersionMatch is forbidden when continue is provided`],
    // A /watch/ path keeps opts.Watch false, so the LIST rules apply (get.go ListResource forceWatch).
    ['forced watch validated as list', { sendInitialEvents: 'true', resourceVersionMatch: 'NotOlderThan' }, 422, 'Invalid',
      `${LISTOPTS}[resourceVersionMatch: Forbidden: resourceVersionMatch is forbidden unless resourceVersion is provided, ` +
        'sendInitialEvents: Forbidden: sendInitialEvents is forbidden for list]', { forceWatch: true }],
    // Field labels are converted after validation (get.go listOpts, FieldSelector.Transform).
    ['validation before field labels', { fieldSelector: 'spec.foo=1', resourceVersionMatch: 'Exact' }, 422, 'Invalid',
      `${LISTOPTS}resourceVersionMatch: Forbidden: resourceVersionMatch is forbidden unless resourceVersion is provided`],
  ];
  for (const [name, query, code, reason, message, context] of rows) {
    const s = failure(t, () => parseListOptions(query, 'pods', context));
    t.same([s.code, s.reason, s.message], [code, reason, message], name);
  }
  const s = failure(t, () => parseListOptions({ resourceVersionMatch: 'NotOlderThan' }, 'pods'));
  t.same(s.details, {
    group: 'meta.k8s.io',
    kind: 'ListOptions',
    causes: [
      {
        reason: 'FieldValueForbidden',
        message: 'Forbidden: resourceVersionMatch is forbidden unless resourceVersion is provided',
        field: 'resourceVersionMatch',
      },
    ],
  });
});

t.test('parseListOptions applies field labels, the path name and storage checks after validation', async (t) => {
  const rows: Row[] = [
    // get.go listOpts: Transform error → NewBadRequest; wording from the kind's conversion func.
    ['unknown pod field', { fieldSelector: 'spec.foo=1' }, 400, 'BadRequest', 'field label not supported: spec.foo'],
    ['default conversion', { fieldSelector: 'spec.foo=1' }, 400, 'BadRequest',
      '"spec.foo" is not a known field selector: only "metadata.name", "metadata.namespace"'],
    ['custom resource labels', { fieldSelector: 'spec.size=1' }, 400, 'BadRequest', 'field label not supported: spec.size',
      { fieldLabels: ['metadata.name'] }],
    // get.go listOpts, hasName branch.
    ['name mismatch', { watch: 'true', fieldSelector: 'metadata.name=other' }, 400, 'BadRequest',
      "fieldSelector metadata.name doesn't match requested name", { name: 'web' }],
    ['name not selected', { watch: 'true', fieldSelector: 'metadata.namespace=ns' }, 400, 'BadRequest',
      "fieldSelector metadata.name doesn't match requested name", { name: 'web' }],
    // apiserver pkg/storage/interfaces.go ValidateListOptions + continue.go DecodeContinue.
    ['garbage continue', { continue: '!!' }, 400, 'BadRequest',
      'invalid continue token: continue key is not valid: illegal base64 data at input byte 0'],
    ['token checked before resourceVersion', { continue: '!!', resourceVersion: '7' }, 400, 'BadRequest',
      'invalid continue token: continue key is not valid: illegal base64 data at input byte 0'],
    ['continue with resourceVersion', { continue: GOOD_TOKEN, resourceVersion: '7' }, 400, 'BadRequest',
      'specifying resource version is not allowed when using continue'],
    // interfaces.go ValidateListOptions: "invalid resource version: %v" of APIObjectVersioner's InvalidError.
    ['list bad resourceVersion', { resourceVersion: 'abc' }, 400, 'BadRequest',
      'invalid resource version: resourceVersion: Invalid value: "abc": strconv.ParseUint: parsing "abc": invalid syntax'],
    ['list negative resourceVersion', { resourceVersion: '-1', resourceVersionMatch: 'NotOlderThan' }, 400, 'BadRequest',
      'invalid resource version: resourceVersion: Invalid value: "-1": strconv.ParseUint: parsing "-1": invalid syntax'],
    ['list resourceVersion over uint64', { resourceVersion: '18446744073709551616' }, 400, 'BadRequest',
      'invalid resource version: resourceVersion: Invalid value: "18446744073709551616": strconv.ParseUint: parsing "18446744073709551616": value out of range'],
    // cacher.Watch returns the versioner's InvalidError untranslated (a 500 upstream, kubernetes#139485);
    // kubemu answers the same text as a 400, since the mistake is the client's.
    ['watch bad resourceVersion', { watch: '1', resourceVersion: 'cool' }, 400, 'BadRequest',
      'resourceVersion: Invalid value: "cool": strconv.ParseUint: parsing "cool": invalid syntax'],
    ['forced watch bad resourceVersion', { resourceVersion: 'cool' }, 400, 'BadRequest',
      'resourceVersion: Invalid value: "cool": strconv.ParseUint: parsing "cool": invalid syntax', { forceWatch: true }],
  ];
  for (const [name, query, code, reason, message, context] of rows) {
    const s = failure(t, () => parseListOptions(query, name === 'default conversion' ? 'configmaps' : 'pods', context));
    t.same([s.code, s.reason, s.message], [code, reason, message], name);
  }
});

t.test('parseListOptions reads booleans, integers and defaults as upstream', async (t) => {
  // runtime.Convert_Slice_string_To_bool: only "0" and "false" (any case) are false; never an error.
  t.equal(parseListOptions({ watch: 'maybe' }, 'pods').watch, true, 'watch=maybe is true');
  t.equal(parseListOptions({ watch: '' }, 'pods').watch, true, 'bare watch is true');
  t.equal(parseListOptions({ watch: 'FALSE' }, 'pods').watch, false);
  t.equal(parseListOptions({ watch: ['0', '1'] }, 'pods').watch, false, 'first value counts');
  t.equal(parseListOptions({ watch: '1', allowWatchBookmarks: 'yes' }, 'pods').allowWatchBookmarks, true);
  t.equal(parseListOptions({ allowWatchBookmarks: 'False' }, 'pods').allowWatchBookmarks, false);

  const plain = parseListOptions({}, 'pods');
  t.same(
    { ...plain, labelSelector: plain.labelSelector.toString(), fieldSelector: plain.fieldSelector.toString() },
    { labelSelector: '', fieldSelector: '', watch: false, allowWatchBookmarks: false },
    'an empty query lists everything at the latest revision',
  );

  // defaults.go SetListOptionsDefaults (WatchList gate on): watches from "" or "0" become watch-lists.
  for (const rv of [undefined, '', '0']) {
    const q: QueryValues = { watch: 'true' };
    if (rv !== undefined) q.resourceVersion = rv;
    const o = parseListOptions(q, 'pods');
    t.same([o.sendInitialEvents, o.resourceVersionMatch, o.resourceVersion], [true, 'NotOlderThan', rv || undefined], `watch from ${JSON.stringify(rv)}`);
  }
  const fromFive = parseListOptions({ watch: 'true', resourceVersion: '5' }, 'pods');
  t.same([fromFive.sendInitialEvents, fromFive.resourceVersionMatch], [undefined, undefined], 'a watch from N is not defaulted');
  const gateOff = parseListOptions({ watch: 'true' }, 'pods', { watchList: false });
  t.same([gateOff.sendInitialEvents, gateOff.resourceVersionMatch], [undefined, undefined], 'nothing is defaulted with the gate off');
  const explicit = parseListOptions({ watch: 'true', sendInitialEvents: 'false', resourceVersionMatch: 'NotOlderThan' }, 'pods');
  t.equal(explicit.sendInitialEvents, false);
  // Bookmarks are not required by validation: without them the initial events just have no end marker.
  const noBookmarks = parseListOptions({ watch: 'true', sendInitialEvents: 'true', resourceVersionMatch: 'NotOlderThan', resourceVersion: '3' }, 'pods');
  t.same([noBookmarks.sendInitialEvents, noBookmarks.allowWatchBookmarks], [true, false]);

  // limit: ParseInt accepts a sign; non-positive means no paging; the watch cache ignores it at
  // resourceVersion "0" (cacher.go computeListLimit).
  t.equal(parseListOptions({ limit: '+5' }, 'pods').limit, 5);
  t.equal(parseListOptions({ limit: '-1' }, 'pods').limit, undefined);
  t.equal(parseListOptions({ limit: '-9223372036854775808' }, 'pods').limit, undefined, 'int64 minimum parses');
  t.equal(parseListOptions({ limit: '0' }, 'pods').limit, undefined);
  t.equal(parseListOptions({ limit: '500', resourceVersion: '0' }, 'pods').limit, undefined);
  t.equal(parseListOptions({ limit: '500', resourceVersion: '9' }, 'pods').limit, 500);
  t.equal(parseListOptions({ watch: '1', timeoutSeconds: '-3' }, 'pods').timeoutSeconds, -3, 'negative timeouts are accepted');

  // ValidateListOptions lets resourceVersion "0" through with continue; the token is decoded and,
  // as the API concepts' table says ("treated as Continue Token, Exact"), the continuation pages.
  const page = parseListOptions({ continue: GOOD_TOKEN, resourceVersion: '0', limit: '2' }, 'pods');
  t.same([page.continue, page.continueToken, page.limit], [GOOD_TOKEN, { rv: 42, start: 'nginx\u0000' }, 2]);
  const next = parseListOptions({ continue: GOOD_TOKEN, limit: '2' }, 'pods');
  t.same([next.continueToken, next.limit], [{ rv: 42, start: 'nginx\u0000' }, 2]);
  // A watch ignores continue and limit checks.
  t.equal(parseListOptions({ watch: '1', resourceVersion: '5', continue: '!!' }, 'pods').continueToken, undefined);

  // Empty values are absent.
  const empties = parseListOptions({ resourceVersion: '', resourceVersionMatch: '', continue: '' }, 'pods');
  t.same([empties.resourceVersion, empties.resourceVersionMatch, empties.continue], [undefined, undefined, undefined]);
  const exact = parseListOptions({ resourceVersion: '12', resourceVersionMatch: 'Exact' }, 'pods');
  t.same([exact.resourceVersion, exact.resourceVersionMatch], ['12', 'Exact']);

  // Selectors: conversion rewrites aliases; a named watch selects its object.
  t.equal(parseListOptions({ fieldSelector: 'spec.host=n1' }, 'pods').fieldSelector.toString(), 'spec.nodeName=n1');
  t.equal(parseListOptions({ labelSelector: 'b=1,a' }, 'pods').labelSelector.toString(), 'a,b=1');
  t.equal(parseListOptions({ fieldSelector: 'spec.size=3' }, 'example.com/widgets', { fieldLabels: ['spec.size'] }).fieldSelector.toString(), 'spec.size=3');
  t.equal(parseListOptions({ watch: '1' }, 'pods', { name: 'web' }).fieldSelector.toString(), 'metadata.name=web');
  t.equal(
    parseListOptions({ watch: '1', fieldSelector: 'metadata.name=web,spec.nodeName=n' }, 'pods', { name: 'web' }).fieldSelector.toString(),
    'metadata.name=web,spec.nodeName=n',
  );
  t.equal(parseListOptions({}, 'pods', { forceWatch: true }).watch, true, 'a /watch/ path serves a watch');
});

t.test('parseGetOptions and parseResourceVersion', async (t) => {
  // get.go GetResource: export checked first; GetOptions only carries resourceVersion.
  const exp = failure(t, () => parseGetOptions({ export: 'true' }));
  t.same([exp.code, exp.reason, exp.message], [400, 'BadRequest', 'the export parameter, deprecated since v1.14, is no longer supported']);
  t.same(parseGetOptions({ export: 'false' }), {});
  t.same(parseGetOptions({ resourceVersion: '' }), {});
  t.same(parseGetOptions({ resourceVersion: '7' }), { resourceVersion: '7' });
  t.same(parseGetOptions({ resourceVersion: '0' }), { resourceVersion: '0' });
  // CacheDelegator.Get parses first and upstream leaves the error untranslated (a 500); kubemu: 400.
  const bad = failure(t, () => parseGetOptions({ resourceVersion: 'x"y' }));
  t.same(bad, {
    kind: 'Status',
    apiVersion: 'v1',
    metadata: {},
    status: 'Failure',
    message: 'resourceVersion: Invalid value: "x\\"y": strconv.ParseUint: parsing "x\\"y": invalid syntax',
    reason: 'BadRequest',
    code: 400,
  });

  // storage/api_object_versioner.go ParseResourceVersion: "" and "0" → 0; strconv.ParseUint otherwise.
  t.equal(parseResourceVersion(''), 0);
  t.equal(parseResourceVersion('0'), 0);
  t.equal(parseResourceVersion('007'), 7);
  t.equal(parseResourceVersion('123456'), 123456);
  t.equal(parseResourceVersion('18446744073709551615'), 18446744073709551615);
  const plus = failure(t, () => parseResourceVersion('+1', 'list'));
  t.same([plus.code, plus.reason, plus.message], [400, 'BadRequest',
    'invalid resource version: resourceVersion: Invalid value: "+1": strconv.ParseUint: parsing "+1": invalid syntax']);
  const tab = failure(t, () => parseResourceVersion('1\t', 'watch'));
  t.same([tab.code, tab.reason, tab.message], [400, 'BadRequest',
    'resourceVersion: Invalid value: "1\\t": strconv.ParseUint: parsing "1\\t": invalid syntax']);
});

t.test('watchTimeoutSeconds follows handleWatch', async (t) => {
  // get.go handleWatch: timeoutSeconds, else minRequestTimeout * (rand + 1).
  t.equal(watchTimeoutSeconds(30), 30);
  t.equal(watchTimeoutSeconds(-1), -1);
  t.equal(watchTimeoutSeconds(undefined, 1800, () => 0), 1800);
  t.equal(watchTimeoutSeconds(0, 1800, () => 0.5), 2700);
  t.equal(watchTimeoutSeconds(undefined, 60, () => 0.25), 75);
});

t.test('continue tokens round-trip in the upstream format', async (t) => {
  // storage/continue.go EncodeContinue: RawURLEncoding of json.Marshal(continueToken{v, rv, start}).
  t.equal(GOOD_TOKEN, 'eyJ2IjoibWV0YS5rOHMuaW8vdjEiLCJydiI6NDIsInN0YXJ0IjoibmdpbnhcdTAwMDAifQ');
  t.equal(Buffer.from(GOOD_TOKEN, 'base64url').toString(), '{"v":"meta.k8s.io/v1","rv":42,"start":"nginx\\u0000"}');
  // json.Marshal escapes <, >, & and U+2028/2029.
  t.equal(
    Buffer.from(encodeContinueToken(1, 'a<b>&\u2028"\\\u0001\n'), 'base64url').toString(),
    '{"v":"meta.k8s.io/v1","rv":1,"start":"a\\u003cb\\u003e\\u0026\\u2028\\"\\\\\\u0001\\n"}',
  );
  for (const [rv, start] of [
    [42, 'nginx\u0000'],
    [7, 'default/web-0\u0000'],
    [-1, 'ns/a\u0000'],
    [9007199254740991, 'é/ü\u0000'],
    [3, 'a<b>&\u2028'],
  ] as const) {
    // (U+2028 would break a TAP line, so the name shows the start's UTF-8 bytes.)
    t.same(decodeContinueToken(encodeContinueToken(rv, start)), { rv, start }, `round trip ${rv} ${Buffer.from(start).toString('hex')}`);
  }
  t.equal(continueAfter('/registry/core/pods/default/nginx', '/registry/core/pods/default/'), 'nginx\u0000');
  t.throws(() => continueAfter('/registry/core/pods/other/x', '/registry/core/pods/default/'), TypeError);
  t.throws(() => encodeContinueToken(1.5, 'a'), TypeError);

  // Decoding is as lenient as Go: newlines skipped, keys matched case-insensitively, null ignored,
  // unknown keys ignored, later duplicates win, a leading slash cleaned away.
  t.same(decodeContinueToken(`${GOOD_TOKEN.slice(0, 10)}\r\n${GOOD_TOKEN.slice(10)}\n`), { rv: 42, start: 'nginx\u0000' });
  t.same(decodeContinueToken(token('{"V":"meta.k8s.io/v1","Rv":5,"ſTART":"a","x":[1,{"y":"}"}]}')), { rv: 5, start: 'a' });
  t.same(decodeContinueToken(token('{"v":"meta.k8s.io/v1","rv":5,"start":"a","rv":null,"start":"b"}')), { rv: 5, start: 'b' });
  t.same(decodeContinueToken(token(' {"v":"meta.k8s.io/v1","rv":-3,"start":"/a/b"} ')), { rv: -3, start: 'a/b' });
});

t.test('garbage continue tokens fail with DecodeContinue wording', async (t) => {
  const P = 'invalid continue token: continue key is not valid';
  const rows: [string, string, string][] = [
    // Go encoding/base64 CorruptInputError offsets (RawURLEncoding: no padding, '=' is illegal).
    ['one character', 'x', `${P}: illegal base64 data at input byte 0`],
    ['dangling character', 'abcde', `${P}: illegal base64 data at input byte 4`],
    ['padding', 'ab=c', `${P}: illegal base64 data at input byte 2`],
    ['standard alphabet', 'ab+c', `${P}: illegal base64 data at input byte 2`],
    ['blank', 'abcd efg', `${P}: illegal base64 data at input byte 4`],
    // Go encoding/json syntax errors.
    ['truncated JSON', 'eyJ2', `${P}: unexpected end of JSON input`],
    ['not JSON', token('hello'), `${P}: invalid character 'h' looking for beginning of value`],
    ['trailing comma', token('{"v":"meta.k8s.io/v1","rv":5,"start":"a",}'), `${P}: invalid character '}' looking for beginning of object key string`],
    // Go encoding/json UnmarshalTypeError.
    ['array', token('[1]'), `${P}: json: cannot unmarshal array into Go value of type storage.continueToken`],
    ['string', token('"abc"'), `${P}: json: cannot unmarshal string into Go value of type storage.continueToken`],
    ['number', token('12'), `${P}: json: cannot unmarshal number into Go value of type storage.continueToken`],
    ['rv as string', token('{"v":"meta.k8s.io/v1","rv":"5","start":"a"}'), `${P}: json: cannot unmarshal string into Go struct field continueToken.rv of type int64`],
    ['rv fractional', token('{"v":"meta.k8s.io/v1","rv":1e3,"start":"a"}'), `${P}: json: cannot unmarshal number 1e3 into Go struct field continueToken.rv of type int64`],
    ['rv over int64', token('{"rv":9223372036854775808}'), `${P}: json: cannot unmarshal number 9223372036854775808 into Go struct field continueToken.rv of type int64`],
    ['rv bool', token('{"rv":true}'), `${P}: json: cannot unmarshal bool into Go struct field continueToken.rv of type int64`],
    ['rv object', token('{"rv":{}}'), `${P}: json: cannot unmarshal object into Go struct field continueToken.rv of type int64`],
    ['start number', token('{"start":5}'), `${P}: json: cannot unmarshal number into Go struct field continueToken.start of type string`],
    ['first type error wins', token('{"v":[],"start":5}'), `${P}: json: cannot unmarshal array into Go struct field continueToken.v of type string`],
    // storage/continue.go DecodeContinue checks.
    ['null', token('null'), `${P}: server does not recognize this encoded version `],
    ['other version', token('{"v":"meta.k8s.io/v2","rv":5,"start":"a"}'), `${P}: server does not recognize this encoded version meta.k8s.io/v2`],
    ['rv zero', token('{"v":"meta.k8s.io/v1","rv":0,"start":"a"}'), `${P}: incorrect encoded start resourceVersion (version meta.k8s.io/v1)`],
    ['no start', token('{"v":"meta.k8s.io/v1","rv":5}'), `${P}: encoded start key empty (version meta.k8s.io/v1)`],
    ['path traversal', token('{"v":"meta.k8s.io/v1","rv":5,"start":"a/../../b"}'), `${P}: a/../../b`],
    ['double slash', token('{"v":"meta.k8s.io/v1","rv":5,"start":"a//b"}'), `${P}: a//b`],
    ['trailing slash', token('{"v":"meta.k8s.io/v1","rv":5,"start":"a/"}'), `${P}: a/`],
    ['dot segment', token('{"v":"meta.k8s.io/v1","rv":5,"start":"./a"}'), `${P}: ./a`],
  ];
  for (const [name, value, message] of rows) {
    const s = failure(t, () => decodeContinueToken(value));
    t.same([s.code, s.reason, s.message], [400, 'BadRequest', message], name);
  }
});

t.test('pagination and freshness errors use upstream wording', async (t) => {
  // apiserver storage/etcd3/errors.go handleCompactedErrorForPaging: a new token at rv -1.
  const expired = expiredContinue({ rv: 5, start: 'web-3\u0000' });
  t.same([expired.code, expired.reason, expired.message], [410, 'Expired', INCONSISTENT_CONTINUE_MESSAGE]);
  t.match(INCONSISTENT_CONTINUE_MESSAGE, /^The provided continue parameter is too old to display a consistent list result\. You can start a new list without the continue parameter, or use the continue token in this response to retrieve the remainder of the results\. Continuing with the provided token results in an inconsistent list - objects that were created, modified, or deleted between the time the first chunk was returned and now may show up in the list\.$/);
  t.same(decodeContinueToken(expired.status.metadata.continue ?? ''), { rv: -1, start: 'web-3\u0000' });

  // storage/cacher/watch_cache_history.go GetIntervalLocked.
  const old = watchResourceVersionTooOld(3, 10);
  t.same([old.code, old.reason, old.message], [410, 'Expired', 'too old resource version: 3 (10)']);
  // storage/etcd3/errors.go interpretListError.
  const oldList = listResourceVersionTooOld();
  t.same([oldList.code, oldList.reason, oldList.message], [410, 'Expired', 'The resourceVersion for the provided list is too old.']);
  // storage/errors.go NewTooLargeResourceVersionError via apimachinery NewTimeoutError; cacher retry 1 s.
  t.same(resourceVersionTooLarge(20, 15).status, {
    kind: 'Status',
    apiVersion: 'v1',
    metadata: {},
    status: 'Failure',
    message: 'Timeout: Too large resource version: 20, current: 15',
    reason: 'Timeout',
    details: { causes: [{ reason: 'ResourceVersionTooLarge', message: 'Too large resource version' }], retryAfterSeconds: 1 },
    code: 504,
  });

  // storage/continue.go PrepareContinueToken: only with more items and an empty predicate.
  t.equal(remainingItemCount(true, 7, true), 7);
  t.equal(remainingItemCount(true, 7, false), undefined);
  t.equal(remainingItemCount(false, 0, true), undefined);
});
