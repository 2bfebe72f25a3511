/**
 * The RBAC policy as the authorizer reads it: every Role and ClusterRole parsed once, and every
 * RoleBinding and ClusterRoleBinding indexed by the subjects it names, kept current by watching
 * the four watch caches (the same events that serve WATCH, so a binding is in force as soon as
 * its create is acknowledged).
 *
 * Bindings are found by subject, not scanned, so a decision costs what matches the user:
 *
 *   ClusterRoleBinding crb (Group dev)            → byScope[""].groups["dev"] = {crb}
 *   RoleBinding ns1/rb (User bob, SA ns1/builder) → byScope["ns1"].users["bob"] = {rb}
 *                                                   byScope["ns1"].users["system:serviceaccount:ns1:builder"] = {rb}
 *   user bob, groups [dev] in ns1 → look up users "bob" and groups "dev" in scopes "" and "ns1"
 *
 * A ServiceAccount subject is indexed under its user name (`system:serviceaccount:<ns>:<name>`,
 * the namespace defaulting to the binding's), which is exactly what upstream's
 * `serviceaccount.MatchesUsername` compares. Subjects of other kinds are never indexed.
 * Owns: the parsed policy and its indexes. Must not: decide requests or write anything.
 */
import type { StoredObject } from '../../api/types.js';
import { objectOf, type CacheEntry } from '../../watch/entry.js';
import type { ResourceCache } from '../../watch/resource-cache.js';
import type { UserInfo } from '../user.js';
import { normalizeRules } from './rules.js';
import type { PolicyRule, RoleRef, Subject } from './types.js';

/** A Role or ClusterRole as the index keeps it. */
export interface RoleRecord {
  namespace: string;
  name: string;
  labels: Readonly<Record<string, string>>;
  rules: readonly PolicyRule[];
  /** `aggregationRule.clusterRoleSelectors` of a ClusterRole (undefined when none). */
  clusterRoleSelectors?: readonly unknown[];
}

/** A RoleBinding (namespace set) or ClusterRoleBinding (namespace ''). */
export interface BindingRecord {
  kind: 'RoleBinding' | 'ClusterRoleBinding';
  namespace: string;
  name: string;
  roleRef: RoleRef;
  subjects: readonly Subject[];
}

/** The four watch caches the index follows. */
export interface PolicyCaches {
  roles: ResourceCache;
  roleBindings: ResourceCache;
  clusterRoles: ResourceCache;
  clusterRoleBindings: ResourceCache;
}

/** The ServiceAccount user name (`system:serviceaccount:<ns>:<name>`). */
export function serviceAccountUsername(namespace: string, name: string): string {
  return `system:serviceaccount:${namespace}:${name}`;
}

/** `ns/name` (n = 2) or `name` (n = 1) of a storage key: names never contain `/`. */
function lastSegments(key: string, n: number): string {
  return key.split('/').slice(-n).join('/');
}

/** Where a subject of a binding in `scope` ('' for cluster bindings) is indexed, or undefined when it can never apply. */
function subjectKey(scope: string, subject: Subject): { by: 'users' | 'groups'; name: string } | undefined {
  switch (subject.kind) {
    case 'User':
      return { by: 'users', name: subject.name };
    case 'Group':
      return { by: 'groups', name: subject.name };
    case 'ServiceAccount': {
      const namespace = subject.namespace || scope;
      return namespace ? { by: 'users', name: serviceAccountUsername(namespace, subject.name) } : undefined;
    }
    default:
      return undefined;
  }
}

/** The bindings of one scope by user name and by group name. */
interface ScopeIndex {
  users: Map<string, Set<BindingRecord>>;
  groups: Map<string, Set<BindingRecord>>;
}

/** appliesToUser: whether one subject of a binding in `scope` names the user. */
export function subjectApplies(user: UserInfo, subject: Subject, scope: string): boolean {
  switch (subject.kind) {
    case 'User':
      return user.name === subject.name;
    case 'Group':
      return user.groups.includes(subject.name);
    case 'ServiceAccount': {
      const namespace = subject.namespace || scope;
      return namespace !== '' && user.name === serviceAccountUsername(namespace, subject.name);
    }
    default:
      return false;
  }
}

function stringMap(value: unknown): Record<string, string> {
  if (typeof value !== 'object' || value === null) return {};
  return Object.fromEntries(Object.entries(value).filter((e): e is [string, string] => typeof e[1] === 'string'));
}

function roleRecord(obj: StoredObject): RoleRecord {
  const record: RoleRecord = {
    namespace: obj.metadata.namespace ?? '',
    name: obj.metadata.name,
    labels: Object.freeze(stringMap(obj.metadata.labels)),
    rules: Object.freeze(normalizeRules(obj.rules).map((r) => Object.freeze(r))),
  };
  const selectors = (obj.aggregationRule as { clusterRoleSelectors?: unknown } | undefined)?.clusterRoleSelectors;
  if (Array.isArray(selectors) && selectors.length > 0) record.clusterRoleSelectors = selectors;
  return Object.freeze(record);
}

function bindingRecord(obj: StoredObject, kind: BindingRecord['kind']): BindingRecord {
  const ref = (obj.roleRef ?? {}) as Partial<RoleRef>;
  const subjects = Array.isArray(obj.subjects) ? (obj.subjects as Subject[]).filter((s) => typeof s === 'object' && s !== null) : [];
  return Object.freeze({
    kind,
    namespace: obj.metadata.namespace ?? '',
    name: obj.metadata.name,
    roleRef: Object.freeze({ apiGroup: ref.apiGroup ?? '', kind: ref.kind ?? '', name: ref.name ?? '' }),
    subjects: Object.freeze(subjects.map((s) => Object.freeze({ ...s }))),
  });
}

/** The parsed RBAC policy, following the watch caches once `follow` is called. */
export class PolicyIndex {
  readonly #roles = new Map<string, RoleRecord>();
  readonly #clusterRoles = new Map<string, RoleRecord>();
  /** Cache key → binding, to unindex the previous state on change. */
  readonly #bindings = new Map<string, BindingRecord>();
  /** Scope ('' = cluster) → subjects → bindings. */
  readonly #byScope = new Map<string, ScopeIndex>();
  readonly #listeners = new Set<() => void>();
  #unfollow: Array<() => void> = [];

  /** Loads the current policy from `caches` and follows their changes until `stop`. */
  follow(caches: PolicyCaches): void {
    this.#unfollow = [
      this.#watch(caches.roles, (key, obj) => this.#setRole(this.#roles, lastSegments(key, 2), obj)),
      this.#watch(caches.clusterRoles, (key, obj) => {
        this.#setRole(this.#clusterRoles, lastSegments(key, 1), obj);
        for (const listener of this.#listeners) listener();
      }),
      this.#watch(caches.roleBindings, (key, obj) => this.#setBinding(key, obj, 'RoleBinding')),
      this.#watch(caches.clusterRoleBindings, (key, obj) => this.#setBinding(key, obj, 'ClusterRoleBinding')),
    ];
  }

  /** Stops following the caches. */
  stop(): void {
    for (const unfollow of this.#unfollow) unfollow();
    this.#unfollow = [];
  }

  /** Calls `listener` after every ClusterRole change (the aggregator's trigger); returns the unsubscribe. */
  onClusterRoleChange(listener: () => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /** The Role `namespace/name`. */
  role(namespace: string, name: string): RoleRecord | undefined {
    return this.#roles.get(`${namespace}/${name}`);
  }

  /** The ClusterRole `name`. */
  clusterRole(name: string): RoleRecord | undefined {
    return this.#clusterRoles.get(name);
  }

  /** Every ClusterRole, in no particular order. */
  clusterRoles(): IterableIterator<RoleRecord> {
    return this.#clusterRoles.values();
  }

  /**
   * The bindings of `scope` ('' = ClusterRoleBindings, else the RoleBindings of that namespace)
   * with a subject naming `user`, each once; cost is the number of matching bindings.
   */
  bindingsFor(user: UserInfo, scope: string): BindingRecord[] {
    // Plain loops, no closures: this runs on every request.
    const found: BindingRecord[] = [];
    const index = this.#byScope.get(scope);
    if (!index) return found;
    const byUser = index.users.get(user.name);
    if (byUser) for (const binding of byUser) found.push(binding);
    for (const group of user.groups) {
      const set = index.groups.get(group);
      if (!set) continue;
      for (const binding of set) if (!found.includes(binding)) found.push(binding);
    }
    return found;
  }

  /** The number of bindings indexed (both kinds). */
  get bindingCount(): number {
    return this.#bindings.size;
  }

  #watch(cache: ResourceCache, apply: (key: string, obj: StoredObject | undefined) => void): () => void {
    const send = (type: string, entry: CacheEntry): boolean => {
      apply(entry.key, type === 'DELETED' ? undefined : objectOf(entry));
      return true;
    };
    return cache.watch({ filter: () => true, sink: { send }, onExpired: () => {} }, undefined);
  }

  #setRole(map: Map<string, RoleRecord>, id: string, obj: StoredObject | undefined): void {
    if (obj) map.set(id, roleRecord(obj));
    else map.delete(id);
  }

  #setBinding(key: string, obj: StoredObject | undefined, kind: BindingRecord['kind']): void {
    const previous = this.#bindings.get(key);
    if (previous) this.#indexBinding(previous, false);
    if (!obj) {
      this.#bindings.delete(key);
      return;
    }
    const binding = bindingRecord(obj, kind);
    this.#bindings.set(key, binding);
    this.#indexBinding(binding, true);
  }

  #indexBinding(binding: BindingRecord, add: boolean): void {
    const scope = binding.kind === 'ClusterRoleBinding' ? '' : binding.namespace;
    let index = this.#byScope.get(scope);
    if (!index) {
      if (!add) return;
      this.#byScope.set(scope, (index = { users: new Map(), groups: new Map() }));
    }
    for (const subject of binding.subjects) {
      const key = subjectKey(scope, subject);
      if (key === undefined) continue;
      const map = index[key.by];
      let set = map.get(key.name);
      if (add) {
        if (!set) map.set(key.name, (set = new Set()));
        set.add(binding);
      } else if (set) {
        set.delete(binding);
        if (set.size === 0) map.delete(key.name);
      }
    }
    if (index.users.size === 0 && index.groups.size === 0) this.#byScope.delete(scope);
  }
}
