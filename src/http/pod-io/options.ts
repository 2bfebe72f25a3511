/**
 * Query parameters of the pod-io subresources (PodLogOptions, PodExecOptions, PodAttachOptions,
 * PodPortForwardOptions) and the checks kube-apiserver makes before it reaches a kubelet: the
 * container is one of the pod's (or the only one, when none is named), the pod has a node.
 * Owns: query → options, and the upstream wording of their errors. Must not: do I/O.
 */
import { badRequest, invalid } from '../../api/errors.js';
import { field, type FieldError } from '../../api/field-errors.js';
import type { StoredObject } from '../../api/types.js';
import type { LogOptions, StreamOptions } from './backend.js';

/** A parsed query: repeated keys keep every value. */
export type RawQuery = Record<string, string | string[] | undefined>;

type Container = { name?: string };

const list = (value: string | string[] | undefined): string[] => (value === undefined ? [] : Array.isArray(value) ? value : [value]);
const last = (value: string | string[] | undefined): string | undefined => list(value).at(-1);

function bool(query: RawQuery, key: string): boolean {
  const value = last(query[key]);
  if (value === undefined || value === '') return false;
  if (value === 'true' || value === '1') return true;
  if (value === 'false' || value === '0') return false;
  throw badRequest(`invalid value for ${key}: ${JSON.stringify(value)}: strconv.ParseBool: parsing ${JSON.stringify(value)}: invalid syntax`);
}

function integer(query: RawQuery, key: string): number | undefined {
  const value = last(query[key]);
  if (value === undefined || value === '') return undefined;
  if (!/^-?\d+$/.test(value)) throw badRequest(`invalid value for ${key}: ${JSON.stringify(value)}: strconv.ParseInt: parsing ${JSON.stringify(value)}: invalid syntax`);
  return Number(value);
}

const names = (containers: unknown): string[] => (Array.isArray(containers) ? (containers as Container[]).map((c) => String(c.name ?? '')) : []);

/**
 * The container a request means (kube-apiserver's ValidateContainer): the named one when the
 * pod has it, the only one when none is named.
 */
export function resolveContainer(pod: StoredObject, requested: string | undefined): string {
  const spec = (pod.spec ?? {}) as { containers?: unknown; initContainers?: unknown; ephemeralContainers?: unknown };
  const main = names(spec.containers);
  const init = names(spec.initContainers);
  const ephemeral = names(spec.ephemeralContainers);
  const name = pod.metadata.name;
  if (!requested) {
    if (main.length === 1) return main[0]!;
    let message = `a container name must be specified for pod ${name}, choose one of: [${main.join(' ')}]`;
    if (init.length) message += ` or one of the init containers: [${init.join(' ')}]`;
    if (ephemeral.length) message += ` or one of the ephemeral containers: [${ephemeral.join(' ')}]`;
    throw badRequest(message);
  }
  if (![...main, ...init, ...ephemeral].includes(requested)) throw badRequest(`container ${requested} is not valid for pod ${name}`);
  return requested;
}

/** The node the pod is bound to; 400 `pod X does not have a host assigned` when none. */
export function requireNode(pod: StoredObject): string {
  const nodeName = (pod.spec as { nodeName?: string } | undefined)?.nodeName;
  if (!nodeName) throw badRequest(`pod ${pod.metadata.name} does not have a host assigned`);
  return nodeName;
}

/** PodLogOptions of a `pods/log` request for `pod` (422 for invalid values, as upstream). */
export function logOptions(pod: StoredObject, query: RawQuery): LogOptions {
  const errors: FieldError[] = [];
  const options: LogOptions = {
    container: resolveContainer(pod, last(query.container)),
    follow: bool(query, 'follow'),
    previous: bool(query, 'previous'),
    timestamps: bool(query, 'timestamps'),
  };
  const tailLines = integer(query, 'tailLines');
  const sinceSeconds = integer(query, 'sinceSeconds');
  const limitBytes = integer(query, 'limitBytes');
  const sinceTime = last(query.sinceTime);
  if (tailLines !== undefined) {
    if (tailLines < 0) errors.push(field.invalid('tailLines', tailLines, 'must be greater than or equal to 0'));
    options.tailLines = tailLines;
  }
  if (limitBytes !== undefined) {
    if (limitBytes < 1) errors.push(field.invalid('limitBytes', limitBytes, 'must be greater than 0'));
    options.limitBytes = limitBytes;
  }
  if (sinceSeconds !== undefined && sinceTime) errors.push(field.forbidden('', 'at most one of `sinceTime` or `sinceSeconds` may be specified'));
  if (sinceSeconds !== undefined) {
    if (sinceSeconds < 1) errors.push(field.invalid('sinceSeconds', sinceSeconds, 'must be greater than 0'));
    options.sinceSeconds = sinceSeconds;
  }
  if (sinceTime) {
    if (Number.isNaN(Date.parse(sinceTime))) throw badRequest(`invalid value for sinceTime: parsing time ${JSON.stringify(sinceTime)} as RFC 3339 failed`);
    options.sinceTime = sinceTime;
  }
  if (errors.length) throw invalid({ group: '', name: 'PodLogOptions' }, pod.metadata.name, errors);
  return options;
}

/** PodExecOptions (`exec`) or PodAttachOptions (`attach`) of a request for `pod`. */
export function streamOptions(pod: StoredObject, query: RawQuery, subresource: 'exec' | 'attach'): StreamOptions {
  const options: StreamOptions = {
    container: resolveContainer(pod, last(query.container)),
    stdin: bool(query, 'stdin'),
    stdout: bool(query, 'stdout'),
    stderr: bool(query, 'stderr'),
    tty: bool(query, 'tty'),
    command: list(query.command),
  };
  if (!options.stdin && !options.stdout && !options.stderr) throw badRequest('you must specify at least 1 of stdin, stdout, stderr');
  if (subresource === 'exec' && options.command.length === 0) throw badRequest('you must specify at least one command for the container');
  return options;
}

/** PodPortForwardOptions: the `ports` (repeated or comma-separated), each 1–65535. */
export function portForwardPorts(query: RawQuery): number[] {
  const ports: number[] = [];
  for (const value of list(query.ports).flatMap((v) => v.split(','))) {
    const text = value.trim();
    if (!text) continue;
    const port = /^\d+$/.test(text) ? Number(text) : NaN;
    if (!(port >= 1 && port <= 65535)) throw badRequest(`invalid port ${JSON.stringify(text)}: port must be > 0 and < 65536`);
    ports.push(port);
  }
  return ports;
}
