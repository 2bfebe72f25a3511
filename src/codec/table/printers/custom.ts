/**
 * The Table of a custom resource (apiextensions tableconvertor): Name, then one column per
 * `additionalPrinterColumns` entry of the served version (Age alone when the CRD declares none),
 * each cell found by the column's JSONPath with missing keys allowed. Cells follow the column
 * type: string columns print scalars as Go's fmt does and maps/lists as compact JSON; integer
 * and number columns take JSON numbers; date columns show the age; a missing or mistyped value
 * is null.
 * Owns: custom-resource columns and cells. Must not: know CRDs beyond the column list.
 */
import type { KubeObject } from '../../../api/types.js';
import { NAME } from '../columns.js';
import { DOC } from '../descriptions.js';
import { since } from '../format.js';
import { parseJsonPath, type JsonPath } from '../jsonpath.js';
import type { Printer, PrintContext, TableColumnDefinition } from '../types.js';

/** One `additionalPrinterColumns` entry of a CRD version. */
export interface PrinterColumnSpec {
  name: string;
  type: string;
  format?: string;
  description?: string;
  priority?: number;
  jsonPath: string;
}

/** Age, the column a CRD version without printer columns gets. */
const DEFAULT_COLUMNS: readonly PrinterColumnSpec[] = [
  { name: 'Age', type: 'date', description: DOC.creationTimestamp, jsonPath: '.metadata.creationTimestamp' },
];

function stringCell(value: unknown): string {
  if (typeof value === 'string') return value;
  if (typeof value === 'object' && value !== null) return JSON.stringify(value);
  return String(value);
}

function cell(type: string, value: unknown, now: number): unknown {
  if (value === null || value === undefined) return null;
  switch (type) {
    case 'string':
      return stringCell(value);
    case 'integer':
      return typeof value === 'number' ? Math.trunc(value) : null;
    case 'number':
      return typeof value === 'number' ? value : null;
    case 'boolean':
      return typeof value === 'boolean' ? value : null;
    case 'date':
      if (typeof value !== 'string') return null;
      return Number.isNaN(Date.parse(value)) ? '<invalid>' : since(value, now);
    default:
      return null;
  }
}

/** The printer of one served version's columns (an empty list prints Name and Age). */
export function customResourcePrinter(specs: readonly PrinterColumnSpec[]): Printer {
  const list = specs.length ? specs : DEFAULT_COLUMNS;
  const paths: Array<JsonPath | undefined> = [];
  const columns: TableColumnDefinition[] = [NAME];
  for (const spec of list) {
    let path: JsonPath | undefined;
    try {
      path = parseJsonPath(spec.jsonPath);
    } catch {
      path = undefined; // upstream falls back to a column that prints nothing
    }
    paths.push(path);
    columns.push(
      Object.freeze({
        name: spec.name,
        type: spec.type,
        format: spec.format ?? '',
        description: spec.description || `Custom resource definition column (in JSONPath format): ${spec.jsonPath}`,
        priority: spec.priority ?? 0,
      }),
    );
  }
  Object.freeze(columns);
  return {
    columns,
    cells(obj: KubeObject, ctx: PrintContext): unknown[] {
      const cells: unknown[] = [obj.metadata?.name ?? ''];
      list.forEach((spec, i) => {
        const found = paths[i]?.find(obj) ?? [];
        cells.push(found.length ? cell(spec.type, found[0], ctx.now) : null);
      });
      return cells;
    },
  };
}
