/**
 * Conformance scenarios: label validation. kubectl checks label VALUES itself (pkg/cmd/label
 * parseLabels) and sends invalid KEYS to the server, which answers 422 Invalid with apimachinery's
 * IsQualifiedName / IsValidLabelValue messages (note their double spaces after commas in the
 * examples: RegexError writes "'x', " then " or ").
 * Must not: depend on kubemu specifics.
 */
import { expectEqual, expectFailure, expectStatus, expectSuccess, pick, scenario } from '../harness.js';
import { configMapJson } from './manifests.js';

const NAME_PART_MESSAGE =
  "name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')";
const LABEL_VALUE_MESSAGE =
  "a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyValue',  or 'my_value',  or '12345', regex used for validation is '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')";

/** `kubectl label` with an invalid key: the server's 422 as kubectl prints it. */
export const invalidLabelKey = scenario({
  name: 'labels/invalid-key',
  namespace: true,
  async run(ctx) {
    const created = await ctx.http('POST', `/api/v1/namespaces/${ctx.namespace}/configmaps`, { body: configMapJson('cm1') });
    expectEqual(created.status, 201, 'POST configmap');
    expectFailure(
      await ctx.kubectl(['-n', ctx.namespace, 'label', 'configmap', 'cm1', '_bad=v']),
      `The ConfigMap "cm1" is invalid: metadata.labels: Invalid value: "_bad": ${NAME_PART_MESSAGE}`,
      'label with an invalid key',
    );
  },
});

/** An invalid label value: kubectl refuses it itself; a merge patch over HTTP gets the server's 422. */
export const invalidLabelValue = scenario({
  name: 'labels/invalid-value',
  namespace: true,
  async run(ctx) {
    const path = `/api/v1/namespaces/${ctx.namespace}/configmaps/cm1`;
    const created = await ctx.http('POST', `/api/v1/namespaces/${ctx.namespace}/configmaps`, { body: configMapJson('cm1') });
    expectEqual(created.status, 201, 'POST configmap');
    expectFailure(
      await ctx.kubectl(['-n', ctx.namespace, 'label', 'configmap', 'cm1', 'tier=bad value!']),
      `error: invalid label value: "tier=bad value!": ${LABEL_VALUE_MESSAGE}`,
      'kubectl label with an invalid value (client-side check)',
    );
    const res = await ctx.http('PATCH', path, {
      body: JSON.stringify({ metadata: { labels: { tier: 'bad value!' } } }),
      headers: { 'content-type': 'application/merge-patch+json' },
    });
    const message = `Invalid value: "bad value!": ${LABEL_VALUE_MESSAGE}`;
    expectStatus(res, { code: 422, reason: 'Invalid', message: `ConfigMap "cm1" is invalid: metadata.labels: ${message}` }, 'merge patch with an invalid label value');
    expectEqual(pick(res.json, 'details.causes'), [{ reason: 'FieldValueInvalid', message, field: 'metadata.labels' }], 'Status.details.causes');
    const unchanged = expectSuccess(await ctx.kubectl(['-n', ctx.namespace, 'get', 'configmap', 'cm1', '-o', 'jsonpath={.metadata.labels}']), 'get labels');
    expectEqual(unchanged, '', 'labels after the rejected patch');
  },
});
