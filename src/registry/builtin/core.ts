/**
 * Strategies of core/v1 kinds that differ from the default: namespaces, services, pods,
 * endpoints, events, secrets, configmaps, replication controllers.
 * Owns: those kinds' create/update hooks. Must not: do I/O.
 */
import { randomInt } from 'node:crypto';
import { nameRules } from '../../api/names.js';
import type { KubeObject } from '../../api/types.js';
import { strategy, type Strategy } from '../strategy.js';
import { defaultPodSpec, defaultTemplate, isObject, specOf } from './pod-defaults.js';

const NAMESPACE_NAME_LABEL = 'kubernetes.io/metadata.name';

const namespaces = strategy({
  nameRule: nameRules.dnsLabel,
  returnDeletedObject: true,
  // A namespace stays until the namespace controller has emptied it and removed `kubernetes` (finalize).
  finalizersPending: (obj) => !!obj.metadata?.finalizers?.length || (Array.isArray(specOf(obj).finalizers) && (specOf(obj).finalizers as unknown[]).length > 0),
  prepareForDelete(obj) {
    obj.status = { ...(isObject(obj.status) ? obj.status : {}), phase: 'Terminating' };
  },
  prepareForCreate(obj) {
    const spec = specOf(obj);
    if (!Array.isArray(spec.finalizers)) spec.finalizers = ['kubernetes'];
    obj.status = { phase: 'Active' };
    labelWithName(obj);
  },
  prepareForUpdate(obj, old) {
    specOf(obj).finalizers = specOf(old).finalizers;
    labelWithName(obj);
  },
});

function labelWithName(obj: KubeObject): void {
  const meta = obj.metadata!;
  meta.labels = { ...meta.labels, [NAMESPACE_NAME_LABEL]: meta.name! };
}

/** A random address of the default service range 10.96.0.0/12 (10.96.0.1 is the kubernetes Service). */
function allocateClusterIP(): string {
  const offset = randomInt(2, 1 << 20);
  return `10.${96 + (offset >> 16)}.${(offset >> 8) & 0xff}.${offset & 0xff}`;
}

function defaultService(obj: KubeObject, old?: KubeObject): void {
  const spec = specOf(obj);
  const oldSpec = old ? specOf(old) : undefined;
  spec.type ??= 'ClusterIP';
  spec.sessionAffinity ??= 'None';
  if (spec.type !== 'ExternalName') {
    spec.clusterIP ??= oldSpec?.clusterIP ?? allocateClusterIP();
    spec.clusterIPs ??= oldSpec?.clusterIPs ?? (spec.clusterIP === 'None' ? ['None'] : [spec.clusterIP]);
    spec.ipFamilies ??= oldSpec?.ipFamilies ?? ['IPv4'];
    spec.ipFamilyPolicy ??= oldSpec?.ipFamilyPolicy ?? 'SingleStack';
    spec.internalTrafficPolicy ??= 'Cluster';
  }
  const exposed = spec.type === 'NodePort' || spec.type === 'LoadBalancer';
  if (exposed) spec.externalTrafficPolicy ??= oldSpec?.externalTrafficPolicy ?? 'Cluster';
  if (spec.type === 'LoadBalancer') spec.allocateLoadBalancerNodePorts ??= true;
  const oldPorts = Array.isArray(oldSpec?.ports) ? (oldSpec.ports as Record<string, unknown>[]) : [];
  if (Array.isArray(spec.ports))
    for (const port of spec.ports) {
      if (!isObject(port)) continue;
      port.protocol ??= 'TCP';
      port.targetPort ??= port.port;
      if (exposed) port.nodePort ??= oldPorts.find((o) => o.port === port.port && o.protocol === port.protocol)?.nodePort ?? allocateNodePort();
    }
}

/** A random port of the default node-port range 30000–32767. */
function allocateNodePort(): number {
  return randomInt(30000, 32768);
}

const services = strategy({
  nameRule: nameRules.dns1035Label,
  prepareForCreate(obj) {
    defaultService(obj);
    obj.status = { loadBalancer: {} };
  },
  prepareForUpdate(obj, old) {
    defaultService(obj, old);
  },
});

function qosClass(spec: Record<string, unknown>): string {
  const containers = Array.isArray(spec.containers) ? spec.containers : [];
  let any = false;
  let guaranteed = containers.length > 0;
  for (const c of containers) {
    const res = isObject(c) && isObject(c.resources) ? c.resources : {};
    const requests = isObject(res.requests) ? res.requests : {};
    const limits = isObject(res.limits) ? res.limits : {};
    if (Object.keys(requests).length || Object.keys(limits).length) any = true;
    if (!limits.cpu || !limits.memory || (requests.cpu && requests.cpu !== limits.cpu) || (requests.memory && requests.memory !== limits.memory))
      guaranteed = false;
  }
  return guaranteed ? 'Guaranteed' : any ? 'Burstable' : 'BestEffort';
}

const pods = strategy({
  returnDeletedObject: true,
  prepareForCreate(obj) {
    const spec = specOf(obj);
    defaultPodSpec(spec);
    obj.status = { phase: 'Pending', qosClass: qosClass(spec) };
  },
  prepareForUpdate(obj) {
    defaultPodSpec(specOf(obj));
  },
  // CheckGracefulDelete: only a pod bound to a node and not terminal waits for its node.
  gracefulDelete(obj, requested) {
    const spec = isObject(obj.spec) ? obj.spec : {};
    const phase = isObject(obj.status) ? obj.status.phase : undefined;
    if (!spec.nodeName || phase === 'Succeeded' || phase === 'Failed') return undefined;
    const configured = typeof spec.terminationGracePeriodSeconds === 'number' ? spec.terminationGracePeriodSeconds : 30;
    const grace = requested ?? configured;
    return grace > 0 ? grace : undefined;
  },
});


/** Secrets: `type` defaults to Opaque; `stringData` is merged into base64 `data` on write. */
function foldStringData(obj: KubeObject): void {
  obj.type ??= 'Opaque';
  if (isObject(obj.stringData)) {
    const data = isObject(obj.data) ? obj.data : {};
    for (const [key, value] of Object.entries(obj.stringData)) data[key] = Buffer.from(String(value)).toString('base64');
    obj.data = data;
    delete obj.stringData;
  }
}

const secrets = strategy({
  prepareForCreate: foldStringData,
  prepareForUpdate: foldStringData,
});

const replicationcontrollers = strategy({
  tracksGeneration: true,
  defaultGarbageCollectionPolicy: 'Orphan',
  prepareForCreate(obj) {
    specOf(obj).replicas ??= 1;
    defaultTemplate(obj.spec);
  },
  prepareForUpdate(obj) {
    defaultTemplate(obj.spec);
  },
});

/** Strategies of the core group by plural. */
export const coreStrategies: Record<string, Strategy> = {
  namespaces,
  services,
  pods,
  secrets,
  replicationcontrollers,
  endpoints: strategy({ allowCreateOnUpdate: true }),
  events: strategy({ allowCreateOnUpdate: true }),
  nodes: strategy({}),
};
