import t from 'tap';
import type { StoredObject } from '../../src/api/types.js';
import {
  columnsFor,
  hasPrinter,
  humanDuration,
  partialObjectMetadata,
  partialObjectMetadataList,
  rowFor,
  tableFor,
} from '../../src/codec/table/index.js';

// Expected values: kube-apiserver's pkg/printers/internalversion/printers.go (AddHandlers and the
// print* functions), apimachinery pkg/util/duration (HumanDuration) and apiserver
// pkg/registry/rest/table.go (default table), and what `kubectl get` prints from them.

const NOW = new Date('2024-05-01T12:00:00Z');
/** An RFC 3339 timestamp `seconds` before NOW. */
const ago = (seconds: number): string => new Date(NOW.getTime() - seconds * 1000).toISOString().replace('.000Z', 'Z');

let uid = 0;
/** A stored object created an hour before NOW (AGE `60m`). */
function object(apiVersion: string, kind: string, name: string, body: Record<string, unknown> = {}, meta: Record<string, unknown> = {}): StoredObject {
  uid++;
  return {
    apiVersion,
    kind,
    metadata: { name, uid: `uid-${uid}`, resourceVersion: String(uid), creationTimestamp: ago(3600), ...meta },
    ...body,
  };
}

const options = { includeObject: 'None' as const, now: NOW };
const cells = (group: string, plural: string, obj: StoredObject): unknown[] => rowFor(group, plural, obj, options).cells;
/** Cells by column name. */
function named(group: string, plural: string, obj: StoredObject): Record<string, unknown> {
  const names = columnsFor(group, plural).map((c) => c.name);
  const values = cells(group, plural, obj);
  return Object.fromEntries(names.map((n, i) => [n, values[i]]));
}

t.test('humanDuration reproduces duration.HumanDuration', async (t) => {
  const s = 1000;
  const m = 60 * s;
  const h = 60 * m;
  const d = 24 * h;
  const cases: Array<[number, string]> = [
    [-2.5 * s, '<invalid>'],
    [-2 * s, '<invalid>'],
    [-1.5 * s, '0s'],
    [-1 * s, '0s'],
    [0, '0s'],
    [999, '0s'],
    [1 * s, '1s'],
    [5 * s, '5s'],
    [70 * s, '70s'],
    [119 * s, '119s'],
    [120 * s, '2m'],
    [121 * s, '2m1s'],
    [190 * s, '3m10s'],
    [182 * s, '3m2s'],
    [599 * s, '9m59s'],
    [600 * s, '10m'],
    [659 * s, '10m'],
    [70 * m, '70m'],
    [179 * m + 59 * s, '179m'],
    [180 * m, '3h'],
    [3 * h + 30 * m, '3h30m'],
    [5 * h, '5h'],
    [7 * h + 59 * m, '7h59m'],
    [8 * h, '8h'],
    [47 * h, '47h'],
    [47 * h + 59 * m, '47h'],
    [48 * h, '2d'],
    [49 * h, '2d1h'],
    [3 * d, '3d'],
    [7 * d + 23 * h, '7d23h'],
    [8 * d, '8d'],
    [8 * d + 2 * h, '8d'],
    [367 * d, '367d'],
    [729 * d + 23 * h, '729d'],
    [730 * d, '2y'],
    [730 * d + 25 * h, '2y1d'],
    [365 * 7 * d + 364 * d, '7y364d'],
    [365 * 8 * d + 2 * h, '8y'],
    [365 * 20 * d + 100 * d, '20y'],
  ];
  for (const [ms, want] of cases) t.equal(humanDuration(ms), want, `${ms} ms`);
});

/** [name, type, priority] per column, as upstream's AddHandlers declares them. */
type Col = [string, string, number];
const NAME: Col = ['Name', 'string', 0];
const AGE: Col = ['Age', 'string', 0];
const WIDE = (name: string): Col => [name, 'string', 1];
const S = (name: string): Col => [name, 'string', 0];
const I = (name: string): Col => [name, 'integer', 0];
const WORKLOAD_WIDE: Col[] = [WIDE('Containers'), WIDE('Images')];
const DEFAULT: Col[] = [NAME, ['Created At', 'date', 0]];

const expectedColumns: Array<[string, string, Col[]]> = [
  ['', 'pods', [NAME, S('Ready'), S('Status'), S('Restarts'), AGE, WIDE('IP'), WIDE('Node'), WIDE('Nominated Node'), WIDE('Readiness Gates')]],
  ['', 'podtemplates', [NAME, S('Containers'), S('Images'), S('Pod Labels')]],
  ['', 'replicationcontrollers', [NAME, I('Desired'), I('Current'), I('Ready'), AGE, ...WORKLOAD_WIDE, WIDE('Selector')]],
  ['apps', 'replicasets', [NAME, I('Desired'), I('Current'), I('Ready'), AGE, ...WORKLOAD_WIDE, WIDE('Selector')]],
  ['apps', 'deployments', [NAME, S('Ready'), S('Up-to-date'), S('Available'), AGE, ...WORKLOAD_WIDE, WIDE('Selector')]],
  ['apps', 'statefulsets', [NAME, S('Ready'), AGE, ...WORKLOAD_WIDE]],
  [
    'apps',
    'daemonsets',
    [NAME, I('Desired'), I('Current'), I('Ready'), I('Up-to-date'), I('Available'), S('Node Selector'), AGE, ...WORKLOAD_WIDE, WIDE('Selector')],
  ],
  ['apps', 'controllerrevisions', [NAME, S('Controller'), S('Revision'), AGE]],
  ['batch', 'jobs', [NAME, S('Status'), S('Completions'), S('Duration'), AGE, ...WORKLOAD_WIDE, WIDE('Selector')]],
  [
    'batch',
    'cronjobs',
    [NAME, S('Schedule'), S('Timezone'), ['Suspend', 'boolean', 0], I('Active'), S('Last Schedule'), AGE, ...WORKLOAD_WIDE, WIDE('Selector')],
  ],
  ['', 'services', [NAME, S('Type'), S('Cluster-IP'), S('External-IP'), S('Port(s)'), AGE, WIDE('Selector')]],
  ['', 'endpoints', [NAME, S('Endpoints'), AGE]],
  ['discovery.k8s.io', 'endpointslices', [NAME, S('AddressType'), S('Ports'), S('Endpoints'), AGE]],
  ['networking.k8s.io', 'ingresses', [NAME, S('Class'), S('Hosts'), S('Address'), S('Ports'), AGE]],
  ['networking.k8s.io', 'ingressclasses', [NAME, S('Controller'), S('Parameters'), AGE]],
  ['networking.k8s.io', 'networkpolicies', [NAME, S('Pod-Selector'), AGE]],
  ['', 'namespaces', [NAME, S('Status'), AGE]],
  [
    '',
    'nodes',
    [NAME, S('Status'), S('Roles'), AGE, S('Version'), WIDE('Internal-IP'), WIDE('External-IP'), WIDE('OS-Image'), WIDE('Kernel-Version'), WIDE('Container-Runtime')],
  ],
  [
    '',
    'events',
    [S('Last Seen'), S('Type'), S('Reason'), S('Object'), WIDE('Subobject'), WIDE('Source'), S('Message'), WIDE('First Seen'), WIDE('Count'), WIDE('Name')],
  ],
  [
    'events.k8s.io',
    'events',
    [S('Last Seen'), S('Type'), S('Reason'), S('Object'), WIDE('Subobject'), WIDE('Source'), S('Message'), WIDE('First Seen'), WIDE('Count'), WIDE('Name')],
  ],
  ['', 'configmaps', [NAME, S('Data'), AGE]],
  ['', 'secrets', [NAME, S('Type'), S('Data'), AGE]],
  ['', 'serviceaccounts', [NAME, S('Secrets'), AGE]],
  [
    '',
    'persistentvolumes',
    [
      NAME,
      S('Capacity'),
      S('Access Modes'),
      S('Reclaim Policy'),
      S('Status'),
      S('Claim'),
      S('StorageClass'),
      S('VolumeAttributesClass'),
      S('Reason'),
      AGE,
      WIDE('VolumeMode'),
    ],
  ],
  [
    '',
    'persistentvolumeclaims',
    [NAME, S('Status'), S('Volume'), S('Capacity'), S('Access Modes'), S('StorageClass'), S('VolumeAttributesClass'), AGE, WIDE('VolumeMode')],
  ],
  ['storage.k8s.io', 'storageclasses', [NAME, S('Provisioner'), S('ReclaimPolicy'), S('VolumeBindingMode'), S('AllowVolumeExpansion'), AGE]],
  ['', 'resourcequotas', [NAME, S('Request'), S('Limit'), AGE]],
  ['', 'limitranges', DEFAULT],
  ['coordination.k8s.io', 'leases', [NAME, S('Holder'), AGE]],
  ['autoscaling', 'horizontalpodautoscalers', [NAME, S('Reference'), S('Targets'), S('MinPods'), S('MaxPods'), S('Replicas'), AGE]],
  ['policy', 'poddisruptionbudgets', [NAME, S('Min Available'), S('Max Unavailable'), I('Allowed Disruptions'), AGE]],
  ['scheduling.k8s.io', 'priorityclasses', [NAME, I('Value'), ['Global-Default', 'boolean', 0], AGE, S('PreemptionPolicy')]],
  ['rbac.authorization.k8s.io', 'roles', DEFAULT],
  ['rbac.authorization.k8s.io', 'clusterroles', DEFAULT],
  ['rbac.authorization.k8s.io', 'rolebindings', [NAME, S('Role'), AGE, WIDE('Users'), WIDE('Groups'), WIDE('ServiceAccounts')]],
  ['rbac.authorization.k8s.io', 'clusterrolebindings', [NAME, S('Role'), AGE, WIDE('Users'), WIDE('Groups'), WIDE('ServiceAccounts')]],
  ['apiextensions.k8s.io', 'customresourcedefinitions', DEFAULT],
];

t.test('columnsFor gives each kind upstream column names, types and priorities', async (t) => {
  for (const [group, plural, want] of expectedColumns) {
    const got = columnsFor(group, plural);
    t.same(
      got.map((c) => [c.name, c.type, c.priority]),
      want,
      `${plural}.${group}`,
    );
    for (const c of got) {
      t.ok(c.description.length > 0, `${plural} ${c.name} has a description`);
      t.equal(c.format, c.name === 'Name' ? 'name' : '', `${plural} ${c.name} format`);
    }
  }
  t.equal(hasPrinter('rbac.authorization.k8s.io', 'roles'), false);
  t.equal(hasPrinter('apps', 'deployments'), true);
});

t.test('columnsFor describes columns with upstream doc strings', async (t) => {
  const pods = columnsFor('', 'pods');
  t.match(pods[0]!.description, /^Name must be unique within a namespace\./);
  t.match(pods[4]!.description, /^CreationTimestamp is a timestamp representing the server time/);
  t.equal(pods[1]!.description, 'The aggregate readiness state of this pod for accepting traffic.');
  t.equal(pods[5]!.description, 'podIP address allocated to the pod. Routable at least within the cluster. Empty if not yet allocated.');
  t.equal(columnsFor('', 'limitranges')[1]!.description, pods[4]!.description);
});

t.test('rowFor gives one cell per column for every kind, even for an empty object', async (t) => {
  for (const [group, plural] of expectedColumns) {
    const obj = object(group ? `${group}/v1` : 'v1', 'X', 'x');
    t.equal(cells(group, plural, obj).length, columnsFor(group, plural).length, `${plural}.${group}`);
  }
});

const running = (startedAt = ago(600)) => ({ running: { startedAt } });
const pod = (name: string, spec: Record<string, unknown>, status: Record<string, unknown>, meta: Record<string, unknown> = {}) =>
  object('v1', 'Pod', name, { spec: { containers: [{ name: 'app', image: 'nginx' }], ...spec }, status }, meta);
const podCells = (p: StoredObject) => cells('', 'pods', p).slice(0, 5);

t.test('pods: READY, STATUS, RESTARTS and AGE as kubectl get pods prints them', async (t) => {
  const two = { containers: [{ name: 'a' }, { name: 'b' }] };
  t.same(
    podCells(
      pod('web', two, {
        phase: 'Running',
        conditions: [{ type: 'Ready', status: 'True' }],
        containerStatuses: [
          { name: 'a', ready: true, restartCount: 0, state: running() },
          { name: 'b', ready: true, restartCount: 0, state: running() },
        ],
      }),
    ),
    ['web', '2/2', 'Running', '0', '60m'],
    'running and ready',
  );
  t.same(
    podCells(pod('new', {}, { phase: 'Pending', containerStatuses: [{ name: 'app', ready: false, state: { waiting: { reason: 'ContainerCreating' } } }] })),
    ['new', '0/1', 'ContainerCreating', '0', '60m'],
    'waiting reason',
  );
  t.same(podCells(pod('unscheduled', {}, { phase: 'Pending' })), ['unscheduled', '0/1', 'Pending', '0', '60m'], 'phase only');
  t.same(
    podCells(
      pod('crash', {}, {
        phase: 'Running',
        containerStatuses: [
          {
            name: 'app',
            ready: false,
            restartCount: 5,
            state: { waiting: { reason: 'CrashLoopBackOff', message: 'back-off 2m40s' } },
            lastState: { terminated: { exitCode: 1, reason: 'Error', finishedAt: ago(30) } },
          },
        ],
      }),
    ),
    ['crash', '0/1', 'CrashLoopBackOff', '5 (30s ago)', '60m'],
    'CrashLoopBackOff with restart age',
  );
  t.same(
    podCells(pod('restarted', {}, { phase: 'Running', containerStatuses: [{ name: 'app', ready: true, restartCount: 2, state: running() }] })),
    ['restarted', '1/1', 'Running', '2', '60m'],
    'restarts without a last termination time',
  );
  t.same(
    podCells(
      pod('done', { restartPolicy: 'Never' }, {
        phase: 'Succeeded',
        containerStatuses: [{ name: 'app', ready: false, state: { terminated: { exitCode: 0, reason: 'Completed' } } }],
      }),
    ),
    ['done', '0/1', 'Completed', '0', '60m'],
    'Completed',
  );
  t.same(
    podCells(pod('oom', {}, { phase: 'Running', containerStatuses: [{ name: 'app', state: { terminated: { exitCode: 137, reason: 'OOMKilled' } } }] })),
    ['oom', '0/1', 'OOMKilled', '0', '60m'],
    'terminated reason',
  );
  t.same(
    podCells(pod('exit', {}, { phase: 'Failed', containerStatuses: [{ name: 'app', state: { terminated: { exitCode: 2 } } }] }))[2],
    'ExitCode:2',
  );
  t.same(podCells(pod('sig', {}, { phase: 'Failed', containerStatuses: [{ name: 'app', state: { terminated: { exitCode: 137, signal: 9 } } }] }))[2], 'Signal:9');
  t.same(podCells(pod('evicted', {}, { phase: 'Failed', reason: 'Evicted', message: 'low on memory' }))[2], 'Evicted', 'status.reason');
  t.same(
    podCells(pod('gated', {}, { phase: 'Pending', conditions: [{ type: 'PodScheduled', status: 'False', reason: 'SchedulingGated' }] }))[2],
    'SchedulingGated',
  );
});

t.test('pods: Terminating, Unknown (NodeLost) and finished pods being deleted', async (t) => {
  const status = { phase: 'Running', containerStatuses: [{ name: 'app', ready: true, state: running() }] };
  t.equal(podCells(pod('going', {}, status, { deletionTimestamp: ago(5), deletionGracePeriodSeconds: 30 }))[2], 'Terminating');
  t.equal(podCells(pod('lost', {}, { ...status, reason: 'NodeLost' }, { deletionTimestamp: ago(5) }))[2], 'Unknown');
  const done = { phase: 'Succeeded', containerStatuses: [{ name: 'app', state: { terminated: { exitCode: 0, reason: 'Completed' } } }] };
  t.equal(podCells(pod('done', {}, done, { deletionTimestamp: ago(5) }))[2], 'Completed', 'terminal phase is not Terminating');
});

t.test('pods: init containers', async (t) => {
  const spec = { initContainers: [{ name: 'i1' }, { name: 'i2' }] };
  const done = { name: 'i1', ready: false, restartCount: 0, state: { terminated: { exitCode: 0, reason: 'Completed' } } };
  const appWaiting = [{ name: 'app', ready: false, state: { waiting: { reason: 'PodInitializing' } } }];
  t.same(
    podCells(pod('init', spec, { phase: 'Pending', initContainerStatuses: [done, { name: 'i2', state: running() }], containerStatuses: appWaiting })),
    ['init', '0/1', 'Init:1/2', '0', '60m'],
    'second init container running',
  );
  t.equal(
    podCells(pod('init0', spec, { phase: 'Pending', initContainerStatuses: [{ name: 'i1', state: { waiting: { reason: 'PodInitializing' } } }] }))[2],
    'Init:0/2',
  );
  t.equal(
    podCells(pod('pull', spec, { phase: 'Pending', initContainerStatuses: [{ name: 'i1', state: { waiting: { reason: 'ImagePullBackOff' } } }] }))[2],
    'Init:ImagePullBackOff',
  );
  t.same(
    podCells(
      pod('initcrash', spec, {
        phase: 'Pending',
        initContainerStatuses: [
          {
            name: 'i1',
            restartCount: 3,
            state: { waiting: { reason: 'CrashLoopBackOff' } },
            lastState: { terminated: { exitCode: 1, finishedAt: ago(200) } },
          },
        ],
        containerStatuses: [{ name: 'app', restartCount: 0, state: { waiting: { reason: 'PodInitializing' } } }],
      }),
    ),
    ['initcrash', '0/1', 'Init:CrashLoopBackOff', '3 (3m20s ago)', '60m'],
    'init restarts count while initializing',
  );
  t.equal(podCells(pod('e', spec, { phase: 'Pending', initContainerStatuses: [{ name: 'i1', state: { terminated: { exitCode: 3 } } }] }))[2], 'Init:ExitCode:3');
  t.equal(
    podCells(pod('e2', spec, { phase: 'Pending', initContainerStatuses: [{ name: 'i1', state: { terminated: { exitCode: 1, reason: 'Error' } } }] }))[2],
    'Init:Error',
  );
  t.equal(
    podCells(pod('e3', spec, { phase: 'Pending', initContainerStatuses: [{ name: 'i1', state: { terminated: { exitCode: 1, signal: 15 } } }] }))[2],
    'Init:Signal:15',
  );
  t.same(
    podCells(
      pod('initialized', spec, {
        phase: 'Running',
        initContainerStatuses: [done, { ...done, name: 'i2', restartCount: 4 }],
        containerStatuses: [{ name: 'app', ready: true, restartCount: 1, state: running() }],
      }),
    ),
    ['initialized', '1/1', 'Running', '1', '60m'],
    'after initialization only app (and sidecar) restarts count',
  );
});

t.test('pods: sidecars (restartable init containers) count as containers', async (t) => {
  const spec = { initContainers: [{ name: 'proxy', restartPolicy: 'Always' }] };
  const sidecar = { name: 'proxy', ready: true, started: true, restartCount: 1, state: running(), lastState: { terminated: { exitCode: 1, finishedAt: ago(90) } } };
  t.same(
    podCells(
      pod('mesh', spec, {
        phase: 'Running',
        conditions: [{ type: 'Initialized', status: 'True' }, { type: 'Ready', status: 'True' }],
        initContainerStatuses: [sidecar],
        containerStatuses: [{ name: 'app', ready: true, state: running() }],
      }),
    ),
    ['mesh', '2/2', 'Running', '1 (90s ago)', '60m'],
  );
  const finished = { name: 'app', ready: false, state: { terminated: { exitCode: 0, reason: 'Completed' } } };
  const stillRunning = { name: 'other', ready: true, state: running() };
  t.equal(
    podCells(pod('half', { containers: [{ name: 'other' }, { name: 'app' }] }, { phase: 'Running', containerStatuses: [stillRunning, finished] }))[2],
    'NotReady',
    'Completed turns NotReady while another container runs',
  );
  t.equal(
    podCells(
      pod('half2', { containers: [{ name: 'other' }, { name: 'app' }] }, {
        phase: 'Running',
        conditions: [{ type: 'Ready', status: 'True' }],
        containerStatuses: [stillRunning, finished],
      }),
    )[2],
    'Running',
  );
});

t.test('pods: wide cells and row conditions', async (t) => {
  const p = pod('wide', { nodeName: 'node-1', readinessGates: [{ conditionType: 'a' }, { conditionType: 'b' }] }, {
    phase: 'Running',
    podIP: '10.0.0.5',
    podIPs: [{ ip: '10.0.0.5' }, { ip: 'fd00::5' }],
    conditions: [{ type: 'a', status: 'True' }, { type: 'b', status: 'False' }],
  });
  t.same(cells('', 'pods', p).slice(5), ['10.0.0.5', 'node-1', '<none>', '1/2']);
  t.same(cells('', 'pods', pod('bare', {}, { phase: 'Pending' })).slice(5), ['<none>', '<none>', '<none>', '<none>']);
  t.same(cells('', 'pods', pod('old', {}, { phase: 'Running', podIP: '10.0.0.6' }))[5], '10.0.0.6', 'podIP when podIPs is absent');
  const succeeded = rowFor('', 'pods', pod('ok', {}, { phase: 'Succeeded' }), options);
  t.same(succeeded.conditions, [{ type: 'Completed', status: 'True', reason: 'Succeeded', message: 'The pod has completed successfully.' }]);
  t.same(rowFor('', 'pods', pod('bad', {}, { phase: 'Failed' }), options).conditions, [
    { type: 'Completed', status: 'True', reason: 'Failed', message: 'The pod failed.' },
  ]);
  t.notOk('conditions' in rowFor('', 'pods', pod('r', {}, { phase: 'Running' }), options), 'no conditions while running');
});

const svc = (name: string, spec: Record<string, unknown>, status: Record<string, unknown> = {}) => object('v1', 'Service', name, { spec, status });

t.test('services of each type', async (t) => {
  t.same(
    cells('', 'services', svc('web', { type: 'ClusterIP', clusterIP: '10.96.0.10', clusterIPs: ['10.96.0.10'], ports: [{ port: 80, protocol: 'TCP' }, { port: 53, protocol: 'UDP' }], selector: { tier: 'fe', app: 'web' } })),
    ['web', 'ClusterIP', '10.96.0.10', '<none>', '80/TCP,53/UDP', '60m', 'app=web,tier=fe'],
  );
  t.same(
    cells('', 'services', svc('np', { type: 'NodePort', clusterIPs: ['10.96.0.11'], ports: [{ port: 80, nodePort: 30080, protocol: 'TCP' }] })).slice(1, 5),
    ['NodePort', '10.96.0.11', '<none>', '80:30080/TCP'],
  );
  t.same(
    cells('', 'services', svc('lb', { type: 'LoadBalancer', clusterIPs: ['10.96.0.12'], ports: [{ port: 443, nodePort: 31443 }] })).slice(1, 5),
    ['LoadBalancer', '10.96.0.12', '<pending>', '443:31443/TCP'],
    'pending load balancer, protocol defaulted to TCP',
  );
  const ingress = { loadBalancer: { ingress: [{ ip: '203.0.113.9' }, { hostname: 'lb.example.com' }, { ip: '203.0.113.1' }, { ip: '203.0.113.9' }] } };
  t.equal(
    cells('', 'services', svc('lb2', { type: 'LoadBalancer', clusterIPs: ['10.96.0.13'] }, ingress))[3],
    '203.0.113.1,203.0.113.9,lb.example.com',
    'sorted, unique, never clipped',
  );
  t.equal(cells('', 'services', svc('lb3', { type: 'LoadBalancer', externalIPs: ['198.51.100.7'] }, ingress))[3], '203.0.113.1,203.0.113.9,lb.example.com,198.51.100.7');
  t.equal(cells('', 'services', svc('ext', { type: 'ClusterIP', externalIPs: ['198.51.100.7', '198.51.100.8'] }))[3], '198.51.100.7,198.51.100.8');
  t.same(cells('', 'services', svc('db', { type: 'ExternalName', externalName: 'db.example.com' })), ['db', 'ExternalName', '<none>', 'db.example.com', '<none>', '60m', '<none>']);
  t.same(cells('', 'services', svc('headless', { clusterIP: 'None', clusterIPs: ['None'], ports: [{ port: 80 }] })).slice(1, 5), ['ClusterIP', 'None', '<none>', '80/TCP']);
});

const node = (name: string, labels: Record<string, string>, ready: string | undefined, extra: Record<string, unknown> = {}) =>
  object('v1', 'Node', name, {
    spec: extra.unschedulable ? { unschedulable: true } : {},
    status: {
      conditions: [{ type: 'MemoryPressure', status: 'False' }, ...(ready ? [{ type: 'Ready', status: ready }] : [])],
      nodeInfo: { kubeletVersion: 'v1.30.2', osImage: 'Ubuntu 22.04.4 LTS', kernelVersion: '6.5.0-1020', containerRuntimeVersion: 'containerd://1.7.13' },
      addresses: [{ type: 'InternalIP', address: '172.18.0.2' }, { type: 'Hostname', address: name }],
    },
  }, { labels });

t.test('nodes: status, roles, version and wide columns', async (t) => {
  t.same(cells('', 'nodes', node('cp', { 'node-role.kubernetes.io/control-plane': '', 'kubernetes.io/hostname': 'cp' }, 'True')), [
    'cp',
    'Ready',
    'control-plane',
    '60m',
    'v1.30.2',
    '172.18.0.2',
    '<none>',
    'Ubuntu 22.04.4 LTS',
    '6.5.0-1020',
    'containerd://1.7.13',
  ]);
  t.same(cells('', 'nodes', node('w1', {}, 'False')).slice(1, 3), ['NotReady', '<none>']);
  t.equal(cells('', 'nodes', node('w2', {}, 'Unknown'))[1], 'NotReady');
  t.equal(cells('', 'nodes', node('w3', {}, undefined))[1], 'Unknown');
  t.equal(cells('', 'nodes', node('w4', {}, 'True', { unschedulable: true }))[1], 'Ready,SchedulingDisabled');
  t.equal(cells('', 'nodes', node('w5', {}, 'False', { unschedulable: true }))[1], 'NotReady,SchedulingDisabled');
  t.equal(
    cells('', 'nodes', node('w6', { 'node-role.kubernetes.io/worker': 'true', 'node-role.kubernetes.io/infra': '', 'kubernetes.io/role': 'gpu', 'node-role.kubernetes.io/': 'x' }, 'True'))[2],
    'gpu,infra,worker',
  );
  const bare = object('v1', 'Node', 'bare');
  t.same(cells('', 'nodes', bare), ['bare', 'Unknown', '<none>', '60m', '', '<none>', '<none>', '<unknown>', '<unknown>', '<unknown>']);
});

t.test('deployments, replicasets, statefulsets, daemonsets, replicationcontrollers', async (t) => {
  const template = { spec: { containers: [{ name: 'nginx', image: 'nginx:1.25' }, { name: 'sidecar', image: 'busybox' }] } };
  const selector = { matchLabels: { app: 'web' }, matchExpressions: [{ key: 'tier', operator: 'In', values: ['fe', 'be'] }] };
  const deploy = object('apps/v1', 'Deployment', 'web', {
    spec: { replicas: 3, selector, template },
    status: { replicas: 3, readyReplicas: 2, updatedReplicas: 3, availableReplicas: 2 },
  });
  t.same(cells('apps', 'deployments', deploy), ['web', '2/3', 3, 2, '60m', 'nginx,sidecar', 'nginx:1.25,busybox', 'app=web,tier in (be,fe)']);
  t.same(cells('apps', 'deployments', object('apps/v1', 'Deployment', 'new', { spec: { selector: {} } })), ['new', '0/1', 0, 0, '60m', '', '', '']);
  t.same(cells('apps', 'replicasets', object('apps/v1', 'ReplicaSet', 'web-5d8', { spec: { replicas: 3, selector, template }, status: { replicas: 3, readyReplicas: 1 } })), [
    'web-5d8',
    3,
    3,
    1,
    '60m',
    'nginx,sidecar',
    'nginx:1.25,busybox',
    'app=web,tier in (be,fe)',
  ]);
  t.same(cells('apps', 'statefulsets', object('apps/v1', 'StatefulSet', 'db', { spec: { replicas: 3, template }, status: { readyReplicas: 3 } })), [
    'db',
    '3/3',
    '60m',
    'nginx,sidecar',
    'nginx:1.25,busybox',
  ]);
  const ds = object('apps/v1', 'DaemonSet', 'agent', {
    spec: { selector: { matchLabels: { app: 'agent' } }, template: { spec: { nodeSelector: { 'kubernetes.io/os': 'linux' }, containers: [{ name: 'a', image: 'agent:1' }] } } },
    status: { desiredNumberScheduled: 3, currentNumberScheduled: 3, numberReady: 2, updatedNumberScheduled: 3, numberAvailable: 2 },
  });
  t.same(cells('apps', 'daemonsets', ds), ['agent', 3, 3, 2, 3, 2, 'kubernetes.io/os=linux', '60m', 'a', 'agent:1', 'app=agent']);
  t.same(cells('', 'replicationcontrollers', object('v1', 'ReplicationController', 'rc', { spec: { replicas: 2, selector: { app: 'rc' }, template }, status: { replicas: 2, readyReplicas: 2 } })), [
    'rc',
    2,
    2,
    2,
    '60m',
    'nginx,sidecar',
    'nginx:1.25,busybox',
    'app=rc',
  ]);
  const rev = object('apps/v1', 'ControllerRevision', 'db-7c9', { revision: 2 }, {
    ownerReferences: [{ apiVersion: 'apps/v1', kind: 'StatefulSet', name: 'db', uid: 'u', controller: true }],
  });
  t.same(cells('apps', 'controllerrevisions', rev), ['db-7c9', 'statefulset.apps/db', 2, '60m']);
  t.equal(cells('apps', 'controllerrevisions', object('apps/v1', 'ControllerRevision', 'orphan', { revision: 1 }))[1], '<none>');
});

t.test('jobs and cronjobs', async (t) => {
  const job = (name: string, spec: Record<string, unknown>, status: Record<string, unknown>, meta: Record<string, unknown> = {}) =>
    object('batch/v1', 'Job', name, { spec: { template: { spec: { containers: [{ name: 'pi', image: 'perl' }] } }, ...spec }, status }, meta);
  t.same(
    cells('batch', 'jobs', job('pi', { completions: 1, selector: { matchLabels: { 'batch.kubernetes.io/job-name': 'pi' } } }, {
      succeeded: 1,
      startTime: ago(600),
      completionTime: ago(560),
      conditions: [{ type: 'SuccessCriteriaMet', status: 'True' }, { type: 'Complete', status: 'True' }],
    })),
    ['pi', 'Complete', '1/1', '40s', '60m', 'pi', 'perl', 'batch.kubernetes.io/job-name=pi'],
  );
  t.same(cells('batch', 'jobs', job('run', { completions: 5 }, { succeeded: 2, startTime: ago(125) })).slice(1, 4), ['Running', '2/5', '2m5s']);
  t.same(cells('batch', 'jobs', job('queue', { parallelism: 3 }, {})).slice(1, 4), ['Running', '0/1 of 3', '']);
  t.equal(cells('batch', 'jobs', job('f', {}, { conditions: [{ type: 'Failed', status: 'True' }] }))[1], 'Failed');
  t.equal(cells('batch', 'jobs', job('s', {}, { conditions: [{ type: 'Suspended', status: 'True' }] }))[1], 'Suspended');
  t.equal(cells('batch', 'jobs', job('d', {}, {}, { deletionTimestamp: ago(1) }))[1], 'Terminating');
  t.equal(cells('batch', 'jobs', job('ft', {}, { conditions: [{ type: 'FailureTarget', status: 'True' }] }))[1], 'FailureTarget');
  const cron = object('batch/v1', 'CronJob', 'hello', {
    spec: { schedule: '*/1 * * * *', jobTemplate: { spec: { template: { spec: { containers: [{ name: 'hello', image: 'busybox' }] } } } } },
    status: { active: [{ name: 'hello-1' }], lastScheduleTime: ago(20) },
  });
  t.same(cells('batch', 'cronjobs', cron), ['hello', '*/1 * * * *', '<none>', 'False', 1, '20s', '60m', 'hello', 'busybox', '<none>']);
  const cron2 = object('batch/v1', 'CronJob', 'tz', { spec: { schedule: '0 0 * * *', timeZone: 'Etc/UTC', suspend: true } });
  t.same(cells('batch', 'cronjobs', cron2).slice(1, 6), ['0 0 * * *', 'Etc/UTC', 'True', 0, '<none>']);
});

t.test('events (core/v1 and events.k8s.io/v1)', async (t) => {
  const core = object('v1', 'Event', 'web.17c', {
    involvedObject: { kind: 'Pod', name: 'web', namespace: 'default', fieldPath: 'spec.containers{app}' },
    reason: 'Pulled',
    message: 'Successfully pulled image "nginx"\n',
    type: 'Normal',
    source: { component: 'kubelet', host: 'node-1' },
    firstTimestamp: ago(300),
    lastTimestamp: ago(62),
    count: 3,
  });
  t.same(cells('', 'events', core), ['62s', 'Normal', 'Pulled', 'pod/web', 'spec.containers{app}', 'kubelet, node-1', 'Successfully pulled image "nginx"', '5m', 3, 'web.17c']);
  const fresh = object('v1', 'Event', 'ns.1', {
    involvedObject: { kind: 'Namespace' },
    reason: 'Created',
    message: 'm',
    type: 'Normal',
    eventTime: '2024-05-01T11:59:50.123456Z',
    reportingComponent: 'controller-x',
    reportingInstance: 'ctl-1',
  });
  t.same(cells('', 'events', fresh), ['9s', 'Normal', 'Created', 'namespace', '', 'controller-x, ctl-1', 'm', '9s', 1, 'ns.1']);
  const series = object('v1', 'Event', 'x.2', { involvedObject: { kind: 'Node', name: 'n1' }, eventTime: ago(4000), series: { count: 7, lastObservedTime: ago(10) }, count: 2 });
  t.same([cells('', 'events', series)[0], cells('', 'events', series)[7], cells('', 'events', series)[8]], ['10s', '66m', 7]);
  const unknown = object('v1', 'Event', 'u', { involvedObject: { kind: 'Pod', name: 'p' } });
  t.same([cells('', 'events', unknown)[0], cells('', 'events', unknown)[7]], ['<unknown>', '<unknown>']);
  const v1 = object('events.k8s.io/v1', 'Event', 'web.18a', {
    regarding: { kind: 'Deployment', name: 'web', namespace: 'default' },
    note: 'Scaled up replica set web-5d8 to 3',
    reason: 'ScalingReplicaSet',
    type: 'Normal',
    eventTime: null,
    reportingController: 'deployment-controller',
    reportingInstance: '',
    deprecatedSource: { component: 'deployment-controller' },
    deprecatedFirstTimestamp: ago(130),
    deprecatedLastTimestamp: ago(130),
    deprecatedCount: 1,
  });
  t.same(cells('events.k8s.io', 'events', v1), [
    '2m10s',
    'Normal',
    'ScalingReplicaSet',
    'deployment/web',
    '',
    'deployment-controller',
    'Scaled up replica set web-5d8 to 3',
    '2m10s',
    1,
    'web.18a',
  ]);
});

t.test('networking kinds', async (t) => {
  const ep = object('v1', 'Endpoints', 'web', {
    subsets: [
      { addresses: [{ ip: '10.0.0.1' }, { ip: '10.0.0.2' }], ports: [{ port: 80 }, { port: 443 }] },
      { addresses: [{ ip: 'fd00::1' }] },
    ],
  });
  t.same(cells('', 'endpoints', ep), ['web', '10.0.0.1:80,10.0.0.2:80,10.0.0.1:443 + 2 more...', '60m']);
  t.equal(cells('', 'endpoints', object('v1', 'Endpoints', 'v6', { subsets: [{ addresses: [{ ip: 'fd00::1' }], ports: [{ port: 80 }] }] }))[1], '[fd00::1]:80');
  t.equal(cells('', 'endpoints', object('v1', 'Endpoints', 'none'))[1], '<none>');
  const slice = object('discovery.k8s.io/v1', 'EndpointSlice', 'web-abc', {
    addressType: 'IPv4',
    ports: [{ name: 'http', port: 80 }, { name: 'named' }, {}],
    endpoints: [{ addresses: ['10.0.0.1'] }, { addresses: ['10.0.0.2'] }, { addresses: ['10.0.0.3'] }, { addresses: ['10.0.0.4'] }],
  });
  t.same(cells('discovery.k8s.io', 'endpointslices', slice), ['web-abc', 'IPv4', '80,named,*', '10.0.0.1,10.0.0.2,10.0.0.3 + 1 more...', '60m']);
  t.same(cells('discovery.k8s.io', 'endpointslices', object('discovery.k8s.io/v1', 'EndpointSlice', 'e', { addressType: 'IPv4' })).slice(2, 4), ['<unset>', '<unset>']);
  const ing = object('networking.k8s.io/v1', 'Ingress', 'web', {
    spec: { ingressClassName: 'nginx', rules: [{ host: 'a.example.com' }, { host: 'b.example.com' }], tls: [{ hosts: ['a.example.com'] }] },
    status: { loadBalancer: { ingress: [{ ip: '203.0.113.10' }] } },
  });
  t.same(cells('networking.k8s.io', 'ingresses', ing), ['web', 'nginx', 'a.example.com,b.example.com', '203.0.113.10', '80, 443', '60m']);
  const many = object('networking.k8s.io/v1', 'Ingress', 'many', { spec: { rules: [{ host: 'a' }, {}, { host: 'c' }, { host: 'd' }, { host: 'e' }] } });
  t.same(cells('networking.k8s.io', 'ingresses', many).slice(1, 5), ['<none>', 'a,c,d + 2 more...', '', '80']);
  t.equal(cells('networking.k8s.io', 'ingresses', object('networking.k8s.io/v1', 'Ingress', 'star', { spec: { rules: [{}] } }))[2], '*');
  const ic = object('networking.k8s.io/v1', 'IngressClass', 'nginx', {
    spec: { controller: 'k8s.io/ingress-nginx', parameters: { apiGroup: 'k8s.example.com', kind: 'IngressParameters', name: 'external-lb' } },
  });
  t.same(cells('networking.k8s.io', 'ingressclasses', ic), ['nginx', 'k8s.io/ingress-nginx', 'IngressParameters.k8s.example.com/external-lb', '60m']);
  t.equal(cells('networking.k8s.io', 'ingressclasses', object('networking.k8s.io/v1', 'IngressClass', 'x', { spec: { controller: 'c' } }))[2], '<none>');
  t.same(cells('networking.k8s.io', 'networkpolicies', object('networking.k8s.io/v1', 'NetworkPolicy', 'deny', { spec: { podSelector: {} } })), ['deny', '<none>', '60m']);
  t.equal(
    cells('networking.k8s.io', 'networkpolicies', object('networking.k8s.io/v1', 'NetworkPolicy', 'db', { spec: { podSelector: { matchLabels: { role: 'db' } } } }))[1],
    'role=db',
  );
});

t.test('namespaces, config, quota, leases, priority classes', async (t) => {
  t.same(cells('', 'namespaces', object('v1', 'Namespace', 'default', { status: { phase: 'Active' } })), ['default', 'Active', '60m']);
  t.equal(cells('', 'namespaces', object('v1', 'Namespace', 'old', { status: { phase: 'Terminating' } }, { deletionTimestamp: ago(1) }))[1], 'Terminating');
  t.same(cells('', 'configmaps', object('v1', 'ConfigMap', 'kube-root-ca.crt', { data: { 'ca.crt': 'x' }, binaryData: { b: 'AA==' } })), ['kube-root-ca.crt', 2, '60m']);
  t.same(cells('', 'configmaps', object('v1', 'ConfigMap', 'empty')), ['empty', 0, '60m']);
  t.same(cells('', 'secrets', object('v1', 'Secret', 'tls', { type: 'kubernetes.io/tls', data: { 'tls.crt': 'x', 'tls.key': 'y' } })), ['tls', 'kubernetes.io/tls', 2, '60m']);
  t.same(cells('', 'secrets', object('v1', 'Secret', 'plain')).slice(1, 3), ['Opaque', 0]);
  t.same(cells('', 'serviceaccounts', object('v1', 'ServiceAccount', 'default')), ['default', 0, '60m']);
  const quota = object('v1', 'ResourceQuota', 'compute', {
    status: {
      hard: { 'requests.cpu': '1', pods: '10', 'limits.memory': '2Gi', 'limits.cpu': '2', 'requests.memory': '1Gi' },
      used: { 'requests.cpu': '500m', pods: '3', 'limits.cpu': '1' },
    },
  });
  t.same(cells('', 'resourcequotas', quota), [
    'compute',
    'pods: 3/10, requests.cpu: 500m/1, requests.memory: 0/1Gi',
    'limits.cpu: 1/2, limits.memory: 0/2Gi',
    '60m',
  ]);
  t.same(cells('coordination.k8s.io', 'leases', object('coordination.k8s.io/v1', 'Lease', 'node-1', { spec: { holderIdentity: 'node-1' } })), ['node-1', 'node-1', '60m']);
  t.same(cells('coordination.k8s.io', 'leases', object('coordination.k8s.io/v1', 'Lease', 'free', { spec: {} }))[1], '');
  t.same(cells('scheduling.k8s.io', 'priorityclasses', object('scheduling.k8s.io/v1', 'PriorityClass', 'system-node-critical', { value: 2000001000, preemptionPolicy: 'PreemptLowerPriority' })), [
    'system-node-critical',
    2000001000,
    false,
    '60m',
    'PreemptLowerPriority',
  ]);
  t.same(cells('scheduling.k8s.io', 'priorityclasses', object('scheduling.k8s.io/v1', 'PriorityClass', 'high', { value: 1000, globalDefault: true, preemptionPolicy: 'Never' })).slice(1, 5), [
    1000,
    true,
    '60m',
    'Never',
  ]);
});

t.test('storage kinds', async (t) => {
  const pv = object('v1', 'PersistentVolume', 'pv-1', {
    spec: {
      capacity: { storage: '10Gi' },
      accessModes: ['ReadWriteMany', 'ReadWriteOnce', 'ReadWriteOnce'],
      persistentVolumeReclaimPolicy: 'Delete',
      claimRef: { namespace: 'default', name: 'data' },
      storageClassName: 'standard',
      volumeMode: 'Filesystem',
    },
    status: { phase: 'Bound' },
  });
  t.same(cells('', 'persistentvolumes', pv), ['pv-1', '10Gi', 'RWO,RWX', 'Delete', 'Bound', 'default/data', 'standard', '<unset>', '', '60m', 'Filesystem']);
  const pvAnn = object('v1', 'PersistentVolume', 'pv-2', { spec: { storageClassName: 'x' }, status: { phase: 'Released', reason: 'r' } }, {
    annotations: { 'volume.beta.kubernetes.io/storage-class': 'beta' },
    deletionTimestamp: ago(1),
  });
  t.same(cells('', 'persistentvolumes', pvAnn), ['pv-2', '0', '', 'Retain', 'Terminating', '', 'beta', '<unset>', 'r', '60m', 'Filesystem']);
  const pvc = object('v1', 'PersistentVolumeClaim', 'data', {
    spec: { volumeName: 'pv-1', storageClassName: 'standard', volumeMode: 'Block', resources: { requests: { storage: '5Gi' } } },
    status: { phase: 'Bound', capacity: { storage: '10Gi' }, accessModes: ['ReadWriteOnce'] },
  });
  t.same(cells('', 'persistentvolumeclaims', pvc), ['data', 'Bound', 'pv-1', '10Gi', 'RWO', 'standard', '<unset>', '60m', 'Block']);
  const pending = object('v1', 'PersistentVolumeClaim', 'wait', { spec: { resources: { requests: { storage: '1Gi' } } }, status: { phase: 'Pending' } });
  t.same(cells('', 'persistentvolumeclaims', pending), ['wait', 'Pending', '', '', '', '', '<unset>', '60m', 'Filesystem']);
  const sc = object('storage.k8s.io/v1', 'StorageClass', 'standard', { provisioner: 'rancher.io/local-path', reclaimPolicy: 'Delete', volumeBindingMode: 'WaitForFirstConsumer' }, {
    annotations: { 'storageclass.kubernetes.io/is-default-class': 'true' },
  });
  t.same(cells('storage.k8s.io', 'storageclasses', sc), ['standard (default)', 'rancher.io/local-path', 'Delete', 'WaitForFirstConsumer', false, '60m']);
  t.same(cells('storage.k8s.io', 'storageclasses', object('storage.k8s.io/v1', 'StorageClass', 'fast', { provisioner: 'p', allowVolumeExpansion: true })), [
    'fast',
    'p',
    'Delete',
    'Immediate',
    true,
    '60m',
  ]);
});

t.test('horizontalpodautoscalers (v1 and v2) and poddisruptionbudgets', async (t) => {
  const v1 = object('autoscaling/v1', 'HorizontalPodAutoscaler', 'web', {
    spec: { scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'web' }, minReplicas: 1, maxReplicas: 10, targetCPUUtilizationPercentage: 50 },
    status: { currentReplicas: 2, desiredReplicas: 2, currentCPUUtilizationPercentage: 30 },
  });
  t.same(cells('autoscaling', 'horizontalpodautoscalers', v1), ['web', 'Deployment/web', 'cpu: 30%/50%', '1', 10, 2, '60m']);
  const v1bare = object('autoscaling/v1', 'HorizontalPodAutoscaler', 'web', { spec: { scaleTargetRef: { kind: 'Deployment', name: 'web' }, maxReplicas: 3 } });
  t.same(cells('autoscaling', 'horizontalpodautoscalers', v1bare).slice(2, 6), ['cpu: <unknown>/80%', '1', 3, 0]);
  const v2 = object('autoscaling/v2', 'HorizontalPodAutoscaler', 'api', {
    spec: {
      scaleTargetRef: { kind: 'StatefulSet', name: 'api' },
      minReplicas: 2,
      maxReplicas: 5,
      metrics: [
        { type: 'Resource', resource: { name: 'memory', target: { type: 'AverageValue', averageValue: '500Mi' } } },
        { type: 'Pods', pods: { metric: { name: 'qps' }, target: { type: 'AverageValue', averageValue: '1k' } } },
        { type: 'External', external: { metric: { name: 'queue' }, target: { type: 'Value', value: '30' } } },
      ],
    },
    status: { currentReplicas: 3, currentMetrics: [{ type: 'Resource', resource: { name: 'memory', current: { averageValue: '200Mi' } } }] },
  });
  t.same(cells('autoscaling', 'horizontalpodautoscalers', v2), ['api', 'StatefulSet/api', 'memory: 200Mi/500Mi, <unknown>/1k + 1 more...', '2', 5, 3, '60m']);
  const v2obj = object('autoscaling/v2', 'HorizontalPodAutoscaler', 'o', {
    spec: {
      scaleTargetRef: { kind: 'Deployment', name: 'o' },
      maxReplicas: 4,
      metrics: [
        { type: 'Object', object: { target: { type: 'AverageValue', averageValue: '10' } } },
        { type: 'ContainerResource', containerResource: { name: 'cpu', container: 'app', target: { type: 'Utilization', averageUtilization: 60 } } },
      ],
    },
    status: { currentMetrics: [{ type: 'Object', object: { current: { averageValue: '4' } } }, { type: 'ContainerResource', containerResource: { current: { averageUtilization: 41 } } }] },
  });
  t.equal(cells('autoscaling', 'horizontalpodautoscalers', v2obj)[2], '4/10 (avg), cpu: 41%/60%');
  t.same(cells('policy', 'poddisruptionbudgets', object('policy/v1', 'PodDisruptionBudget', 'web', { spec: { minAvailable: 2 }, status: { disruptionsAllowed: 1 } })), [
    'web',
    '2',
    'N/A',
    1,
    '60m',
  ]);
  t.same(cells('policy', 'poddisruptionbudgets', object('policy/v1', 'PodDisruptionBudget', 'p', { spec: { maxUnavailable: '25%' } })).slice(1, 4), ['N/A', '25%', 0]);
});

t.test('rolebindings and clusterrolebindings', async (t) => {
  const rb = object('rbac.authorization.k8s.io/v1', 'RoleBinding', 'read', {
    roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'view' },
    subjects: [
      { kind: 'User', name: 'alice' },
      { kind: 'User', name: 'bob' },
      { kind: 'Group', name: 'devs' },
      { kind: 'ServiceAccount', name: 'ci', namespace: 'tools' },
    ],
  });
  t.same(cells('rbac.authorization.k8s.io', 'rolebindings', rb), ['read', 'ClusterRole/view', '60m', 'alice, bob', 'devs', 'tools/ci']);
  const crb = object('rbac.authorization.k8s.io/v1', 'ClusterRoleBinding', 'cluster-admin', {
    roleRef: { kind: 'ClusterRole', name: 'cluster-admin' },
    subjects: [{ kind: 'Group', name: 'system:masters' }],
  });
  t.same(cells('rbac.authorization.k8s.io', 'clusterrolebindings', crb), ['cluster-admin', 'ClusterRole/cluster-admin', '60m', '', 'system:masters', '']);
});

t.test('podtemplates and the default table', async (t) => {
  const pt = object('v1', 'PodTemplate', 'tpl', { template: { metadata: { labels: { b: '2', a: '1' } }, spec: { containers: [{ name: 'c', image: 'i' }] } } });
  t.same(cells('', 'podtemplates', pt), ['tpl', 'c', 'i', 'a=1,b=2']);
  const role = object('rbac.authorization.k8s.io/v1', 'Role', 'reader', { rules: [] }, { creationTimestamp: '2024-04-30T08:15:00Z' });
  t.same(cells('rbac.authorization.k8s.io', 'roles', role), ['reader', '2024-04-30T08:15:00Z']);
  t.same(cells('', 'limitranges', object('v1', 'LimitRange', 'lr', {}, { creationTimestamp: '2024-04-30T08:15:00.500Z' })), ['lr', '2024-04-30T08:15:00Z']);
  t.same(cells('apiextensions.k8s.io', 'customresourcedefinitions', object('apiextensions.k8s.io/v1', 'CustomResourceDefinition', 'crontabs.stable.example.com', {}, { creationTimestamp: '' })), [
    'crontabs.stable.example.com',
    '0001-01-01T00:00:00Z',
  ]);
  const other = columnsFor('example.com', 'widgets');
  t.same(other.map((c) => [c.name, c.type, c.format]), [
    ['Name', 'string', 'name'],
    ['Created At', 'date', ''],
  ]);
});

t.test('integer columns carry JSON numbers', async (t) => {
  const deploy = object('apps/v1', 'Deployment', 'd', { spec: { replicas: 2 }, status: { updatedReplicas: 2 } });
  const table = tableFor('apps', 'replicasets', [deploy], options);
  table.columnDefinitions.forEach((c, i) => {
    if (c.type === 'integer') t.type(table.rows[0]!.cells[i], 'number', c.name);
  });
  const json = JSON.parse(JSON.stringify(tableFor('', 'secrets', [object('v1', 'Secret', 's', { data: { a: 'x' } })], options)));
  t.equal(json.rows[0].cells[2], 1);
});

t.test('tableFor and includeObject None, Metadata, Object', async (t) => {
  const pods = [
    pod('a', {}, { phase: 'Running' }, { namespace: 'default', labels: { app: 'a' } }),
    pod('b', {}, { phase: 'Succeeded' }, { namespace: 'default' }),
  ];
  const none = tableFor('', 'pods', pods, { includeObject: 'None', now: NOW });
  t.same(Object.keys(none), ['kind', 'apiVersion', 'metadata', 'columnDefinitions', 'rows']);
  t.equal(none.kind, 'Table');
  t.equal(none.apiVersion, 'meta.k8s.io/v1');
  t.same(none.metadata, {});
  t.equal(none.columnDefinitions.length, 9);
  t.same(none.rows.map((r) => r.cells[0]), ['a', 'b']);
  t.equal(none.rows[0]!.object, null, 'None: object is null as upstream encodes it');
  t.same(Object.keys(none.rows[1]!), ['cells', 'conditions', 'object']);

  const meta = tableFor('', 'pods', pods, { includeObject: 'Metadata', now: NOW });
  t.same(meta.rows[0]!.object, { kind: 'PartialObjectMetadata', apiVersion: 'meta.k8s.io/v1', metadata: pods[0]!.metadata });
  const full = tableFor('', 'pods', pods, { includeObject: 'Object', now: NOW });
  t.equal(full.rows[1]!.object, pods[1], 'Object: the stored object itself');
  t.same(JSON.parse(JSON.stringify(full)).rows[0].object.spec, pods[0]!.spec);

  const row = rowFor('', 'pods', pods[0]!, { includeObject: 'Metadata', now: NOW });
  t.same(row, meta.rows[0]);
  t.same(tableFor('', 'pods', [], options).rows, []);
  t.type(rowFor('', 'pods', pods[0]!, { includeObject: 'None' }).cells[4], 'string', 'now defaults to the clock');
});

t.test('partialObjectMetadata and partialObjectMetadataList', async (t) => {
  const cm = object('v1', 'ConfigMap', 'c', { data: { a: 'b' } }, { namespace: 'ns', labels: { x: 'y' }, managedFields: [{ manager: 'kubectl' }] });
  const partial = partialObjectMetadata(cm);
  t.same(partial, { kind: 'PartialObjectMetadata', apiVersion: 'meta.k8s.io/v1', metadata: cm.metadata });
  t.notOk('data' in partial);
  t.equal(partialObjectMetadata(cm, 'v1beta1').apiVersion, 'meta.k8s.io/v1beta1');
  const list = partialObjectMetadataList([cm, cm], { resourceVersion: '42', continue: 'tok', remainingItemCount: 3 });
  t.same(Object.keys(list), ['kind', 'apiVersion', 'metadata', 'items']);
  t.equal(list.kind, 'PartialObjectMetadataList');
  t.equal(list.apiVersion, 'meta.k8s.io/v1');
  t.same(list.metadata, { resourceVersion: '42', continue: 'tok', remainingItemCount: 3 });
  t.equal(list.items.length, 2);
  t.same(list.items[0], partial);
  t.equal(partialObjectMetadataList([], {}, 'v1beta1').items.length, 0);
});
