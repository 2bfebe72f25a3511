import t from 'tap';
import { alreadyExists, conflict, invalid, methodNotSupported, notFound, requestEntityTooLarge } from '../../src/api/errors.js';
import { field } from '../../src/api/field-errors.js';

t.test('notFound words the qualified resource and name as apimachinery does', async (t) => {
  t.equal(notFound({ group: '', name: 'pods' }, 'no-such-pod').message, 'pods "no-such-pod" not found');
  const err = notFound({ group: 'apps', name: 'deployments' }, 'web');
  t.equal(err.message, 'deployments.apps "web" not found');
  t.same(err.status, {
    kind: 'Status',
    apiVersion: 'v1',
    metadata: {},
    status: 'Failure',
    message: 'deployments.apps "web" not found',
    reason: 'NotFound',
    details: { name: 'web', group: 'apps', kind: 'deployments' },
    code: 404,
  });
});

t.test('alreadyExists and conflict use the upstream messages', async (t) => {
  t.equal(alreadyExists({ group: '', name: 'configmaps' }, 'a').message, 'configmaps "a" already exists');
  const c = conflict({ group: '', name: 'configmaps' }, 'a');
  t.equal(
    c.message,
    'Operation cannot be fulfilled on configmaps "a": the object has been modified; please apply your changes to the latest version and try again',
  );
  t.equal(c.code, 409);
  t.equal(c.reason, 'Conflict');
});

t.test('invalid aggregates field errors and lists causes', async (t) => {
  const one = invalid({ group: '', name: 'ConfigMap' }, 'x', [field.required('metadata.name', 'name or generateName is required')]);
  t.equal(one.message, 'ConfigMap "x" is invalid: metadata.name: Required value: name or generateName is required');
  const two = invalid({ group: 'apps', name: 'Deployment' }, 'd', [
    field.invalid('metadata.labels', 'a b', 'bad'),
    field.notSupported('spec.x', 'y', ['A', 'B']),
  ]);
  t.equal(
    two.message,
    'Deployment.apps "d" is invalid: [metadata.labels: Invalid value: "a b": bad, spec.x: Unsupported value: "y": supported values: "A", "B"]',
  );
  t.same(two.status.details?.causes, [
    { reason: 'FieldValueInvalid', message: 'Invalid value: "a b": bad', field: 'metadata.labels' },
    { reason: 'FieldValueNotSupported', message: 'Unsupported value: "y": supported values: "A", "B"', field: 'spec.x' },
  ]);
  t.equal(two.code, 422);
});

t.test('methodNotSupported and requestEntityTooLarge', async (t) => {
  t.equal(methodNotSupported({ group: '', name: 'pods' }, 'create').message, 'create is not supported on resources of kind "pods"');
  const big = requestEntityTooLarge('limit is 3145728');
  t.equal(big.message, 'Request entity too large: limit is 3145728');
  t.equal(big.code, 413);
});
