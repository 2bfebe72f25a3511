/**
 * A virtual Pod as its host copy, and the host Pod's status as the virtual one's, following
 * vcluster's pod translator (pods/translate/translator.go) with kubemu's choices:
 *
 * - metadata: translated name and labels, ownership annotations, plus the pod annotations
 *   `vcluster.loft.sh/name|namespace|uid|service-account-name|labels|owner-references`.
 * - ConfigMap, Secret and PVC references (volumes, projected sources, env, envFrom,
 *   imagePullSecrets) renamed to their host names; the objects are synced by their syncers.
 * - service account: the host pod runs as the host namespace's `default` account with
 *   `automountServiceAccountToken: false`; the VIRTUAL account's token (minted by the virtual
 *   cluster, bound to the virtual pod) lives in the host Secret `<host pod name>-sa-token`
 *   (vcluster's `useSecretsForSATokens` mode) with `token`, `ca.crt` and `namespace`, mounted
 *   where the kubelet mounts it; projected `serviceAccountToken` sources read that Secret.
 * - env: `KUBERNETES_SERVICE_HOST/PORT` pointing at the virtual API (when known) go first;
 *   service links off; downward-API fields of name/namespace/uid/serviceAccountName read the
 *   vcluster annotations.
 * - DNS: with a DNS address given, ClusterFirst becomes `None` with that nameserver and the
 *   virtual search path; without one, the host's DNS is kept.
 * - nodeName and nodeSelector are copied (the host scheduler places the pod); priority, the
 *   subdomain and status are dropped; hostname defaults to the virtual pod name.
 *
 * Owns: pod spec/status translation. Must not: do I/O.
 */
import type { KubeObject, StoredObject } from '../api/types.js';
import { hostMetadata, hostName, MARKERS, type TranslateContext } from './translate.js';

type Rec = Record<string, unknown>;

/** Where synced pods reach the virtual cluster. */
export interface PodEnvironment {
  /** The address and port of the virtual API server as seen from host pods. */
  apiHost?: string;
  apiPort?: number;
  /** A nameserver resolving virtual names, and the cluster domain. */
  dnsIP?: string;
  clusterDomain?: string;
}

/** The names a pod spec refers to, per kind. */
export interface PodReferences {
  configmaps: Set<string>;
  secrets: Set<string>;
  pvcs: Set<string>;
}

const TOKEN_MOUNT = '/var/run/secrets/kubernetes.io/serviceaccount';
const TOKEN_VOLUME = 'kube-api-access-vcluster';

function arr(value: unknown): Rec[] {
  return Array.isArray(value) ? (value as Rec[]) : [];
}

function rec(value: unknown): Rec | undefined {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Rec) : undefined;
}

/** The host Secret holding a synced pod's service-account token. */
export function tokenSecretName(ctx: TranslateContext, podNamespace: string, podName: string): string {
  return `${hostName(podName, podNamespace, ctx.vcluster)}-sa-token`.slice(0, 253);
}

/** Every ConfigMap, Secret and PVC a pod spec names. */
export function podReferences(spec: Rec): PodReferences {
  const refs: PodReferences = { configmaps: new Set(), secrets: new Set(), pvcs: new Set() };
  visitReferences(spec, {
    configmap: (n) => (refs.configmaps.add(n), n),
    secret: (n) => (refs.secrets.add(n), n),
    pvc: (n) => (refs.pvcs.add(n), n),
  });
  return refs;
}

type Renamer = { configmap(name: string): string; secret(name: string): string; pvc(name: string): string };

/** Writes `value` only when it differs, so visiting a frozen (informer-cached) spec is safe. */
function set(target: Rec, key: string, value: string): void {
  if (target[key] !== value) target[key] = value;
}

/** Calls the renamer on every reference in `spec`, replacing each name with its answer (in place). */
function visitReferences(spec: Rec, rename: Renamer): void {
  for (const volume of arr(spec.volumes)) {
    const cm = rec(volume.configMap);
    if (cm && typeof cm.name === 'string') set(cm, 'name', rename.configmap(cm.name));
    const secret = rec(volume.secret);
    if (secret && typeof secret.secretName === 'string') set(secret, 'secretName', rename.secret(secret.secretName));
    const pvc = rec(volume.persistentVolumeClaim);
    if (pvc && typeof pvc.claimName === 'string') set(pvc, 'claimName', rename.pvc(pvc.claimName));
    for (const source of arr(rec(volume.projected)?.sources)) {
      const pcm = rec(source.configMap);
      if (pcm && typeof pcm.name === 'string') set(pcm, 'name', rename.configmap(pcm.name));
      const psecret = rec(source.secret);
      if (psecret && typeof psecret.name === 'string') set(psecret, 'name', rename.secret(psecret.name));
    }
  }
  for (const c of [...arr(spec.initContainers), ...arr(spec.containers), ...arr(spec.ephemeralContainers)]) {
    for (const env of arr(c.env)) {
      const from = rec(env.valueFrom);
      const cmRef = rec(from?.configMapKeyRef);
      if (cmRef && typeof cmRef.name === 'string') set(cmRef, 'name', rename.configmap(cmRef.name));
      const secretRef = rec(from?.secretKeyRef);
      if (secretRef && typeof secretRef.name === 'string') set(secretRef, 'name', rename.secret(secretRef.name));
    }
    for (const envFrom of arr(c.envFrom)) {
      const cmRef = rec(envFrom.configMapRef);
      if (cmRef && typeof cmRef.name === 'string') set(cmRef, 'name', rename.configmap(cmRef.name));
      const secretRef = rec(envFrom.secretRef);
      if (secretRef && typeof secretRef.name === 'string') set(secretRef, 'name', rename.secret(secretRef.name));
    }
  }
  for (const pull of arr(spec.imagePullSecrets)) if (typeof pull.name === 'string') set(pull, 'name', rename.secret(pull.name));
}

const DOWNWARD_FIELDS: Record<string, string> = {
  'metadata.name': `metadata.annotations['${MARKERS.podName}']`,
  'metadata.namespace': `metadata.annotations['${MARKERS.podNamespace}']`,
  'metadata.uid': `metadata.annotations['${MARKERS.podUid}']`,
  'spec.serviceAccountName': `metadata.annotations['${MARKERS.podServiceAccount}']`,
  'metadata.labels': `metadata.annotations['${MARKERS.podLabels}']`,
};

function rewriteFieldRef(fieldRef: Rec | undefined): void {
  if (fieldRef && typeof fieldRef.fieldPath === 'string' && DOWNWARD_FIELDS[fieldRef.fieldPath]) fieldRef.fieldPath = DOWNWARD_FIELDS[fieldRef.fieldPath];
}

/** Whether the virtual pod wants its service-account token mounted. */
export function wantsToken(vPod: KubeObject): boolean {
  return (rec(vPod.spec)?.automountServiceAccountToken as boolean | undefined) !== false;
}

/** The host Pod of a virtual one. `hasToken`: the token Secret exists and is mounted. */
export function toHostPod(ctx: TranslateContext, vPod: StoredObject, env: PodEnvironment = {}): KubeObject {
  const meta = hostMetadata(ctx, vPod);
  const vNs = vPod.metadata.namespace ?? '';
  const vName = vPod.metadata.name;
  const spec = structuredClone(rec(vPod.spec) ?? {});
  const sa = typeof spec.serviceAccountName === 'string' ? spec.serviceAccountName : 'default';
  Object.assign(meta.annotations!, {
    [MARKERS.podName]: vName,
    [MARKERS.podNamespace]: vNs,
    [MARKERS.podUid]: vPod.metadata.uid,
    [MARKERS.podServiceAccount]: sa,
    [MARKERS.podLabels]: Object.entries(vPod.metadata.labels ?? {}).map(([k, v]) => `${k}=${JSON.stringify(v)}`).join('\n'),
  });
  if (vPod.metadata.ownerReferences?.length) meta.annotations![MARKERS.podOwnerReferences] = JSON.stringify(vPod.metadata.ownerReferences);

  visitReferences(spec, {
    configmap: (n) => hostName(n, vNs, ctx.vcluster),
    secret: (n) => hostName(n, vNs, ctx.vcluster),
    pvc: (n) => hostName(n, vNs, ctx.vcluster),
  });

  const tokenSecret = tokenSecretName(ctx, vNs, vName);
  const mountToken = wantsToken(vPod);
  for (const volume of arr(spec.volumes)) {
    const projected = rec(volume.projected);
    if (!projected) continue;
    projected.sources = arr(projected.sources).map((source) => {
      const token = rec(source.serviceAccountToken);
      if (token) return { secret: { name: tokenSecret, items: [{ key: 'token', path: String(token.path ?? 'token') }] } };
      const downward = rec(source.downwardAPI);
      for (const item of arr(downward?.items)) rewriteFieldRef(rec(item.fieldRef));
      return source;
    });
  }
  for (const volume of arr(spec.volumes)) for (const item of arr(rec(volume.downwardAPI)?.items)) rewriteFieldRef(rec(item.fieldRef));

  const kubernetesEnv: Rec[] = [];
  if (env.apiHost) {
    const port = String(env.apiPort ?? 443);
    kubernetesEnv.push(
      { name: 'KUBERNETES_SERVICE_HOST', value: env.apiHost },
      { name: 'KUBERNETES_SERVICE_PORT', value: port },
      { name: 'KUBERNETES_SERVICE_PORT_HTTPS', value: port },
      { name: 'KUBERNETES_PORT', value: `tcp://${env.apiHost}:${port}` },
      { name: `KUBERNETES_PORT_${port}_TCP`, value: `tcp://${env.apiHost}:${port}` },
      { name: `KUBERNETES_PORT_${port}_TCP_PROTO`, value: 'tcp' },
      { name: `KUBERNETES_PORT_${port}_TCP_PORT`, value: port },
      { name: `KUBERNETES_PORT_${port}_TCP_ADDR`, value: env.apiHost },
    );
  }
  const hasTokenMount = (c: Rec) => arr(c.volumeMounts).some((m) => m.mountPath === TOKEN_MOUNT);
  for (const c of [...arr(spec.initContainers), ...arr(spec.containers)]) {
    const userEnv = arr(c.env);
    for (const e of userEnv) rewriteFieldRef(rec(rec(e.valueFrom)?.fieldRef));
    const names = new Set(userEnv.map((e) => e.name));
    c.env = [...kubernetesEnv.filter((e) => !names.has(e.name)), ...userEnv];
    if ((c.env as Rec[]).length === 0) delete c.env;
    if (mountToken && !hasTokenMount(c)) c.volumeMounts = [...arr(c.volumeMounts), { name: TOKEN_VOLUME, mountPath: TOKEN_MOUNT, readOnly: true }];
  }
  if (mountToken) spec.volumes = [...arr(spec.volumes), { name: TOKEN_VOLUME, secret: { secretName: tokenSecret } }];

  spec.enableServiceLinks = false;
  spec.automountServiceAccountToken = false;
  delete spec.serviceAccountName;
  delete spec.serviceAccount;
  delete spec.priority;
  delete spec.priorityClassName;
  delete spec.subdomain;
  if (!spec.hostname) spec.hostname = vName.slice(0, 63).replaceAll('.', '-').replace(/-+$/, '');

  if (env.dnsIP && (spec.dnsPolicy === undefined || spec.dnsPolicy === 'ClusterFirst' || spec.dnsPolicy === 'ClusterFirstWithHostNet')) {
    const domain = env.clusterDomain ?? 'cluster.local';
    const user = rec(spec.dnsConfig) ?? {};
    spec.dnsPolicy = 'None';
    spec.dnsConfig = {
      nameservers: [env.dnsIP, ...arr(user.nameservers)],
      searches: [`${vNs}.svc.${domain}`, `svc.${domain}`, domain, ...arr(user.searches)],
      options: arr(user.options).length ? user.options : [{ name: 'ndots', value: '5' }],
    };
  }
  return { apiVersion: 'v1', kind: 'Pod', metadata: meta, spec };
}

/**
 * The virtual pod's status from its host pod's: everything copied except `qosClass` (the
 * virtual one stays) and container statuses of containers the virtual spec does not have.
 */
export function virtualPodStatus(vPod: StoredObject, hPod: StoredObject): Rec {
  const hostStatus = structuredClone(rec(hPod.status) ?? {});
  const vStatus = rec(vPod.status) ?? {};
  const vSpec = rec(vPod.spec) ?? {};
  const names = (list: unknown) => new Set(arr(list).map((c) => c.name));
  const containers = names(vSpec.containers);
  const inits = names(vSpec.initContainers);
  if (Array.isArray(hostStatus.containerStatuses)) hostStatus.containerStatuses = arr(hostStatus.containerStatuses).filter((s) => containers.has(s.name));
  if (Array.isArray(hostStatus.initContainerStatuses)) hostStatus.initContainerStatuses = arr(hostStatus.initContainerStatuses).filter((s) => inits.has(s.name));
  if (vStatus.qosClass !== undefined) hostStatus.qosClass = vStatus.qosClass;
  else delete hostStatus.qosClass;
  return hostStatus;
}
