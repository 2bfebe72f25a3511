/**
 * The field manager of one resource: keeps `metadata.managedFields` on every write (Update
 * operations) and runs server-side apply, over the kind's schema and the strategy's reset fields
 * (what a write through the main resource or a subresource does not own: `.status` on the main
 * resource, `.spec` and labels through `/status`).
 * Owns: wiring src/patch/ssa to a resource. Must not: store objects or know HTTP.
 */
import type { ResourceInfo } from '../api/resource.js';
import { apiVersionOf } from '../api/resource.js';
import type { KubeObject } from '../api/types.js';
import { schemaNodeFor, type SchemaNode } from '../openapi/patch-meta.js';
import { FieldSet, makePath } from '../patch/ssa/fieldpath.js';
import { applyOperation, updateOperation } from '../patch/ssa/managed-fields.js';

/** The manager kubemu's own writes (bootstrap objects) are recorded under. */
export const SERVER_MANAGER = 'kube-apiserver';

/** Options of one apply. */
export interface ApplyRequest {
  manager: string;
  force: boolean;
  subresource?: string | undefined;
}

/** managedFields bookkeeping for one resource. */
export class FieldManager {
  readonly #info: ResourceInfo;
  readonly #hasStatus: boolean;
  #schema?: SchemaNode | null;

  /** `schema`: the kind's schema when it is not a built-in one (a CRD version's). */
  constructor(info: ResourceInfo, schema?: SchemaNode) {
    this.#info = info;
    if (schema) this.#schema = schema;
    this.#hasStatus = info.subresources.some((s) => s.name === 'status');
  }

  /** Sets `next.metadata.managedFields` for an Update by `manager` (old undefined on create). */
  update(old: KubeObject | undefined, next: KubeObject, manager: string, subresource?: string): void {
    const managedFields = updateOperation({
      old,
      new: next,
      manager,
      apiVersion: apiVersionOf(this.#info),
      schema: this.#schemaNode(),
      now: new Date(),
      subresource,
      resetFields: this.#resetFields(subresource),
      emptyObject: emptyOf(next),
    });
    setManagedFields(next, managedFields);
  }

  /** The object after applying `applied` to `live` (undefined: create-on-apply), managedFields set. */
  apply(live: KubeObject | undefined, applied: KubeObject, request: ApplyRequest): KubeObject {
    const result = applyOperation({
      live,
      applied,
      manager: request.manager,
      apiVersion: apiVersionOf(this.#info),
      kind: this.#info.kind,
      force: request.force,
      schema: this.#schemaNode(),
      now: new Date(),
      subresource: request.subresource,
      resetFields: this.#resetFields(request.subresource),
      emptyObject: emptyOf(applied),
    });
    const object = structuredClone(result.object);
    setManagedFields(object, result.managedFields);
    return object;
  }

  #schemaNode(): SchemaNode | undefined {
    if (this.#schema === undefined) this.#schema = schemaNodeFor(this.#info.group, this.#info.version, this.#info.kind) ?? null;
    return this.#schema ?? undefined;
  }

  #resetFields(subresource: string | undefined): FieldSet | undefined {
    if (subresource === 'status') return FieldSet.of(makePath('spec'), makePath('metadata', 'labels'), makePath('metadata', 'annotations'));
    return this.#hasStatus ? FieldSet.of(makePath('status')) : undefined;
  }
}

/** The zero value a create starts from: the object's top-level structs exist already (as in Go). */
function emptyOf(obj: KubeObject): KubeObject {
  const empty: KubeObject = {};
  for (const key of ['spec', 'status'] as const) if (key in obj) empty[key] = {};
  return empty;
}

function setManagedFields(obj: KubeObject, entries: unknown[] | undefined): void {
  const meta = (obj.metadata ??= {});
  if (entries && entries.length) meta.managedFields = entries;
  else delete meta.managedFields;
}
