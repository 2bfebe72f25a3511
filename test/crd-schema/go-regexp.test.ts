import t from 'tap';
import { compileGoRegexp } from '../../src/registry/crd-schema/go-regexp.js';
import { goMatches } from '../../src/registry/crd-schema/cel.js';
import { compileSchema, validateStructuralSchema, type JSONSchemaProps } from '../../src/registry/crd-schema/index.js';
import { runStringRule } from './fixtures.js';

const show = (s: string): string => JSON.stringify(s).replace(/[^\x20-\x7e]/gu, (c) => `\\u{${c.codePointAt(0)!.toString(16)}}`);
const re = (p: string): RegExp => {
  const c = compileGoRegexp(p);
  if (typeof c === 'string') throw new Error(`${p}: ${c}`);
  return c;
};

t.test('Go syntax matches as Go regexp.MatchString does', async (t) => {
  // [pattern, strings that match, strings that do not]
  const cases: [string, string[], string[]][] = [
    ['(?i)^(critical|warning)$', ['Critical', 'WARNING', 'warning'], ['info', 'critical ']],
    ['^(?i:equal|notequal)$', ['Equal', 'NOTEQUAL'], ['equals']],
    ['^a(?i)bc$', ['aBC', 'abc'], ['ABC']],
    ['^a(?i:b)c$', ['aBc', 'abc'], ['abC', 'ABc']],
    ['^(a(?i)b)c$', ['aBc'], ['aBC']],
    ['^x(?i)k$', ['xk', 'xK', 'x\u212a'], ['Xk']],
    ['^x(?i)[a-c]+$', ['xAbC'], ['XAbC', 'xd']],
    ['^x(?i)[[:upper:]]$', ['xa', 'xA'], ['x1']],
    ['^(?i)[^a]$', ['b'], ['a', 'A']],
    ['^x(?i)[^a]$', ['xb'], ['xa', 'xA']],
    ['(?i)^[a-z0-9]+(?-i:X)$', ['aBcX'], ['aBcx']],
    ['\\Aab\\z', ['ab'], ['ab\n', 'xab']],
    ['^ab$', ['ab'], ['ab\n']],
    ['(?m)^b$', ['a\nb\nc'], ['a\rb']],
    ['^a.c$', ['abc', 'a\rc', 'a\u2028c'], ['a\nc']],
    ['(?s)^a.c$', ['a\nc'], ['ac']],
    ['^[[:alpha:]][[:alnum:]_-]*$', ['a1_-'], ['1a', 'é']],
    ['^[[:^digit:]]+$', ['abc'], ['a1']],
    ['^[[:punct:][:space:]]+$', ['!? \t'], ['a']],
    ['^\\pL+$', ['abcλ'], ['ab1']],
    ['^\\p{Greek}+$', ['λόγος'], ['logos']],
    ['^\\P{Greek}+$', ['logos'], ['λ']],
    ['^\\p{^Greek}$', ['x'], ['λ']],
    ['^[\\p{Lu}\\d]+$', ['A1'], ['a1']],
    ['^\\Qa.b*\\E$', ['a.b*'], ['axb', 'a.bb']],
    ['^\\d+\\s\\w+$', ['12 ab_'], ['١٢ ab', '12\u00a0ab', '12\vab']],
    ['^\\x41\\x{42}\\103\\0$', ['ABC\0'], ['ABC']],
    ['^[\\-\\]a]+$', ['-]a'], ['b']],
    ['^[]a]+$', [']a'], ['b']],
    ['^[a-]+$', ['a-'], ['b']],
    ['^a{2}b{1,}c{0,1}$', ['aab', 'aabbbc'], ['ab']],
    ['^a{,2}$', ['a{,2}'], ['aa']],
    ['^\\.\\-\\!\\#$', ['.-!#'], ['a-!#']],
    ['^(?P<name>a)(?<other>b)$', ['ab'], ['a']],
    ['^(?U)a+', ['a'], []],
    ['^(?:)$', [''], ['a']],
    ['^*a', ['a'], []],
    ['^[\\x{1F600}-\\x{1F64F}]$', ['😀'], ['a']],
  ];
  for (const [p, yes, no] of cases) {
    const r = re(p);
    for (const s of yes) t.ok(r.test(s), `${p} matches ${show(s)}`);
    for (const s of no) t.notOk(r.test(s), `${p} does not match ${show(s)}`);
  }
  t.equal(re('(?U)a+').exec('aaa')![0], 'a', '(?U) makes a+ lazy');
  t.equal(re('(?U)a+?').exec('aaa')![0], 'aaa', '(?U) makes a+? greedy');
  t.equal(re('(?i)abc').flags, 'iu', 'a pattern case-insensitive throughout uses the i flag');
});

t.test('what Go refuses, with Go\'s error text', async (t) => {
  const cases: [string, string][] = [
    ['(?=a)', 'invalid or unsupported Perl syntax: `(?=`'],
    ['a(?!b)', 'invalid or unsupported Perl syntax: `(?!`'],
    ['(?<=a)b', 'invalid named capture: `(?<=a)b`'],
    ['(?<!a)b', 'invalid named capture: `(?<!a)b`'],
    ['(?P=n)', 'invalid or unsupported Perl syntax: `(?P`'],
    ['(?i-)a', 'invalid or unsupported Perl syntax: `(?i-)`'],
    ['(?x)a', 'invalid or unsupported Perl syntax: `(?x`'],
    ['(a)\\1', 'invalid escape sequence: `\\1`'],
    ['\\k<a>', 'invalid escape sequence: `\\k`'],
    ['\\C', 'invalid escape sequence: `\\C`'],
    ['[\\b]', 'invalid escape sequence: `\\b`'],
    ['a**', 'invalid nested repetition operator: `**`'],
    ['a*+', 'invalid nested repetition operator: `*+`'],
    ['a{2}{3}', 'invalid nested repetition operator: `{2}{3}`'],
    ['*a', 'missing argument to repetition operator: `*`'],
    ['a|?', 'missing argument to repetition operator: `?`'],
    ['a{1001}', 'invalid repeat count: `{1001}`'],
    ['a{3,2}', 'invalid repeat count: `{3,2}`'],
    ['[z-a]', 'invalid character class range: `z-a`'],
    ['[[:word2:]]', 'invalid character class range: `[:word2:]`'],
    ['\\p{Klingon}', 'invalid character class range: `\\p{Klingon}`'],
    ['(a', 'missing closing ): `(a`'],
    ['a)', 'unexpected ): `a)`'],
    ['[a', 'missing closing ]: `[a`'],
    ['a\\', 'trailing backslash at end of expression: ``'],
    ['(?P<a>x)(?P<a>y)', 'duplicate capture group name: `a`'],
    ['(?P<a-b>x)', 'invalid named capture: `(?P<a-b>`'],
  ];
  for (const [p, want] of cases) t.equal(compileGoRegexp(p), `error parsing regexp: ${want}`, p);
});

t.test('CRD patterns use Go syntax', async (t) => {
  const schema: JSONSchemaProps = {
    type: 'object',
    properties: { spec: { type: 'object', properties: { severity: { type: 'string', pattern: '^(?i)(critical|warning|info)$' } } } },
  };
  t.same(validateStructuralSchema(schema, 'spec.validation.openAPIV3Schema').map(String), [], 'inline flags accepted');
  const c = compileSchema(schema);
  t.same(c.validate({ spec: { severity: 'Critical' } }).map(String), []);
  t.same(c.validate({ spec: { severity: 'fatal' } }).map(String), [`spec.severity: Invalid value: "fatal": spec.severity in body should match '^(?i)(critical|warning|info)$'`]);
  const bad: JSONSchemaProps = { type: 'object', properties: { s: { type: 'string', pattern: '^(?=a)' } } };
  t.match(validateStructuralSchema(bad, 'spec.validation.openAPIV3Schema').map(String), [
    /properties\[s\]\.pattern: Invalid value: "\^\(\?=a\)": must be a valid regular expression, but isn't: error parsing regexp: invalid or unsupported Perl syntax: `\(\?=`/,
  ]);
});

t.test('CEL matches / find / findAll use Go syntax', async (t) => {
  const run = (rule: string, v: string): string[] => runStringRule(t, rule, v);
  const cases: [string, string, string][] = [
    ["self.matches('(?i)^ab[[:digit:]]$')", 'AB1', 'ABx'],
    ["matches(self, '\\\\Aa\\\\z')", 'a', 'a\n'],
    ["self.find('(?i:x)[0-9]+') == 'X12'", 'aX12b', 'ax12b'],
    ["self.findAll('\\\\pL+').size() == 2", 'ab 12 cd', 'ab'],
    ['self.matches(r"^\\d{2}$")', '12', '123'],
  ];
  for (const [rule, pass, failing] of cases) {
    t.same(run(rule, pass), [], `${rule} passes ${JSON.stringify(pass)}`);
    t.equal(run(rule, failing).length, 1, `${rule} fails ${JSON.stringify(failing)}`);
  }
  t.same(run("self.matches('(?=a)')", 'a'), [
    "spec.v: Invalid value: \"string\": invalid regular expression: error parsing regexp: invalid or unsupported Perl syntax: `(?=` evaluating rule: self.matches('(?=a)')",
  ]);
  t.equal(goMatches(`self.matches("x.matches(y)") && r'matches(' == matches (self, 'a')`), `self.matchGo("x.matches(y)") && r'matches(' == matchGo (self, 'a')`);
  t.equal(goMatches(`self.matchesX(a) || self.matches == 1`), `self.matchesX(a) || self.matches == 1`, 'only calls of matches');
});
