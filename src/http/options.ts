/**
 * Query parameters and DeleteOptions of write requests, validated as kube-apiserver validates
 * CreateOptions, UpdateOptions, PatchOptions and DeleteOptions (422 on bad values).
 * Owns: request options parsing. Must not: touch the registry.
 */
import { badRequest, invalid } from '../api/errors.js';
import { field, type FieldError } from '../api/field-errors.js';
import type { DeleteOptions } from '../registry/generic-store.js';
import { fieldManagerOptionErrors, managerOrUserAgent } from '../patch/ssa/managers.js';

/** Query string as fastify parses it. */
export type Query = Record<string, string | string[] | undefined>;

/** Options of create, update and patch. */
export interface WriteQuery {
  dryRun: boolean;
  /** The manager of this write: `fieldManager`, or the User-Agent's prefix. */
  manager: string;
  fieldValidation: 'Ignore' | 'Warn' | 'Strict';
  /** `force=true` (apply patches only). */
  force: boolean;
}

const FIELD_VALIDATION = ['Ignore', 'Warn', 'Strict'] as const;
const PROPAGATION = ['Foreground', 'Background', 'Orphan'] as const;

function all(query: Query, key: string): string[] {
  const v = query[key];
  return v === undefined ? [] : Array.isArray(v) ? v : [v];
}

function one(query: Query, key: string): string | undefined {
  return all(query, key)[0];
}

function dryRunErrors(values: string[]): FieldError[] {
  return values.some((v) => v !== 'All') ? [field.notSupported('dryRun', values, ['All'])] : [];
}

/** Parses the options of a write; `kind` names the options kind in errors (CreateOptions, ...). */
export function writeQuery(
  query: Query,
  kind: 'CreateOptions' | 'UpdateOptions' | 'PatchOptions',
  request: { userAgent?: string | undefined; apply?: boolean } = {},
): WriteQuery {
  const dryRun = all(query, 'dryRun');
  const errs = dryRunErrors(dryRun);
  const fieldValidation = one(query, 'fieldValidation') || 'Warn';
  if (!(FIELD_VALIDATION as readonly string[]).includes(fieldValidation))
    errs.push(field.notSupported('fieldValidation', fieldValidation, ['', 'Ignore', 'Strict', 'Warn']));
  const fieldManager = one(query, 'fieldManager');
  const force = one(query, 'force');
  errs.push(...fieldManagerOptionErrors({ fieldManager, patch: kind === 'PatchOptions', apply: request.apply === true, forceGiven: force !== undefined }));
  if (errs.length) throw invalid({ group: 'meta.k8s.io', name: kind }, '', errs);
  return {
    dryRun: dryRun.length > 0,
    manager: managerOrUserAgent(fieldManager, request.userAgent),
    fieldValidation: fieldValidation as WriteQuery['fieldValidation'],
    force: force === 'true',
  };
}

/** DeleteOptions from the JSON body (if any) and the query, body first as upstream. */
export function deleteOptions(query: Query, body: unknown): DeleteOptions {
  const opts: Record<string, unknown> = {};
  if (body !== undefined && body !== null) {
    if (typeof body !== 'object' || Array.isArray(body)) throw badRequest('the body of the request was in an unknown format');
    Object.assign(opts, body);
  }
  const grace = one(query, 'gracePeriodSeconds');
  if (grace !== undefined) {
    if (!/^-?\d+$/.test(grace)) throw badRequest(`strconv.ParseInt: parsing ${JSON.stringify(grace)}: invalid syntax`);
    opts.gracePeriodSeconds = Number(grace);
  }
  const policy = one(query, 'propagationPolicy');
  if (policy !== undefined) opts.propagationPolicy = policy;
  const orphan = one(query, 'orphanDependents');
  if (orphan !== undefined) opts.orphanDependents = orphan === 'true';
  const dryRun = [...all(query, 'dryRun'), ...(Array.isArray(opts.dryRun) ? (opts.dryRun as string[]) : [])];

  const errs = dryRunErrors(dryRun);
  if (opts.propagationPolicy !== undefined && !(PROPAGATION as readonly unknown[]).includes(opts.propagationPolicy))
    errs.push(field.notSupported('propagationPolicy', opts.propagationPolicy, PROPAGATION));
  if (opts.orphanDependents !== undefined && opts.propagationPolicy !== undefined)
    errs.push(field.invalid('propagationPolicy', opts.propagationPolicy, 'orphanDependents and deletionPropagation cannot be both set'));
  if (opts.gracePeriodSeconds !== undefined && !Number.isInteger(opts.gracePeriodSeconds))
    errs.push(field.invalid('gracePeriodSeconds', opts.gracePeriodSeconds, 'must be an integer'));
  if (errs.length) throw invalid({ group: 'meta.k8s.io', name: 'DeleteOptions' }, '', errs);

  const result: DeleteOptions = { dryRun: dryRun.length > 0 };
  const pre = opts.preconditions as DeleteOptions['preconditions'];
  if (pre && typeof pre === 'object') result.preconditions = pre;
  if (opts.orphanDependents === true) result.propagationPolicy = 'Orphan';
  else if (typeof opts.propagationPolicy === 'string') result.propagationPolicy = opts.propagationPolicy as DeleteOptions['propagationPolicy'];
  if (typeof opts.gracePeriodSeconds === 'number') result.gracePeriodSeconds = opts.gracePeriodSeconds;
  return result;
}
