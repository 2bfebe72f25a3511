/**
 * Test helper: what the tap runners of the conformance suite share (test/conformance.test.ts on
 * memory storage, test/etcd/conformance.test.ts on etcd): the kubectl versions installed, and
 * running the scenarios against a started kubemu with one assertion per result (knownIssue
 * scenarios as TODO failures).
 * Owns: turning suite results into tap assertions. Must not: hold scenario logic.
 */
import type { Test } from 'tap';
import { findKubectl } from '../../conformance/kubectl.js';
import { scenarios } from '../../conformance/scenarios/index.js';
import { runSuite, SUITE_SERVER_SETTINGS, type ScenarioResult } from '../../conformance/suite.js';
import { DEFAULT_VERSIONS } from '../../conformance/versions.js';
import type { Kubemu } from '../../src/index.js';

/** The versions of DEFAULT_VERSIONS whose `kubectl.<version>` binary is installed, in order. */
export async function installedKubectlVersions(): Promise<string[]> {
  const found = await Promise.all(DEFAULT_VERSIONS.map(async (v) => ((await findKubectl(v)) ? v : undefined)));
  return found.filter((v) => v !== undefined);
}

/** One tap assertion for a scenario result: pass, skip, TODO failure (known issue) or failure. */
export function assertResult(t: Test, result: ScenarioResult): void {
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

/** Runs every scenario for `versions` against `kubemu` (started with SUITE_SERVER_SETTINGS), asserting each result. */
export function runScenarios(t: Test, kubemu: Kubemu, versions: string[]): Promise<ScenarioResult[]> {
  return runSuite({
    kubeconfigPath: kubemu.kubeconfigPath,
    versions,
    scenarios,
    serverSettings: { ...SUITE_SERVER_SETTINGS, ...(kubemu.caKey ? { clientCa: { cert: kubemu.caCert!, key: kubemu.caKey } } : {}) },
    onResult: (result) => assertResult(t, result),
  });
}
