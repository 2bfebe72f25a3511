/**
 * Cell formatting shared by the printers, each reproducing an upstream helper: HumanDuration
 * (apimachinery `pkg/util/duration`), translateTimestampSince, labels.FormatLabels, the
 * container/image layout, JoinHostPort, access-mode abbreviations, "+ N more..." lists.
 * Owns: these pure string functions. Must not: know kinds, HTTP or storage.
 */
import { compareGoStrings } from '../../api/label-selector.js';

const SECOND = 1000;
const MINUTE = 60 * SECOND;
const HOUR = 60 * MINUTE;

/**
 * duration.HumanDuration: ~2-3 significant figures, e.g. `45s`, `3m2s`, `10m`, `5h12m`, `20h`,
 * `3d4h`, `30d`, `2y15d`, `9y`. Up to 2 s in the future counts as now (`0s`); beyond, `<invalid>`.
 * Go truncates every division toward zero, as `Math.trunc` does here.
 */
export function humanDuration(ms: number): string {
  const seconds = Math.trunc(ms / SECOND);
  if (seconds < -1) return '<invalid>';
  if (seconds < 0) return '0s';
  if (seconds < 60 * 2) return `${seconds}s`;
  const minutes = Math.trunc(ms / MINUTE);
  if (minutes < 10) {
    const s = seconds % 60;
    return s === 0 ? `${minutes}m` : `${minutes}m${s}s`;
  }
  if (minutes < 60 * 3) return `${minutes}m`;
  const hours = Math.trunc(ms / HOUR);
  if (hours < 8) {
    const m = minutes % 60;
    return m === 0 ? `${hours}h` : `${hours}h${m}m`;
  }
  if (hours < 48) return `${hours}h`;
  const days = Math.trunc(hours / 24);
  if (hours < 24 * 8) {
    const h = hours % 24;
    return h === 0 ? `${days}d` : `${days}d${h}h`;
  }
  if (hours < 24 * 365 * 2) return `${days}d`;
  const years = Math.trunc(days / 365);
  if (hours < 24 * 365 * 8) {
    const dy = days % 365;
    return dy === 0 ? `${years}y` : `${years}y${dy}d`;
  }
  return `${years}y`;
}

/** Milliseconds since the epoch of an RFC 3339 (Micro)Time, or undefined for an absent (zero) one. */
export function parseTime(value: unknown): number | undefined {
  if (typeof value !== 'string' || value === '') return undefined;
  const t = Date.parse(value);
  return Number.isNaN(t) ? undefined : t;
}

/** translateTimestampSince / translateMicroTimestampSince: age of a timestamp, `<unknown>` when unset. */
export function since(timestamp: unknown, now: number): string {
  const t = parseTime(timestamp);
  return t === undefined ? '<unknown>' : humanDuration(now - t);
}

/** The AGE cell of an object: its creationTimestamp's age. */
export function age(obj: { metadata?: { creationTimestamp?: unknown } }, now: number): string {
  return since(obj.metadata?.creationTimestamp, now);
}

/** labels.FormatLabels: `k=v` pairs sorted by key, comma-joined; `<none>` when empty. */
export function formatLabels(labels: Readonly<Record<string, string>> | null | undefined): string {
  const keys = Object.keys(labels ?? {}).sort(compareGoStrings);
  if (keys.length === 0) return '<none>';
  return keys.map((k) => `${k}=${labels![k]}`).join(',');
}

/** A container as the printers read it. */
export interface ContainerLike {
  name?: string;
  image?: string;
}

/** layoutContainerCells: container names and images, each comma-joined in spec order. */
export function layoutContainers(containers: readonly ContainerLike[] | null | undefined): [string, string] {
  const list = containers ?? [];
  return [list.map((c) => c.name ?? '').join(','), list.map((c) => c.image ?? '').join(',')];
}

/** net.JoinHostPort: IPv6 hosts (any `:`) in brackets. */
export function joinHostPort(host: string, port: string | number): string {
  return host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`;
}

/** helper.GetAccessModesAsString: RWO, ROX, RWX, RWOP in that order, each once, comma-joined. */
export function accessModes(modes: readonly string[] | null | undefined): string {
  const have = new Set(modes ?? []);
  const out: string[] = [];
  if (have.has('ReadWriteOnce')) out.push('RWO');
  if (have.has('ReadOnlyMany')) out.push('ROX');
  if (have.has('ReadWriteMany')) out.push('RWX');
  if (have.has('ReadWriteOncePod')) out.push('RWOP');
  return out.join(',');
}

/**
 * A resource.Quantity value read from a map (Go's zero Quantity prints `0`). Quantities are
 * printed as stored; kube-apiserver would print their canonical form.
 */
export function quantity(value: unknown): string {
  if (typeof value === 'string' && value !== '') return value;
  if (typeof value === 'number') return String(value);
  return '0';
}

/** A *resource.Quantity pointer's String(): `<nil>` when absent. */
export function quantityPointer(value: unknown): string {
  return value === undefined || value === null ? '<nil>' : quantity(value);
}

/** printBool: `True` / `False`. */
export function printBool(value: boolean): string {
  return value ? 'True' : 'False';
}

/** listWithMoreString: at most `max` entries then ` + N more...`; `<unset>` when empty. */
export function listWithMore(items: readonly string[], max: number): string {
  const text = items.slice(0, max).join(',');
  if (items.length > max) return `${text} + ${items.length - max} more...`;
  return text === '' ? '<unset>' : text;
}

/** Sorted unique strings, as Go's sets.String List(). */
export function sortedSet(items: Iterable<string>): string[] {
  return [...new Set(items)].sort(compareGoStrings);
}
