/**
 * Legacy token Secrets, the token half of kube-controller-manager's tokens controller
 * (pkg/controller/serviceaccount/tokens_controller.go): a Secret of type
 * `kubernetes.io/service-account-token` whose `kubernetes.io/service-account.name` annotation
 * names an existing ServiceAccount (and whose `…/service-account.uid` annotation, if set, is
 * that ServiceAccount's uid) gets `data.token` (a legacy JWT), `data.namespace`, `data.ca.crt`
 * (when kubemu has a CA) and the uid annotation. Secrets already filled are left alone; a
 * ca.crt that differs from kubemu's CA is replaced.
 *
 * It runs inside the server because the signing key lives there: it follows the Secret and
 * ServiceAccount watch caches (a ServiceAccount that appears later fills the Secrets waiting
 * for it) and writes through the Secret store as `kube-controller-manager`, one Secret at a time.
 * Upstream also deletes token Secrets of missing ServiceAccounts; that is left to the
 * service-account controller.
 * Owns: filling token Secrets. Must not: authenticate or serve HTTP.
 */
import { isStatusError } from '../api/errors.js';
import type { KubeObject } from '../api/types.js';
import type { Registry } from '../registry/registry.js';
import { objectOf, type Selectable } from '../watch/entry.js';
import type { Watcher } from '../watch/resource-cache.js';
import { registryLookup, type ObjectLookup } from './object-lookup.js';
import type { ServiceAccountTokens } from './service-account-token.js';

/** The Secret type of service-account tokens. */
export const SERVICE_ACCOUNT_TOKEN_TYPE = 'kubernetes.io/service-account-token';
/** The annotation naming a token Secret's ServiceAccount. */
export const SERVICE_ACCOUNT_NAME_ANNOTATION = 'kubernetes.io/service-account.name';
/** The annotation with the uid of a token Secret's ServiceAccount. */
export const SERVICE_ACCOUNT_UID_ANNOTATION = 'kubernetes.io/service-account.uid';

const MANAGER = 'kube-controller-manager';

/** Options of {@link fillTokenSecret} and {@link startLegacyTokenFiller}. */
export interface TokenSecretOptions {
  tokens: ServiceAccountTokens;
  lookup: ObjectLookup;
  /** PEM of the CA clients should trust (`data.ca.crt`); none when kubemu serves plain HTTP. */
  caCert?: string;
}

/**
 * The token Secret `secret` with what it lacks filled in (a changed copy), or undefined when it
 * is not a token Secret, its ServiceAccount is missing or has another uid, or nothing is missing.
 */
export function fillTokenSecret(secret: KubeObject, options: TokenSecretOptions): KubeObject | undefined {
  const plan = planFill(secret, options);
  if (!plan) return undefined;
  const { sa, namespace, name } = plan;
  const meta = secret.metadata ?? {};
  const data = { ...((secret.data ?? {}) as Record<string, string>) };
  if (plan.needsToken) data.token = Buffer.from(options.tokens.issueLegacy({ namespace, name: sa.name, uid: sa.uid }, name)).toString('base64');
  if (plan.needsNamespace) data.namespace = Buffer.from(namespace).toString('base64');
  if (plan.ca !== undefined) data['ca.crt'] = plan.ca;
  const annotations = { ...meta.annotations, [SERVICE_ACCOUNT_NAME_ANNOTATION]: sa.name, [SERVICE_ACCOUNT_UID_ANNOTATION]: sa.uid };
  return { ...secret, metadata: { ...meta, annotations }, data };
}

/** True when {@link fillTokenSecret} would change `secret` (decided without signing anything). */
export function needsFill(secret: KubeObject, options: TokenSecretOptions): boolean {
  return planFill(secret, options) !== undefined;
}

/** What a token Secret lacks. */
interface FillPlan {
  sa: { name: string; uid: string };
  namespace: string;
  name: string;
  needsToken: boolean;
  needsNamespace: boolean;
  /** The base64 CA to write, when ca.crt must change. */
  ca?: string;
}

function planFill(secret: KubeObject, options: TokenSecretOptions): FillPlan | undefined {
  const meta = secret.metadata ?? {};
  const saName = meta.annotations?.[SERVICE_ACCOUNT_NAME_ANNOTATION];
  const { namespace, name } = meta;
  if (secret.type !== SERVICE_ACCOUNT_TOKEN_TYPE || !saName || !namespace || !name || meta.deletionTimestamp) return undefined;
  const sa = options.lookup('serviceaccounts', namespace, saName);
  if (!sa || sa.metadata.deletionTimestamp) return undefined;
  const wantedUid = meta.annotations?.[SERVICE_ACCOUNT_UID_ANNOTATION];
  if (wantedUid && wantedUid !== sa.metadata.uid) return undefined;
  const data = (secret.data ?? {}) as Record<string, unknown>;
  const ca = options.caCert ? Buffer.from(options.caCert).toString('base64') : undefined;
  const plan: FillPlan = { sa: { name: sa.metadata.name, uid: sa.metadata.uid }, namespace, name, needsToken: !data.token, needsNamespace: !data.namespace };
  if (ca !== undefined && data['ca.crt'] !== ca) plan.ca = ca;
  return plan.needsToken || plan.needsNamespace || plan.ca !== undefined ? plan : undefined;
}

/** A running filler. */
export interface LegacyTokenFiller {
  /** Stops following the caches and waits for the write in progress. */
  stop(): Promise<void>;
}

/** Options of {@link startLegacyTokenFiller}. */
export interface LegacyTokenFillerOptions {
  registry: Registry;
  tokens: ServiceAccountTokens;
  caCert?: string;
  /** Where unexpected write errors go. */
  onError?: (err: unknown) => void;
}

/** Starts filling token Secrets, the existing ones first; call after `registry.start()`. */
export function startLegacyTokenFiller(options: LegacyTokenFillerOptions): LegacyTokenFiller {
  const { registry } = options;
  const secrets = registry.storeFor('', 'secrets');
  const serviceAccounts = registry.storeFor('', 'serviceaccounts');
  const fill: TokenSecretOptions = { tokens: options.tokens, lookup: registryLookup(registry), ...(options.caCert ? { caCert: options.caCert } : {}) };
  const pending = new Set<string>();
  let running: Promise<void> | undefined;
  let stopped = false;
  const isTokenSecret = (s: Selectable) => s.fields.type === SERVICE_ACCOUNT_TOKEN_TYPE;

  const sync = async (key: string): Promise<void> => {
    const [namespace, name] = key.split('/') as [string, string];
    const entry = secrets.cache.get(`${secrets.cache.prefix}${key}`);
    if (!entry || !needsFill(objectOf(entry), fill)) return;
    try {
      await secrets.update(namespace, name, (current) => fillTokenSecret(current, fill) ?? current, { manager: MANAGER });
    } catch (err) {
      if (!(isStatusError(err) && (err.code === 404 || err.code === 409))) options.onError?.(err);
    }
  };
  const drain = async (): Promise<void> => {
    for (const key of pending) {
      if (stopped) return;
      pending.delete(key);
      await sync(key);
    }
  };
  const schedule = (key: string) => {
    pending.add(key);
    if (running || stopped) return;
    running = new Promise<void>((resolve) => setImmediate(resolve))
      .then(drain)
      .finally(() => {
        running = undefined;
        if (pending.size && !stopped) schedule(pending.values().next().value as string);
      });
  };

  const secretWatcher: Watcher = {
    filter: isTokenSecret,
    sink: {
      send: (type, entry) => {
        if (type !== 'DELETED') schedule(`${entry.namespace}/${entry.name}`);
        return true;
      },
    },
    onExpired: () => {},
  };
  const accountWatcher: Watcher = {
    filter: () => true,
    sink: {
      send: (type, entry) => {
        if (type !== 'ADDED' || !entry.namespace) return true;
        for (const secret of secrets.list(entry.namespace, { filter: isTokenSecret }).entries) schedule(`${secret.namespace}/${secret.name}`);
        return true;
      },
    },
    onExpired: () => {},
  };
  const unwatch = [secrets.cache.watch(secretWatcher, undefined), serviceAccounts.cache.watch(accountWatcher, undefined)];
  return {
    stop: async () => {
      stopped = true;
      for (const stop of unwatch) stop();
      await running;
    },
  };
}
