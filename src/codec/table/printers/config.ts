/**
 * Printers for configuration and small cluster kinds (upstream printConfigMap, printSecret,
 * printServiceAccount, printResourceQuota, printLease, printPriorityClass). Counts (DATA,
 * SECRETS, VALUE) are integer cells even where upstream's column says string.
 * Owns: these kinds' columns and cells. Must not: know HTTP, storage or other kinds.
 */
import { compareGoStrings } from '../../../api/label-selector.js';
import type { KubeObject } from '../../../api/types.js';
import { AGE, column, columns, integer, NAME } from '../columns.js';
import { DOC } from '../descriptions.js';
import { age, quantity } from '../format.js';
import type { Printer, PrintContext } from '../types.js';

interface ConfigMap extends KubeObject {
  data?: Record<string, string>;
  binaryData?: Record<string, string>;
}

interface Secret extends KubeObject {
  type?: string;
  data?: Record<string, string>;
  stringData?: Record<string, string>;
}

interface ServiceAccount extends KubeObject {
  secrets?: unknown[];
}

interface ResourceQuota extends KubeObject {
  status?: { hard?: Record<string, unknown>; used?: Record<string, unknown> };
}

interface Lease extends KubeObject {
  spec?: { holderIdentity?: string };
}

interface PriorityClass extends KubeObject {
  value?: number;
  globalDefault?: boolean;
  preemptionPolicy?: string;
}

const name = (o: KubeObject): string => o.metadata?.name ?? '';
const size = (m: Record<string, unknown> | undefined): number => Object.keys(m ?? {}).length;

/** configmaps: Name, Data (number of data plus binaryData keys), Age. */
export const configMapPrinter: Printer = {
  columns: columns(NAME, column('Data', DOC.cmData), AGE),
  cells(obj: KubeObject, { now }: PrintContext): unknown[] {
    const cm = obj as ConfigMap;
    return [name(cm), size(cm.data) + size(cm.binaryData), age(cm, now)];
  },
};

/** secrets: Name, Type (`Opaque` when unset, as defaulted), Data (key count; stringData merges into data), Age. */
export const secretPrinter: Printer = {
  columns: columns(NAME, column('Type', DOC.secretType), column('Data', DOC.secretData), AGE),
  cells(obj: KubeObject, { now }: PrintContext): unknown[] {
    const s = obj as Secret;
    const keys = new Set([...Object.keys(s.data ?? {}), ...Object.keys(s.stringData ?? {})]);
    return [name(s), s.type || 'Opaque', keys.size, age(s, now)];
  },
};

/** serviceaccounts: Name, Secrets (count), Age. */
export const serviceAccountPrinter: Printer = {
  columns: columns(NAME, column('Secrets', DOC.saSecrets), AGE),
  cells(obj: KubeObject, { now }: PrintContext): unknown[] {
    const sa = obj as ServiceAccount;
    return [name(sa), (sa.secrets ?? []).length, age(sa, now)];
  },
};

/**
 * The REQUEST and LIMIT cells of a quota: `resource: used/hard` for every hard resource, sorted
 * by name; `limits.*` resources go to LIMIT, all others to REQUEST.
 */
function quotaCells(q: ResourceQuota): [string, string] {
  const hard = q.status?.hard ?? {};
  const used = q.status?.used ?? {};
  const requests: string[] = [];
  const limits: string[] = [];
  for (const resource of Object.keys(hard).sort(compareGoStrings)) {
    const pieces = resource.split('.');
    const target = pieces.length > 1 && pieces[0] === 'limits' ? limits : requests;
    target.push(`${resource}: ${quantity(used[resource])}/${quantity(hard[resource])}`);
  }
  return [requests.join(', '), limits.join(', ')];
}

/** resourcequotas: Name, Request, Limit, Age. */
export const resourceQuotaPrinter: Printer = {
  columns: columns(
    NAME,
    column('Request', 'Request represents a minimum amount of cpu/memory that a container may consume.'),
    column('Limit', 'Limits control the maximum amount of cpu/memory that a container may use independent of contention on the node.'),
    AGE,
  ),
  cells(obj: KubeObject, { now }: PrintContext): unknown[] {
    const q = obj as ResourceQuota;
    const [request, limit] = quotaCells(q);
    return [name(q), request, limit, age(q, now)];
  },
};

/** leases: Name, Holder (empty when unheld), Age. */
export const leasePrinter: Printer = {
  columns: columns(NAME, column('Holder', DOC.leaseHolder), AGE),
  cells(obj: KubeObject, { now }: PrintContext): unknown[] {
    const l = obj as Lease;
    return [name(l), l.spec?.holderIdentity ?? '', age(l, now)];
  },
};

/**
 * priorityclasses: Name, Value, Global-Default, Age, PreemptionPolicy. The last column carries
 * no priority upstream although it is printed only in wide mode (the server's mode).
 */
export const priorityClassPrinter: Printer = {
  columns: columns(
    NAME,
    integer('Value', DOC.pcValue),
    column('Global-Default', DOC.pcGlobalDefault, { type: 'boolean' }),
    AGE,
    column('PreemptionPolicy', DOC.pcPreemption),
  ),
  cells(obj: KubeObject, { now }: PrintContext): unknown[] {
    const pc = obj as PriorityClass;
    return [name(pc), pc.value ?? 0, pc.globalDefault ?? false, age(pc, now), pc.preemptionPolicy ?? 'PreemptLowerPriority'];
  },
};
