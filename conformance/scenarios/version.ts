/**
 * Conformance scenarios: the server version, as `/version` serves it and `kubectl version` shows it.
 * Must not: assume a particular server version (any cluster passes).
 */
import { expectEqual, expectMatch, expectSuccess, pick, scenario, versionMatches } from '../harness.js';

const VERSION_FIELDS = ['major', 'minor', 'gitVersion', 'gitCommit', 'gitTreeState', 'buildDate', 'goVersion', 'compiler', 'platform'];

/** GET /version: every field of version.Info, integer major/minor agreeing with gitVersion. */
export const httpVersion = scenario({
  name: 'http/version',
  async run(ctx) {
    const res = await ctx.http('GET', '/version');
    expectEqual(res.status, 200, 'GET /version status');
    expectMatch(res.headers['content-type'] ?? '', /^application\/json/, 'GET /version content-type');
    for (const field of VERSION_FIELDS) {
      expectEqual(typeof pick(res.json, field), 'string', `/version field ${field}`);
    }
    const major = String(pick(res.json, 'major'));
    const minor = String(pick(res.json, 'minor'));
    expectMatch(major, /^\d+$/, '/version major');
    expectMatch(minor, /^\d+\+?$/, '/version minor');
    expectMatch(String(pick(res.json, 'gitVersion')), new RegExp(`^v${major}\\.${minor.replace('+', '')}\\.\\d+`), '/version gitVersion');
  },
});

/**
 * `kubectl version` prints client and server versions (kubectl <1.28 needs `--short` for that
 * form); `-o json` carries /version verbatim.
 */
export const kubectlVersion = scenario({
  name: 'version/kubectl-version',
  async run(ctx) {
    const server = await ctx.http('GET', '/version');
    const gitVersion = String(pick(server.json, 'gitVersion'));
    const short = versionMatches(ctx.version, '<1.28') ? ['--short'] : [];
    const text = expectSuccess(await ctx.kubectl(['version', ...short]), 'kubectl version');
    expectMatch(text, new RegExp(`^Client Version: v${ctx.version.replace('.', '\\.')}\\.\\d+\\n`), 'Client Version line');
    expectMatch(text, new RegExp(`\\nServer Version: ${gitVersion.replace(/[.+]/g, '\\$&')}\\n$`), 'Server Version line');
    const json = JSON.parse(expectSuccess(await ctx.kubectl(['version', '-o', 'json']), 'kubectl version -o json')) as { serverVersion?: unknown };
    expectEqual(json.serverVersion, server.json, 'serverVersion of kubectl version -o json');
  },
});
