/**
 * The built-in controllers kubemu runs (kube-controller-manager's, plus simulated nodes): one
 * list of definitions the server hands to its Manager. Adding a controller is adding a line.
 * Owns: the list. Must not: hold controller logic.
 */
import type { ControllerDefinition } from './runtime/index.js';
import { deploymentController } from './deployment.js';
import { replicaSetController } from './replicaset.js';
import { nodeSimulation, type Stage } from './nodes/index.js';
import { serviceAccountsController } from './serviceaccounts.js';
import { garbageCollector } from './garbage-collector/index.js';
import { namespaceController } from './namespace.js';

/** Settings the built-in controllers read. */
export interface ControllerSettings {
  /** Simulated nodes to create (`--nodes`). */
  nodes: number;
  /** PEM of kubemu's CA, published as `kube-root-ca.crt` in every namespace (none without TLS). */
  caCert?: string;
  /** kubeletVersion of simulated nodes (default v1.31.0; the server passes `--kubernetes-version`). */
  kubernetesVersion?: string;
  /** Node Lease renewal interval in ms (default 10 s). */
  nodeHeartbeatMs?: number;
  /** Pod lifecycle stages of simulated nodes (default: nodes/default-stages.ts; `loadStages(path)` reads a file). */
  podStages?: readonly Stage[];
}

/** The definitions of every built-in controller. */
export function builtinControllers(settings: ControllerSettings): ControllerDefinition[] {
  void settings;
  return [
    replicaSetController(),
    serviceAccountsController(settings.caCert),
    ...nodeSimulation({
      nodes: settings.nodes,
      kubeletVersion: settings.kubernetesVersion ?? 'v1.31.0',
      ...(settings.nodeHeartbeatMs !== undefined ? { heartbeatMs: settings.nodeHeartbeatMs } : {}),
      ...(settings.podStages ? { podStages: settings.podStages } : {}),
    }),
    deploymentController(),
    garbageCollector(),
    namespaceController(),
  ];
}
