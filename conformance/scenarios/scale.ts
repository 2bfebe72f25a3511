/**
 * Conformance scenarios: the scale subresource through `kubectl scale` (GET, then a merge patch of
 * deployments/<name>/scale) and over HTTP (autoscaling/v1 Scale, selector from spec.selector).
 * Must not: depend on kubemu specifics or on a running deployment controller.
 */
import { expectEqual, expectFailure, expectSuccess, pick, scenario } from '../harness.js';
import { deploymentYaml } from './manifests.js';

/** create -f a Deployment, scale it to 3, read the Scale back; a failed --current-replicas precondition. */
export const scaleDeployment = scenario({
  name: 'deployment/scale',
  namespace: true,
  async run(ctx) {
    const ns = ['-n', ctx.namespace];
    const created = await ctx.kubectl([...ns, 'create', '-f', '-'], { stdin: deploymentYaml('web') });
    expectEqual(expectSuccess(created, 'create -f deployment'), 'deployment.apps/web created\n', 'create -f output');
    const scaled = await ctx.kubectl([...ns, 'scale', 'deployment', 'web', '--replicas=3']);
    expectEqual(expectSuccess(scaled, 'kubectl scale'), 'deployment.apps/web scaled\n', 'kubectl scale output');
    const replicas = expectSuccess(await ctx.kubectl([...ns, 'get', 'deployment', 'web', '-o', 'jsonpath={.spec.replicas}']), 'get spec.replicas');
    expectEqual(replicas, '3', 'deployment spec.replicas after scale');

    const res = await ctx.http('GET', `/apis/apps/v1/namespaces/${ctx.namespace}/deployments/web/scale`);
    expectEqual(res.status, 200, 'GET deployments/web/scale status');
    expectEqual(
      { apiVersion: pick(res.json, 'apiVersion'), kind: pick(res.json, 'kind'), name: pick(res.json, 'metadata.name'), namespace: pick(res.json, 'metadata.namespace') },
      { apiVersion: 'autoscaling/v1', kind: 'Scale', name: 'web', namespace: ctx.namespace },
      'Scale identity',
    );
    expectEqual(pick(res.json, 'spec.replicas'), 3, 'Scale spec.replicas');
    expectEqual(pick(res.json, 'status.selector'), 'app=web', 'Scale status.selector');

    expectFailure(
      await ctx.kubectl([...ns, 'scale', 'deployment', 'web', '--current-replicas=2', '--replicas=4']),
      'error: Expected replicas to be 2, was 3',
      'scale with a wrong --current-replicas',
    );
  },
});
