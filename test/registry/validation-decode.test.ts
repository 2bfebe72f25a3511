import t from 'tap';
import {
  base64ErrorAt,
  cannotBeHandled,
  decodeTypeErrors,
  pruneUnknownFields,
  strictDecodingMessage,
  unknownFields,
} from '../../src/registry/validation/schema.js';
import { duplicateFields, strictErrors } from '../../src/registry/validation/strict.js';
import { formatQuantity, parseQuantity, QUANTITY_FORMAT_ERROR, QUANTITY_SUFFIX_ERROR } from '../../src/registry/validation/quantity.js';
import { goTimeParseError, RFC3339, RFC3339_MICRO } from '../../src/registry/validation/go-time.js';

const deployment = (spec: unknown): Record<string, unknown> => ({ apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'web' }, spec });
const container = (c: Record<string, unknown>) => deployment({ template: { spec: { containers: [{ name: 'a', image: 'x', ...c }] } } });

t.test('decodeTypeErrors words type mismatches as encoding/json with sigs.k8s.io/json field context', async (t) => {
  const cases: [string, string, string, string, unknown, string | undefined][] = [
    ['int32 from a string', 'apps', 'v1', 'Deployment', deployment({ replicas: 'three' }),
      'json: cannot unmarshal string into Go struct field DeploymentSpec.spec.replicas of type int32'],
    ['int32 from a fraction', 'apps', 'v1', 'Deployment', deployment({ replicas: 1.5 }),
      'json: cannot unmarshal number 1.5 into Go struct field DeploymentSpec.spec.replicas of type int32'],
    ['int32 overflow', 'apps', 'v1', 'Deployment', deployment({ replicas: 3000000000 }),
      'json: cannot unmarshal number 3000000000 into Go struct field DeploymentSpec.spec.replicas of type int32'],
    ['fields in slices: no index in the path', 'apps', 'v1', 'Deployment', container({ ports: [{ containerPort: '80' }] }),
      'json: cannot unmarshal string into Go struct field ContainerPort.spec.template.spec.containers.ports.containerPort of type int32'],
    ['named string types from the Go overlay', 'apps', 'v1', 'Deployment', container({ ports: [{ protocol: 6 }] }),
      'json: cannot unmarshal number into Go struct field ContainerPort.spec.template.spec.containers.ports.protocol of type v1.Protocol'],
    ['a slice given as a string', 'apps', 'v1', 'Deployment', deployment({ template: { spec: { containers: 'web' } } }),
      'json: cannot unmarshal string into Go struct field PodSpec.spec.template.spec.containers of type []v1.Container'],
    ['an element of the wrong kind', 'apps', 'v1', 'Deployment', deployment({ template: { spec: { containers: ['web'] } } }),
      'json: cannot unmarshal string into Go struct field PodSpec.spec.template.spec.containers of type v1.Container'],
    ['a struct given as a string', 'apps', 'v1', 'Deployment', deployment('x'),
      'json: cannot unmarshal string into Go struct field Deployment.spec of type v1.DeploymentSpec'],
    ['map values: the map field is the context', 'apps', 'v1', 'Deployment', { metadata: { labels: { app: 1 } } },
      'json: cannot unmarshal number into Go struct field ObjectMeta.metadata.labels of type string'],
    ['bool', '', 'v1', 'Pod', { spec: { hostNetwork: 'yes' } }, 'json: cannot unmarshal string into Go struct field PodSpec.spec.hostNetwork of type bool'],
    ['types.UID', '', 'v1', 'Pod', { metadata: { uid: 5 } }, 'json: cannot unmarshal number into Go struct field ObjectMeta.metadata.uid of type types.UID'],
    ['the root is not an object', '', 'v1', 'Pod', [], 'json: cannot unmarshal array into Go value of type v1.Pod'],
    ['IntOrString decodes non-strings as int32', 'apps', 'v1', 'Deployment', deployment({ strategy: { rollingUpdate: { maxSurge: true } } }),
      'json: cannot unmarshal bool into Go struct field RollingUpdateDeployment.spec.strategy.rollingUpdate.maxSurge of type int32'],
    ['IntOrString fraction', '', 'v1', 'Service', { spec: { ports: [{ port: 80, targetPort: 8.5 }] } },
      'json: cannot unmarshal number 8.5 into Go struct field ServicePort.spec.ports.targetPort of type int32'],
    ['[]byte from a number', '', 'v1', 'Secret', { data: { key: 5 } }, 'json: cannot unmarshal number into Go struct field Secret.data of type []uint8'],
    ['map from an array', '', 'v1', 'Secret', { data: [] }, 'json: cannot unmarshal array into Go struct field Secret.data of type map[string][]uint8'],
    ['bad base64 has no field context', '', 'v1', 'Secret', { data: { key: 'abc!' } }, 'illegal base64 data at input byte 3'],
    ['a bad quantity', 'apps', 'v1', 'Deployment', container({ resources: { limits: { memory: '1Gb' } } }), QUANTITY_FORMAT_ERROR],
    ['a bad quantity suffix', '', 'v1', 'Pod', { spec: { overhead: { cpu: '1GG' } } }, QUANTITY_SUFFIX_ERROR],
    ['a timestamp', '', 'v1', 'Pod', { metadata: { creationTimestamp: 'yesterday' } },
      'parsing time "yesterday" as "2006-01-02T15:04:05Z07:00": cannot parse "yesterday" as "2006"'],
    ['a timestamp of the wrong kind', '', 'v1', 'Pod', { metadata: { creationTimestamp: 5 } },
      'json: cannot unmarshal number into Go struct field ObjectMeta.metadata.creationTimestamp of type string'],
    ['null is always accepted', 'apps', 'v1', 'Deployment', deployment({ replicas: null, selector: null }), undefined],
    ['quantities may be numbers', '', 'v1', 'Pod', { spec: { containers: [{ resources: { limits: { cpu: 0.5 } } }] } }, undefined],
    ['unknown fields are not type checked', 'apps', 'v1', 'Deployment', deployment({ foo: { bar: 1 } }), undefined],
    ['raw extensions take anything', '', 'v1', 'Pod', { metadata: { managedFields: [{ fieldsV1: { 'f:x': 1 } }] } }, undefined],
    ['kinds without a built-in schema', 'example.com', 'v1', 'Widget', { spec: 5 }, undefined],
  ];
  for (const [name, group, version, kind, obj, want] of cases) t.equal(decodeTypeErrors(group, version, kind, obj), want, name);
});

t.test('decodeTypeErrors: an error of a type decoder stops decoding and wins over an earlier mismatch', async (t) => {
  const obj = container({ resources: { limits: { cpu: 'lots' } } });
  (obj.spec as Record<string, unknown>).replicas = 'x';
  t.equal(decodeTypeErrors('apps', 'v1', 'Deployment', obj), QUANTITY_FORMAT_ERROR);
  const first = deployment({ replicas: 'x', minReadySeconds: 'y' });
  t.equal(decodeTypeErrors('apps', 'v1', 'Deployment', first), 'json: cannot unmarshal string into Go struct field DeploymentSpec.spec.replicas of type int32');
});

t.test('cannotBeHandled builds the 400 message of a failed decode', async (t) => {
  t.equal(
    cannotBeHandled('Deployment', 'v1', 'json: cannot unmarshal string into Go struct field DeploymentSpec.spec.replicas of type int32'),
    'Deployment in version "v1" cannot be handled as a Deployment: json: cannot unmarshal string into Go struct field DeploymentSpec.spec.replicas of type int32',
  );
});

t.test('unknownFields reports paths as strict decoding does; maps take any key', async (t) => {
  const obj = container({ imagePullPolicyx: 'Always' });
  Object.assign(obj, { extra: 1 });
  Object.assign(obj.metadata as object, { labels: { anything: 'ok' }, nme: 'x' });
  Object.assign(obj.spec as object, { replica: 2, selector: { matchLabels: { a: 'b' } } });
  t.same(unknownFields('apps', 'v1', 'Deployment', obj), ['metadata.nme', 'spec.template.spec.containers[0].imagePullPolicyx', 'spec.replica', 'extra']);
  t.same(unknownFields('', 'v1', 'ConfigMap', { data: { k: 'v' }, binaryData: {}, immutable: true }), []);
  t.same(unknownFields('', 'v1', 'Secret', { stringData: { k: 'v' }, type: 'Opaque' }), []);
  t.same(unknownFields('example.com', 'v1', 'Widget', { foo: 1 }), []);
});

t.test('pruneUnknownFields drops what a typed decode drops and reports it', async (t) => {
  const obj = deployment({ foo: 1, replicas: 2, template: { spec: { containers: [{ name: 'a', bar: true }] } } });
  t.same(pruneUnknownFields('apps', 'v1', 'Deployment', obj), ['spec.foo', 'spec.template.spec.containers[0].bar']);
  t.same(obj.spec, { replicas: 2, template: { spec: { containers: [{ name: 'a' }] } } });
});

t.test('strictErrors: unknown and duplicate fields of the raw body, in document order', async (t) => {
  const body = JSON.stringify(deployment({ replicas: 1, foo: 2 })).replace('"foo":2', '"foo":2,"replicas":3,"foo":4');
  const errors = strictErrors('apps', 'v1', 'Deployment', body);
  t.same(errors, ['unknown field "spec.foo"', 'duplicate field "spec.replicas"']);
  t.equal(
    cannotBeHandled('Deployment', 'v1', strictDecodingMessage(errors)),
    'Deployment in version "v1" cannot be handled as a Deployment: strict decoding error: unknown field "spec.foo", duplicate field "spec.replicas"',
  );
  const maps = '{"metadata":{"name":"a","labels":{"x":"1","x":"2"}},"data":{"k":"v","k":"w"}}';
  t.same(strictErrors('', 'v1', 'ConfigMap', maps), ['duplicate field "metadata.labels.x"', 'duplicate field "data.k"']);
  const nested = '{"spec":{"containers":[{"name":"a","name":"b","q":{"z":1,"z":2}},{"ports":[{"containerPort":1,"containerPort":2}]}]}}';
  t.same(strictErrors('', 'v1', 'Pod', nested), [
    'duplicate field "spec.containers[0].name"',
    'unknown field "spec.containers[0].q"',
    'duplicate field "spec.containers[1].ports[0].containerPort"',
  ]);
  t.same(strictErrors('', 'v1', 'Pod', '{"metadata":{"name":"\\u0061","na\\u006de":"b"}}'), ['duplicate field "metadata.name"']);
});

t.test('duplicateFields finds repeated keys anywhere, schema-free', async (t) => {
  t.same(duplicateFields('{"a":1,"b":{"c":[{"d":1,"d":2}],"c":3},"a":"x"}'), ['b.c[0].d', 'b.c', 'a']);
  t.same(duplicateFields('{"a":"{\\"a\\":1,\\"a\\":2}"}'), []);
  t.same(duplicateFields('[1,2]'), []);
});

t.test('quantities: parse errors, comparison and canonical form as apimachinery', async (t) => {
  const canonical: [string, string][] = [
    ['0.5', '500m'], ['1000m', '1'], ['1000', '1k'], ['1500', '1500'], ['1024Mi', '1Gi'], ['1.5Gi', '1536Mi'],
    ['100Mi', '100Mi'], ['1e3', '1e3'], ['0.1m', '100u'], ['512', '512'], ['-0.5', '-500m'], ['0', '0'],
  ];
  for (const [input, want] of canonical) {
    const q = parseQuantity(input);
    t.equal(typeof q === 'string' ? q : formatQuantity(q), want, input);
  }
  t.equal(parseQuantity(''), QUANTITY_FORMAT_ERROR);
  t.equal(parseQuantity('1Gb'), QUANTITY_FORMAT_ERROR);
  t.equal(parseQuantity('1Gii'), QUANTITY_SUFFIX_ERROR);
});

t.test('timestamps: Go time.Parse wording for RFC 3339', async (t) => {
  t.equal(goTimeParseError(RFC3339, '2024-01-02T03:04:05Z'), undefined);
  t.equal(goTimeParseError(RFC3339, '2024-01-02T03:04:05.123+02:00'), undefined);
  t.equal(goTimeParseError(RFC3339, '2024-13-01T00:00:00Z'), 'parsing time "2024-13-01T00:00:00Z": month out of range');
  t.equal(goTimeParseError(RFC3339, '2024-02-30T00:00:00Z'), 'parsing time "2024-02-30T00:00:00Z": day out of range');
  t.equal(
    goTimeParseError(RFC3339, '2024-01-02 03:04:05Z'),
    'parsing time "2024-01-02 03:04:05Z" as "2006-01-02T15:04:05Z07:00": cannot parse " 03:04:05Z" as "T"',
  );
  t.equal(goTimeParseError(RFC3339, '2024-01-02T03:04:05Zx'), 'parsing time "2024-01-02T03:04:05Zx": extra text: "x"');
  t.equal(
    goTimeParseError(RFC3339_MICRO, '2024-01-02T03:04:05Z'),
    'parsing time "2024-01-02T03:04:05Z" as "2006-01-02T15:04:05.000000Z07:00": cannot parse "Z" as ".000000"',
  );
});

t.test('base64ErrorAt follows Go base64.StdEncoding offsets', async (t) => {
  t.equal(base64ErrorAt('aGVsbG8='), undefined);
  t.equal(base64ErrorAt('aGVs\nbG8='), undefined);
  t.equal(base64ErrorAt('abc'), 0);
  t.equal(base64ErrorAt('ab!d'), 2);
  t.equal(base64ErrorAt('a==='), 1);
  t.equal(base64ErrorAt('aGVsbG8=x'), 8);
});
