import t from 'tap';
import { goJsonSyntaxError } from '../../src/api/go-json-error.js';

// Expected wording: Go's encoding/json scanner (src/encoding/json/scanner.go: the error contexts
// passed to s.error, quoteChar, and "unexpected end of JSON input" from checkValid).
const cases: Array<[string, string | undefined]> = [
  ['{"apiVersion":"v1",', 'unexpected end of JSON input'],
  ['', 'unexpected end of JSON input'],
  ['{"a" 1}', "invalid character '1' after object key"],
  ['x', "invalid character 'x' looking for beginning of value"],
  ['{"a":1} x', "invalid character 'x' after top-level value"],
  ['{"a":tru}', "invalid character '}' in literal true (expecting 'e')"],
  ['[1,]', "invalid character ']' looking for beginning of value"],
  ['{"a":"\u0001"}', "invalid character '\\x01' in string literal"],
  ['{"a":1,}', "invalid character '}' looking for beginning of object key string"],
  ['{a:1}', "invalid character 'a' looking for beginning of object key string"],
  ['{"a":-x}', "invalid character 'x' in numeric literal"],
  ['{"a":1.}', "invalid character '}' after decimal point in numeric literal"],
  ['{"a":1e}', "invalid character '}' in exponent of numeric literal"],
  ['{"a":"\\q"}', "invalid character 'q' in string escape code"],
  ['{"a":"\\u12g4"}', "invalid character 'g' in \\u hexadecimal character escape"],
  ['{"a":01}', "invalid character '1' after object key:value pair"],
  ["'", "invalid character '\\'' looking for beginning of value"],
  ['{"a":[1 2]}', "invalid character '2' after array element"],
  ['{"a":[1,2],"b":{"c":null}} ', undefined],
];

t.test('goJsonSyntaxError words errors as Go encoding/json does', async (t) => {
  for (const [input, expected] of cases) t.equal(goJsonSyntaxError(Buffer.from(input)), expected, JSON.stringify(input));
});
