/**
 * `--pod-stages FILE`: the flag is parsed into the config, the file (YAML or JSON list) replaces
 * the default stages of the simulated kubelet, and a bad file stops the server from starting
 * with a message naming the flag, the file and the mistake.
 */
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import { parseCommand, UsageError } from '../../../src/cli/args.js';
import { withDefaults } from '../../../src/cli/config.js';
import { LocalClient } from '../../../src/client/local.js';
import { RESOURCES } from '../../../src/client/types.js';
import { loadStages } from '../../../src/controllers/nodes/index.js';
import { buildServer } from '../../../src/server.js';
import { eventually } from '../../helpers/wait.js';

const dir = await mkdtemp(join(tmpdir(), 'kubemu-stages-'));
// Pods finish at once (no Running stage): unmistakably not the default lifecycle.
const yamlFile = join(dir, 'stages.yaml');
await writeFile(
  yamlFile,
  `- name: pod-delete
  selector: { deleting: true }
  next: { delete: true }
- name: pod-done
  selector:
    phases: [Pending]
    deleting: false
  next: { phase: Succeeded }
`,
);

t.test('--pod-stages FILE is parsed into the config; an empty value is a usage error', async (t) => {
  const command = parseCommand(['serve', '--pod-stages', yamlFile]);
  t.equal(command.command === 'serve' && command.config.podStagesFile, yamlFile);
  t.throws(() => parseCommand(['serve', '--pod-stages', '']), new UsageError('invalid --pod-stages "": must name a file'));
});

t.test('loadStages reads YAML and JSON lists alike', async (t) => {
  const jsonFile = join(dir, 'stages.json');
  await writeFile(jsonFile, JSON.stringify([{ name: 'pod-done', selector: { phases: ['Pending'] }, delayMs: 5, next: { phase: 'Failed' } }]));
  t.same(loadStages(jsonFile), [{ name: 'pod-done', selector: { phases: ['Pending'] }, delayMs: 5, next: { phase: 'Failed' } }]);
  t.same(loadStages(yamlFile).map((s) => s.name), ['pod-delete', 'pod-done']);
});

t.test('the file replaces the default stages: a pod goes from Pending straight to Succeeded', async (t) => {
  const server = await buildServer(withDefaults({ storage: 'memory', tls: false, port: 0, podStagesFile: yamlFile }));
  t.teardown(() => server.close());
  const client = new LocalClient(server.registry, { fieldManager: 'test' });
  await eventually(async () => (await client.list(RESOURCES.nodes)).items.length === 1, 'node registered');
  await client.create(RESOURCES.pods, { metadata: { name: 'job' }, spec: { containers: [{ name: 'c', image: 'busybox' }] } }, { namespace: 'default' });
  const phase = async () => ((await client.get(RESOURCES.pods, 'job', { namespace: 'default' })).status as { phase?: string } | undefined)?.phase;
  await eventually(async () => (await phase()) === 'Succeeded', 'Succeeded');
  // The default stages would have made it Running and left it there.
  t.equal(await phase(), 'Succeeded');
});

t.test('a bad stage file stops the start with the flag, the file and the mistake', async (t) => {
  const bad = join(dir, 'bad.yaml');
  await writeFile(bad, '- selector: {}\n  next: { phase: Running }\n');
  await t.rejects(buildServer(withDefaults({ storage: 'memory', tls: false, port: 0, podStagesFile: bad })), {
    message: `cannot load --pod-stages ${bad}: pod stages[0]: name is required`,
  });
  await t.rejects(buildServer(withDefaults({ storage: 'memory', tls: false, port: 0, podStagesFile: join(dir, 'missing.yaml') })), {
    message: new RegExp(`^cannot load --pod-stages ${join(dir, 'missing.yaml')}: ENOENT`),
  });
});
