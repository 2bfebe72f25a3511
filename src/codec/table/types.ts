/**
 * The meta.k8s.io/v1 Table vocabulary (Table, TableColumnDefinition, TableRow, IncludeObjectPolicy,
 * PartialObjectMetadata) as it goes over the wire, plus the shape of one kind's printer.
 * Owns: plain types only. Must not: hold behaviour, know kinds, HTTP or storage.
 */
import type { KubeObject, ObjectMeta } from '../../api/types.js';

/**
 * One column of a Table (metav1.TableColumnDefinition). Every field is always present on the
 * wire: upstream does not omit an empty `format` or a zero `priority`.
 */
export interface TableColumnDefinition {
  /** Human-readable header, e.g. `Name`, `Restarts`, `Cluster-IP`. */
  name: string;
  /** OpenAPI type of the cells: `string`, `integer`, `number`, `boolean` or `date`. */
  type: string;
  /** OpenAPI format hint; `name` marks the column holding the object's name; often empty. */
  format: string;
  /** The column's documentation, usually the API field's doc string. */
  description: string;
  /** 0 = always shown; 1 = shown by kubectl only with `-o wide` (the server always sends it). */
  priority: number;
}

/** metav1.TableRowCondition; upstream sets `Completed` on rows of finished pods. */
export interface TableRowCondition {
  type: string;
  status: string;
  reason?: string;
  message?: string;
}

/** One row of a Table (metav1.TableRow): one cell per column, in column order. */
export interface TableRow {
  /** Strings, JSON numbers for integer cells, booleans, as upstream's printer produces them. */
  cells: unknown[];
  /** Only when the printer reports one (finished pods). */
  conditions?: TableRowCondition[];
  /**
   * The object the row describes: the full object (`Object`), a PartialObjectMetadata
   * (`Metadata`), or `null` (`None`, as upstream encodes an empty RawExtension).
   */
  object?: unknown;
}

/** ListMeta of a Table; the caller fills it (resourceVersion, continue, remainingItemCount). */
export interface TableListMeta {
  resourceVersion?: string;
  continue?: string;
  remainingItemCount?: number;
}

/** metav1.Table. */
export interface Table {
  kind: 'Table';
  /** `meta.k8s.io/v1`; a caller answering a `v1beta1` request may set `meta.k8s.io/v1beta1`. */
  apiVersion: string;
  metadata: TableListMeta;
  columnDefinitions: TableColumnDefinition[];
  rows: TableRow[];
}

/** metav1.IncludeObjectPolicy: what each row's `object` carries. kubectl's default is Metadata. */
export type IncludeObject = 'None' | 'Metadata' | 'Object';

/** meta.k8s.io/v1 PartialObjectMetadata: an object reduced to its metadata. */
export interface PartialObjectMetadata {
  kind: 'PartialObjectMetadata';
  apiVersion: string;
  metadata: ObjectMeta;
}

/** meta.k8s.io/v1 PartialObjectMetadataList. */
export interface PartialObjectMetadataList {
  kind: 'PartialObjectMetadataList';
  apiVersion: string;
  metadata: TableListMeta;
  items: PartialObjectMetadata[];
}

/** What a printer's cell functions may know besides the object: the clock. */
export interface PrintContext {
  /** "Now" in milliseconds since the epoch; ages are measured against it. */
  now: number;
}

/**
 * The printer of one kind, as upstream's `AddHandlers` pairs a column list with a print function.
 * `cells` returns exactly one value per column (wide columns included: kube-apiserver always prints
 * with `Wide: true` and lets kubectl hide priority-1 columns).
 */
export interface Printer {
  readonly columns: readonly TableColumnDefinition[];
  cells(obj: KubeObject, ctx: PrintContext): unknown[];
  /** Row conditions, when the kind reports any (pods). */
  conditions?(obj: KubeObject): TableRowCondition[] | undefined;
}
