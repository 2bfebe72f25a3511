/**
 * What the OpenAPI document does not say about built-in resources: their singular name, short
 * names and categories, exactly as `kubectl api-resources` shows them on a real cluster
 * (kube-apiserver's ShortNamesProvider and CategoriesProvider of each registry). Keyed like
 * kubectl's `resource.group` (`pods`, `deployments.apps`), the same for every version of a group.
 * Covers every resource of the generated table (schemas/resources.json), served or not.
 * Owns: that data and its key spelling. Must not: import anything or hold behaviour.
 */

/** Names of one built-in resource. */
export interface BuiltinNames {
  /** Lower-case singular (kube-apiserver uses the lower-cased kind). */
  singular: string;
  shortNames?: readonly string[];
  categories?: readonly string[];
}

const ALL = ['all'] as const;
const API_EXTENSIONS = ['api-extensions'] as const;

/** `plural` for the core group, `plural.group` otherwise. */
export const BUILTIN_NAMES: Readonly<Record<string, BuiltinNames>> = {
  // core
  bindings: { singular: 'binding' },
  componentstatuses: { singular: 'componentstatus', shortNames: ['cs'] },
  configmaps: { singular: 'configmap', shortNames: ['cm'] },
  endpoints: { singular: 'endpoints', shortNames: ['ep'] },
  events: { singular: 'event', shortNames: ['ev'] },
  limitranges: { singular: 'limitrange', shortNames: ['limits'] },
  namespaces: { singular: 'namespace', shortNames: ['ns'] },
  nodes: { singular: 'node', shortNames: ['no'] },
  persistentvolumeclaims: { singular: 'persistentvolumeclaim', shortNames: ['pvc'] },
  persistentvolumes: { singular: 'persistentvolume', shortNames: ['pv'] },
  pods: { singular: 'pod', shortNames: ['po'], categories: ALL },
  podtemplates: { singular: 'podtemplate' },
  replicationcontrollers: { singular: 'replicationcontroller', shortNames: ['rc'], categories: ALL },
  resourcequotas: { singular: 'resourcequota', shortNames: ['quota'] },
  secrets: { singular: 'secret' },
  serviceaccounts: { singular: 'serviceaccount', shortNames: ['sa'] },
  services: { singular: 'service', shortNames: ['svc'], categories: ALL },

  'apiservices.apiregistration.k8s.io': { singular: 'apiservice', categories: API_EXTENSIONS },

  'controllerrevisions.apps': { singular: 'controllerrevision' },
  'daemonsets.apps': { singular: 'daemonset', shortNames: ['ds'], categories: ALL },
  'deployments.apps': { singular: 'deployment', shortNames: ['deploy'], categories: ALL },
  'replicasets.apps': { singular: 'replicaset', shortNames: ['rs'], categories: ALL },
  'statefulsets.apps': { singular: 'statefulset', shortNames: ['sts'], categories: ALL },

  'events.events.k8s.io': { singular: 'event', shortNames: ['ev'] },

  'selfsubjectreviews.authentication.k8s.io': { singular: 'selfsubjectreview' },
  'tokenreviews.authentication.k8s.io': { singular: 'tokenreview' },

  'localsubjectaccessreviews.authorization.k8s.io': { singular: 'localsubjectaccessreview' },
  'selfsubjectaccessreviews.authorization.k8s.io': { singular: 'selfsubjectaccessreview' },
  'selfsubjectrulesreviews.authorization.k8s.io': { singular: 'selfsubjectrulesreview' },
  'subjectaccessreviews.authorization.k8s.io': { singular: 'subjectaccessreview' },

  'horizontalpodautoscalers.autoscaling': { singular: 'horizontalpodautoscaler', shortNames: ['hpa'], categories: ALL },

  'cronjobs.batch': { singular: 'cronjob', shortNames: ['cj'], categories: ALL },
  'jobs.batch': { singular: 'job', categories: ALL },

  'certificatesigningrequests.certificates.k8s.io': { singular: 'certificatesigningrequest', shortNames: ['csr'] },
  'clustertrustbundles.certificates.k8s.io': { singular: 'clustertrustbundle' },

  'clustercidrs.networking.k8s.io': { singular: 'clustercidr' },
  'ingressclasses.networking.k8s.io': { singular: 'ingressclass' },
  'ingresses.networking.k8s.io': { singular: 'ingress', shortNames: ['ing'] },
  'ipaddresses.networking.k8s.io': { singular: 'ipaddress', shortNames: ['ip'] },
  'networkpolicies.networking.k8s.io': { singular: 'networkpolicy', shortNames: ['netpol'] },

  'poddisruptionbudgets.policy': { singular: 'poddisruptionbudget', shortNames: ['pdb'] },

  'clusterrolebindings.rbac.authorization.k8s.io': { singular: 'clusterrolebinding' },
  'clusterroles.rbac.authorization.k8s.io': { singular: 'clusterrole' },
  'rolebindings.rbac.authorization.k8s.io': { singular: 'rolebinding' },
  'roles.rbac.authorization.k8s.io': { singular: 'role' },

  'csidrivers.storage.k8s.io': { singular: 'csidriver' },
  'csinodes.storage.k8s.io': { singular: 'csinode' },
  'csistoragecapacities.storage.k8s.io': { singular: 'csistoragecapacity' },
  'storageclasses.storage.k8s.io': { singular: 'storageclass', shortNames: ['sc'] },
  'volumeattachments.storage.k8s.io': { singular: 'volumeattachment' },

  'mutatingwebhookconfigurations.admissionregistration.k8s.io': { singular: 'mutatingwebhookconfiguration', categories: API_EXTENSIONS },
  'validatingadmissionpolicies.admissionregistration.k8s.io': { singular: 'validatingadmissionpolicy', categories: API_EXTENSIONS },
  'validatingadmissionpolicybindings.admissionregistration.k8s.io': { singular: 'validatingadmissionpolicybinding', categories: API_EXTENSIONS },
  'validatingwebhookconfigurations.admissionregistration.k8s.io': { singular: 'validatingwebhookconfiguration', categories: API_EXTENSIONS },

  'customresourcedefinitions.apiextensions.k8s.io': { singular: 'customresourcedefinition', shortNames: ['crd', 'crds'], categories: API_EXTENSIONS },

  'priorityclasses.scheduling.k8s.io': { singular: 'priorityclass', shortNames: ['pc'] },

  'leases.coordination.k8s.io': { singular: 'lease' },

  'runtimeclasses.node.k8s.io': { singular: 'runtimeclass' },

  'endpointslices.discovery.k8s.io': { singular: 'endpointslice' },

  'flowschemas.flowcontrol.apiserver.k8s.io': { singular: 'flowschema' },
  'prioritylevelconfigurations.flowcontrol.apiserver.k8s.io': { singular: 'prioritylevelconfiguration' },

  'storageversions.internal.apiserver.k8s.io': { singular: 'storageversion' },

  'podschedulingcontexts.resource.k8s.io': { singular: 'podschedulingcontext' },
  'resourceclaims.resource.k8s.io': { singular: 'resourceclaim' },
  'resourceclaimtemplates.resource.k8s.io': { singular: 'resourceclaimtemplate' },
  'resourceclasses.resource.k8s.io': { singular: 'resourceclass' },
};

/** The key of BUILTIN_NAMES for a group and plural. */
export function builtinNamesKey(group: string, plural: string): string {
  return group ? `${plural}.${group}` : plural;
}
