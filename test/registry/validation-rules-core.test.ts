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

const svc = (spec: Obj): Obj => ({ metadata: { name: 'web' }, spec: { ports: [{ port: 80 }], selector: { app: 'web' }, ...spec } });

t.test('Service rules', async (t) => {
  const cases: [string, Obj, string][] = [
    ['a valid service', svc({}), 'valid'],
    ['a headless service needs no ports', svc({ clusterIP: 'None', ports: [] }), 'valid'],
    ['an ExternalName service', svc({ type: 'ExternalName', externalName: 'db.example.com.', ports: [] }), 'valid'],
    ['ports required', svc({ ports: [] }), 'Service "web" is invalid: spec.ports: Required value'],
    ['port range', svc({ ports: [{ port: 0 }] }),
      'Service "web" is invalid: [spec.ports[0].port: Invalid value: 0: must be between 1 and 65535, inclusive, spec.ports[0].targetPort: Invalid value: 0: must be between 1 and 65535, inclusive]'],
    ['targetPort name', svc({ ports: [{ port: 80, targetPort: 'web_http' }] }),
      'Service "web" is invalid: spec.ports[0].targetPort: Invalid value: "web_http": must contain only alpha-numeric characters (a-z, 0-9), and hyphens (-)'],
    ['names required with several ports', svc({ ports: [{ port: 80, name: 'http' }, { port: 443 }] }),
      'Service "web" is invalid: spec.ports[1].name: Required value'],
    ['duplicate ports', svc({ ports: [{ port: 80, name: 'a' }, { port: 80, name: 'b' }] }),
      'Service "web" is invalid: spec.ports[1]: Duplicate value: core.ServicePort{Name:"", Protocol:"TCP", AppProtocol:(*string)(nil), Port:80, TargetPort:intstr.IntOrString{Type:0, IntVal:0, StrVal:""}, NodePort:0}'],
    ['duplicate port names', svc({ ports: [{ port: 80, name: 'a' }, { port: 81, name: 'a' }] }), 'Service "web" is invalid: spec.ports[1].name: Duplicate value: "a"'],
    ['type values', svc({ type: 'Internal' }),
      'Service "web" is invalid: spec.type: Unsupported value: "Internal": supported values: "ClusterIP", "ExternalName", "LoadBalancer", "NodePort"'],
    ['nodePort with ClusterIP', svc({ ports: [{ port: 80, nodePort: 30080 }] }),
      "Service \"web\" is invalid: spec.ports[0].nodePort: Forbidden: may not be used when `type` is 'ClusterIP'"],
    ['headless NodePort', svc({ type: 'NodePort', clusterIP: 'None' }),
      "Service \"web\" is invalid: spec.clusterIPs[0]: Invalid value: \"None\": may not be set to 'None' for NodePort services"],
    ['externalName required', svc({ type: 'ExternalName', ports: [] }), 'Service "web" is invalid: spec.externalName: Required value'],
    ['clusterIP must be an IP', svc({ clusterIP: '10.96.0.300' }),
      'Service "web" is invalid: spec.clusterIPs[0]: Invalid value: "10.96.0.300": must be a valid IP address, (e.g. 10.9.8.7 or 2001:db8::ffff)'],
    ['clusterIPs must start with clusterIP', svc({ clusterIP: '10.96.0.10', clusterIPs: ['10.96.0.11'] }),
      'Service "web" is invalid: spec.clusterIPs: Invalid value: []string{"10.96.0.11"}: first value must match `clusterIP`'],
    ['sessionAffinity', svc({ sessionAffinity: 'Sticky' }),
      'Service "web" is invalid: spec.sessionAffinity: Unsupported value: "Sticky": supported values: "ClientIP", "None"'],
    ['externalTrafficPolicy on ClusterIP', svc({ externalTrafficPolicy: 'Local' }),
      'Service "web" is invalid: spec.externalTrafficPolicy: Invalid value: "Local": may only be set for externally-accessible services'],
  ];
  for (const [name, obj, want] of cases) t.equal(check('Service', '', 'services', obj), want, name);
});

t.test('Service update: cluster IPs may not change once set', async (t) => {
  const old = svc({ clusterIP: '10.96.0.10', clusterIPs: ['10.96.0.10'] });
  t.equal(check('Service', '', 'services', svc({ clusterIP: '10.96.0.10', clusterIPs: ['10.96.0.10'], ports: [{ port: 81 }] }), old), 'valid');
  t.equal(
    check('Service', '', 'services', svc({ clusterIP: '10.96.0.20', clusterIPs: ['10.96.0.10'] }), old),
    'Service "web" is invalid: spec.clusterIPs[0]: Invalid value: []string{"10.96.0.20"}: may not change once set',
    'a changed clusterIP is normalized into clusterIPs first, as the strategy does',
  );
  t.equal(
    check('Service', '', 'services', svc({ clusterIP: 'None', clusterIPs: ['None'] }), old),
    'Service "web" is invalid: spec.clusterIPs[0]: Invalid value: []string{"None"}: may not change once set',
  );
  t.equal(check('Service', '', 'services', svc({ type: 'ExternalName', externalName: 'x.example.com', ports: [] }), old), 'valid');
});

t.test('ConfigMap and Secret rules', async (t) => {
  const KEY =
    "a valid config key must consist of alphanumeric characters, '-', '_' or '.' (e.g. 'key.name',  or 'KEY_NAME',  or 'key-name', regex used for validation is '[-._a-zA-Z0-9]+')";
  t.equal(check('ConfigMap', '', 'configmaps', { metadata: { name: 'c' }, data: { 'app.conf': 'x', KEY_1: 'y' } }), 'valid');
  t.equal(check('ConfigMap', '', 'configmaps', { metadata: { name: 'c' }, data: { 'my key': 'x' } }), `ConfigMap "c" is invalid: data[my key]: Invalid value: "my key": ${KEY}`);
  t.equal(
    check('ConfigMap', '', 'configmaps', { metadata: { name: 'c' }, data: { '..conf': 'x' } }),
    'ConfigMap "c" is invalid: data[..conf]: Invalid value: "..conf": must not start with \'..\'',
  );
  t.equal(
    check('ConfigMap', '', 'configmaps', { metadata: { name: 'c' }, data: { a: 'x' }, binaryData: { a: 'eA==' } }),
    'ConfigMap "c" is invalid: data[a]: Invalid value: "a": duplicate of key present in binaryData',
  );
  t.equal(
    check('ConfigMap', '', 'configmaps', { metadata: { name: 'c' }, data: { a: 'x'.repeat(1024 * 1024 + 1) } }),
    'ConfigMap "c" is invalid: : Too long: may not be more than 1048576 bytes',
  );
  const frozen = { metadata: { name: 'c' }, immutable: true, data: { a: 'x' } };
  t.equal(
    check('ConfigMap', '', 'configmaps', { ...frozen, data: { a: 'y' } }, frozen),
    'ConfigMap "c" is invalid: data: Forbidden: field is immutable when `immutable` is set',
  );
  t.equal(check('Secret', '', 'secrets', { metadata: { name: 's' }, type: 'Opaque', data: { 'a/b': 'eA==' } }), `Secret "s" is invalid: data[a/b]: Invalid value: "a/b": ${KEY}`);
  t.equal(
    check('Secret', '', 'secrets', { metadata: { name: 's' }, type: 'kubernetes.io/tls', data: {} }),
    'Secret "s" is invalid: [data[tls.crt]: Required value, data[tls.key]: Required value]',
  );
  t.equal(
    check('Secret', '', 'secrets', { metadata: { name: 's' }, type: 'kubernetes.io/dockerconfigjson', data: { '.dockerconfigjson': Buffer.from('{"auths":').toString('base64') } }),
    'Secret "s" is invalid: data[.dockerconfigjson]: Invalid value: "<secret contents redacted>": unexpected end of JSON input',
  );
  t.equal(
    check('Secret', '', 'secrets', { metadata: { name: 's' }, type: 'kubernetes.io/service-account-token' }),
    'Secret "s" is invalid: metadata.annotations[kubernetes.io/service-account.name]: Required value',
  );
  const opaque = { metadata: { name: 's' }, type: 'Opaque', data: {} };
  t.equal(
    check('Secret', '', 'secrets', { ...opaque, type: 'kubernetes.io/basic-auth', data: { username: 'eA==' } }, opaque),
    'Secret "s" is invalid: type: Invalid value: "kubernetes.io/basic-auth": field is immutable',
  );
});

t.test('PodDisruptionBudget and HorizontalPodAutoscaler rules', async (t) => {
  const pdb = (spec: Obj): Obj => ({ metadata: { name: 'pdb' }, spec: { selector: { matchLabels: { app: 'web' } }, ...spec } });
  t.equal(check('PodDisruptionBudget', 'policy', 'poddisruptionbudgets', pdb({ minAvailable: '50%' })), 'valid');
  t.equal(
    check('PodDisruptionBudget', 'policy', 'poddisruptionbudgets', pdb({ minAvailable: 1, maxUnavailable: 1 })),
    'PodDisruptionBudget.policy "pdb" is invalid: spec: Invalid value: policy.PodDisruptionBudgetSpec{MinAvailable:(*intstr.IntOrString)(0xc000123400), Selector:(*v1.LabelSelector)(0xc000123400), MaxUnavailable:(*intstr.IntOrString)(0xc000123400), UnhealthyPodEvictionPolicy:(*policy.UnhealthyPodEvictionPolicyType)(nil)}: minAvailable and maxUnavailable cannot be both set',
  );
  t.equal(
    check('PodDisruptionBudget', 'policy', 'poddisruptionbudgets', pdb({ maxUnavailable: -1 })),
    'PodDisruptionBudget.policy "pdb" is invalid: spec.maxUnavailable: Invalid value: -1: must be greater than or equal to 0',
  );
  t.equal(
    check('PodDisruptionBudget', 'policy', 'poddisruptionbudgets', pdb({ minAvailable: '150%' })),
    'PodDisruptionBudget.policy "pdb" is invalid: spec.minAvailable: Invalid value: intstr.IntOrString{Type:1, IntVal:0, StrVal:"150%"}: must not be greater than 100%',
  );
  const hpa = (spec: Obj): Obj => ({ metadata: { name: 'hpa' }, spec: { scaleTargetRef: { kind: 'Deployment', name: 'web', apiVersion: 'apps/v1' }, maxReplicas: 5, ...spec } });
  const H = ['HorizontalPodAutoscaler', 'autoscaling', 'horizontalpodautoscalers'] as const;
  t.equal(check(...H, hpa({ minReplicas: 2, metrics: [{ type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 50 } } }] })), 'valid');
  t.equal(check(...H, hpa({ minReplicas: 0 })), 'HorizontalPodAutoscaler.autoscaling "hpa" is invalid: spec.minReplicas: Invalid value: 0: must be greater than or equal to 1');
  t.equal(
    check(...H, hpa({ minReplicas: 6 })),
    'HorizontalPodAutoscaler.autoscaling "hpa" is invalid: spec.maxReplicas: Invalid value: 5: must be greater than or equal to `minReplicas`',
  );
  t.equal(
    check(...H, hpa({ maxReplicas: 0, scaleTargetRef: { kind: 'Deployment' } })),
    'HorizontalPodAutoscaler.autoscaling "hpa" is invalid: [spec.maxReplicas: Invalid value: 0: must be greater than 0, spec.scaleTargetRef.name: Required value]',
  );
  t.equal(
    check(...H, hpa({ metrics: [{ type: 'Pods' }] })),
    'HorizontalPodAutoscaler.autoscaling "hpa" is invalid: spec.metrics[0].pods: Required value: must populate information for the given metric source',
  );
});

t.test('resources without rules accept anything', async (t) => {
  t.same(rulesFor('', 'namespaces').validate({ spec: 5 }), []);
  t.same(rulesFor('rbac.authorization.k8s.io', 'roles').validateUpdate({}, {}), []);
  t.equal(rulesFor('apps', 'deployments'), rulesFor('apps', 'deployments'), 'one rules object per resource');
});
