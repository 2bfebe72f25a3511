// src/patch/ssa/fieldpath.ts: field sets and their FieldsV1 encoding, held against managedFields
// as kube-apiserver writes them.
import t from 'tap';
import {
  FieldSet,
  deserializeElement,
  fieldElement,
  keyElement,
  makePath,
  pathString,
  serializeElement,
  valueElement,
} from '../../../src/patch/ssa/fieldpath.js';

/** The FieldsV1 kubectl 1.3x shows for `kubectl create deployment nginx --image=nginx` (manager kubectl-create). */
const KUBECTL_CREATE = {
  'f:metadata': { 'f:labels': { '.': {}, 'f:app': {} } },
  'f:spec': {
    'f:progressDeadlineSeconds': {},
    'f:replicas': {},
    'f:revisionHistoryLimit': {},
    'f:selector': {},
    'f:strategy': { 'f:rollingUpdate': { '.': {}, 'f:maxSurge': {}, 'f:maxUnavailable': {} }, 'f:type': {} },
    'f:template': {
      'f:metadata': { 'f:labels': { '.': {}, 'f:app': {} } },
      'f:spec': {
        'f:containers': {
          'k:{"name":"nginx"}': {
            '.': {},
            'f:image': {},
            'f:imagePullPolicy': {},
            'f:name': {},
            'f:resources': {},
            'f:terminationMessagePath': {},
            'f:terminationMessagePolicy': {},
          },
        },
        'f:dnsPolicy': {},
        'f:restartPolicy': {},
        'f:schedulerName': {},
        'f:securityContext': {},
        'f:terminationGracePeriodSeconds': {},
      },
    },
  },
};

/** The status entry kube-controller-manager writes for a Deployment (subresource status). */
const CONTROLLER_STATUS = {
  'f:metadata': { 'f:annotations': { '.': {}, 'f:deployment.kubernetes.io/revision': {} } },
  'f:status': {
    'f:availableReplicas': {},
    'f:conditions': {
      '.': {},
      'k:{"type":"Available"}': { '.': {}, 'f:lastTransitionTime': {}, 'f:status': {}, 'f:type': {} },
      'k:{"type":"Progressing"}': { '.': {}, 'f:lastTransitionTime': {}, 'f:status': {}, 'f:type': {} },
    },
    'f:observedGeneration': {},
  },
};

/** A Service applied with two ports and a finalizer set (v: members, multi-field keys). */
const SERVICE_APPLY = {
  'f:metadata': { 'f:finalizers': { 'v:"example.com/a"': {}, 'v:"example.com/b"': {} } },
  'f:spec': {
    'f:ports': {
      'k:{"port":80,"protocol":"TCP"}': { '.': {}, 'f:port': {}, 'f:targetPort': {} },
      'k:{"port":443,"protocol":"TCP"}': { '.': {}, 'f:port': {} },
    },
  },
};

t.test('FieldSet.fromFieldsV1/toFieldsV1 round-trip real managedFields byte for byte', async (t) => {
  const brief = {
    'f:metadata': { 'f:labels': { '.': {}, 'f:app': {} } },
    'f:spec': { 'f:template': { 'f:spec': { 'f:containers': { 'k:{"name":"nginx"}': { '.': {}, 'f:image': {}, 'f:name': {} } } } } },
  };
  for (const [name, fields] of Object.entries({ brief, KUBECTL_CREATE, CONTROLLER_STATUS, SERVICE_APPLY })) {
    const set = FieldSet.fromFieldsV1(fields);
    t.equal(JSON.stringify(set.toFieldsV1()), JSON.stringify(fields), name);
    t.ok(FieldSet.fromFieldsV1(JSON.parse(JSON.stringify(set.toFieldsV1()))).equals(set), `${name} decodes to the same set`);
  }
  t.equal(
    JSON.stringify(FieldSet.fromFieldsV1(SERVICE_APPLY).toFieldsV1()),
    '{"f:metadata":{"f:finalizers":{"v:\\"example.com/a\\"":{},"v:\\"example.com/b\\"":{}}},"f:spec":{"f:ports":{"k:{\\"port\\":80,\\"protocol\\":\\"TCP\\"}":{".":{},"f:port":{},"f:targetPort":{}},"k:{\\"port\\":443,\\"protocol\\":\\"TCP\\"}":{".":{},"f:port":{}}}}}',
  );
});

t.test('FieldSet paths follow upstream iteration: members first, then children, each sorted', async (t) => {
  const set = FieldSet.fromFieldsV1(CONTROLLER_STATUS);
  t.same(
    [...set.paths()].map(pathString),
    [
      '.metadata.annotations',
      '.metadata.annotations.deployment.kubernetes.io/revision',
      '.status.availableReplicas',
      '.status.conditions',
      '.status.observedGeneration',
      '.status.conditions[type="Available"]',
      '.status.conditions[type="Progressing"]',
      '.status.conditions[type="Available"].lastTransitionTime',
      '.status.conditions[type="Available"].status',
      '.status.conditions[type="Available"].type',
      '.status.conditions[type="Progressing"].lastTransitionTime',
      '.status.conditions[type="Progressing"].status',
      '.status.conditions[type="Progressing"].type',
    ],
  );
  t.equal(set.size, 13);
  t.equal(FieldSet.fromFieldsV1(SERVICE_APPLY).toString().split('\n')[0], '.metadata.finalizers[="example.com/a"]');
});

t.test('toFieldsV1 sorts keys: fields, then keys, then values, then indexes', async (t) => {
  const set = FieldSet.of(
    makePath('b', { index: 1 }),
    makePath('b', valueElement('x')),
    makePath('b', valueElement(2)),
    makePath('b', keyElement({ name: 'z' })),
    makePath('b', 'y'),
    makePath('a'),
  );
  t.same(Object.keys(set.toFieldsV1()), ['f:a', 'f:b']);
  t.same(Object.keys(set.toFieldsV1()['f:b']!), ['f:y', 'k:{"name":"z"}', 'v:2', 'v:"x"', 'i:1']);
});

t.test('serializeElement writes list-map keys sorted and Go-escaped', async (t) => {
  t.equal(serializeElement(keyElement({ protocol: 'TCP', containerPort: 80 })), 'k:{"containerPort":80,"protocol":"TCP"}');
  t.equal(serializeElement(valueElement('a<b&c')), 'v:"a\\u003cb\\u0026c"');
  t.equal(serializeElement(valueElement({ b: 1, a: [true, null] })), 'v:{"a":[true,null],"b":1}');
  t.same(deserializeElement('k:{"protocol":"TCP","containerPort":80}'), keyElement({ containerPort: 80, protocol: 'TCP' }));
  t.same(deserializeElement('i:3'), { index: 3 });
  t.equal(deserializeElement('x:whatever'), undefined);
  t.throws(() => deserializeElement('f'), /key must be 2 characters long/);
  t.throws(() => deserializeElement('fx'), /missing colon: fx/);
});

t.test('pathString renders paths as conflict messages do', async (t) => {
  t.equal(pathString(makePath('spec', 'replicas')), '.spec.replicas');
  t.equal(
    pathString(makePath('spec', 'template', 'spec', 'containers', keyElement({ name: 'nginx' }), 'image')),
    '.spec.template.spec.containers[name="nginx"].image',
  );
  t.equal(pathString(makePath('spec', 'ports', keyElement({ port: 80, protocol: 'TCP' }))), '.spec.ports[port=80,protocol="TCP"]');
  t.equal(pathString(makePath('metadata', 'finalizers', valueElement('a/b'))), '.metadata.finalizers[="a/b"]');
  t.equal(pathString(makePath('args', 0)), '.args[0]');
});

t.test('FieldSet algebra follows fieldpath.Set', async (t) => {
  const a = FieldSet.of(makePath('a'), makePath('a', 'b'), makePath('c', 'd'));
  const b = FieldSet.of(makePath('a', 'b'), makePath('c'), makePath('e'));
  t.same([...a.union(b).paths()].map(pathString), ['.a', '.c', '.e', '.a.b', '.c.d']);
  t.same([...a.intersection(b).paths()].map(pathString), ['.a.b']);
  t.same([...a.difference(b).paths()].map(pathString), ['.a', '.c.d'], 'a parent in the other set does not remove its children');
  t.same([...a.recursiveDifference(b).paths()].map(pathString), ['.a'], 'recursive difference removes below members of the other set');
  t.same([...a.leaves().paths()].map(pathString), ['.a.b', '.c.d']);
  t.ok(a.has(makePath('a', 'b')));
  t.notOk(a.has(makePath('c')));
  t.notOk(a.has([]), 'nobody owns the whole object');
  t.ok(a.withPrefix(fieldElement('c')).has(makePath('d')));
  t.ok(a.difference(a).empty());
  t.ok(a.difference(a).equals(new FieldSet()));
  t.same(a.difference(a).toFieldsV1(), {});
});

t.test('fromFieldsV1 reads as upstream does', async (t) => {
  t.ok(FieldSet.fromFieldsV1({}).empty());
  t.ok(FieldSet.fromFieldsV1(undefined).empty());
  const unknown = FieldSet.fromFieldsV1({ 'f:a': { 'x:future': {} }, 'f:b': null });
  t.same([...unknown.paths()].map(pathString), ['.a', '.b'], 'a node whose children are all unknown is a member');
  const dotOnly = FieldSet.fromFieldsV1({ 'f:a': { '.': {}, 'f:b': {} } });
  t.same([...dotOnly.paths()].map(pathString), ['.a', '.a.b']);
  t.throws(() => FieldSet.fromFieldsV1({ 'f:a': 1 }), /expected an object/);
  t.throws(() => FieldSet.fromFieldsV1({ 'k:{oops': {} }));
  t.throws(() => FieldSet.fromFieldsV1([]), /must be a JSON object/);
});
