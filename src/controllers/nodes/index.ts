/**
 * Simulated nodes in one import: the node controller (Nodes, Leases), the scheduler and the
 * simulated kubelet (pod lifecycle stages), as controller definitions.
 * Owns: composing them. Must not: hold their logic.
 */
import type { ControllerDefinition } from '../runtime/index.js';
import { DEFAULT_STAGES } from './default-stages.js';
import { kubeletController } from './kubelet.js';
import { nodeController } from './node-controller.js';
import { schedulerController } from './scheduler.js';
import type { Stage } from './stages.js';

export { DEFAULT_STAGES, EXIT_ANNOTATION } from './default-stages.js';
export { loadStages, validateStages, type Stage } from './stages.js';

/** Settings of the simulated nodes. */
export interface NodeSimulationSettings {
  /** How many nodes (0: none, and neither scheduler nor kubelet run). */
  nodes: number;
  /** The nodes' kubeletVersion (the version the server reports). */
  kubeletVersion: string;
  /** Lease renewal interval (default 10 s). */
  heartbeatMs?: number;
  /** Pod lifecycle stages (default DEFAULT_STAGES). */
  podStages?: readonly Stage[];
}

/** The controller definitions of simulated nodes. */
export function nodeSimulation(settings: NodeSimulationSettings): ControllerDefinition[] {
  const node = nodeController({
    nodes: settings.nodes,
    kubeletVersion: settings.kubeletVersion,
    ...(settings.heartbeatMs !== undefined ? { heartbeatMs: settings.heartbeatMs } : {}),
  });
  // Without nodes nothing schedules or runs pods (tests that drive pod status themselves).
  if (settings.nodes <= 0) return [node];
  return [node, schedulerController(), kubeletController(settings.podStages ?? DEFAULT_STAGES)];
}
