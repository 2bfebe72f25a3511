/**
 * Printers for services and the networking kinds (upstream printService, printEndpoints,
 * printEndpointSlice, printIngress, printIngressClass, printNetworkPolicy). EXTERNAL-IP follows
 * getServiceExternalIP: `<none>` for ClusterIP/NodePort without externalIPs, load-balancer
 * ingress (sorted, unique) or `<pending>` for LoadBalancer, the external name for ExternalName.
 * The server prints wide, so load-balancer addresses are never clipped.
 * Owns: these kinds' columns and cells. Must not: know HTTP, storage or other kinds.
 */
import { labelSelectorToString, type LabelSelectorObject } from '../../../api/label-selector.js';
import type { KubeObject } from '../../../api/types.js';
import { AGE, column, columns, NAME, wide } from '../columns.js';
import { DOC } from '../descriptions.js';
import { age, formatLabels, joinHostPort, listWithMore, sortedSet } from '../format.js';
import type { Printer, PrintContext } from '../types.js';

interface LoadBalancerStatus {
  ingress?: { ip?: string; hostname?: string }[];
}

interface Service extends KubeObject {
  spec?: {
    type?: string;
    clusterIP?: string;
    clusterIPs?: string[];
    externalIPs?: string[];
    externalName?: string;
    ports?: { port?: number; nodePort?: number; protocol?: string }[];
    selector?: Record<string, string>;
  };
  status?: { loadBalancer?: LoadBalancerStatus };
}

interface Endpoints extends KubeObject {
  subsets?: { addresses?: { ip?: string }[]; ports?: { port?: number }[] }[];
}

interface EndpointSlice extends KubeObject {
  addressType?: string;
  ports?: { port?: number; name?: string }[];
  endpoints?: { addresses?: string[] }[];
}

interface Ingress extends KubeObject {
  spec?: { ingressClassName?: string; rules?: { host?: string }[]; tls?: unknown[] };
  status?: { loadBalancer?: LoadBalancerStatus };
}

interface IngressClass extends KubeObject {
  spec?: { controller?: string; parameters?: { apiGroup?: string; kind?: string; name?: string } };
}

interface NetworkPolicy extends KubeObject {
  spec?: { podSelector?: LabelSelectorObject };
}

const name = (o: KubeObject): string => o.metadata?.name ?? '';

/** loadBalancerStatusStringer (wide): ingress IPs, else hostnames, sorted and unique. */
function loadBalancerAddresses(status: LoadBalancerStatus | undefined): string {
  const found = (status?.ingress ?? []).map((i) => i.ip || i.hostname || '').filter((x) => x !== '');
  return sortedSet(found).join(',');
}

/** getServiceExternalIP. */
function externalIP(svc: Service, type: string): string {
  const externalIPs = svc.spec?.externalIPs ?? [];
  switch (type) {
    case 'ClusterIP':
    case 'NodePort':
      return externalIPs.length > 0 ? externalIPs.join(',') : '<none>';
    case 'LoadBalancer': {
      const lb = loadBalancerAddresses(svc.status?.loadBalancer);
      if (externalIPs.length > 0) return [...(lb ? lb.split(',') : []), ...externalIPs].join(',');
      return lb || '<pending>';
    }
    case 'ExternalName':
      return svc.spec?.externalName ?? '';
    default:
      return '<unknown>';
  }
}

/** makePortString: `80/TCP`, `80:30080/TCP`, comma-joined; `<none>` without ports. */
function servicePorts(svc: Service): string {
  const text = (svc.spec?.ports ?? [])
    .map((p) => {
      const protocol = p.protocol ?? 'TCP';
      return p.nodePort && p.nodePort > 0 ? `${p.port ?? 0}:${p.nodePort}/${protocol}` : `${p.port ?? 0}/${protocol}`;
    })
    .join(',');
  return text || '<none>';
}

/** services: Name, Type, Cluster-IP, External-IP, Port(s), Age; wide Selector. */
export const servicePrinter: Printer = {
  columns: columns(
    NAME,
    column('Type', DOC.svcType),
    column('Cluster-IP', DOC.svcClusterIP),
    column('External-IP', DOC.svcExternalIPs),
    column('Port(s)', DOC.svcPorts),
    AGE,
    wide('Selector', DOC.svcSelector),
  ),
  cells(obj: KubeObject, { now }: PrintContext): unknown[] {
    const svc = obj as Service;
    const type = svc.spec?.type || 'ClusterIP';
    const clusterIP = svc.spec?.clusterIPs?.[0] ?? svc.spec?.clusterIP ?? '';
    return [name(svc), type, clusterIP || '<none>', externalIP(svc, type), servicePorts(svc), age(svc, now), formatLabels(svc.spec?.selector)];
  },
};

/** formatEndpoints: up to three `ip:port` (or bare ip for portless subsets), then `+ N more...`. */
function formatEndpoints(ep: Endpoints): string {
  const subsets = ep.subsets ?? [];
  if (subsets.length === 0) return '<none>';
  const max = 3;
  const list: string[] = [];
  let count = 0;
  let more = false;
  const add = (entry: string): void => {
    if (list.length === max) more = true;
    else list.push(entry);
  };
  for (const ss of subsets) {
    const addresses = ss.addresses ?? [];
    const ports = ss.ports ?? [];
    if (ports.length === 0) {
      count += addresses.length;
      for (const a of addresses) add(a.ip ?? '');
      continue;
    }
    for (const port of ports) {
      count += addresses.length;
      for (const a of addresses) add(joinHostPort(a.ip ?? '', port.port ?? 0));
    }
  }
  const text = list.join(',');
  return more ? `${text} + ${count - max} more...` : text;
}

/** endpoints: Name, Endpoints, Age. */
export const endpointsPrinter: Printer = {
  columns: columns(NAME, column('Endpoints', DOC.epSubsets), AGE),
  cells(obj: KubeObject, { now }: PrintContext): unknown[] {
    return [name(obj), formatEndpoints(obj as Endpoints), age(obj, now)];
  },
};

/** endpointslices: Name, AddressType, Ports, Endpoints, Age. */
export const endpointSlicePrinter: Printer = {
  columns: columns(
    NAME,
    column('AddressType', DOC.esAddressType),
    column('Ports', DOC.esPorts),
    column('Endpoints', DOC.esEndpoints),
    AGE,
  ),
  cells(obj: KubeObject, { now }: PrintContext): unknown[] {
    const es = obj as EndpointSlice;
    const ports = (es.ports ?? []).map((p) => (typeof p.port === 'number' ? String(p.port) : (p.name ?? '*')));
    const addresses = (es.endpoints ?? []).flatMap((e) => e.addresses ?? []);
    return [name(es), es.addressType ?? '', listWithMore(ports, 3), listWithMore(addresses, 3), age(es, now)];
  },
};

/** formatHosts: up to three rule hosts, `*` when none is named. */
function formatHosts(rules: readonly { host?: string }[]): string {
  const max = 3;
  const list: string[] = [];
  let more = false;
  for (const rule of rules) {
    if (list.length === max) more = true;
    if (!more && rule.host) list.push(rule.host);
  }
  if (list.length === 0) return '*';
  return more ? `${list.join(',')} + ${rules.length - max} more...` : list.join(',');
}

/** ingresses: Name, Class, Hosts, Address, Ports (`80` or `80, 443` with TLS), Age. */
export const ingressPrinter: Printer = {
  columns: columns(
    NAME,
    column('Class', 'The name of the IngressClass resource that should be used for additional configuration'),
    column('Hosts', 'Hosts that incoming requests are matched against before the ingress rule'),
    column('Address', 'Address is a list containing ingress points for the load-balancer'),
    column('Ports', 'Ports of TLS configurations that open'),
    AGE,
  ),
  cells(obj: KubeObject, { now }: PrintContext): unknown[] {
    const ing = obj as Ingress;
    return [
      name(ing),
      ing.spec?.ingressClassName ?? '<none>',
      formatHosts(ing.spec?.rules ?? []),
      loadBalancerAddresses(ing.status?.loadBalancer),
      (ing.spec?.tls ?? []).length > 0 ? '80, 443' : '80',
      age(ing, now),
    ];
  },
};

/** ingressclasses: Name, Controller, Parameters (`Kind[.group]/name` or `<none>`), Age. */
export const ingressClassPrinter: Printer = {
  columns: columns(
    NAME,
    column('Controller', 'Controller that is responsible for handling this class'),
    column('Parameters', 'A reference to a resource with additional parameters'),
    AGE,
  ),
  cells(obj: KubeObject, { now }: PrintContext): unknown[] {
    const ic = obj as IngressClass;
    const p = ic.spec?.parameters;
    const parameters = p ? `${p.kind ?? ''}${typeof p.apiGroup === 'string' ? `.${p.apiGroup}` : ''}/${p.name ?? ''}` : '<none>';
    return [name(ic), ic.spec?.controller ?? '', parameters, age(ic, now)];
  },
};

/** networkpolicies: Name, Pod-Selector, Age. */
export const networkPolicyPrinter: Printer = {
  columns: columns(NAME, column('Pod-Selector', DOC.npPodSelector), AGE),
  cells(obj: KubeObject, { now }: PrintContext): unknown[] {
    const np = obj as NetworkPolicy;
    return [name(np), labelSelectorToString(np.spec?.podSelector ?? {}), age(np, now)];
  },
};
