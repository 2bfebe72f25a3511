import t, { type Test } from 'tap';
import { isStatusError } from '../../src/api/errors.js';
import {
  LabelSelector,
  customResourceFieldLabels,
  escapeFieldValue,
  fieldSelectorFields,
  fieldsOf,
  labelSelectorFromObject,
  labelSelectorToString,
  parseFieldSelector,
  parseFieldSelectorFor,
  parseLabelSelector,
  unescapeFieldValue,
} from '../../src/api/selectors.js';

/** The message of the 400 BadRequest StatusError `fn` throws (fails the test otherwise). */
function badRequestMessage(t: Test, fn: () => unknown): string {
  try {
    fn();
  } catch (err) {
    if (!isStatusError(err)) throw err;
    t.equal(err.code, 400, 'code 400');
    t.equal(err.reason, 'BadRequest', 'reason BadRequest');
    return err.message;
  }
  t.fail('expected a StatusError');
  return '';
}

const QUALIFIED_NAME_REGEX = '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]';

t.test('parseLabelSelector accepts upstream syntax and prints the canonical form', async (t) => {
  // [input, canonical String()] — cases from apimachinery pkg/labels/selector_test.go
  // (TestSelectorParse, TestSetSelectorParser) plus whitespace and operator coverage.
  const cases: [string, string][] = [
    ['', ''],
    ['x=a,y=b,z=c', 'x=a,y=b,z=c'],
    ['x!=a,y=b', 'x!=a,y=b'],
    ['x==a', 'x==a'],
    ['x=', 'x='],
    ['x= ', 'x='],
    ['x=,z= ', 'x=,z='],
    ['x= ,z= ', 'x=,z='],
    ['!x', '!x'],
    ['x', 'x'],
    ['a ', 'a'],
    ['\rx', 'x'],
    ['x>1', 'x>1'],
    ['x>1,z<5', 'x>1,z<5'],
    ['x=a,a=x', 'a=x,x=a'],
    ['foo  in\t (abc)', 'foo in (abc)'],
    ['x notin\n (abc)', 'x notin (abc)'],
    ['x  notin\t\t(def,abc)', 'x notin (abc,def)'],
    ['x in (abc,)', 'x in (,abc)'],
    ['x in (abc,abc)', 'x in (abc)'],
    ['x in ()', 'x in ()'],
    ['x notin ( )', 'x notin ()'],
    ['x notin (, a)', 'x notin (,a)'],
    ['x in (a,,,,,,)', 'x in (,a)'],
    ['x notin (abc,,def),bar,z in (),w', 'bar,w,x notin (,abc,def),z in ()'],
    ['a in (x,y,notin, z,in)', 'a in (in,notin,x,y,z)'],
    ['in in (in)', 'in in (in)'],
    ['this-is-a-dns.domain.com/key-with-dash', 'this-is-a-dns.domain.com/key-with-dash'],
    ['0.1.2.domain/99 notin (10.10.100.1, tick.tack.clock)', '0.1.2.domain/99 notin (10.10.100.1,tick.tack.clock)'],
    [' app = web , tier != db ', 'app=web,tier!=db'],
  ];
  for (const [input, canonical] of cases) {
    t.equal(parseLabelSelector(input).toString(), canonical, JSON.stringify(input));
  }
  t.ok(parseLabelSelector('').empty, 'empty string selects everything');
  t.notOk(parseLabelSelector('x').empty);
  t.same(parseLabelSelector('b in (z,y), a').requirements, [
    { key: 'a', operator: 'exists', values: [] },
    { key: 'b', operator: 'in', values: ['y', 'z'] },
  ]);
});

t.test('LabelSelector.matches follows Requirement.Matches for every operator', async (t) => {
  const labels = { x: 'foo', y: 'baz', n: '7', e: '' };
  // [selector, labels, expected] — partly from selector_test.go TestRequirementSelectorMatching.
  const cases: [string, Record<string, string> | undefined, boolean][] = [
    ['', labels, true],
    ['', undefined, true],
    ['x=foo', labels, true],
    ['x==foo', labels, true],
    ['x=bar', labels, false],
    ['x!=bar', labels, true],
    ['x!=foo', labels, false],
    ['missing!=foo', labels, true],
    ['x in (foo,bar)', labels, true],
    ['x in (bar)', labels, false],
    ['missing in (foo)', labels, false],
    ['y notin (alpha)', labels, true],
    ['y notin (baz)', labels, false],
    ['missing notin (a)', labels, true],
    ['x', labels, true],
    ['missing', labels, false],
    ['!missing', labels, true],
    ['!x', labels, false],
    ['e', labels, true],
    ['e=', labels, true],
    ['e in ()', labels, true],
    ['missing=', labels, false],
    ['n>6', labels, true],
    ['n>7', labels, false],
    ['n<8', labels, true],
    ['n<7', labels, false],
    ['x>1', labels, false],
    ['missing>1', labels, false],
    ['x=foo,y=baz', labels, true],
    ['x=foo,y=nope', labels, false],
    ['x', undefined, false],
    ['!x', undefined, true],
  ];
  for (const [sel, set, want] of cases) t.equal(parseLabelSelector(sel).matches(set), want, `${sel} on ${JSON.stringify(set)}`);
});

t.test('LabelSelector exact matches follow RequiresExactMatch', async (t) => {
  const sel = parseLabelSelector('app=web,tier==db,zone in (a),env in (x,y),team!=ops,k');
  t.same([...sel.exactMatches()], [
    ['app', 'web'],
    ['tier', 'db'],
    ['zone', 'a'],
  ]);
  t.equal(sel.requiresExactMatch('app'), 'web');
  t.equal(sel.requiresExactMatch('env'), undefined);
  t.equal(sel.requiresExactMatch('team'), undefined);
  t.equal(sel.requiresExactMatch('nothere'), undefined);
});

t.test('parseLabelSelector errors carry kube-apiserver wording', async (t) => {
  // Every message is formatted in apimachinery pkg/labels/selector.go (HEAD and kubernetes-1.27…1.33
  // tags agree): Parser.parse wraps parseRequirement errors as "unable to parse requirement: %v";
  // the others come unwrapped from parse(). The apiserver returns err.Error() as a BadRequest
  // (apiserver pkg/endpoints/handlers/get.go, ParameterCodec.DecodeParameters).
  const cases: [string, string][] = [
    // parseValues: `found '%s' expected: '('` (no comma in upstream's format string)
    ['a in b', "unable to parse requirement: found 'b' expected: '('"],
    ['x in', "unable to parse requirement: found '' expected: '('"],
    // parse(): after a requirement
    ['x==a==b', "found '==', expected: ',' or 'end of string'"], // selector_test.go testBadStrings
    ['!x=a', "found '=', expected: ',' or 'end of string'"], // selector_test.go testBadStrings
    ['a in (xyz)b notin ()', "found 'b', expected: ',' or 'end of string'"], // TestSetSelectorParser
    // parse(): `found '%s', expected: identifier after ','`
    ['x,,y', "found ',', expected: identifier after ','"], // TestSetSelectorParser
    ['a in (xyz),', "found '', expected: identifier after ','"], // TestSetSelectorParser
    // parse(): `found '%s', expected: !, identifier, or 'end of string'`
    [',x,y', "found ',', expected: !, identifier, or 'end of string'"], // TestSetSelectorParser
    ['(', "found '(', expected: !, identifier, or 'end of string'"], // TestSetSelectorParser
    // parseOperator: `found '%s', expected: in, notin, =, ==, !=, gt, lt` (TestParseOperator)
    ['x nott in (y)', "unable to parse requirement: found 'nott', expected: in, notin, =, ==, !=, gt, lt"],
    ['a (', "unable to parse requirement: found '(', expected: in, notin, =, ==, !=, gt, lt"],
    // parseKeyAndInferOperator: `found '%s', expected: identifier`
    ['!', "unable to parse requirement: found '', expected: identifier"],
    // parseExactValue: `found '%s', expected: identifier`
    ['x=(', "unable to parse requirement: found '(', expected: identifier"],
    // parseValues: `found '%s', expected: ',', ')' or identifier`
    ['a notin(', "unable to parse requirement: found '', expected: ',', ')' or identifier"],
    // parseIdentifiersList: `found '%s', expected: ',' or ')'` and `found '%s', expected: ',', or identifier`
    ['a in (xyz abc)', "unable to parse requirement: found 'abc', expected: ',' or ')'"],
    ['x in (a,=)', "unable to parse requirement: found '=', expected: ',', or identifier"],
    // NewRequirement, Gt/Lt: field.Invalid(values[i], v, "for 'Gt', 'Lt' operators, the value must be an integer")
    ['x<a', 'unable to parse requirement: values[0]: Invalid value: "a": for \'Gt\', \'Lt\' operators, the value must be an integer'],
    // validateLabelKey(literal, p.path) with a nil path: field.Path(nil).String() is "<nil>";
    // messages from util/validation IsQualifiedName ("prefix part must be non-empty", MaxLenError).
    ['/a', 'unable to parse requirement: <nil>: Invalid value: "/a": prefix part must be non-empty'],
    [`${'k'.repeat(64)}=v`, `unable to parse requirement: <nil>: Invalid value: "${'k'.repeat(64)}": name part must be no more than 63 characters`],
    // validateLabelValue(key, v, values[i]) → path values[i][key]; IsValidLabelValue MaxLenError(63)
    [`a=${'b'.repeat(64)}`, `unable to parse requirement: values[0][a]: Invalid value: "${'b'.repeat(64)}": must be no more than 63 characters`],
  ];
  for (const [input, message] of cases) {
    t.equal(badRequestMessage(t, () => parseLabelSelector(input)), message, JSON.stringify(input));
  }
});

t.test(
  'label key errors quote the qualified-name regex as upstream',
  async (t) => {
    // util/validation RegexError: each example is "'x', " and examples after the first are preceded by " or ".
    t.equal(
      badRequestMessage(t, () => parseLabelSelector('k@=v')),
      'unable to parse requirement: <nil>: Invalid value: "k@": name part must consist of alphanumeric characters, ' +
        "'-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or " +
        `'123-abc', regex used for validation is '${QUALIFIED_NAME_REGEX}')`,
    );
  },
);

t.test('labelSelectorFromObject has LabelSelectorAsSelector semantics', async (t) => {
  t.ok(labelSelectorFromObject(null).matchesNothing, 'nil selector matches nothing');
  t.notOk(labelSelectorFromObject(undefined).matches({}));
  t.notOk(labelSelectorFromObject(null).empty);
  t.ok(labelSelectorFromObject({}).empty, 'no clauses select everything');
  t.ok(labelSelectorFromObject({ matchLabels: {}, matchExpressions: [] }).matches({ a: 'b' }));
  const sel = labelSelectorFromObject({
    matchLabels: { app: 'web' },
    matchExpressions: [
      { key: 'tier', operator: 'In', values: ['fe', 'be'] },
      { key: 'env', operator: 'NotIn', values: ['prod'] },
      { key: 'team', operator: 'Exists' },
      { key: 'legacy', operator: 'DoesNotExist', values: [] },
    ],
  });
  t.equal(sel.toString(), 'app=web,env notin (prod),!legacy,team,tier in (be,fe)');
  t.ok(sel.matches({ app: 'web', tier: 'fe', team: 'x' }));
  t.notOk(sel.matches({ app: 'web', tier: 'fe', team: 'x', env: 'prod' }));
  t.notOk(sel.matches({ app: 'web', tier: 'fe', team: 'x', legacy: '1' }));
  t.same([...sel.exactMatches()], [['app', 'web']]);

  // pkg/apis/meta/v1/helpers.go: fmt.Errorf("%q is not a valid label selector operator", expr.Operator)
  t.equal(
    badRequestMessage(t, () => labelSelectorFromObject({ matchExpressions: [{ key: 'a', operator: 'Gt', values: ['1'] }] })),
    '"Gt" is not a valid label selector operator',
  );
  // NewRequirement: field.Invalid(path.Child("values"), vals, ...) with a nil []string printed as null
  t.equal(
    badRequestMessage(t, () => labelSelectorFromObject({ matchExpressions: [{ key: 'a', operator: 'In', values: [] }] })),
    "values: Invalid value: null: for 'in', 'notin' operators, values set can't be empty",
  );
  t.equal(
    badRequestMessage(t, () => labelSelectorFromObject({ matchExpressions: [{ key: 'a', operator: 'Exists', values: ['x'] }] })),
    'values: Invalid value: ["x"]: values set must be empty for exists and does not exist',
  );
  // NewRequirement validates the key under path "key" (selector_test.go TestRequirementConstructor).
  t.equal(badRequestMessage(t, () => labelSelectorFromObject({ matchLabels: { '/a': 'b' } })), 'key: Invalid value: "/a": prefix part must be non-empty');
});

t.test('labelSelectorToString is FormatLabelSelector', async (t) => {
  t.equal(labelSelectorToString({ matchLabels: { b: '2', a: '1' } }), 'a=1,b=2');
  t.equal(labelSelectorToString({}), '<none>');
  t.equal(labelSelectorToString(null), '<none>');
  t.equal(labelSelectorToString({ matchExpressions: [{ key: 'a', operator: 'Bad' }] }), '<error>');
  t.equal(new LabelSelector([]).toString(), '');
});

t.test('parseFieldSelector parses terms, escapes and prints canonically', async (t) => {
  // [input, canonical] — fields/selector_test.go TestSelectorParse and TestDeterministicParse.
  const cases: [string, string][] = [
    ['', ''],
    [',', ''],
    ['x=a,y=b,z=c', 'x=a,y=b,z=c'],
    ['x!=a,y=b', 'x!=a,y=b'],
    ['y==b,x=a', 'x=a,y=b'],
    ['x=a,a=x', 'a=x,x=a'],
    ['x=a||y\\=b', 'x=a||y\\=b'],
    ['x=a\\=\\=b', 'x=a\\=\\=b'],
    ['x=\\,,y=\\\\', 'x=\\,,y=\\\\'],
    ['x=!b', 'x=!b'],
    ['x=', 'x='],
  ];
  for (const [input, canonical] of cases) t.equal(parseFieldSelector(input, ['x', 'y', 'z', 'a']).toString(), canonical, JSON.stringify(input));
  const sel = parseFieldSelector('x=a\\,b,y!=c\\\\', ['x', 'y']);
  t.same(sel.requirements, [
    { field: 'x', operator: '=', value: 'a,b' },
    { field: 'y', operator: '!=', value: 'c\\' },
  ]);
  t.equal(sel.exactValue('x'), 'a,b');
  t.equal(sel.exactValue('y'), undefined);
  t.ok(parseFieldSelector('', undefined).empty);
  t.equal(escapeFieldValue('\\=\\,\\'), '\\\\\\=\\\\\\,\\\\');
  t.equal(unescapeFieldValue('\\\\\\=\\\\\\,\\\\'), '\\=\\,\\');
});

t.test('FieldSelector.matches reads absent fields as empty', async (t) => {
  const fields = { foo: 'bar', baz: 'blah', complex: '=value\\,\\' };
  const cases: [string, boolean][] = [
    ['', true],
    ['foo=bar', true],
    ['foo==bar', true],
    ['foo=bar,baz=blah', true],
    ['foo=bar,baz=blah,complex=\\=value\\\\\\,\\\\', true],
    ['foo=blah', false],
    ['foo!=blah', true],
    ['foo!=bar', false],
    ['missing=', true],
    ['missing!=x', true],
    ['missing=x', false],
    ['foo=bar,foobar=bar,baz=blah', false],
  ];
  const allowed = ['foo', 'baz', 'complex', 'missing', 'foobar'];
  for (const [sel, want] of cases) t.equal(parseFieldSelector(sel, allowed).matches(fields), want, sel);
});

t.test('parseFieldSelector errors carry kube-apiserver wording', async (t) => {
  // Syntax: apimachinery pkg/fields/selector.go parseSelector ("invalid selector: '%s'; can't understand '%s'"),
  // InvalidEscapeSequence ("invalid field selector: invalid escape sequence: %s") and UnescapedRune
  // ("invalid field selector: unescaped character in value: %v" — %v of a rune prints its code point).
  // Labels: runtime.DefaultMetaV1FieldSelectorConversion (apimachinery pkg/runtime/conversion.go),
  // k/k pkg/apis/core/v1/conversion.go ("field label not supported: %s"),
  // k/k pkg/apis/batch/v1/conversion.go ("field label %q not supported for batchv1.Job").
  const cases: [string, () => unknown, string][] = [
    ['bare word', () => parseFieldSelector('x', undefined), "invalid selector: 'x'; can't understand 'x'"],
    ['stray term', () => parseFieldSelector('x=a,b', undefined), "invalid selector: 'x=a,b'; can't understand 'b'"],
    ['set syntax', () => parseFieldSelector('x in (a)', undefined), "invalid selector: 'x in (a)'; can't understand 'x in (a)'"],
    ['unescaped =', () => parseFieldSelector('x==a==b', undefined), 'invalid field selector: unescaped character in value: 61'],
    ['unescaped = after ||', () => parseFieldSelector('x=a||y=b', undefined), 'invalid field selector: unescaped character in value: 61'],
    ['orphan backslash', () => parseFieldSelector('x=a\\', undefined), 'invalid field selector: invalid escape sequence: \\'],
    ['unknown escape', () => parseFieldSelector('x=\\a', undefined), 'invalid field selector: invalid escape sequence: \\a'],
    ['bang is not escapable', () => parseFieldSelector('x=\\!', undefined), 'invalid field selector: invalid escape sequence: \\!'],
    [
      'default kind',
      () => parseFieldSelector('foo.bar=baz', undefined),
      '"foo.bar" is not a known field selector: only "metadata.name", "metadata.namespace"',
    ],
    [
      'first sorted term is checked first',
      () => parseFieldSelector('b=1,a=2', undefined),
      '"a" is not a known field selector: only "metadata.name", "metadata.namespace"',
    ],
    [
      'apps/v1 replicasets have no conversion (kubernetes#135136)',
      () => parseFieldSelectorFor('apps/replicasets', 'status.replicas=0'),
      '"status.replicas" is not a known field selector: only "metadata.name", "metadata.namespace"',
    ],
    ['pods', () => parseFieldSelectorFor('pods', 'spec.foo=x'), 'field label not supported: spec.foo'],
    ['nodes refuse metadata.namespace', () => parseFieldSelectorFor('nodes', 'metadata.namespace=x'), 'field label not supported: metadata.namespace'],
    ['jobs', () => parseFieldSelectorFor('batch/jobs', 'status.succeeded=1'), 'field label "status.succeeded" not supported for batchv1.Job'],
    ['syntax before labels', () => parseFieldSelectorFor('pods', 'spec.foo=x,y'), "invalid selector: 'spec.foo=x,y'; can't understand 'y'"],
  ];
  for (const [name, fn, message] of cases) t.equal(badRequestMessage(t, fn), message, name);
});

t.test('parseFieldSelectorFor accepts each kind’s labels', async (t) => {
  for (const [resource, labels] of Object.entries(fieldSelectorFields)) {
    for (const label of labels) t.doesNotThrow(() => parseFieldSelectorFor(resource, `${label}=x`), `${resource} ${label}`);
  }
  t.equal(parseFieldSelectorFor('pods', 'spec.host=n1').toString(), 'spec.nodeName=n1', 'spec.host is an alias');
  t.equal(parseFieldSelectorFor('configmaps', 'metadata.namespace=default').exactValue('metadata.namespace'), 'default');
  t.same(customResourceFieldLabels(true, [{ jsonPath: '.spec.color' }]), ['metadata.name', 'metadata.namespace', 'spec.color']);
  t.same(customResourceFieldLabels(false), ['metadata.name']);
  t.equal(
    badRequestMessage(t, () => parseFieldSelector('metadata.namespace=a', customResourceFieldLabels(false))),
    'field label not supported: metadata.namespace',
  );
});

t.test('fieldsOf extracts ToSelectableFields values', async (t) => {
  const pod = {
    metadata: { name: 'p', namespace: 'ns' },
    spec: { nodeName: 'n1', restartPolicy: 'Always', schedulerName: 'default-scheduler', serviceAccount: 'legacy-sa' },
    status: { phase: 'Running', podIP: '10.0.0.9', podIPs: [{ ip: '10.0.0.1' }, { ip: 'fd00::1' }], nominatedNodeName: 'n2' },
  };
  t.same(fieldsOf('pods', pod), {
    'metadata.name': 'p',
    'metadata.namespace': 'ns',
    'spec.nodeName': 'n1',
    'spec.restartPolicy': 'Always',
    'spec.schedulerName': 'default-scheduler',
    'spec.serviceAccountName': 'legacy-sa',
    'spec.hostNetwork': 'false',
    'status.phase': 'Running',
    'status.podIP': '10.0.0.1',
    'status.nominatedNodeName': 'n2',
  });
  t.equal(fieldsOf('pods', { spec: { hostNetwork: true }, status: { podIP: '10.1.1.1' } })['spec.hostNetwork'], 'true');
  t.equal(fieldsOf('pods', { status: { podIP: '10.1.1.1' } })['status.podIP'], '10.1.1.1');
  const podFields = fieldsOf('pods', pod);
  t.ok(parseFieldSelectorFor('pods', 'spec.host=n1,status.phase!=Pending').matches(podFields));
  t.ok(parseFieldSelectorFor('pods', 'status.podIPs=').matches(podFields), 'status.podIPs is never offered');

  const event = {
    metadata: { name: 'e', namespace: 'ns' },
    involvedObject: { kind: 'Pod', name: 'p', namespace: 'ns', uid: 'u1', apiVersion: 'v1', resourceVersion: '5', fieldPath: 'spec.containers{c}' },
    reason: 'Started',
    type: 'Normal',
    reportingComponent: 'kubelet',
  };
  const ef = fieldsOf('events', event);
  t.equal(ef.source, 'kubelet', 'source falls back to reportingComponent');
  t.equal(ef['involvedObject.fieldPath'], 'spec.containers{c}');
  t.equal(fieldsOf('events', { ...event, source: { component: 'scheduler' } }).source, 'scheduler');
  t.ok(parseFieldSelectorFor('events', 'involvedObject.kind=Pod,involvedObject.name=p,involvedObject.uid=u1').matches(ef));

  t.same(fieldsOf('nodes', { metadata: { name: 'n' }, spec: { unschedulable: true } }), {
    'metadata.name': 'n',
    'metadata.namespace': '',
    'spec.unschedulable': 'true',
  });
  t.equal(fieldsOf('nodes', { metadata: { name: 'n' } })['spec.unschedulable'], 'false');
  t.equal(fieldsOf('apps/replicasets', { status: { replicas: 3 } })['status.replicas'], '3');
  t.equal(fieldsOf('replicationcontrollers', {})['status.replicas'], '0');
  t.equal(fieldsOf('batch/jobs', { status: { succeeded: 2 } })['status.successful'], '2');
  t.equal(fieldsOf('namespaces', { status: { phase: 'Active' } })['status.phase'], 'Active');
  t.equal(fieldsOf('secrets', { type: 'Opaque' }).type, 'Opaque');
  t.same(fieldsOf('services', { spec: { clusterIP: 'None', type: 'ClusterIP' } })['spec.clusterIP'], 'None');
  t.equal(fieldsOf('certificates.k8s.io/certificatesigningrequests', { spec: { signerName: 'kubernetes.io/kubelet-serving' } })['spec.signerName'], 'kubernetes.io/kubelet-serving');
  t.same(fieldsOf('configmaps', { metadata: { name: 'c', namespace: 'd' } }), { 'metadata.name': 'c', 'metadata.namespace': 'd' });
});
