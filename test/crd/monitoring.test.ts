/**
 * CRDs shaped like a monitoring operator's (Go regexps with inline flags, deep nesting,
 * int-or-string, preserve-unknown-fields, list-map keys, CEL) are accepted without warnings and
 * Established, and their custom resources validate as a real API server validates them.
 */
import t, { type Test } from 'tap';
import { testServer, type TestServer } from '../helpers/server.js';
import { routingConfigCrd, ruleGroupsCrd } from './monitoring-fixtures.js';

type Json = Record<string, any>;
const CRDS = '/apis/apiextensions.k8s.io/v1/customresourcedefinitions';
const BASE = '/apis/monitoring.kubemu.dev/v1/namespaces/default';

async function withCrds(t: Test): Promise<TestServer> {
  const s = await testServer();
  t.teardown(() => s.close());
  for (const crd of [ruleGroupsCrd(), routingConfigCrd()]) {
    const res = await s.json('POST', CRDS, crd);
    t.equal(res.statusCode, 201, res.body);
    t.notOk(res.headers.warning, `no warning for ${(crd as Json).metadata.name}: ${res.headers.warning ?? ''}`);
  }
  await s.server.crds.idle();
  for (const name of ['rulegroups', 'routingconfigs']) {
    const crd = (await s.json('GET', `${CRDS}/${name}.monitoring.kubemu.dev`)).json() as Json;
    t.match(crd.status.conditions, [{ type: 'NamesAccepted', status: 'True' }, { type: 'Established', status: 'True' }], `${name} Established`);
  }
  return s;
}

t.test('rule groups: inline-flag patterns, int-or-string, list-map keys', async (t) => {
  const s = await withCrds(t);
  const good = {
    apiVersion: 'monitoring.kubemu.dev/v1',
    kind: 'RuleGroups',
    metadata: { name: 'node' },
    spec: {
      groups: [
        {
          name: 'node.rules',
          interval: '30s',
          partial_response_strategy: 'WARN',
          rules: [
            { alert: 'NodeDown', expr: 'up{job="node"} == 0', for: '5m', labels: { severity: 'critical' }, annotations: { summary: 'down' } },
            { record: 'job:up:sum', expr: 1, keep_firing_for: '1h30m' },
          ],
        },
        { name: 'other', partial_response_strategy: '' },
      ],
    },
  };
  const created = await s.json('POST', `${BASE}/rulegroups`, good);
  t.equal(created.statusCode, 201, created.body);
  t.same(created.json().spec, good.spec, 'kept as sent');

  const bad = structuredClone(good) as Json;
  bad.metadata.name = 'bad';
  bad.spec.groups[0].partial_response_strategy = 'ignore';
  bad.spec.groups[0].rules[0].for = '5 minutes';
  bad.spec.groups.push({ name: 'other' });
  const refused = await s.json('POST', `${BASE}/rulegroups`, bad);
  t.equal(refused.statusCode, 422, refused.body);
  const causes = (refused.json().details.causes as Json[]).map((c) => `${c.field}: ${c.message}`).sort();
  t.same(causes, [
    `spec.groups[0].partial_response_strategy: Invalid value: "ignore": spec.groups[0].partial_response_strategy in body should match '^(?i)(abort|warn)?$'`,
    `spec.groups[0].rules[0].for: Invalid value: "5 minutes": spec.groups[0].rules[0].for in body should match '^(0|(([0-9]+)y)?(([0-9]+)w)?(([0-9]+)d)?(([0-9]+)h)?(([0-9]+)m)?(([0-9]+)s)?(([0-9]+)ms)?)$'`,
    'spec.groups[2]: Duplicate value: map[string]interface {}{"name":"other"}',
  ]);
});

t.test('routing config: deep nesting, preserve-unknown-fields, (?i) inside groups, CEL', async (t) => {
  const s = await withCrds(t);
  const config = {
    apiVersion: 'monitoring.kubemu.dev/v1',
    kind: 'RoutingConfig',
    metadata: { name: 'team-a' },
    spec: {
      route: {
        receiver: 'pager',
        groupBy: ['alertname'],
        groupWait: '30s',
        matchers: [{ name: 'severity', matchType: '=~', value: 'critical|warning' }],
        routes: [{ receiver: 'mail', matchers: [{ name: 'team', value: 'a' }], anything: { kept: true } }],
      },
      receivers: [
        {
          name: 'pager',
          webhookConfigs: [
            {
              url: 'https://pager.example.com/hook',
              maxAlerts: 10,
              httpConfig: { proxyURL: 'socks5://proxy:1080', tlsConfig: { ca: { secret: { name: 'ca', key: 'ca.crt' } }, minVersion: 'TLS12' } },
            },
          ],
        },
        {
          name: 'mail',
          emailConfigs: [{ to: 'a@example.com', headers: [{ key: 'Subject', value: 'x' }], tlsConfig: { keySecret: { name: 'k', key: 'tls.key' } }, unknownField: 1 }],
        },
      ],
      timeIntervals: [
        {
          name: 'office',
          timeIntervals: [
            { times: [{ startTime: '09:00', endTime: '24:00' }], weekdays: ['Monday:friday', 'SATURday', 'sun'], months: ['JANUARY:march', '12'], years: ['2025:2026'], days: ['1:15'] },
          ],
        },
      ],
    },
  };
  const created = await s.request({
    method: 'POST',
    url: `${BASE}/routingconfigs`,
    headers: { 'content-type': 'application/json' },
    payload: JSON.stringify(config),
  });
  t.equal(created.statusCode, 201, created.body);
  const spec = created.json().spec as Json;
  t.same(spec.route.routes, config.spec.route.routes, 'preserve-unknown-fields subtree kept as sent');
  t.notOk('unknownField' in spec.receivers[1].emailConfigs[0], 'unknown field pruned');
  t.equal(String(created.headers.warning), '299 - "unknown field \\"spec.receivers[1].emailConfigs[0].unknownField\\""');
  t.equal(spec.receivers[0].webhookConfigs[0].httpConfig.tlsConfig.ca.secret.name, 'ca');

  const bad = structuredClone(config) as Json;
  bad.metadata.name = 'bad';
  bad.spec.route.receiver = 'Pager';
  // (?i) inside the group ends with it: `(?:day)` stays case-sensitive, as in Go
  bad.spec.timeIntervals[0].timeIntervals[0].weekdays = ['Funday', 'FRIDAY'];
  bad.spec.timeIntervals[0].timeIntervals[0].times[0].startTime = '25:00';
  bad.spec.receivers[0].webhookConfigs[0].url = 'ftp://x';
  const refused = await s.json('POST', `${BASE}/routingconfigs`, bad);
  t.equal(refused.statusCode, 422, refused.body);
  const fields = (refused.json().details.causes as Json[]).map((c) => c.field).sort();
  t.same(fields, [
    'spec',
    'spec.receivers[0].webhookConfigs[0].url',
    'spec.timeIntervals[0].timeIntervals[0].times[0].startTime',
    'spec.timeIntervals[0].timeIntervals[0].weekdays[0]',
    'spec.timeIntervals[0].timeIntervals[0].weekdays[1]',
  ]);
  t.match(refused.json().message, /route\.receiver must be a DNS label/);
});
