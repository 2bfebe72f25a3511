/**
 * `metadata.managedFields` entries and the manager bookkeeping around them, as apimachinery's
 * `pkg/util/managedfields/internal` (managedfields.go, capmanagers.go, fieldmanager.go) and
 * meta/v1 validation do it.
 *
 * Managers are keyed by an identifier: the JSON of the entry without its time and fields, and
 * without apiVersion for appliers, so one applier is one manager whatever version it applies:
 *   {"manager":"kubectl","operation":"Apply"}
 *   {"manager":"kube-controller-manager","operation":"Update","apiVersion":"apps/v1","subresource":"status"}
 * Entries are written sorted by operation (Apply first), time (seconds), manager, apiVersion,
 * subresource, with their fields in ManagedFieldsEntry's order.
 * Owns: decode/encode, identifiers, the 10-updater cap, reset detection, validation, default
 * manager names. Must not: merge objects (merge.ts) or decide operations (managed-fields.ts).
 */
import { field, type FieldError } from '../../api/field-errors.js';
import { FieldSet, type FieldsV1 } from './fieldpath.js';
import type { ManagerSets } from './merge.js';
import { compareStrings, goJsonString, isMap } from './value.js';

/** One entry of metadata.managedFields, fields in upstream's order. */
export interface ManagedFieldsEntry {
  manager?: string;
  operation?: string;
  apiVersion?: string;
  time?: string;
  fieldsType?: string;
  fieldsV1?: FieldsV1;
  subresource?: string;
}

/** Decoded managedFields: what each manager identifier owns, and when it last wrote. */
export interface Managed {
  sets: ManagerSets;
  times: Map<string, string | undefined>;
}

/** At most this many Update entries are kept (DefaultMaxUpdateManagers). */
export const MAX_UPDATE_MANAGERS = 10;

/** The bucket the oldest Update entries merge into, one per apiVersion. */
export const ANCIENT_CHANGES = 'ancient-changes';

/** The Update manager that takes the fields of an object without managedFields on its first apply. */
export const BEFORE_FIRST_APPLY = 'before-first-apply';

/** The longest manager name (FieldManagerMaxLength). */
export const FIELD_MANAGER_MAX_LENGTH = 128;

const MAX_SUBRESOURCE_NAME_LENGTH = 256;

/** An empty Managed. */
export function emptyManaged(): Managed {
  return { sets: new Map(), times: new Map() };
}

/** The parts of an entry that name its manager. */
export interface ManagerInfo {
  manager: string;
  operation: 'Apply' | 'Update';
  apiVersion?: string | undefined;
  subresource?: string | undefined;
}

/** BuildManagerIdentifier: the JSON naming a manager (apiVersion left out for Apply). */
export function managerIdentifier(info: ManagerInfo): string {
  // Every write names its manager; the few distinct ones are built once.
  const apiVersion = info.apiVersion ?? '';
  const memoKey = `${info.manager.length}:${info.manager}${info.operation}${apiVersion.length}:${apiVersion}${info.subresource ?? ''}`;
  let id = identifiers.get(memoKey);
  if (id === undefined) remember(identifiers, memoKey, (id = buildIdentifier(info)));
  return id;
}

/** Memo tables of managerIdentifier and parseIdentifier: bounded, emptied when full. */
const MEMO_LIMIT = 1024;
const identifiers = new Map<string, string>();
const parsedIdentifiers = new Map<string, Readonly<ManagerInfo>>();

function remember<V>(memo: Map<string, V>, key: string, value: V): void {
  if (memo.size >= MEMO_LIMIT) memo.clear();
  memo.set(key, value);
}

function buildIdentifier(info: ManagerInfo): string {
  const parts: string[] = [];
  if (info.manager) parts.push(`"manager":${goJsonString(info.manager)}`);
  parts.push(`"operation":${goJsonString(info.operation)}`);
  if (info.operation !== 'Apply' && info.apiVersion) parts.push(`"apiVersion":${goJsonString(info.apiVersion)}`);
  if (info.subresource) parts.push(`"subresource":${goJsonString(info.subresource)}`);
  return `{${parts.join(',')}}`;
}

/** The parts of an identifier; a non-JSON identifier is taken as a bare manager name. */
export function parseIdentifier(identifier: string): Readonly<ManagerInfo> {
  let info = parsedIdentifiers.get(identifier);
  if (info === undefined) remember(parsedIdentifiers, identifier, (info = Object.freeze(decodeIdentifier(identifier))));
  return info;
}

function decodeIdentifier(identifier: string): ManagerInfo {
  try {
    const parsed: unknown = JSON.parse(identifier);
    if (isMap(parsed)) {
      const str = (k: string): string | undefined => (typeof parsed[k] === 'string' ? (parsed[k] as string) : undefined);
      return {
        manager: str('manager') ?? '',
        operation: str('operation') === 'Apply' ? 'Apply' : 'Update',
        apiVersion: str('apiVersion'),
        subresource: str('subresource'),
      };
    }
  } catch {
    // not JSON: a bare name
  }
  return { manager: identifier, operation: 'Update' };
}

function str(value: unknown): string {
  return typeof value === 'string' ? value : '';
}

/**
 * DecodeManagedFields: entries → Managed. Throws Error worded as upstream for an entry whose
 * operation, apiVersion or fieldsType is wrong, or whose fieldsV1 does not parse.
 */
export function decodeManagedFields(entries: unknown): Managed {
  const managed = emptyManaged();
  if (!Array.isArray(entries)) return managed;
  entries.forEach((raw: unknown, i) => {
    const entry = isMap(raw) ? raw : {};
    const operation = str(entry['operation']);
    if (operation !== 'Apply' && operation !== 'Update') throw new Error('operation must be `Apply` or `Update`');
    const apiVersion = str(entry['apiVersion']);
    if (apiVersion.length < 1) throw new Error('apiVersion must not be empty');
    const fieldsType = str(entry['fieldsType']);
    if (fieldsType === '') throw new Error(`missing fieldsType in managed fields entry ${i}`);
    if (fieldsType !== 'FieldsV1') throw new Error(`invalid fieldsType ${JSON.stringify(fieldsType)} in managed fields entry ${i}`);
    const id = managerIdentifier({ manager: str(entry['manager']), operation, apiVersion, subresource: str(entry['subresource']) });
    let set: FieldSet;
    try {
      set = FieldSet.fromFieldsV1(entry['fieldsV1'] ?? {});
    } catch (err) {
      throw new Error(`error decoding versioned set from ${JSON.stringify(raw)}: error decoding set: ${(err as Error).message}`);
    }
    managed.sets.set(id, { set, apiVersion, applied: operation === 'Apply' });
    managed.times.set(id, typeof entry['time'] === 'string' ? entry['time'] : undefined);
  });
  return managed;
}

/** Seconds since the epoch of an RFC 3339 time; 0 when absent or unparsable. */
export function timeSeconds(time: string | undefined): number {
  if (!time) return 0;
  const ms = Date.parse(time);
  return Number.isNaN(ms) ? 0 : Math.floor(ms / 1000);
}

/** metav1.Time's wire form: RFC 3339 in UTC, second precision. */
export function formatTime(now: Date): string {
  // Writes within one second share the string (most writes of a busy second); NaN never matches.
  const second = Math.floor(now.getTime() / 1000);
  if (second !== lastSecond.second) lastSecond = { second, text: now.toISOString().replace(/\.\d+Z$/, 'Z') };
  return lastSecond.text;
}

let lastSecond = { second: Number.NaN, text: '' };

/** encodeManagedFields: Managed → sorted entries; undefined when nobody owns anything. */
export function encodeManagedFields(managed: Managed): ManagedFieldsEntry[] | undefined {
  if (managed.sets.size === 0) return undefined;
  const entries: ManagedFieldsEntry[] = [];
  for (const [id, owned] of managed.sets) {
    const info = parseIdentifier(id);
    const entry: ManagedFieldsEntry = {};
    if (info.manager) entry.manager = info.manager;
    entry.operation = owned.applied ? 'Apply' : info.operation;
    if (owned.apiVersion) entry.apiVersion = owned.apiVersion;
    const time = managed.times.get(id);
    if (time) entry.time = time;
    entry.fieldsType = 'FieldsV1';
    entry.fieldsV1 = owned.set.toFieldsV1();
    if (info.subresource) entry.subresource = info.subresource;
    entries.push(entry);
  }
  return entries.sort(
    (p, q) =>
      compareStrings(str(p.operation), str(q.operation)) ||
      timeSeconds(p.time) - timeSeconds(q.time) ||
      compareStrings(str(p.manager), str(q.manager)) ||
      compareStrings(str(p.apiVersion), str(q.apiVersion)) ||
      compareStrings(str(p.subresource), str(q.subresource)),
  );
}

/**
 * isResetManagedFields: a client clears managedFields by sending an empty list or a list of
 * one empty entry (`[{}]`).
 */
export function isResetManagedFields(entries: unknown): boolean {
  if (!Array.isArray(entries)) return false;
  if (entries.length === 0) return true;
  if (entries.length !== 1 || !isMap(entries[0])) return false;
  const entry = entries[0];
  const emptyString = (k: string): boolean => entry[k] === undefined || entry[k] === null || entry[k] === '';
  return (
    ['manager', 'operation', 'apiVersion', 'fieldsType', 'subresource'].every(emptyString) &&
    (entry['time'] === undefined || entry['time'] === null) &&
    (entry['fieldsV1'] === undefined || entry['fieldsV1'] === null)
  );
}

/**
 * capUpdateManagers: when more than `max` Update managers exist, the oldest (by time, then
 * identifier) are merged into one `ancient-changes` entry per apiVersion until `max` remain.
 * Mutates and returns `managed`.
 */
export function capUpdateManagers(managed: Managed, max = MAX_UPDATE_MANAGERS): Managed {
  const updaters = [...managed.sets].filter(([, owned]) => !owned.applied).map(([id]) => id);
  if (updaters.length <= max) return managed;
  updaters.sort((a, b) => timeSeconds(managed.times.get(a)) - timeSeconds(managed.times.get(b)) || compareStrings(a, b));
  const firstOfVersion = new Map<string, string>();
  let length = updaters.length;
  for (let i = 0; i < updaters.length && length > max; i++) {
    const id = updaters[i] as string;
    const owned = managed.sets.get(id);
    if (!owned) continue;
    const time = managed.times.get(id);
    const version = owned.apiVersion;
    const bucket = managerIdentifier({ manager: ANCIENT_CHANGES, operation: 'Update', apiVersion: version });
    const first = firstOfVersion.get(version);
    if (first === undefined) {
      firstOfVersion.set(version, id);
      continue;
    }
    if (!managed.sets.has(bucket)) {
      const firstSet = managed.sets.get(first);
      managed.sets.delete(first);
      if (firstSet) managed.sets.set(bucket, firstSet);
    }
    const bucketSet = managed.sets.get(bucket);
    managed.sets.set(bucket, { set: owned.set.union(bucketSet?.set ?? new FieldSet()), apiVersion: owned.apiVersion, applied: owned.applied });
    managed.sets.delete(id);
    length--;
    managed.times.set(bucket, time);
  }
  return managed;
}

const PRINTABLE = /^[\p{L}\p{M}\p{N}\p{P}\p{S} ]$/u;

/** ValidateFieldManager: at most 128 bytes, printable characters only. */
export function validateFieldManager(manager: string, path: string): FieldError[] {
  const errors: FieldError[] = [];
  if (Buffer.byteLength(manager) > FIELD_MANAGER_MAX_LENGTH) errors.push(field.tooLong(path, '', FIELD_MANAGER_MAX_LENGTH));
  let offset = 0;
  for (const ch of manager) {
    if (!PRINTABLE.test(ch)) {
      const code = (ch.codePointAt(0) as number).toString(16).toUpperCase().padStart(4, '0');
      errors.push(field.invalid(path, manager, `invalid character U+${code} (at position ${offset})`));
    }
    offset += Buffer.byteLength(ch);
  }
  return errors;
}

/**
 * The fieldManager and force checks of ValidatePatchOptions (`patch`: true; `apply`: an apply
 * patch) and Validate{Create,Update}Options. The caller reports them with the request's other
 * option errors as `invalid({ group: 'meta.k8s.io', name: 'PatchOptions' }, '', errors)` (422):
 * `PatchOptions.meta.k8s.io "" is invalid: fieldManager: Required value: is required for apply patch`.
 */
export function fieldManagerOptionErrors(options: {
  fieldManager: string | undefined;
  patch?: boolean;
  apply?: boolean;
  /** True when the request carries a `force` parameter at all. */
  forceGiven?: boolean;
}): FieldError[] {
  const errors: FieldError[] = [];
  if (options.apply) {
    if (!options.fieldManager) errors.push(field.required('fieldManager', 'is required for apply patch'));
  } else if (options.patch && options.forceGiven) {
    errors.push(field.forbidden('force', 'may not be specified for non-apply patch'));
  }
  errors.push(...validateFieldManager(options.fieldManager ?? '', 'fieldManager'));
  return errors;
}

/**
 * ValidateManagedFields: the 422 causes of bad entries, e.g.
 * `metadata.managedFields[0].operation: Required value: must not be empty`.
 */
export function validateManagedFields(entries: unknown, path = 'metadata.managedFields'): FieldError[] {
  const errors: FieldError[] = [];
  if (!Array.isArray(entries)) return errors;
  entries.forEach((raw: unknown, i) => {
    const entry = isMap(raw) ? raw : {};
    const at = `${path}[${i}]`;
    const operation = str(entry['operation']);
    if (operation === '') errors.push(field.required(`${at}.operation`, 'must not be empty'));
    else if (operation !== 'Apply' && operation !== 'Update') errors.push(field.notSupported(`${at}.operation`, operation, ['Apply', 'Update']));
    const fieldsType = str(entry['fieldsType']);
    if (fieldsType !== '' && fieldsType !== 'FieldsV1') errors.push(field.invalid(`${at}.fieldsType`, fieldsType, 'must be `FieldsV1`'));
    errors.push(...validateFieldManager(str(entry['manager']), `${at}.manager`));
    if (str(entry['subresource']).length > MAX_SUBRESOURCE_NAME_LENGTH)
      errors.push(field.tooLong(`${at}.subresource`, '', MAX_SUBRESOURCE_NAME_LENGTH));
  });
  return errors;
}

/**
 * prefixFromUserAgent: the default manager name, the User-Agent up to its first `/` without
 * unprintable characters, cut to 128 bytes (`kubectl.1.33/v1.33.1 (linux/amd64) ...` → `kubectl.1.33`).
 */
export function managerFromUserAgent(userAgent: string | undefined): string {
  const prefix = (userAgent ?? '').split('/')[0] ?? '';
  let out = '';
  for (const ch of prefix) {
    if (!PRINTABLE.test(ch)) continue;
    if (Buffer.byteLength(out) + Buffer.byteLength(ch) > FIELD_MANAGER_MAX_LENGTH) break;
    out += ch;
  }
  return out;
}

/** managerOrUserAgent: the `fieldManager` query parameter, or the User-Agent's prefix when empty. */
export function managerOrUserAgent(fieldManager: string | undefined, userAgent: string | undefined): string {
  return fieldManager ? fieldManager : managerFromUserAgent(userAgent);
}
