/**
 * Config: every setting of a kubemu server, with its default in one place. The CLI and the
 * library both build one of these and hand it to buildServer.
 * Owns: the Config type and defaults. Must not: parse arguments or do I/O.
 */
import { DEFAULT_SERVICE_ACCOUNT_ISSUER } from '../auth/service-account-token.js';

/** Storage engines. */
export type StorageKind = 'level' | 'memory' | 'etcd';

/** Everything a server needs to start. */
export interface Config {
  /** Port to listen on; 0 picks a free one. */
  port: number;
  /** Address to listen on. */
  host: string;
  /** Directory for the database, certificates and kubeconfig (level storage). */
  dataDir: string;
  storage: StorageKind;
  /** With `storage: 'etcd'`: the etcd cluster (endpoints, key prefix, TLS files). */
  etcd?: EtcdConfig;
  /**
   * Leader election of the controllers among replicas (etcd storage): lease duration in
   * seconds (kube-controller-manager's --leader-elect-lease-duration, default 15).
   */
  leaderElectLeaseSeconds?: number;
  /** Where the kubeconfig is written; default `<dataDir>/kubeconfig`. */
  kubeconfigPath?: string;
  /** Serve HTTPS with a generated CA (default) or plain HTTP. */
  tls: boolean;
  /** The version `/version` reports. */
  kubernetesVersion: string;
  /** Events kept for watches to resume from. */
  eventWindow: number;
  /** How often watches that allow bookmarks get one. */
  bookmarkIntervalMs: number;
  /** Unsent bytes a watch may pile up before it is closed with 410 (the client re-lists). */
  maxWatchBufferedBytes: number;
  /** fastify log level, or 'silent'. */
  logLevel: 'silent' | 'error' | 'warn' | 'info' | 'debug';
  /** `--authorization-mode`: RBAC (system:masters bypass, bootstrap policy) or AlwaysAllow. */
  authorizationMode: 'RBAC' | 'AlwaysAllow';
  /** Run the built-in controllers (through an in-process client) after bootstrap. */
  controllers: boolean;
  /** Simulated nodes the node controller creates. */
  nodes: number;
  /** `--pod-stages`: a YAML or JSON list of pod lifecycle stages replacing the default ones (read at start). */
  podStagesFile?: string;
  /** kube-apiserver's `--token-auth-file`: CSV `token,user,uid[,"group1,group2"]` of static bearer tokens. */
  tokenAuthFile?: string;
  /** `iss` of service-account tokens, and the audience they must name (`--service-account-issuer`). */
  serviceAccountIssuer: string;
  /**
   * The swagger.json (Swagger 2.0, `/openapi/v2`) of the Kubernetes release to emulate, used
   * instead of the bundled schemas; loaded once at start. One schema source per process.
   */
  openapi?: string;
  /**
   * Run as a virtual cluster whose Pods run in a host cluster (`--host-kubeconfig`): the syncer
   * replaces the simulated scheduler and kubelet. Absent: no host.
   */
  hostCluster?: HostSyncConfig;
}

/** The etcd cluster of `--storage etcd`. */
export interface EtcdConfig {
  /** Client URLs (`--etcd-endpoints`). */
  endpoints: string[];
  /** Key prefix (`--etcd-prefix`, default /kubemu), so that clusters can share one etcd. */
  prefix?: string;
  /** `--etcd-cafile`, `--etcd-certfile`, `--etcd-keyfile` (PEM). */
  caFile?: string;
  certFile?: string;
  keyFile?: string;
}

/** The host cluster a virtual kubemu syncs to. */
export interface HostSyncConfig {
  /** Kubeconfig file of the host (client certificate or token), or its text in `kubeconfigText`. */
  kubeconfig?: string;
  kubeconfigText?: string;
  /** The host namespace every synced object goes to. */
  namespace: string;
  /** The virtual cluster's name, the `<name>` of `<obj>-x-<ns>-x-<name>` host names. */
  name: string;
  /** Host requests per second and burst (default 40/80). */
  qps?: number;
  burst?: number;
  /** Full revisit and drift repair interval in ms (default 60 000; 0: never). */
  driftIntervalMs?: number;
  /** Virtual Nodes: `fake` (default) or copies of the `real` host nodes. */
  nodeMode?: 'fake' | 'real';
  /** The virtual API as seen from host pods (`KUBERNETES_SERVICE_HOST/PORT`), if reachable. */
  apiHost?: string;
  apiPort?: number;
}

/** The defaults of `kubemu serve`. */
export const DEFAULT_CONFIG: Config = {
  port: 6443,
  host: '127.0.0.1',
  dataDir: './.kubemu',
  storage: 'level',
  tls: true,
  kubernetesVersion: 'v1.31.0',
  eventWindow: 10000,
  bookmarkIntervalMs: 60000,
  maxWatchBufferedBytes: 16 * 1024 * 1024,
  logLevel: 'silent',
  authorizationMode: 'RBAC',
  controllers: true,
  nodes: 1,
  serviceAccountIssuer: DEFAULT_SERVICE_ACCOUNT_ISSUER,
};

/** The config with defaults for every field not given. */
export function withDefaults(partial: Partial<Config>): Config {
  const config = { ...DEFAULT_CONFIG };
  for (const [key, value] of Object.entries(partial)) if (value !== undefined) (config as Record<string, unknown>)[key] = value;
  return config;
}
