/**
 * core/v1 Service rules, after ValidateService, validateServicePort,
 * ValidateServiceClusterIPsRelatedFields and ValidateServiceUpdate (cluster IPs may not change
 * once set) in `pkg/apis/core/validation/validation.go`. This is the one place the cluster IP
 * immutability lives.
 *
 * Upstream's strategy normalizes clusterIP/clusterIPs before validating (NormalizeClusterIPs);
 * the rules apply the same normalization to the values they check, so a changed `clusterIP`
 * gets upstream's `spec.clusterIPs[0]: ... may not change once set`.
 * Owns: Service rules. Must not: allocate or default anything.
 */
import { isIP } from 'node:net';
import { field, type FieldError } from '../../../api/field-errors.js';
import { isDNS1123Label, isDNS1123Subdomain, isQualifiedName } from '../../../api/names.js';
import { validateLabels } from '../../object-meta.js';
import { goField, goIntOrString, goPointer, goString, goStringSlice, goStruct } from './go-value.js';
import { arr, child, index, isRec, num, rec, str, type Rec } from './common.js';
import { ipErrors, portNumErrors, validatePortNumOrName } from './containers.js';

const PROTOCOLS = ['SCTP', 'TCP', 'UDP'];
const TYPES = ['ClusterIP', 'ExternalName', 'LoadBalancer', 'NodePort'];
const IP_FAMILY_POLICIES = ['PreferDualStack', 'RequireDualStack', 'SingleStack'];
const MAX_AFFINITY_SECONDS = 86400;

function clusterIPsOf(spec: Rec): string[] | undefined {
  return Array.isArray(spec.clusterIPs) ? spec.clusterIPs.map(str) : undefined;
}

/** NormalizeClusterIPs on create: clusterIP alone implies clusterIPs. */
function createdClusterIPs(spec: Rec): string[] | undefined {
  const ips = clusterIPsOf(spec);
  return str(spec.clusterIP) && !ips?.length ? [str(spec.clusterIP)] : ips;
}

/** NormalizeClusterIPs on update, as the strategy applies it before validation. */
function updatedClusterIPs(spec: Rec, oldSpec: Rec): string[] | undefined {
  let ips = clusterIPsOf(spec);
  const oldIPs = clusterIPsOf(oldSpec) ?? [];
  const same = (): boolean => JSON.stringify(ips ?? []) === JSON.stringify(oldIPs);
  if (oldIPs.length && !ips?.length && str(oldSpec.clusterIP) === str(spec.clusterIP)) ips = oldIPs;
  if (str(oldSpec.clusterIP) !== str(spec.clusterIP)) {
    if (str(oldSpec.clusterIP) && !str(spec.clusterIP)) {
      if (same()) ips = undefined;
    } else if (same()) ips = [str(spec.clusterIP)];
  }
  return ips;
}

const isHeadless = (ips: readonly string[] | undefined): boolean => ips?.length === 1 && ips[0] === 'None';

/** The `%#v` of the (protocol, port) key upstream reports duplicate ports with. */
function portKey(protocol: string, port: number): string {
  return goStruct('core.ServicePort', [
    ['Name', goString('')],
    ['Protocol', goString(protocol)],
    ['AppProtocol', goPointer('string', undefined)],
    ['Port', String(port)],
    ['TargetPort', goIntOrString(undefined)],
    ['NodePort', '0'],
  ]);
}

function validateServicePort(port: Rec, requireName: boolean, names: Set<string>, path: string): FieldError[] {
  const errs: FieldError[] = [];
  const name = str(port.name);
  if (requireName && !name) errs.push(field.required(child(path, 'name')));
  else if (name) {
    for (const m of isDNS1123Label(name)) errs.push(field.invalid(child(path, 'name'), name, m));
    if (names.has(name)) errs.push(field.duplicate(child(path, 'name'), name));
    else names.add(name);
  }
  const p = num(port.port) ?? 0;
  for (const m of portNumErrors(p)) errs.push(field.invalid(child(path, 'port'), p, m));
  const protocol = str(port.protocol) || 'TCP';
  if (!PROTOCOLS.includes(protocol)) errs.push(field.notSupported(child(path, 'protocol'), protocol, PROTOCOLS));
  errs.push(...validatePortNumOrName(port.targetPort ?? p, child(path, 'targetPort')));
  if (typeof port.appProtocol === 'string')
    for (const m of isQualifiedName(port.appProtocol)) errs.push(field.invalid(child(path, 'appProtocol'), port.appProtocol, m));
  return errs;
}

/** ValidateServiceClusterIPsRelatedFields. */
function clusterIPsRelated(spec: Rec, ips: string[] | undefined): FieldError[] {
  const errs: FieldError[] = [];
  const list = ips ?? [];
  const at = 'spec.clusterIPs';
  if (str(spec.clusterIP)) {
    if (list.length === 0) errs.push(field.required(at));
    else if (list[0] !== str(spec.clusterIP)) errs.push(goField.invalid(at, list, goStringSlice(ips), 'first value must match `clusterIP`'));
  } else if (list.length) errs.push(goField.invalid(at, list, goStringSlice(ips), 'must be empty when `clusterIP` is not specified'));
  const families = new Set<string>();
  arr(spec.ipFamilies).forEach((f, i) => {
    const family = str(f);
    if (family !== 'IPv4' && family !== 'IPv6') errs.push(field.notSupported(index('spec.ipFamilies', i), family, ['IPv4', 'IPv6']));
    if (families.has(family)) errs.push(field.duplicate(index('spec.ipFamilies', i), family));
    families.add(family);
  });
  if (typeof spec.ipFamilyPolicy === 'string' && !IP_FAMILY_POLICIES.includes(spec.ipFamilyPolicy))
    errs.push(field.notSupported('spec.ipFamilyPolicy', spec.ipFamilyPolicy, IP_FAMILY_POLICIES));
  let invalid = false;
  list.forEach((ip, i) => {
    if (i === 0 && ip === 'None') {
      if (list.length > 1) {
        invalid = true;
        errs.push(goField.invalid(at, list, goStringSlice(ips), "'None' must be the first and only value"));
      }
      return;
    }
    const ipErrs = ipErrors(ip, index(at, i));
    invalid ||= ipErrs.length > 0;
    errs.push(...ipErrs);
  });
  if (list.length > 2) errs.push(goField.invalid(at, list, goStringSlice(ips), 'may only hold up to 2 values'));
  if (!invalid && list.length === 2 && isIP(list[0]!) === isIP(list[1]!))
    errs.push(goField.invalid(at, list, goStringSlice(ips), 'may specify no more than one IP for each IP family'));
  return errs;
}

/** ValidateService on an object whose clusterIPs are `ips` after normalization. */
function validateService(svc: Rec, ips: string[] | undefined): FieldError[] {
  const spec = rec(svc.spec);
  const errs: FieldError[] = [];
  const type = str(spec.type) || 'ClusterIP'; // defaulted upstream
  const ports = arr(spec.ports).map(rec);
  const headless = isHeadless(ips);
  if (ports.length === 0 && !headless && type !== 'ExternalName') errs.push(field.required('spec.ports'));
  if ((type === 'LoadBalancer' || type === 'NodePort') && headless)
    errs.push(field.invalid('spec.clusterIPs[0]', 'None', `may not be set to 'None' for ${type} services`));
  if (type === 'ExternalName') {
    if (ips?.length) errs.push(field.forbidden('spec.clusterIPs', 'may not be set for ExternalName services'));
    if (arr(spec.ipFamilies).length) errs.push(field.forbidden('spec.ipFamilies', 'may not be set for ExternalName services'));
    if (spec.ipFamilyPolicy !== undefined && spec.ipFamilyPolicy !== null)
      errs.push(field.forbidden('spec.ipFamilyPolicy', 'may not be set for ExternalName services'));
    const cname = str(spec.externalName).replace(/\.$/, '');
    if (cname) for (const m of isDNS1123Subdomain(cname)) errs.push(field.invalid('spec.externalName', cname, m));
    else errs.push(field.required('spec.externalName'));
  }
  const names = new Set<string>();
  ports.forEach((p, i) => errs.push(...validateServicePort(p, ports.length > 1, names, index('spec.ports', i))));
  if (isRec(spec.selector)) errs.push(...validateLabels(spec.selector as Record<string, string>, 'spec.selector'));
  const affinity = str(spec.sessionAffinity) || 'None'; // defaulted upstream
  if (affinity !== 'ClientIP' && affinity !== 'None') errs.push(field.notSupported('spec.sessionAffinity', affinity, ['ClientIP', 'None']));
  if (affinity === 'ClientIP' && isRec(spec.sessionAffinityConfig)) {
    const timeout = num(rec(rec(spec.sessionAffinityConfig).clientIP).timeoutSeconds);
    if (timeout !== undefined && (timeout <= 0 || timeout > MAX_AFFINITY_SECONDS))
      errs.push(field.invalid('spec.sessionAffinityConfig.clientIP.timeoutSeconds', timeout, `must be greater than 0 and less than ${MAX_AFFINITY_SECONDS}`));
  } else if (affinity === 'None' && isRec(spec.sessionAffinityConfig)) {
    errs.push(field.forbidden('spec.sessionAffinityConfig', 'must not be set when session affinity is None'));
  }
  if (type !== 'ExternalName') errs.push(...clusterIPsRelated(spec, ips));
  arr(spec.externalIPs).forEach((ip, i) => errs.push(...ipErrors(str(ip), index('spec.externalIPs', i))));
  if (!TYPES.includes(type)) errs.push(field.notSupported('spec.type', type, TYPES));
  if (type === 'ClusterIP')
    ports.forEach((p, i) => {
      if ((num(p.nodePort) ?? 0) !== 0) errs.push(field.forbidden(child(index('spec.ports', i), 'nodePort'), "may not be used when `type` is 'ClusterIP'"));
    });
  const nodePorts = new Set<string>();
  ports.forEach((p, i) => {
    const nodePort = num(p.nodePort) ?? 0;
    if (nodePort === 0) return;
    const id = `${str(p.protocol) || 'TCP'}/${nodePort}`;
    if (nodePorts.has(id)) errs.push(field.duplicate(child(index('spec.ports', i), 'nodePort'), nodePort));
    nodePorts.add(id);
  });
  const seen = new Set<string>();
  ports.forEach((p, i) => {
    const protocol = str(p.protocol) || 'TCP';
    const port = num(p.port) ?? 0;
    const id = `${protocol}/${port}`;
    if (seen.has(id)) errs.push(goField.duplicate(index('spec.ports', i), { protocol, port }, portKey(protocol, port)));
    seen.add(id);
  });
  errs.push(...trafficPolicies(spec, type));
  return errs;
}

function trafficPolicies(spec: Rec, type: string): FieldError[] {
  const errs: FieldError[] = [];
  const external = type === 'NodePort' || type === 'LoadBalancer' || arr(spec.externalIPs).length > 0;
  const etp = str(spec.externalTrafficPolicy);
  if (!external && etp) errs.push(field.invalid('spec.externalTrafficPolicy', etp, 'may only be set for externally-accessible services'));
  else if (external && etp && etp !== 'Cluster' && etp !== 'Local')
    errs.push(field.notSupported('spec.externalTrafficPolicy', etp, ['Cluster', 'Local']));
  const itp = spec.internalTrafficPolicy;
  if (typeof itp === 'string' && itp !== 'Cluster' && itp !== 'Local')
    errs.push(field.notSupported('spec.internalTrafficPolicy', itp, ['Cluster', 'Local']));
  return errs;
}

/** validateUpgradeDowngradeClusterIPs. */
function clusterIPsUpdate(spec: Rec, oldSpec: Rec, ips: string[] | undefined): FieldError[] {
  if (spec.type === 'ExternalName' || oldSpec.type === 'ExternalName') return [];
  const oldIPs = clusterIPsOf(oldSpec) ?? [];
  const list = ips ?? [];
  if (isHeadless(oldIPs) && isHeadless(list)) return [];
  const changed = (i: number): FieldError => goField.invalid(index('spec.clusterIPs', i), list, goStringSlice(ips), 'may not change once set');
  const errs: FieldError[] = [];
  if (oldIPs.length === list.length) {
    oldIPs.forEach((ip, i) => {
      if (ip !== list[i]) errs.push(changed(i));
    });
  } else if (oldIPs.length > list.length) {
    if (list.length === 0) errs.push(goField.invalid('spec.clusterIPs[0]', list, goStringSlice(ips), 'primary clusterIP can not be unset'));
    if (oldIPs.length > 0 && list.length > 0 && list[0] !== oldIPs[0]) errs.push(changed(0));
    if (list.length === 1 && spec.ipFamilyPolicy !== 'SingleStack')
      errs.push(field.invalid('spec.ipFamilyPolicy', spec.ipFamilyPolicy ?? 'null', "must be set to 'SingleStack' when releasing the secondary clusterIP"));
  } else if (oldIPs.length > 0 && list[0] !== oldIPs[0]) {
    errs.push(changed(0));
  }
  return errs;
}

/** Service create and update rules. */
export const serviceRules = {
  validate: (obj: Rec): FieldError[] => validateService(obj, createdClusterIPs(rec(obj.spec))),
  validateUpdate(obj: Rec, old: Rec): FieldError[] {
    const ips = updatedClusterIPs(rec(obj.spec), rec(old.spec));
    return [...clusterIPsUpdate(rec(obj.spec), rec(old.spec), ips), ...validateService(obj, ips)];
  },
};
