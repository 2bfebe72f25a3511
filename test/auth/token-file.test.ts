import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import { loadTokenFile, parseTokenFile, TokenFileError } from '../../src/auth/token-file.js';
import { withDefaults } from '../../src/cli/config.js';
import { buildServer } from '../../src/server.js';

t.test('parseTokenFile reads kube-apiserver token CSV: token, user, uid and a quoted group list', async (t) => {
  const file = parseTokenFile('admin-token,admin,admin,"system:masters"\nview-token,viewer,1001,"team-a,team-b"\nplain,bob,\n');
  t.same([...file.tokens.keys()], ['admin-token', 'view-token', 'plain']);
  t.same(file.tokens.get('admin-token'), { name: 'admin', uid: 'admin', groups: ['system:masters'] });
  t.same(file.tokens.get('view-token'), { name: 'viewer', uid: '1001', groups: ['team-a', 'team-b'] });
  t.same(file.tokens.get('plain'), { name: 'bob', groups: [] }, 'an empty uid is no uid; no fourth column is no groups');
  t.same(file.warnings, []);
});

t.test('parseTokenFile: CRLF, blank lines, quoted fields with commas, "" escapes and line breaks', async (t) => {
  const file = parseTokenFile('\r\n"tok,en",alice,u1,"a,""b"""\r\n\r\nt2,"multi\nline",u2\n');
  t.same(file.tokens.get('tok,en'), { name: 'alice', uid: 'u1', groups: ['a', '"b"'] });
  t.same(file.tokens.get('t2'), { name: 'multi\nline', uid: 'u2', groups: [] });
});

t.test('parseTokenFile: extra columns are ignored, fields are not trimmed, empty group names dropped', async (t) => {
  const file = parseTokenFile('t1, spaced ,u1,"a,,b",extra,more\n');
  t.same(file.tokens.get('t1'), { name: ' spaced ', uid: 'u1', groups: ['a', 'b'] });
});

t.test('parseTokenFile: empty tokens are skipped and repeated tokens replace earlier ones, with warnings', async (t) => {
  const file = parseTokenFile(',nobody,0\ndup,first,1\ndup,second,2\n', '/etc/tokens.csv');
  t.same([...file.tokens.keys()], ['dup']);
  t.equal(file.tokens.get('dup')?.name, 'second');
  t.same(file.warnings, [
    'empty token has been found in token file "/etc/tokens.csv", record number 1 (line 1)',
    'duplicate token has been found in token file "/etc/tokens.csv", record number 3 (line 3)',
  ]);
});

t.test('parseTokenFile: malformed lines stop the load with the file, line and column', async (t) => {
  const cases: [string, string][] = [
    ['good,user,uid\nshort,user\n', 'token file "f.csv" line 2: must have at least 3 columns (token, user name, user uid), found 2'],
    ['# a comment\n', 'token file "f.csv" line 1: must have at least 3 columns (token, user name, user uid), found 1'],
    ['a,b,c\nto"ken,user,uid\n', 'token file "f.csv": parse error on line 2, column 3: bare " in non-quoted-field'],
    ['"token"x,user,uid\n', 'token file "f.csv": parse error on line 1, column 8: extraneous or missing " in quoted-field'],
    ['a,b,c\n"open,user,uid\nnext,line,here\n', 'token file "f.csv": record on line 2; parse error on line 4, column 1: extraneous or missing " in quoted-field'],
  ];
  for (const [text, message] of cases) {
    t.throws(() => parseTokenFile(text, 'f.csv'), new TokenFileError(message), JSON.stringify(text));
  }
});

t.test('loadTokenFile reads a file; a missing file is a clear error', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'kubemu-tokens-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  const path = join(dir, 'tokens.csv');
  await writeFile(path, 'secret-1,alice,a1,"devs"\n');
  t.same((await loadTokenFile(path)).tokens.get('secret-1'), { name: 'alice', uid: 'a1', groups: ['devs'] });
  await t.rejects(loadTokenFile(join(dir, 'nope.csv')), { message: `cannot read token file "${join(dir, 'nope.csv')}": ENOENT` });
});

t.test('buildServer with tokenAuthFile: file tokens authenticate, unknown ones are 401, a bad file fails the start', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'kubemu-tokens-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  const path = join(dir, 'tokens.csv');
  await writeFile(path, 'alice-token,alice,a1,"system:masters"\n');
  const server = await buildServer(withDefaults({ storage: 'memory', tls: true, port: 0, tokenAuthFile: path }));
  t.teardown(() => server.close());
  const get = (token: string) => server.app.inject({ method: 'GET', url: '/api/v1/namespaces/default', headers: { authorization: `Bearer ${token}` } });
  t.equal((await get('alice-token')).statusCode, 200);
  t.equal((await get(server.adminToken)).statusCode, 200, 'the admin token still works');
  t.equal((await get('bob-token')).statusCode, 401);

  await writeFile(path, 'alice-token,alice\n');
  await t.rejects(buildServer(withDefaults({ storage: 'memory', tls: false, port: 0, tokenAuthFile: path })), {
    message: `token file "${path}" line 1: must have at least 3 columns (token, user name, user uid), found 2`,
  });
});
