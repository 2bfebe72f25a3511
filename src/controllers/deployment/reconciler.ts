/**
 * The Deployment reconciler (kubernetes `deployment_controller.go` syncDeployment): claim the
 * ReplicaSets the selector matches (adopt/release), then — being deleted: status only; update
 * the paused condition; paused or a scaling event: sync (resize only); else one step of the
 * strategy (Recreate or RollingUpdate).
 * Owns: one pass over one Deployment. Must not: manage pods.
 */
import { labelSelectorFromObject } from '../../api/selectors.js';
import { RESOURCES, type Client } from '../../client/types.js';
import type { EventRecorder, Informer, Reconciler, Result } from '../runtime/index.js';
import { claim } from '../replicaset/claim.js';
import type { ReplicaSet } from '../replicaset/objects.js';
import { SyncContext } from './context.js';
import { isRollingUpdate, type Deployment } from './objects.js';
import { checkPausedConditions } from './progress.js';
import { rolloutRecreate, rolloutRolling } from './rollout.js';
import { isScalingEvent, sync } from './scale.js';

/** Index of ReplicaSets and pods by namespace (shared with the ReplicaSet controller). */
export const NAMESPACE_INDEX = 'namespace';

/** What the reconciler works with. */
export interface DeploymentReconcilerOptions {
  client: Client;
  recorder: EventRecorder;
  deployments: Informer;
  /** ReplicaSets, with the {@link NAMESPACE_INDEX} index. */
  sets: Informer;
  pods: Informer;
}

/** Reconciles one Deployment; see the module comment. */
export class DeploymentReconciler implements Reconciler {
  readonly #o: DeploymentReconcilerOptions;

  constructor(options: DeploymentReconcilerOptions) {
    this.#o = options;
  }

  async reconcile(key: string): Promise<Result | void> {
    const { client, recorder, deployments, sets, pods } = this.#o;
    const d = deployments.get(key) as Deployment | undefined;
    if (!d) return;
    const selectorObject = d.spec.selector ?? {};
    if (!selectorObject.matchLabels && !selectorObject.matchExpressions?.length) {
      recorder.event(d, 'Warning', 'SelectingAll', 'This deployment is selecting all pods. A non-empty selector is required.');
      return;
    }
    const selector = labelSelectorFromObject(selectorObject);
    const candidates = sets.byIndex(NAMESPACE_INDEX, d.metadata.namespace!) as ReplicaSet[];
    const owned = await claim({ client, owner: d, ownerResource: RESOURCES.deployments, resource: RESOURCES.replicasets, selector, candidates });
    const ctx = new SyncContext({ client, recorder, pods, deployment: d, sets: owned });
    if (d.metadata.deletionTimestamp) {
      await sync(ctx);
      return;
    }
    await checkPausedConditions(ctx);
    if (ctx.d.spec.paused || (await isScalingEvent(ctx))) {
      await sync(ctx);
      return;
    }
    const after = isRollingUpdate(ctx.d) ? await rolloutRolling(ctx) : await rolloutRecreate(ctx);
    return after === undefined ? undefined : { requeueAfter: after };
  }
}
