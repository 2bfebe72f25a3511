/**
 * The order in which kube-apiserver lists API groups and versions (`/apis`, aggregated
 * discovery). Facts from kube-apiserver's APIService priorities: groups by descending group
 * priority, ties by name; versions by descending version priority, which for built-in groups
 * agrees with Kubernetes' version ordering (GA, then beta, then alpha; higher numbers first).
 * The core group is served under /api and comes first. Used by ./split.ts for the generator and
 * for `--openapi` files alike.
 * Owns: ordering data and the version comparison. Must not: do I/O.
 */

/** Group priority (higher is listed earlier). Groups not listed here go last, by name. */
const GROUP_PRIORITY: Readonly<Record<string, number>> = {
  '': 100000,
  // kube-aggregator's own group, listed first by /apis.
  'apiregistration.k8s.io': 18000,
  apps: 17800,
  'events.k8s.io': 17750,
  'authentication.k8s.io': 17700,
  'authorization.k8s.io': 17600,
  autoscaling: 17500,
  batch: 17400,
  'certificates.k8s.io': 17300,
  'networking.k8s.io': 17200,
  policy: 17100,
  'rbac.authorization.k8s.io': 17000,
  'storage.k8s.io': 16800,
  'admissionregistration.k8s.io': 16700,
  'apiextensions.k8s.io': 16700,
  'scheduling.k8s.io': 16600,
  'coordination.k8s.io': 16500,
  'node.k8s.io': 16300,
  'discovery.k8s.io': 16200,
  'flowcontrol.apiserver.k8s.io': 16100,
  'internal.apiserver.k8s.io': 16000,
  'resource.k8s.io': 15900,
};

/** Sorts group names as kube-apiserver lists them. */
export function compareGroups(a: string, b: string): number {
  const pa = GROUP_PRIORITY[a] ?? 0;
  const pb = GROUP_PRIORITY[b] ?? 0;
  if (pa !== pb) return pb - pa;
  return a < b ? -1 : a > b ? 1 : 0;
}

const STABILITY: Readonly<Record<string, number>> = { '': 3, beta: 2, alpha: 1 };

/**
 * Kubernetes version ordering, most preferred first: v2 < v1 < v1beta2 < v1beta1 < v1alpha1
 * (in sort order), and anything not shaped like a Kubernetes version after those, by name.
 */
export function compareVersions(a: string, b: string): number {
  const ma = /^v(\d+)(?:(alpha|beta)(\d+))?$/.exec(a);
  const mb = /^v(\d+)(?:(alpha|beta)(\d+))?$/.exec(b);
  if (!ma || !mb) {
    if (ma) return -1;
    if (mb) return 1;
    return a < b ? -1 : a > b ? 1 : 0;
  }
  const sa = STABILITY[ma[2] ?? ''] ?? 0;
  const sb = STABILITY[mb[2] ?? ''] ?? 0;
  if (sa !== sb) return sb - sa;
  const major = Number(mb[1]) - Number(ma[1]);
  if (major !== 0) return major;
  return Number(mb[3] ?? 0) - Number(ma[3] ?? 0);
}
