/**
 * Container rules of a pod spec, after `pkg/apis/core/validation` (validateContainers,
 * validateInitContainers, validateContainerCommon and the port, mount, probe and lifecycle
 * checks they call; env in ./env.ts, resources in ./resources.ts), with upstream's messages
 * and field paths.
 *
 * Values upstream defaults before validating (probe thresholds, httpGet scheme and path,
 * fieldRef apiVersion) count as defaulted when absent, so objects kubemu's strategies did not
 * default are not rejected for them.
 * Owns: container rules. Must not: know workloads or pods as objects.
 */
import { isIP } from 'node:net';
import { field, type FieldError } from '../../../api/field-errors.js';
import { isDNS1123Label } from '../../../api/names.js';
import { arr, child, inclusiveRange, index, isRec, nonNegative, num, rec, str, type Rec } from './common.js';
import { validateEnv, validateEnvFrom } from './env.js';
import { validateResources } from './resources.js';

/** What container rules need to know of the pod spec around them. */
export interface PodContext {
  /** Volume names declared by the pod (valid ones only, as upstream's map). */
  volumes: ReadonlySet<string>;
  /** spec.terminationGracePeriodSeconds (0 when absent, as upstream reads it). */
  gracePeriod: number;
}

/** validation.IsValidPortNum. */
export function portNumErrors(port: number): string[] {
  return port >= 1 && port <= 65535 ? [] : [inclusiveRange(1, 65535)];
}

/** validation.IsValidPortName. */
export function portNameErrors(name: string): string[] {
  const errs: string[] = [];
  if (name.length > 15) errs.push('must be no more than 15 characters');
  if (!/^[-a-z0-9]+$/.test(name)) errs.push('must contain only alpha-numeric characters (a-z, 0-9), and hyphens (-)');
  if (!/[a-z]/.test(name)) errs.push('must contain at least one letter (a-z)');
  if (name.includes('--')) errs.push('must not contain consecutive hyphens');
  if (name.startsWith('-') || name.endsWith('-')) errs.push('must not begin or end with a hyphen');
  return errs;
}

/** ValidatePortNumOrName for an IntOrString port (absent = int 0). */
export function validatePortNumOrName(port: unknown, path: string): FieldError[] {
  if (typeof port === 'string') return portNameErrors(port).map((m) => field.invalid(path, port, m));
  const n = typeof port === 'number' ? port : 0;
  return portNumErrors(n).map((m) => field.invalid(path, n, m));
}

const PROTOCOLS = ['SCTP', 'TCP', 'UDP'];

/** validateContainerPorts. */
export function validateContainerPorts(ports: unknown, path: string): FieldError[] {
  const errs: FieldError[] = [];
  const names = new Set<string>();
  arr(ports).forEach((p, i) => {
    const port = rec(p);
    const at = index(path, i);
    const name = str(port.name);
    if (name) {
      const msgs = portNameErrors(name);
      if (msgs.length) for (const m of msgs) errs.push(field.invalid(child(at, 'name'), name, m));
      else if (names.has(name)) errs.push(field.duplicate(child(at, 'name'), name));
      else names.add(name);
    }
    const containerPort = num(port.containerPort) ?? 0;
    if (containerPort === 0) errs.push(field.required(child(at, 'containerPort')));
    else for (const m of portNumErrors(containerPort)) errs.push(field.invalid(child(at, 'containerPort'), containerPort, m));
    const hostPort = num(port.hostPort) ?? 0;
    if (hostPort !== 0) for (const m of portNumErrors(hostPort)) errs.push(field.invalid(child(at, 'hostPort'), hostPort, m));
    const protocol = str(port.protocol) || 'TCP'; // defaulted upstream
    if (!PROTOCOLS.includes(protocol)) errs.push(field.notSupported(child(at, 'protocol'), protocol, PROTOCOLS));
  });
  return errs;
}

/** AccumulateUniqueHostPorts over `containers` (protocol/hostIP/hostPort triples). */
export function hostPortConflicts(containers: readonly unknown[], path: string): FieldError[] {
  const errs: FieldError[] = [];
  const seen = new Set<string>();
  containers.forEach((c, ci) => {
    arr(rec(c).ports).forEach((p, pi) => {
      const port = rec(p);
      const hostPort = num(port.hostPort) ?? 0;
      if (hostPort === 0) return;
      const id = `${str(port.protocol) || 'TCP'}/${str(port.hostIP)}/${hostPort}`;
      if (seen.has(id)) errs.push(field.duplicate(child(index(child(index(path, ci), 'ports'), pi), 'hostPort'), id));
      else seen.add(id);
    });
  });
  return errs;
}

/** validateLocalDescendingPath (no absolute paths, no `..` elements). */
export function localDescendingPath(target: string, path: string): FieldError[] {
  const errs: FieldError[] = [];
  if (target.startsWith('/')) errs.push(field.invalid(path, target, 'must be a relative path'));
  if (target.split('/').includes('..')) errs.push(field.invalid(path, target, "must not contain '..'"));
  return errs;
}

/** ValidateVolumeMounts (the checks users meet). */
function validateVolumeMounts(mounts: unknown, ctx: PodContext, path: string): FieldError[] {
  const errs: FieldError[] = [];
  const mountPoints = new Set<string>();
  arr(mounts).forEach((m, i) => {
    const mount = rec(m);
    const at = index(path, i);
    const name = str(mount.name);
    const mountPath = str(mount.mountPath);
    if (!name) errs.push(field.required(child(at, 'name')));
    if (!ctx.volumes.has(name)) errs.push(field.notFound(child(at, 'name'), name));
    if (!mountPath) errs.push(field.required(child(at, 'mountPath')));
    if (mountPoints.has(mountPath)) errs.push(field.invalid(child(at, 'mountPath'), mountPath, 'must be unique'));
    mountPoints.add(mountPath);
    const subPath = str(mount.subPath);
    const subPathExpr = str(mount.subPathExpr);
    if (subPath) errs.push(...localDescendingPath(subPath, child(path, 'subPath')));
    if (subPathExpr) {
      if (subPath) errs.push(field.invalid(child(at, 'subPathExpr'), subPathExpr, 'subPathExpr and subPath are mutually exclusive'));
      errs.push(...localDescendingPath(subPathExpr, child(path, 'subPathExpr')));
    }
  });
  return errs;
}

const PULL_POLICIES = ['Always', 'IfNotPresent', 'Never'];
/** validateHandler over a probe or lifecycle handler. */
function validateHandler(handler: Rec, gracePeriod: number, path: string, kinds: readonly string[]): FieldError[] {
  const errs: FieldError[] = [];
  let handlers = 0;
  for (const kind of kinds) {
    if (!isRec(handler[kind])) continue;
    const at = child(path, kind);
    if (handlers++ > 0) {
      errs.push(field.forbidden(at, 'may not specify more than 1 handler type'));
      continue;
    }
    const h = handler[kind];
    if (kind === 'exec' && arr(h.command).length === 0) errs.push(field.required(child(at, 'command')));
    if (kind === 'httpGet') {
      errs.push(...validatePortNumOrName(h.port, child(at, 'port')));
      const scheme = h.scheme === undefined ? 'HTTP' : str(h.scheme);
      if (scheme !== 'HTTP' && scheme !== 'HTTPS') errs.push(field.notSupported(child(at, 'scheme'), scheme, ['HTTP', 'HTTPS']));
    }
    if (kind === 'tcpSocket') errs.push(...validatePortNumOrName(h.port, child(at, 'port')));
    if (kind === 'grpc') errs.push(...validatePortNumOrName(num(h.port) ?? 0, child(at, 'port')));
    if (kind === 'sleep') {
      const seconds = num(h.seconds) ?? 0;
      if (seconds <= 0 || seconds > gracePeriod)
        errs.push(field.invalid(at, seconds, `must be greater than 0 and less than terminationGracePeriodSeconds (${gracePeriod})`));
    }
  }
  if (handlers === 0) errs.push(field.required(path, 'must specify a handler type'));
  return errs;
}

const PROBE_HANDLERS = ['exec', 'httpGet', 'tcpSocket', 'grpc'];
const LIFECYCLE_HANDLERS = ['exec', 'httpGet', 'tcpSocket', 'sleep'];

/** validateLivenessProbe / validateReadinessProbe / validateStartupProbe. */
function validateProbe(probe: unknown, kind: 'liveness' | 'readiness' | 'startup', gracePeriod: number, path: string): FieldError[] {
  if (!isRec(probe)) return [];
  const errs = validateHandler(probe, gracePeriod, path, PROBE_HANDLERS);
  for (const name of ['initialDelaySeconds', 'timeoutSeconds', 'periodSeconds', 'successThreshold', 'failureThreshold'])
    errs.push(...nonNegative(probe[name], child(path, name)));
  const tgps = num(probe.terminationGracePeriodSeconds);
  if (tgps !== undefined && tgps <= 0) errs.push(field.invalid(child(path, 'terminationGracePeriodSeconds'), tgps, 'must be greater than 0'));
  const success = num(probe.successThreshold) || 1; // 0 is defaulted to 1
  if (kind !== 'readiness' && success !== 1) errs.push(field.invalid(child(path, 'successThreshold'), success, 'must be 1'));
  if (kind === 'readiness' && tgps !== undefined)
    errs.push(field.invalid(child(path, 'terminationGracePeriodSeconds'), tgps, 'must not be set for readinessProbes'));
  return errs;
}

/** Probes and lifecycle of a container that may have them. */
function validateProbesAndLifecycle(ctr: Rec, gracePeriod: number, path: string): FieldError[] {
  const errs: FieldError[] = [];
  if (isRec(ctr.lifecycle)) {
    for (const hook of ['postStart', 'preStop'])
      if (isRec(ctr.lifecycle[hook])) errs.push(...validateHandler(ctr.lifecycle[hook], gracePeriod, child(path, 'lifecycle', hook), LIFECYCLE_HANDLERS));
  }
  errs.push(...validateProbe(ctr.livenessProbe, 'liveness', gracePeriod, child(path, 'livenessProbe')));
  errs.push(...validateProbe(ctr.readinessProbe, 'readiness', gracePeriod, child(path, 'readinessProbe')));
  errs.push(...validateProbe(ctr.startupProbe, 'startup', gracePeriod, child(path, 'startupProbe')));
  return errs;
}

/** validateContainerCommon: name, image, termination message policy, ports, env, mounts, pull policy, resources. */
function validateContainerCommon(ctr: Rec, ctx: PodContext, path: string): FieldError[] {
  const errs: FieldError[] = [];
  const name = str(ctr.name);
  if (!name) errs.push(field.required(child(path, 'name')));
  else for (const m of isDNS1123Label(name)) errs.push(field.invalid(child(path, 'name'), name, m));
  if (!str(ctr.image)) errs.push(field.required(child(path, 'image')));
  // Empty policies are defaulted upstream before validation (SetDefaults_Container).
  const policy = str(ctr.terminationMessagePolicy) || 'File';
  if (policy !== 'File' && policy !== 'FallbackToLogsOnError')
    errs.push(field.notSupported(child(path, 'terminationMessagePolicy'), policy, ['File', 'FallbackToLogsOnError']));
  errs.push(...validateContainerPorts(ctr.ports, child(path, 'ports')));
  errs.push(...validateEnv(ctr.env, child(path, 'env')));
  errs.push(...validateEnvFrom(ctr.envFrom, child(path, 'envFrom')));
  errs.push(...validateVolumeMounts(ctr.volumeMounts, ctx, child(path, 'volumeMounts')));
  const pull = str(ctr.imagePullPolicy) || 'IfNotPresent';
  if (!PULL_POLICIES.includes(pull)) errs.push(field.notSupported(child(path, 'imagePullPolicy'), pull, PULL_POLICIES));
  errs.push(...validateResources(ctr.resources, child(path, 'resources')));
  return errs;
}

/** validateContainers: at least one, unique names, probes, no container restartPolicy, host ports. */
export function validateContainers(containers: unknown, ctx: PodContext, path: string): FieldError[] {
  const list = arr(containers);
  if (list.length === 0) return [field.required(path)];
  const errs: FieldError[] = [];
  const names = new Set<string>();
  list.forEach((c, i) => {
    const ctr = rec(c);
    const at = index(path, i);
    errs.push(...validateContainerCommon(ctr, ctx, at));
    const name = str(ctr.name);
    if (names.has(name)) errs.push(field.duplicate(child(at, 'name'), name));
    else names.add(name);
    errs.push(...validateProbesAndLifecycle(ctr, ctx.gracePeriod, at));
    if (ctr.restartPolicy !== undefined && ctr.restartPolicy !== null)
      errs.push(field.forbidden(child(at, 'restartPolicy'), 'may not be set for non-init containers'));
  });
  errs.push(...hostPortConflicts(list, path));
  return errs;
}

const INIT_ONLY_WITHOUT_ALWAYS = 'may not be set for init containers without restartPolicy=Always';

/** validateInitContainers: names unique across init and regular containers; sidecars (restartPolicy Always). */
export function validateInitContainers(initContainers: unknown, containers: unknown, ctx: PodContext, path: string): FieldError[] {
  const errs: FieldError[] = [];
  const names = new Set(arr(containers).map((c) => str(rec(c).name)));
  arr(initContainers).forEach((c, i) => {
    const ctr = rec(c);
    const at = index(path, i);
    errs.push(...validateContainerCommon(ctr, ctx, at));
    let sidecar = false;
    if (ctr.restartPolicy !== undefined && ctr.restartPolicy !== null) {
      const policy = str(ctr.restartPolicy);
      if (policy === 'Always') sidecar = true;
      else errs.push(field.notSupported(child(at, 'restartPolicy'), policy, ['Always']));
    }
    const name = str(ctr.name);
    if (names.has(name)) errs.push(field.duplicate(child(at, 'name'), name));
    else if (name) names.add(name);
    errs.push(...hostPortConflicts([ctr], path));
    if (sidecar) errs.push(...validateProbesAndLifecycle(ctr, ctx.gracePeriod, at));
    else
      for (const f of ['lifecycle', 'livenessProbe', 'readinessProbe', 'startupProbe'])
        if (ctr[f] !== undefined && ctr[f] !== null) errs.push(field.forbidden(child(at, f), INIT_ONLY_WITHOUT_ALWAYS));
    if (arr(ctr.resizePolicy).length > 0) errs.push(field.invalid(child(at, 'resizePolicy'), ctr.resizePolicy, 'must not be set for init containers'));
  });
  return errs;
}

/** IsValidIP, as ValidateService and dnsConfig use it. */
export function ipErrors(value: string, path: string): FieldError[] {
  return isIP(value) ? [] : [field.invalid(path, value, 'must be a valid IP address, (e.g. 10.9.8.7 or 2001:db8::ffff)')];
}
