/**
 * Conformance CLI (`npm run conformance -- [options]`): runs every scenario for each kubectl
 * version against a fresh in-process kubemu (started with the suite's server settings, which the
 * scenarios that need them are told), or against any cluster given by --kubeconfig.
 * Prints one line per scenario × version and a final `N passed, N failed[, N skipped]`; exits 1
 * when anything failed (known kubemu issues included), 2 on bad usage.
 * Owns: argument parsing and output. Must not: hold scenario logic.
 */
import { parseArgs } from 'node:util';
import { startKubemu, type Kubemu } from '../src/index.js';
import { scenarios } from './scenarios/index.js';
import { formatResult, runSuite, SUITE_SERVER_SETTINGS, summarize } from './suite.js';
import { DEFAULT_VERSIONS, parseVersionList } from './versions.js';

const USAGE = `usage: npm run conformance -- [--kubectl 1.29,1.31] [--kubeconfig FILE [--context NAME]] [--filter TEXT] [--ignore-skips]
  --kubectl       kubectl minor versions to run (default ${DEFAULT_VERSIONS.join(',')}); binaries are
                  $KUBEMU_KUBECTL_DIR/kubectl.<version> (default /usr/lib/google-cloud-sdk/bin)
  --kubeconfig    run against this cluster instead of a fresh in-process kubemu
  --context       kubeconfig context (default: current-context)
  --filter        only scenarios whose name contains TEXT
  --ignore-skips  run scenarios also for versions their skip rules exclude (useful on a real cluster)`;

async function main(): Promise<number> {
  let args;
  try {
    args = parseArgs({
      options: {
        kubectl: { type: 'string' },
        kubeconfig: { type: 'string' },
        context: { type: 'string' },
        filter: { type: 'string' },
        'ignore-skips': { type: 'boolean', default: false },
        help: { type: 'boolean', short: 'h', default: false },
      },
      strict: true,
    }).values;
  } catch (err) {
    console.error(`${(err as Error).message}\n${USAGE}`);
    return 2;
  }
  if (args.help) {
    console.log(USAGE);
    return 0;
  }
  const versions = args.kubectl ? parseVersionList(args.kubectl) : DEFAULT_VERSIONS;
  let kubemu: Kubemu | undefined;
  const started = Date.now();
  try {
    let kubeconfigPath = args.kubeconfig;
    if (!kubeconfigPath) {
      kubemu = await startKubemu({ ...SUITE_SERVER_SETTINGS });
      kubeconfigPath = kubemu.kubeconfigPath;
      console.log(`# target: in-process kubemu at ${kubemu.url}`);
    } else {
      console.log(`# target: ${kubeconfigPath}${args.context ? ` (context ${args.context})` : ''}`);
    }
    console.log(`# kubectl versions: ${versions.join(', ')}`);
    const results = await runSuite({
      kubeconfigPath,
      versions,
      scenarios,
      ignoreSkips: args['ignore-skips'],
      ...(kubemu ? { serverSettings: { ...SUITE_SERVER_SETTINGS, ...(kubemu.caKey ? { clientCa: { cert: kubemu.caCert!, key: kubemu.caKey } } : {}) } } : {}),
      ...(args.context ? { context: args.context } : {}),
      ...(args.filter ? { filter: args.filter } : {}),
      onResult: (result) => console.log(formatResult(result)),
    });
    const summary = summarize(results);
    if (summary.known) console.log(`# ${summary.known} of the failures are known kubemu issues (knownIssue markers)`);
    console.log(`# took ${((Date.now() - started) / 1000).toFixed(1)} s`);
    console.log(summary.line);
    return summary.failed > 0 ? 1 : 0;
  } finally {
    await kubemu?.close();
  }
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    console.error(err);
    process.exitCode = 2;
  },
);
