/**
 * Runs the conformance suite (conformance/) in-process against a fresh kubemu started with the
 * suite's server settings, for kubectl 1.27–1.33: one assertion per scenario × version, plus one
 * per HTTP-only scenario (run once). Scenarios marked knownIssue are reported as TODO failures
 * (they do not fail this test); versions whose binary is absent are skipped. About a minute on
 * two cores; the file's timeout is raised to 150 s.
 */
import t from 'tap';
import type { Test } from 'tap';
import { findKubectl } from '../conformance/kubectl.js';
import { scenarios } from '../conformance/scenarios/index.js';
import { runSuite, SUITE_SERVER_SETTINGS, type ScenarioResult } from '../conformance/suite.js';
import { DEFAULT_VERSIONS } from '../conformance/versions.js';
import { startKubemu } from '../src/index.js';

const installed = (await Promise.all(DEFAULT_VERSIONS.map(async (v) => ((await findKubectl(v)) ? v : undefined)))).filter((v) => v !== undefined);

function assertResult(t: Test, result: ScenarioResult): void {
  const name = `${result.version} ${result.scenario}`;
  switch (result.outcome) {
    case 'pass':
      t.pass(name, result.note ? { diagnostic: true, note: result.note } : {});
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

if (installed.length === 0) {
  t.pass('conformance suite', { skip: `no kubectl.<version> binaries for ${DEFAULT_VERSIONS.join(', ')} (set KUBEMU_KUBECTL_DIR)` });
} else {
  t.setTimeout(300_000);
  t.test(`conformance scenarios × kubectl ${installed.join(', ')}`, async (t) => {
    const missing = DEFAULT_VERSIONS.filter((v) => !installed.includes(v));
    if (missing.length) t.comment(`kubectl ${missing.join(', ')} not installed: those versions are skipped`);
    const kubemu = await startKubemu({ ...SUITE_SERVER_SETTINGS });
    t.teardown(() => kubemu.close());
    await runSuite({
      kubeconfigPath: kubemu.kubeconfigPath,
      versions: installed,
      scenarios,
      serverSettings: { ...SUITE_SERVER_SETTINGS, ...(kubemu.caKey ? { clientCa: { cert: kubemu.caCert!, key: kubemu.caKey } } : {}) },
      onResult: (result) => assertResult(t, result),
    });
  });
}
