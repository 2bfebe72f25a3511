/**
 * The conformance suite (conformance/) against an in-process kubemu on etcd storage (a
 * one-member etcd on loopback), with ONE kubectl version to bound CI time (1.31, or the newest
 * installed). One assertion per scenario; knownIssue scenarios are TODO failures, as in
 * test/conformance.test.ts. Skipped without `etcd` or a kubectl.<version> binary.
 * Owns: running the suite on etcd. Must not: hold scenario logic.
 */
import t from 'tap';
import type { Test } from 'tap';
import { findKubectl } from '../../conformance/kubectl.js';
import { scenarios } from '../../conformance/scenarios/index.js';
import { runSuite, SUITE_SERVER_SETTINGS, summarize, type ScenarioResult } from '../../conformance/suite.js';
import { DEFAULT_VERSIONS } from '../../conformance/versions.js';
import { startKubemu } from '../../src/index.js';
import { haveEtcd, startEtcd } from '../helpers/etcd.js';

const PREFERRED = '1.31';
const installed = (await Promise.all(DEFAULT_VERSIONS.map(async (v) => ((await findKubectl(v)) ? v : undefined)))).filter((v) => v !== undefined);
const version = installed.includes(PREFERRED) ? PREFERRED : installed.at(-1);

function assertResult(t: Test, result: ScenarioResult): void {
  const name = `${result.version} ${result.scenario}`;
  switch (result.outcome) {
    case 'pass':
      t.pass(name);
      break;
    case 'skip':
      t.pass(name, { skip: result.reason ?? 'skipped' });
      break;
    case 'known':
      t.fail(name, { todo: `known kubemu issue: ${result.reason}`, detail: result.detail });
      break;
    case 'fail':
      t.fail(name, { detail: result.detail });
      break;
  }
}

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
    const results = await runSuite({
      kubeconfigPath: kubemu.kubeconfigPath,
      versions: [version],
      scenarios,
      serverSettings: { ...SUITE_SERVER_SETTINGS, ...(kubemu.caKey ? { clientCa: { cert: kubemu.caCert!, key: kubemu.caKey } } : {}) },
      onResult: (result) => assertResult(t, result),
    });
    t.comment(summarize(results).line);
  });
}
