/**
 * The built-in controllers kubemu runs (kube-controller-manager's, plus simulated nodes): one
 * list of definitions the server hands to its Manager. Adding a controller is adding a line.
 * Owns: the list. Must not: hold controller logic.
 */
import type { ControllerDefinition } from './runtime/index.js';
import { replicaSetController } from './replicaset.js';

/** Settings the built-in controllers read. */
export interface ControllerSettings {
  /** Simulated nodes to create (`--nodes`). */
  nodes: number;
}

/** The definitions of every built-in controller. */
export function builtinControllers(settings: ControllerSettings): ControllerDefinition[] {
  void settings;
  return [
    replicaSetController(),
  ];
}
