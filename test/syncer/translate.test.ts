import t from 'tap';
import {
  hostLabels,
  hostMetadata,
  hostName,
  hostPodName,
  isManaged,
  safeConcatName,
  virtualLabelKey,
} from '../../src/syncer/translate.js';

// Expected hashes computed outside the code under test: `printf %s "<string>" | sha256sum`.

t.test('hostName joins name-x-namespace-x-vcluster', async (t) => {
  t.equal(hostName('web-0', 'default', 'vc1'), 'web-0-x-default-x-vc1');
  t.equal(hostName('', 'default', 'vc1'), '');
  t.same(hostPodName({ vcluster: 'vc1', hostNamespace: 'host-ns' }, { namespace: 'team-a', name: 'api' }), {
    namespace: 'host-ns',
    name: 'api-x-team-a-x-vc1',
  });
});

t.test('hostName past 63 characters: 52 characters, a dash and 10 hex of sha256 of the full name', async (t) => {
  const name = hostName('a-very-long-deployment-name-that-goes-on-and-on-1234567890', 'default', 'vc1');
  t.equal(name, 'a-very-long-deployment-name-that-goes-on-and-on-1234-6f775aed80');
  t.equal(name.length, 63);
});

t.test('safeConcatName collapses ".-" after truncation', async (t) => {
  const name = safeConcatName('abc.def.ghi.jkl.mno.pqr.stu.vwx.yz1.234.567.890.abc.-x-default-x-vc1-long-xx');
  t.equal(name, 'abc.def.ghi.jkl.mno.pqr.stu.vwx.yz1.234.567.890.abc-35130eeafa');
  t.equal(name.length, 62);
});

t.test('reserved label keys are renamed, others kept; markers added', async (t) => {
  const labels = hostLabels({ app: 'web', release: 'r1' }, 'vc1', 'default');
  t.same(labels, {
    app: 'web',
    'vcluster.loft.sh/label-vc1-x-a4d451ec23': 'r1',
    'vcluster.loft.sh/managed-by': 'vc1',
    'vcluster.loft.sh/namespace': 'default',
  });
  t.equal(virtualLabelKey('vcluster.loft.sh/label-vc1-x-a4d451ec23', 'vc1'), 'release');
  t.equal(virtualLabelKey('app', 'vc1'), 'app');
  t.equal(virtualLabelKey('vcluster.loft.sh/managed-by', 'vc1'), undefined);
});

t.test('hostMetadata carries the ownership annotations and isManaged recognises them', async (t) => {
  const ctx = { vcluster: 'vc1', hostNamespace: 'host-ns' };
  const pod = { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p', namespace: 'default', uid: 'u1', annotations: { a: 'b' } } };
  const meta = hostMetadata(ctx, pod);
  t.equal(meta.name, 'p-x-default-x-vc1');
  t.equal(meta.namespace, 'host-ns');
  t.match(meta.annotations, {
    a: 'b',
    'vcluster.loft.sh/object-name': 'p',
    'vcluster.loft.sh/object-namespace': 'default',
    'vcluster.loft.sh/object-uid': 'u1',
    'vcluster.loft.sh/object-kind': '/v1, Kind=Pod',
    'vcluster.loft.sh/object-host-name': 'p-x-default-x-vc1',
    'vcluster.loft.sh/object-host-namespace': 'host-ns',
  });
  t.ok(isManaged(ctx, { metadata: meta }, 'Pod'));
  t.notOk(isManaged({ vcluster: 'vc2', hostNamespace: 'host-ns' }, { metadata: meta }), 'another vcluster');
  t.notOk(isManaged(ctx, { metadata: { ...meta, name: 'other' } }), 'renamed by hand');
  t.notOk(isManaged(ctx, { metadata: { name: 'x', namespace: 'host-ns' } }), 'foreign');
});
