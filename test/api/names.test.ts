import t from 'tap';
import { isDNS1035Label, isDNS1123Label, isDNS1123Subdomain, isQualifiedName, isValidLabelValue, nameRules } from '../../src/api/names.js';

t.test('DNS-1123 subdomain: accepts names, explains failures with the upstream text', async (t) => {
  t.same(isDNS1123Subdomain('my-config.v1'), []);
  t.same(isDNS1123Subdomain('Bad_Name'), [
    "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')",
  ]);
  t.equal(isDNS1123Subdomain('a'.repeat(254))[0], 'must be no more than 253 characters');
});

t.test('DNS-1123 label: dots get their own message', async (t) => {
  t.same(isDNS1123Label('a.b'), ['must not contain dots']);
  t.equal(isDNS1123Label('a'.repeat(64))[0], 'must be no more than 63 characters');
  t.same(isDNS1123Label('ok-1'), []);
});

t.test('DNS-1035 label must start with a letter', async (t) => {
  t.same(isDNS1035Label('web'), []);
  t.match(isDNS1035Label('1web')[0], /^a DNS-1035 label must consist of/);
});

t.test('qualified names and label values', async (t) => {
  t.same(isQualifiedName('example.com/app'), []);
  t.same(isQualifiedName('app'), []);
  t.same(isQualifiedName('/app'), ['prefix part must be non-empty']);
  t.match(isQualifiedName('a/b/c')[0], /^a qualified name must consist of/);
  t.match(isQualifiedName('-bad')[0], /^name part must consist of alphanumeric characters/);
  t.same(isValidLabelValue(''), []);
  t.match(isValidLabelValue('bad value')[0], /^a valid label must be an empty string/);
});

t.test('generateName prefixes may end with a dash', async (t) => {
  t.same(nameRules.dnsSubdomain('web-', true), []);
  t.not(nameRules.dnsSubdomain('web-', false).length, 0);
});
