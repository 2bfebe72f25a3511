import { createHash, generateKeyPairSync } from 'node:crypto';
import t from 'tap';
import { algorithmOf, keyIdOf, parseCompact, publicJwk, signCompact, verifyCompact } from '../../src/auth/jws.js';

const ec = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 });

t.test('algorithmOf: P-256 is ES256, RSA ≥ 2048 is RS256, anything else is refused', async (t) => {
  t.equal(algorithmOf(ec.privateKey), 'ES256');
  t.equal(algorithmOf(ec.publicKey), 'ES256');
  t.equal(algorithmOf(rsa.privateKey), 'RS256');
  t.throws(() => algorithmOf(generateKeyPairSync('ec', { namedCurve: 'secp384r1' }).privateKey), /unsupported service account key \(EC secp384r1\)/);
  t.throws(() => algorithmOf(generateKeyPairSync('ed25519').privateKey), /unsupported service account key \(ed25519\)/);
  t.throws(() => algorithmOf(generateKeyPairSync('rsa', { modulusLength: 1024 }).privateKey), /unsupported service account key \(rsa 1024\)/);
});

t.test('keyIdOf is the unpadded base64url SHA-256 of the PKIX DER (kube keyIDFromPublicKey)', async (t) => {
  const der = ec.publicKey.export({ type: 'spki', format: 'der' });
  const expected = createHash('sha256').update(der).digest('base64').replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
  t.equal(keyIdOf(ec.publicKey), expected);
  t.match(keyIdOf(ec.publicKey), /^[A-Za-z0-9_-]{43}$/);
});

for (const [alg, pair] of [['ES256', ec], ['RS256', rsa]] as const) {
  t.test(`signCompact/verifyCompact round trip with ${alg}`, async (t) => {
    const token = signCompact({ alg, kid: 'k1' }, { sub: 'me', n: 1 }, pair.privateKey);
    const parts = token.split('.');
    t.equal(parts.length, 3);
    t.notOk(token.includes('='), 'no padding');
    t.same(JSON.parse(Buffer.from(parts[0]!, 'base64url').toString()), { alg, kid: 'k1' });
    const parsed = parseCompact(token);
    t.ok(parsed);
    t.same(parsed?.payload, { sub: 'me', n: 1 });
    t.ok(verifyCompact(parsed!, pair.publicKey));
    if (alg === 'ES256') t.equal(parsed?.signature.length, 64, 'raw r‖s, not DER');

    const other = alg === 'ES256' ? generateKeyPairSync('ec', { namedCurve: 'prime256v1' }) : generateKeyPairSync('rsa', { modulusLength: 2048 });
    t.notOk(verifyCompact(parsed!, other.publicKey), 'another key does not verify');
    const tampered = parseCompact(`${parts[0]}.${Buffer.from(JSON.stringify({ sub: 'admin', n: 1 })).toString('base64url')}.${parts[2]}`);
    t.notOk(verifyCompact(tampered!, pair.publicKey), 'a changed payload does not verify');
  });
}

t.test('verifyCompact takes the algorithm from the key, never from the token', async (t) => {
  const token = signCompact({ alg: 'ES256' }, { sub: 'x' }, ec.privateKey);
  const [, payload, signature] = token.split('.');
  for (const alg of ['none', 'HS256', 'RS256']) {
    const header = Buffer.from(JSON.stringify({ alg })).toString('base64url');
    t.notOk(verifyCompact(parseCompact(`${header}.${payload}.${signature}`)!, ec.publicKey), alg);
  }
  t.throws(() => signCompact({ alg: 'RS256' }, {}, ec.privateKey), /does not match the ES256 key/);
});

t.test('parseCompact refuses what is not a compact JWS of JSON objects', async (t) => {
  const good = signCompact({ alg: 'ES256' }, { a: 1 }, ec.privateKey);
  const [h, p, s] = good.split('.') as [string, string, string];
  const seg = (v: unknown) => Buffer.from(JSON.stringify(v)).toString('base64url');
  const bad = [
    'not-a-token',
    `${h}.${p}`,
    `${h}.${p}.${s}.extra`,
    `${h}.${p}.`,
    `${h}=.${p}.${s}`,
    `${h}.${p}+.${s}`,
    `${seg([1])}.${p}.${s}`,
    `${h}.${seg('text')}.${s}`,
    `${Buffer.from('{broken').toString('base64url')}.${p}.${s}`,
    `${seg({ alg: 'ES256', crit: ['exp'] })}.${p}.${s}`,
  ];
  for (const token of bad) t.equal(parseCompact(token), undefined, token.slice(0, 40));
  t.ok(parseCompact(good));
});

t.test('publicJwk writes go-jose members in go-jose order', async (t) => {
  const jwk = publicJwk(ec.publicKey, 'kid-1');
  t.same(Object.keys(jwk), ['use', 'kty', 'kid', 'crv', 'alg', 'x', 'y']);
  t.match(jwk, { use: 'sig', kty: 'EC', kid: 'kid-1', crv: 'P-256', alg: 'ES256' });
  const rsaJwk = publicJwk(rsa.publicKey, 'kid-2');
  t.same(Object.keys(rsaJwk), ['use', 'kty', 'kid', 'alg', 'n', 'e']);
  t.match(rsaJwk, { kty: 'RSA', alg: 'RS256', e: 'AQAB' });
  t.notOk('d' in jwk || 'd' in rsaJwk, 'public members only');
});
