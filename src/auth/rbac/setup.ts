/**
 * Authorization set up over a started Registry: the PolicyIndex following the RBAC watch caches,
 * the authorizer of the configured mode, the ClusterRole aggregator, and what the escalation
 * admission plugin consults. The server wires this in with a handful of calls.
 * Owns: composing the RBAC parts. Must not: know HTTP.
 */
import type { EscalationPolicy } from '../../admission/rbac-escalation.js';
import type { Registry } from '../../registry/registry.js';
import { ClusterRoleAggregator } from './aggregation.js';
import { authorizerFor, RbacAuthorizer } from './authorizer.js';
import { PolicyIndex } from './policy-index.js';
import type { AuthorizationMode, Authorizer } from './types.js';

const RBAC_GROUP = 'rbac.authorization.k8s.io';

/** Running authorization. */
export interface Authorization {
  mode: AuthorizationMode;
  /** Decides requests (RBAC behind system:masters, or AlwaysAllow). */
  authorizer: Authorizer;
  /** The RBAC authorizer itself (rule resolution), whatever the mode. */
  rbac: RbacAuthorizer;
  index: PolicyIndex;
  /** For the escalation admission plugin. */
  escalation: EscalationPolicy;
  /** Resolves once aggregated ClusterRoles are current. */
  settled(): Promise<void>;
  stop(): void;
}

/** Starts authorization over `registry` (whose caches must be loaded). */
export function startAuthorization(options: { mode: AuthorizationMode; registry: Registry; onError?: (err: unknown) => void }): Authorization {
  const { registry, mode } = options;
  const cache = (plural: string) => registry.storeFor(RBAC_GROUP, plural).cache;
  const index = new PolicyIndex();
  index.follow({
    roles: cache('roles'),
    roleBindings: cache('rolebindings'),
    clusterRoles: cache('clusterroles'),
    clusterRoleBindings: cache('clusterrolebindings'),
  });
  const aggregator = new ClusterRoleAggregator({ index, clusterRoles: registry.storeFor(RBAC_GROUP, 'clusterroles'), onError: options.onError });
  aggregator.start();
  const rbac = new RbacAuthorizer(index);
  const authorizer = authorizerFor(mode, index);
  return {
    mode,
    authorizer,
    rbac,
    index,
    escalation: { authorizer, rbac },
    settled: () => aggregator.settled(),
    stop: () => {
      aggregator.stop();
      index.stop();
    },
  };
}
