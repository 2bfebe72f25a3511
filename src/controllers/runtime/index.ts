/**
 * The controller runtime in one import: informers and their store, the work queue, the
 * reconciler contract, controllers, the manager and the event recorder.
 * Owns: nothing of its own (a re-export). Must not: hold logic.
 */
export { Controller, ownerKeys, type ControllerOptions, type KeyMapper, type Source } from './controller.js';
export { EventRecorder, referenceOf, type EventKind, type EventRecorderOptions, type CoreEvent, type ObjectReference } from './events.js';
export { InformerFactory, type InformerRequest } from './informer-factory.js';
export { Informer, type EventHandler, type InformerOptions } from './informer.js';
export { silentLogger, type Logger } from './log.js';
export { Manager, type ControllerContext, type ControllerDefinition, type ManagerOptions } from './manager.js';
export { WorkQueue, type BackoffOptions } from './queue.js';
export type { Reconciler, Result } from './reconciler.js';
export { byControllerUid, byLabel, byNamespace, byOrphanNamespace, byOwnerUid, keyOf, splitKey, type IndexFunc } from './store.js';
export { yieldToEventLoop } from './yield.js';
