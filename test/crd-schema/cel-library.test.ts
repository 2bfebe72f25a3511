import t from 'tap';
import { compileSchema } from '../../src/registry/crd-schema/index.js';
import { onString, runStringRule } from './fixtures.js';

const run = (rule: string, v: string): string[] => runStringRule(t, rule, v);

t.test('Kubernetes CEL libraries evaluate (pass, fail)', async (t) => {
  // [rule, value that passes, value that fails]
  const cases: [string, string, string][] = [
    ['quantity(self).isLessThan(quantity("1Gi"))', '512Mi', '2Gi'],
    ['quantity(self).isGreaterThan(quantity("100m"))', '1', '50m'],
    ['quantity(self).compareTo(quantity("200M")) == 0', '0.2G', '200Mi'],
    ['quantity(self).add(quantity("20k")) == quantity("70k")', '50k', '60k'],
    ['quantity(self).sub(20000) == quantity("30k")', '50k', '40k'],
    ['quantity(self).asInteger() == 50000', '50k', '50001'],
    ['quantity(self).isInteger()', '1Gi', '1.5'],
    ['quantity(self).asApproximateFloat() == 1.5', '1500m', '1'],
    ['quantity(self).sign() == -1', '-1', '1'],
    ['isQuantity(self)', '10Mi', '10 Mi'],
    ['isURL(self)', 'https://example.com/x', 'example.com'],
    ['url(self).getScheme() == "https"', 'https://a.io', 'http://a.io'],
    ['url(self).getHostname() == "::1" && url(self).getPort() == "80"', 'http://[::1]:80/', 'http://[::1]/'],
    ['url(self).getHost() == "a.io:8443"', 'https://a.io:8443/p', 'https://a.io/p'],
    ['url(self).getEscapedPath() == "/a/b"', 'https://a.io/a/b?x=1', 'https://a.io/a'],
    ['url(self).getQuery()["k"] == ["1", "2"]', 'https://a.io/?k=1&k=2', 'https://a.io/?k=1'],
    ['isIP(self)', '10.0.0.1', '10.0.0.01'],
    ['ip(self).family() == 6', 'fe80::1', '10.0.0.1'],
    ['ip.isCanonical(self)', '2001:db8::1', '2001:db8:0:0:0:0:0:1'],
    ['ip(self).isLoopback()', '127.0.0.2', '10.0.0.1'],
    ['ip(self).isUnspecified()', '::', '::1'],
    ['ip(self).isLinkLocalUnicast()', '169.254.1.1', '10.0.0.1'],
    ['ip(self).isLinkLocalMulticast()', 'ff02::1', 'ff05::1'],
    ['ip(self).isGlobalUnicast()', '8.8.8.8', '255.255.255.255'],
    ['string(ip(self)) == "2001:db8::1:0:0:1"', '2001:db8:0:0:1:0:0:1', '2001:db8::1'],
    ['isCIDR(self)', '10.0.0.0/8', '10.0.0.0/33'],
    ['cidr(self).containsIP("10.1.2.3")', '10.0.0.0/8', '192.168.0.0/16'],
    ['cidr(self).containsIP(ip("2001:db8::5"))', '2001:db8::/32', '2001:db9::/32'],
    ['cidr(self).containsCIDR("10.1.0.0/16")', '10.0.0.0/8', '10.1.0.0/24'],
    ['cidr(self).prefixLength() == 24', '192.168.1.0/24', '192.168.0.0/16'],
    ['string(cidr(self).masked()) == "10.0.0.0/8"', '10.1.2.3/8', '11.0.0.0/8'],
    ['string(cidr(self).ip()) == "10.1.2.3"', '10.1.2.3/8', '10.0.0.0/8'],
    ['!format.dns1123Label().validate(self).hasValue()', 'my-name', 'My_Name'],
    ['!format.dns1123Subdomain().validate(self).hasValue()', 'a.b.c', 'a..b'],
    ['!format.dns1035Label().validate(self).hasValue()', 'abc', '1abc'],
    ['!format.qualifiedName().validate(self).hasValue()', 'example.com/Name', 'a/b/c'],
    ['!format.dns1123LabelPrefix().validate(self).hasValue()', 'prefix-', 'Prefix-'],
    ['!format.labelValue().validate(self).hasValue()', 'v1.2_x', '-bad'],
    ['!format.uri().validate(self).hasValue()', 'https://a.io', 'a.io'],
    ['!format.uuid().validate(self).hasValue()', '123e4567-e89b-12d3-a456-426614174000', 'nope'],
    ['!format.byte().validate(self).hasValue()', 'aGVsbG8=', '***'],
    ['!format.date().validate(self).hasValue()', '2021-01-31', '2021-02-31'],
    ['!format.datetime().validate(self).hasValue()', '2021-01-01T00:00:00Z', 'today'],
    ['format.named(self).hasValue()', 'dns1123Label', 'dns1123label'],
    ['sets.contains(["a", "b", "c"], [self])', 'b', 'd'],
    ['sets.equivalent(["a", "b"], self.split(","))', 'b,a,a', 'a'],
    ['sets.intersects(["a", "b"], self.split(","))', 'x,b', 'x,y'],
    ['sets.contains([1, 2], [size(self)])', 'xy', 'xyz'],
    ['self.find("[0-9]+") == "123"', 'ab123cd45', 'ab12'],
    ['self.findAll("[0-9]").size() == 3', 'a1b2c3', 'a1'],
    ['self.findAll("[a-z]", 2) == ["a", "b"]', 'abc', 'xbc'],
    ['self.lowerAscii() == "abc" && self.upperAscii() == "ABC"', 'aBc', 'abd'],
    ['self.split("-").join(".") == "a.b"', 'a-b', 'a_b'],
    ['self.trim() == "x"', '  x ', 'y'],
    ['self.substring(1, 3) == "bc"', 'abcd', 'axcd'],
    ['self.indexOf("b") == 1 && self.lastIndexOf("b") == 3', 'abab', 'bbab'],
    ['self.charAt(1) == "b"', 'abc', 'aac'],
    ['self.replace("a", "b", 1) == "bba"', 'aba', 'bbb'],
    ['strings.quote(self) == "\\"a\\\\nb\\""', 'a\nb', 'ab'],
    ['[3, 1, 2].min() == 1 && [size(self), 5].max() == 5', 'ab', 'abcdef'],
    ['[1, size(self)].isSorted() && [1, size(self)].sum() == 3', 'ab', 'a'],
    ['["x", self].indexOf(self) == 1 && [self, "x", self].lastIndexOf(self) == 2', 'y', 'x'],
  ];
  for (const [rule, good, bad] of cases) {
    t.same(run(rule, good), [], `${rule} passes for ${JSON.stringify(good)}`);
    t.same(run(rule, bad), [`spec.v: Invalid value: "string": failed rule: ${rule}`], `${rule} fails for ${JSON.stringify(bad)}`);
  }
});

t.test('library runtime errors as upstream (<err> evaluating rule)', async (t) => {
  const cases: [string, string, string][] = [
    ['quantity(self).isInteger()', 'ten', "quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'"],
    ['quantity(self).asInteger() > 0', '1.5', 'cannot convert value to integer'],
    ['ip(self).family() == 4', '::ffff:1.2.3.4', 'IPv4-mapped IPv6 address "::ffff:1.2.3.4" is not allowed'],
    ['ip(self).family() == 6', 'fe80::1%eth0', 'IP address "fe80::1%eth0" with zone value is not allowed'],
    ['url(self).getScheme() == "x"', 'not a url', 'URL parse error during conversion from string: parse "not a url": invalid URI for request'],
  ];
  for (const [rule, v, err] of cases) {
    t.same(run(rule, v), [`spec.v: Invalid value: "string": ${err} evaluating rule: ${rule}`], rule);
  }
});

t.test('format.validate returns the upstream messages', async (t) => {
  const c = compileSchema({
    type: 'object',
    properties: {
      spec: {
        type: 'object',
        properties: { v: { type: 'string' } },
        'x-kubernetes-validations': [{ rule: '!format.dns1123Label().validate(self.v).hasValue()', messageExpression: 'format.dns1123Label().validate(self.v).value().join(", ")' }],
      },
    },
  });
  t.same(c.validate({ spec: { v: 'Bad_Name' } }).map(String), [
    "spec: Invalid value: \"object\": a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')",
  ]);
});

t.test('functions outside a 1.31 environment stay warnings, rule skipped', async (t) => {
  for (const rule of ['isSemver(self)', 'math.greatest([1, 2]) == 2', 'self.reverse() == "a"', '"%s".format([self]) == "a"']) {
    const c = compileSchema(onString(rule));
    t.equal(c.warnings.length, 1, rule);
    t.match(c.warnings[0], /^openAPIV3Schema\.properties\[spec\]\.properties\[v\]\.x-kubernetes-validations\[0\]\.rule: not evaluated by kubemu: uses the Kubernetes CEL function /);
    t.same(c.validate({ spec: { v: 'x' } }), [], `${rule} skipped`);
  }
});
