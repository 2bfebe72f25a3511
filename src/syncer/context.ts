/**
 * What every syncer controller shares: both clients, both informer factories, the translation
 * context, the mapping store, the recorder of virtual events, and helpers for the common
 * "ignore this status code" and "report a sync failure" moves.
 * Owns: the shared context type and helpers. Must not: hold a controller's logic.
 */
import { StatusError } from '../api/errors.js';
import type { KubeObject, StoredObject } from '../api/types.js';
import type { Client } from '../client/types.js';
import type { EventRecorder, InformerFactory, Logger } from '../controllers/runtime/index.js';
import type { MappingStore } from './mapping-store.js';
import type { PodEnvironment } from './pod-translate.js';
import type { TranslateContext } from './translate.js';

/** How virtual Nodes are made: `fake` (vcluster's default) or copies of the `real` host nodes. */
export type NodeMode = 'fake' | 'real';

/** The shared state of the syncer's controllers. */
export interface SyncContext extends TranslateContext {
  virtual: Client;
  host: Client;
  virtualInformers: InformerFactory;
  hostInformers: InformerFactory;
  mappings: MappingStore;
  recorder: EventRecorder;
  log: Logger;
  env: PodEnvironment;
  nodeMode: NodeMode;
  /** Mints the virtual service-account token of a pod (audience: the virtual API). */
  mintToken?: (namespace: string, serviceAccount: string, pod: { name: string; uid: string }) => Promise<string>;
  /** The virtual cluster's CA (PEM), written next to the token. */
  caCert?: string;
}

/** Swallows StatusErrors with one of `codes`; rethrows anything else. */
export function ignoreCodes(...codes: number[]) {
  return (err: unknown): undefined => {
    if (err instanceof StatusError && codes.includes(err.code)) return undefined;
    throw err;
  };
}

/** True for a StatusError with `code`. */
export function isCode(err: unknown, code: number): boolean {
  return err instanceof StatusError && err.code === code;
}

/** The message of an error, for events. */
export function messageOf(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/** Records a `SyncError` Warning on the virtual object and rethrows, so the key backs off. */
export function reportFailure(ctx: SyncContext, object: KubeObject, what: string, err: unknown): never {
  ctx.recorder.event(object, 'Warning', 'SyncError', `Error syncing to host cluster: ${what}: ${messageOf(err)}`);
  throw err;
}

/** The virtual key (`namespace/name`) a managed host object records. */
export function virtualKeyOf(host: StoredObject): string | undefined {
  const a = host.metadata.annotations ?? {};
  const name = a['vcluster.loft.sh/object-name'];
  const ns = a['vcluster.loft.sh/object-namespace'];
  return name ? (ns ? `${ns}/${name}` : name) : undefined;
}
