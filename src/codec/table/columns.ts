/**
 * Building blocks of column lists: column constructors and the columns many kinds share
 * (Name, Age, the wide Containers/Images pair), with upstream's names and descriptions.
 * Owns: column construction. Must not: know objects or cells.
 */
import { DOC } from './descriptions.js';
import type { TableColumnDefinition } from './types.js';

/** Optional parts of a column: OpenAPI type (default `string`), format (default ``), priority (1 = `-o wide` only). */
export interface ColumnOptions {
  type?: string;
  format?: string;
  priority?: number;
}

/** A frozen column definition; a string column of priority 0 unless the options say otherwise. */
export function column(name: string, description: string, options: ColumnOptions = {}): TableColumnDefinition {
  return Object.freeze({
    name,
    type: options.type ?? 'string',
    format: options.format ?? '',
    description,
    priority: options.priority ?? 0,
  });
}

/** An `integer` column (its cells are JSON numbers). */
export function integer(name: string, description: string): TableColumnDefinition {
  return column(name, description, { type: 'integer' });
}

/** A string column shown only with `-o wide`. */
export function wide(name: string, description: string): TableColumnDefinition {
  return column(name, description, { priority: 1 });
}

/** The first column of nearly every table. */
export const NAME = column('Name', DOC.name, { format: 'name' });

/** `Age`: a string cell such as `5m`, described by ObjectMeta.creationTimestamp. */
export const AGE = column('Age', DOC.creationTimestamp);

/** Wide `Containers` of workload tables. */
export const CONTAINERS = wide('Containers', 'Names of each container in the template.');

/** Wide `Images` of workload tables. */
export const IMAGES = wide('Images', 'Images referenced by each container in the template.');

/** Freezes a column list. */
export function columns(...list: TableColumnDefinition[]): readonly TableColumnDefinition[] {
  return Object.freeze(list);
}
