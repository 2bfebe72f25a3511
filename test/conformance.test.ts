/**
 * Runs the conformance suite (conformance/) in-process against a fresh kubemu started with the
 * suite's server settings, for kubectl 1.27–1.33: one assertion per scenario × version, plus one
 * per HTTP-only scenario (run once). Scenarios marked knownIssue are reported as TODO failures
 * (they do not fail this test); versions whose binary is absent are skipped. About a minute on
 * two cores; the file's timeout is raised to 150 s.
 */
import t from 'tap';
import { DEFAULT_VERSIONS } from '../conformance/versions.js';
import { SUITE_SERVER_SETTINGS } from '../conformance/suite.js';
import { startKubemu } from '../src/index.js';
import { installedKubectlVersions, runScenarios } from './helpers/conformance.js';

const installed = await installedKubectlVersions();

if (installed.length === 0) {
  t.pass('conformance suite', { skip: `no kubectl.<version> binaries for ${DEFAULT_VERSIONS.join(', ')} (set KUBEMU_KUBECTL_DIR)` });
} else {
  t.setTimeout(300_000);
  t.test(`conformance scenarios × kubectl ${installed.join(', ')}`, async (t) => {
    const missing = DEFAULT_VERSIONS.filter((v) => !installed.includes(v));
    if (missing.length) t.comment(`kubectl ${missing.join(', ')} not installed: those versions are skipped`);
    const kubemu = await startKubemu({ ...SUITE_SERVER_SETTINGS });
    t.teardown(() => kubemu.close());
    await runScenarios(t, kubemu, installed);
  });
}
