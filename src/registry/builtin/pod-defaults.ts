/**
 * Defaults of a pod spec that every client sees on a real cluster (SetDefaults_PodSpec and
 * SetDefaults_Container): restart and DNS policy, scheduler, grace period, per-container pull
 * policy and termination message. Applied to Pods and to the pod templates of workloads.
 * Owns: pod-spec defaulting. Must not: validate or do I/O.
 */

type Json = Record<string, unknown>;

function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The pull policy Kubernetes picks for an image: Always for `:latest` or no tag, else IfNotPresent. */
export function defaultPullPolicy(image: unknown): string {
  if (typeof image !== 'string') return 'IfNotPresent';
  if (image.includes('@')) return 'IfNotPresent';
  const lastSegment = image.slice(image.lastIndexOf('/') + 1);
  const tag = lastSegment.includes(':') ? lastSegment.slice(lastSegment.indexOf(':') + 1) : '';
  return !tag || tag === 'latest' ? 'Always' : 'IfNotPresent';
}

function defaultContainer(container: unknown): void {
  if (!isObject(container)) return;
  container.terminationMessagePath ??= '/dev/termination-log';
  container.terminationMessagePolicy ??= 'File';
  container.imagePullPolicy ??= defaultPullPolicy(container.image);
  container.resources ??= {};
  if (Array.isArray(container.ports))
    for (const port of container.ports) if (isObject(port)) port.protocol ??= 'TCP';
}

/** Fills the defaults of a pod spec in place. */
export function defaultPodSpec(spec: unknown): void {
  if (!isObject(spec)) return;
  spec.restartPolicy ??= 'Always';
  spec.terminationGracePeriodSeconds ??= 30;
  spec.dnsPolicy ??= 'ClusterFirst';
  spec.securityContext ??= {};
  spec.schedulerName ??= 'default-scheduler';
  spec.enableServiceLinks ??= true;
  for (const list of [spec.containers, spec.initContainers]) if (Array.isArray(list)) list.forEach(defaultContainer);
}

/** Fills the defaults of `spec.template.spec` of a workload in place. */
export function defaultTemplate(spec: unknown): void {
  if (!isObject(spec) || !isObject(spec.template)) return;
  defaultPodSpec(spec.template.spec);
}

/** `spec` of an object as a plain record, created when missing. */
export function specOf(obj: { spec?: unknown; [key: string]: unknown }): Json {
  if (!isObject(obj.spec)) obj.spec = {};
  return obj.spec as Json;
}

export { isObject };
