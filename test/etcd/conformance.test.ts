/**
 * The conformance suite (conformance/) against an in-process kubemu on etcd storage (a
 * one-member etcd on loopback), with ONE kubectl version to bound CI time (1.31, or the newest
 * installed). One assertion per scenario; knownIssue scenarios are TODO failures, as in
 * test/conformance.test.ts. Skipped without `etcd` or a kubectl.<version> binary.
 * Owns: running the suite on etcd. Must not: hold scenario logic.
 */
import t from 'tap';
import { SUITE_SERVER_SETTINGS, summarize } from '../../conformance/suite.js';
import { DEFAULT_VERSIONS } from '../../conformance/versions.js';
import { startKubemu } from '../../src/index.js';
import { installedKubectlVersions, runScenarios } from '../helpers/conformance.js';
import { haveEtcd, startEtcd } from '../helpers/etcd.js';

const PREFERRED = '1.31';
const installed = await installedKubectlVersions();
const version = installed.includes(PREFERRED) ? PREFERRED : installed.at(-1);

if (!haveEtcd) {
  t.pass('skipped: no etcd binary on PATH');
} else if (!version) {
  t.pass('skipped', { skip: `no kubectl.<version> binaries for ${DEFAULT_VERSIONS.join(', ')}` });
} else {
  t.setTimeout(240_000);
  t.test(`conformance scenarios on etcd storage × kubectl ${version}`, async (t) => {
    const etcd = await startEtcd();
    t.teardown(() => etcd.stop());
    const kubemu = await startKubemu({
      ...SUITE_SERVER_SETTINGS,
      storage: 'etcd',
      etcd: { endpoints: etcd.endpoints, prefix: `/conformance-${process.pid}` },
    });
    t.teardown(() => kubemu.close());
    const results = await runScenarios(t, kubemu, [version]);
    t.comment(summarize(results).line);
  });
}
