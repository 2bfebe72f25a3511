import t from 'tap';
import { invalid } from '../../src/api/errors.js';
import type { KubeObject } from '../../src/api/types.js';
import { rulesFor } from '../../src/registry/validation/rules/index.js';

type Obj = Record<string, unknown>;

/** The 422 message kube-apiserver answers for `obj`, or 'valid'. */
function check(kind: string, group: string, plural: string, obj: Obj, old?: Obj): string {
  const rules = rulesFor(group, plural);
  const errs = old ? rules.validateUpdate(obj as KubeObject, old as KubeObject) : rules.validate(obj as KubeObject);
  const name = String((obj.metadata as Obj | undefined)?.name ?? '');
  return errs.length ? invalid({ group, name: kind }, name, errs).message : 'valid';
}

const ctr = (extra: Obj = {}): Obj => ({ name: 'web', image: 'nginx', ...extra });
const pod = (spec: Obj): Obj => ({ metadata: { name: 'p' }, spec: { containers: [ctr()], ...spec } });
const DNS_LABEL =
  "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')";

t.test('Pod create rules: containers, names, images, ports, policies', async (t) => {
  const cases: [string, Obj, string][] = [
    ['a minimal pod is valid (defaults are implied)', pod({}), 'valid'],
    ['containers required', pod({ containers: [] }), 'Pod "p" is invalid: spec.containers: Required value'],
    ['container name required, image required', pod({ containers: [{}] }),
      'Pod "p" is invalid: [spec.containers[0].name: Required value, spec.containers[0].image: Required value]'],
    ['container name is a DNS label', pod({ containers: [ctr({ name: 'Web_1' })] }),
      `Pod "p" is invalid: spec.containers[0].name: Invalid value: "Web_1": ${DNS_LABEL}`],
    ['duplicate container names', pod({ containers: [ctr(), ctr()] }), 'Pod "p" is invalid: spec.containers[1].name: Duplicate value: "web"'],
    ['init container names clash with containers', pod({ initContainers: [ctr()] }),
      'Pod "p" is invalid: spec.initContainers[0].name: Duplicate value: "web"'],
    ['image whitespace', pod({ containers: [ctr({ image: ' nginx' })] }),
      'Pod "p" is invalid: spec.containers[0].image: Invalid value: " nginx": must not have leading or trailing whitespace'],
    ['port range', pod({ containers: [ctr({ ports: [{ containerPort: 70000 }] })] }),
      'Pod "p" is invalid: spec.containers[0].ports[0].containerPort: Invalid value: 70000: must be between 1 and 65535, inclusive'],
    ['containerPort required', pod({ containers: [ctr({ ports: [{ name: 'http' }] })] }),
      'Pod "p" is invalid: spec.containers[0].ports[0].containerPort: Required value'],
    ['port names', pod({ containers: [ctr({ ports: [{ containerPort: 80, name: 'HTTP-port-number-1' }] })] }),
      'Pod "p" is invalid: [spec.containers[0].ports[0].name: Invalid value: "HTTP-port-number-1": must be no more than 15 characters, spec.containers[0].ports[0].name: Invalid value: "HTTP-port-number-1": must contain only alpha-numeric characters (a-z, 0-9), and hyphens (-)]'],
    ['duplicate port names', pod({ containers: [ctr({ ports: [{ containerPort: 80, name: 'http' }, { containerPort: 81, name: 'http' }] })] }),
      'Pod "p" is invalid: spec.containers[0].ports[1].name: Duplicate value: "http"'],
    ['protocol values', pod({ containers: [ctr({ ports: [{ containerPort: 80, protocol: 'HTTP' }] })] }),
      'Pod "p" is invalid: spec.containers[0].ports[0].protocol: Unsupported value: "HTTP": supported values: "SCTP", "TCP", "UDP"'],
    ['host port conflicts', pod({ containers: [ctr({ ports: [{ containerPort: 80, hostPort: 8080 }] }), ctr({ name: 'b', ports: [{ containerPort: 81, hostPort: 8080 }] })] }),
      'Pod "p" is invalid: spec.containers[1].ports[0].hostPort: Duplicate value: "TCP//8080"'],
    ['restartPolicy values', pod({ restartPolicy: 'Sometimes' }),
      'Pod "p" is invalid: spec.restartPolicy: Unsupported value: "Sometimes": supported values: "Always", "OnFailure", "Never"'],
    ['dnsPolicy values', pod({ dnsPolicy: 'Custom' }),
      'Pod "p" is invalid: spec.dnsPolicy: Unsupported value: "Custom": supported values: "ClusterFirstWithHostNet", "ClusterFirst", "Default", "None"'],
    ['imagePullPolicy values', pod({ containers: [ctr({ imagePullPolicy: 'Sometimes' })] }),
      'Pod "p" is invalid: spec.containers[0].imagePullPolicy: Unsupported value: "Sometimes": supported values: "Always", "IfNotPresent", "Never"'],
    ['terminationMessagePolicy values', pod({ containers: [ctr({ terminationMessagePolicy: 'Logs' })] }),
      'Pod "p" is invalid: spec.containers[0].terminationMessagePolicy: Unsupported value: "Logs": supported values: "File", "FallbackToLogsOnError"'],
    ['restartPolicy is for init containers only', pod({ containers: [ctr({ restartPolicy: 'Always' })] }),
      'Pod "p" is invalid: spec.containers[0].restartPolicy: Forbidden: may not be set for non-init containers'],
    ['dnsPolicy None needs dnsConfig', pod({ dnsPolicy: 'None' }),
      'Pod "p" is invalid: spec.dnsConfig: Required value: must provide `dnsConfig` when `dnsPolicy` is None'],
    ['activeDeadlineSeconds range', pod({ activeDeadlineSeconds: 0 }),
      'Pod "p" is invalid: spec.activeDeadlineSeconds: Invalid value: 0: must be between 1 and 2147483647, inclusive'],
    ['ephemeral containers on create', pod({ ephemeralContainers: [{ name: 'debug', image: 'busybox' }] }),
      'Pod "p" is invalid: spec.ephemeralContainers: Forbidden: cannot be set on create'],
  ];
  for (const [name, obj, want] of cases) t.equal(check('Pod', '', 'pods', obj), want, name);
});

t.test('Pod create rules: init containers and sidecars', async (t) => {
  const init = (extra: Obj): Obj => pod({ initContainers: [ctr({ name: 'init', ...extra })] });
  t.equal(check('Pod', '', 'pods', init({ restartPolicy: 'Always', livenessProbe: { exec: { command: ['true'] } } })), 'valid');
  t.equal(
    check('Pod', '', 'pods', init({ restartPolicy: 'OnFailure' })),
    'Pod "p" is invalid: spec.initContainers[0].restartPolicy: Unsupported value: "OnFailure": supported values: "Always"',
  );
  t.equal(
    check('Pod', '', 'pods', init({ readinessProbe: { exec: { command: ['true'] } }, lifecycle: { preStop: { exec: { command: ['x'] } } } })),
    'Pod "p" is invalid: [spec.initContainers[0].lifecycle: Forbidden: may not be set for init containers without restartPolicy=Always, spec.initContainers[0].readinessProbe: Forbidden: may not be set for init containers without restartPolicy=Always]',
  );
});

t.test('Pod create rules: probes, lifecycle, env, envFrom', async (t) => {
  const cases: [string, Obj, string][] = [
    ['a probe needs a handler', pod({ containers: [ctr({ livenessProbe: {} })] }),
      'Pod "p" is invalid: spec.containers[0].livenessProbe: Required value: must specify a handler type'],
    ['one handler only', pod({ containers: [ctr({ readinessProbe: { exec: { command: ['x'] }, tcpSocket: { port: 80 } } })] }),
      'Pod "p" is invalid: spec.containers[0].readinessProbe.tcpSocket: Forbidden: may not specify more than 1 handler type'],
    ['liveness successThreshold', pod({ containers: [ctr({ livenessProbe: { httpGet: { port: 80 }, successThreshold: 2 } })] }),
      'Pod "p" is invalid: spec.containers[0].livenessProbe.successThreshold: Invalid value: 2: must be 1'],
    ['httpGet port', pod({ containers: [ctr({ livenessProbe: { httpGet: { port: 'Http' } } })] }),
      'Pod "p" is invalid: spec.containers[0].livenessProbe.httpGet.port: Invalid value: "Http": must contain only alpha-numeric characters (a-z, 0-9), and hyphens (-)'],
    ['negative periods', pod({ containers: [ctr({ startupProbe: { exec: { command: ['x'] }, periodSeconds: -1 } })] }),
      'Pod "p" is invalid: spec.containers[0].startupProbe.periodSeconds: Invalid value: -1: must be greater than or equal to 0'],
    ['sleep action bounds', pod({ terminationGracePeriodSeconds: 30, containers: [ctr({ lifecycle: { preStop: { sleep: { seconds: 60 } } } })] }),
      'Pod "p" is invalid: spec.containers[0].lifecycle.preStop.sleep: Invalid value: 60: must be greater than 0 and less than terminationGracePeriodSeconds (30)'],
    ['env var names', pod({ containers: [ctr({ env: [{ name: '1ABC' }, { value: 'x' }] })] }),
      'Pod "p" is invalid: [spec.containers[0].env[0].name: Invalid value: "1ABC": a valid environment variable name must consist of alphabetic characters, digits, \'_\', \'-\', or \'.\', and must not start with a digit (e.g. \'my.env-name\',  or \'MY_ENV.NAME\',  or \'MyEnvName1\', regex used for validation is \'[-._a-zA-Z][-._a-zA-Z0-9]*\'), spec.containers[0].env[1].name: Required value]'],
    ['valueFrom needs a source', pod({ containers: [ctr({ env: [{ name: 'A', valueFrom: {} }] })] }),
      'Pod "p" is invalid: spec.containers[0].env[0].valueFrom: Invalid value: "": must specify one of: `fieldRef`, `resourceFieldRef`, `configMapKeyRef` or `secretKeyRef`'],
    ['valueFrom and value', pod({ containers: [ctr({ env: [{ name: 'A', value: 'x', valueFrom: { secretKeyRef: { name: 's', key: 'k' } } }] })] }),
      'Pod "p" is invalid: spec.containers[0].env[0].valueFrom: Invalid value: "": may not be specified when `value` is not empty'],
    ['fieldRef paths', pod({ containers: [ctr({ env: [{ name: 'A', valueFrom: { fieldRef: { fieldPath: 'spec.hostname' } } }] })] }),
      'Pod "p" is invalid: spec.containers[0].env[0].valueFrom.fieldRef.fieldPath: Unsupported value: "spec.hostname": supported values: "metadata.name", "metadata.namespace", "metadata.uid", "spec.nodeName", "spec.serviceAccountName", "status.hostIP", "status.hostIPs", "status.podIP", "status.podIPs"'],
    ['envFrom needs a source', pod({ containers: [ctr({ envFrom: [{ prefix: 'X_' }] })] }),
      'Pod "p" is invalid: spec.containers[0].envFrom: Invalid value: "": must specify one of: `configMapRef` or `secretRef`'],
  ];
  for (const [name, obj, want] of cases) t.equal(check('Pod', '', 'pods', obj), want, name);
});

t.test('Pod create rules: resources', async (t) => {
  const res = (resources: Obj): Obj => pod({ containers: [ctr({ resources })] });
  t.equal(check('Pod', '', 'pods', res({ requests: { cpu: '500m', memory: '64Mi' }, limits: { cpu: '1', memory: '128Mi' } })), 'valid');
  t.equal(
    check('Pod', '', 'pods', res({ requests: { cpu: '2' }, limits: { cpu: '1' } })),
    'Pod "p" is invalid: spec.containers[0].resources.requests: Invalid value: "2": must be less than or equal to cpu limit of 1',
  );
  t.equal(
    check('Pod', '', 'pods', res({ requests: { memory: '1.5Gi' }, limits: { memory: '1Gi' } })),
    'Pod "p" is invalid: spec.containers[0].resources.requests: Invalid value: "1536Mi": must be less than or equal to memory limit of 1Gi',
  );
  t.equal(
    check('Pod', '', 'pods', res({ limits: { cpu: '-1' } })),
    'Pod "p" is invalid: spec.containers[0].resources.limits[cpu]: Invalid value: "-1": must be greater than or equal to 0',
  );
  t.equal(
    check('Pod', '', 'pods', res({ requests: { 'example.com/gpu': '1' } })),
    'Pod "p" is invalid: spec.containers[0].resources.limits: Required value: Limit must be set for non overcommitable resources',
  );
  t.equal(
    check('Pod', '', 'pods', res({ limits: { cpus: '1' } })),
    'Pod "p" is invalid: [spec.containers[0].resources.limits[cpus]: Invalid value: "cpus": must be a standard resource type or fully qualified, spec.containers[0].resources.limits[cpus]: Invalid value: "cpus": must be a standard resource for containers]',
  );
});

t.test('Pod create rules: volumes and mounts', async (t) => {
  const vol = (volumes: Obj[], mounts: Obj[] = []): Obj => pod({ volumes, containers: [ctr({ volumeMounts: mounts })] });
  t.equal(check('Pod', '', 'pods', vol([{ name: 'data', emptyDir: {} }], [{ name: 'data', mountPath: '/data' }])), 'valid');
  t.equal(check('Pod', '', 'pods', vol([{ name: 'data' }], [{ name: 'data', mountPath: '/data' }])), 'valid', 'no source: defaulted to emptyDir');
  t.equal(
    check('Pod', '', 'pods', vol([], [{ name: 'data', mountPath: '/data' }])),
    'Pod "p" is invalid: spec.containers[0].volumeMounts[0].name: Not found: "data"',
  );
  t.equal(
    check('Pod', '', 'pods', vol([{ name: 'a', emptyDir: {} }, { name: 'a', emptyDir: {} }], [{ name: 'a', mountPath: '/a' }])),
    'Pod "p" is invalid: spec.volumes[1].name: Duplicate value: "a"',
  );
  t.equal(
    check('Pod', '', 'pods', vol([{ name: 'a', emptyDir: {}, configMap: { name: 'c' } }])),
    'Pod "p" is invalid: spec.volumes[0].configMap: Forbidden: may not specify more than 1 volume type',
  );
  t.equal(
    check('Pod', '', 'pods', vol([{ name: 'a', secret: {} }, { name: 'b', persistentVolumeClaim: {} }])),
    'Pod "p" is invalid: [spec.volumes[0].secret.secretName: Required value, spec.volumes[1].persistentVolumeClaim.claimName: Required value]',
  );
  t.equal(
    check('Pod', '', 'pods', vol([{ name: 'a', emptyDir: {} }], [{ name: 'a', mountPath: '/x' }, { name: 'a', mountPath: '/x' }])),
    'Pod "p" is invalid: spec.containers[0].volumeMounts[1].mountPath: Invalid value: "/x": must be unique',
  );
});

t.test('Pod update rules: only images, deadlines and added tolerations may change', async (t) => {
  const old = pod({ nodeName: 'node-1', tolerations: [{ key: 'k', operator: 'Exists' }] });
  t.equal(check('Pod', '', 'pods', pod({ nodeName: 'node-1', tolerations: [{ key: 'k', operator: 'Exists' }, { key: 'j', operator: 'Exists' }], containers: [ctr({ image: 'nginx:2' })] }), old), 'valid');
  t.equal(
    check('Pod', '', 'pods', pod({ nodeName: 'node-1', tolerations: [{ key: 'k', operator: 'Exists' }], containers: [ctr(), ctr({ name: 'b' })] }), old),
    'Pod "p" is invalid: spec.containers: Forbidden: pod updates may not add or remove containers',
  );
  t.equal(
    check('Pod', '', 'pods', pod({ nodeName: 'node-1' }), old),
    'Pod "p" is invalid: spec.tolerations: Forbidden: existing toleration can not be modified except its tolerationSeconds',
  );
  const changed = check('Pod', '', 'pods', pod({ nodeName: 'node-2', tolerations: [{ key: 'k', operator: 'Exists' }] }), old);
  t.match(
    changed,
    'Pod "p" is invalid: spec: Forbidden: pod updates may not change fields other than `spec.containers[*].image`,`spec.initContainers[*].image`,`spec.activeDeadlineSeconds`,`spec.tolerations` (only additions to existing tolerations),`spec.terminationGracePeriodSeconds` (allow it to be set to 1 if it was previously negative)\n',
  );
  t.match(changed, '-\tspec.nodeName: "node-1"\n+\tspec.nodeName: "node-2"');
});

t.test('PodTemplate rules validate the template at template.*', async (t) => {
  t.equal(
    check('PodTemplate', '', 'podtemplates', { metadata: { name: 't' }, template: { metadata: { labels: { 'bad key': 'x' } }, spec: { containers: [ctr()] } } }),
    'PodTemplate "t" is invalid: template.labels: Invalid value: "bad key": name part must consist of alphanumeric characters, \'-\', \'_\' or \'.\', and must start and end with an alphanumeric character (e.g. \'MyName\',  or \'my.name\',  or \'123-abc\', regex used for validation is \'([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]\')',
  );
});
