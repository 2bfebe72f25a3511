/**
 * Command-line parsing of `kubemu serve` into a Config, with clear messages for bad flags.
 * Owns: argv → Config. Must not: start anything.
 */
import { parseArgs } from 'node:util';
import { DEFAULT_CONFIG, withDefaults, type Config, type HostSyncConfig, type StorageKind } from './config.js';
import { inClusterKubeconfig, inClusterNamespace } from '../client/in-cluster.js';

/** What the command line asks for. */
export type Command = { command: 'serve'; config: Config } | { command: 'help' } | { command: 'version' };

/** A command-line mistake, printed to the user with the usage. */
export class UsageError extends Error {}

export const USAGE = `Usage: kubemu serve [flags]

A Kubernetes API server emulator. Prints "kubemu ready: <url> kubeconfig=<path>" when serving.

Flags:
  --port N                 port to listen on (default 6443; 0 picks a free port)
  --host ADDR              address to listen on (default 127.0.0.1)
  --data-dir DIR           database, certificates and kubeconfig (default ./.kubemu)
  --storage level|memory|etcd
                           where state lives (default level: LevelDB in --data-dir)
  --etcd-endpoints URLS    etcd client URLs, comma-separated (with --storage etcd)
  --etcd-prefix PREFIX     key prefix in etcd (default /kubemu)
  --etcd-cafile FILE       CA of etcd's serving certificate (https endpoints)
  --etcd-certfile FILE, --etcd-keyfile FILE
                           client certificate and key for etcd
  --leader-elect-lease-duration SECONDS
                           controllers' leader-election lease among replicas (default 15)
  --kubeconfig PATH        where to write the admin kubeconfig (default <data-dir>/kubeconfig)
  --no-tls                 serve plain HTTP (the kubeconfig then holds a bearer token)
  --kubernetes-version V   version reported by /version (default v1.31.0)
  --openapi FILE           swagger.json of the Kubernetes release to emulate (default: bundled schemas)
  --log-level LEVEL        silent|error|warn|info|debug (default silent)
  --nodes N                simulated nodes that run pods (default 1; 0: none)
  --no-controllers         run no built-in controllers (no rollouts, garbage collection, nodes)
  --pod-stages FILE        pod lifecycle stages of the simulated nodes, a YAML or JSON list
                           (replaces the default stages)
  --authorization-mode M   RBAC|AlwaysAllow (default RBAC)
  --token-auth-file FILE   static bearer tokens, CSV: token,user,uid[,"group1,group2"]
  --service-account-issuer URL
                           iss and audience of service-account tokens
                           (default https://kubernetes.default.svc.cluster.local)
  --host-kubeconfig FILE   run as a virtual cluster: Pods run in this host cluster
  --host-namespace NS      the host namespace synced objects go to (with --host-kubeconfig)
  --host-in-cluster        the host is the cluster this Pod runs in (its ServiceAccount;
                           --host-namespace defaults to the Pod's namespace)
  --name NAME              the virtual cluster's name in host object names (default kubemu)
  --host-qps N, --host-burst N
                           rate limit of host requests (default 40, 80)
  --sync-interval SECONDS  drift repair interval (default 60; 0: never)
  --sync-nodes fake|real   virtual Nodes for host nodes in use (default fake)
  --sync-api-host HOST[:PORT]
                           where synced pods reach this kubemu: their KUBERNETES_SERVICE_HOST
                           and _PORT (PORT default: --port); without it pods keep the host's
  -h, --help               show this help
  --version                print kubemu's version
`;

const STORAGE_KINDS: readonly StorageKind[] = ['level', 'memory', 'etcd'];
const LOG_LEVELS = ['silent', 'error', 'warn', 'info', 'debug'] as const;
const AUTHORIZATION_MODES: readonly Config['authorizationMode'][] = ['RBAC', 'AlwaysAllow'];

/** Parses argv (without node and script) into a Command; throws UsageError on mistakes. */
export function parseCommand(argv: readonly string[]): Command {
  let parsed;
  try {
    parsed = parseArgs({
      args: [...argv],
      allowPositionals: true,
      strict: true,
      options: {
        port: { type: 'string' },
        host: { type: 'string' },
        'data-dir': { type: 'string' },
        storage: { type: 'string' },
        'etcd-endpoints': { type: 'string' },
        'etcd-prefix': { type: 'string' },
        'etcd-cafile': { type: 'string' },
        'etcd-certfile': { type: 'string' },
        'etcd-keyfile': { type: 'string' },
        'leader-elect-lease-duration': { type: 'string' },
        kubeconfig: { type: 'string' },
        'no-tls': { type: 'boolean' },
        nodes: { type: 'string' },
        'no-controllers': { type: 'boolean' },
        'pod-stages': { type: 'string' },
        'kubernetes-version': { type: 'string' },
        openapi: { type: 'string' },
        'log-level': { type: 'string' },
        'authorization-mode': { type: 'string' },
        'token-auth-file': { type: 'string' },
        'service-account-issuer': { type: 'string' },
        'host-kubeconfig': { type: 'string' },
        'host-namespace': { type: 'string' },
        'host-in-cluster': { type: 'boolean' },
        name: { type: 'string' },
        'host-qps': { type: 'string' },
        'host-burst': { type: 'string' },
        'sync-interval': { type: 'string' },
        'sync-nodes': { type: 'string' },
        'sync-api-host': { type: 'string' },
        help: { type: 'boolean', short: 'h' },
        version: { type: 'boolean' },
      },
    });
  } catch (err) {
    throw new UsageError((err as Error).message.replace(/\. To specify a positional argument.*$/s, ''));
  }
  const { values, positionals } = parsed;
  if (values.help) return { command: 'help' };
  if (values.version) return { command: 'version' };
  if (positionals.length === 0) throw new UsageError('missing command: kubemu serve');
  if (positionals[0] !== 'serve') throw new UsageError(`unknown command "${positionals[0]}"`);
  if (positionals.length > 1) throw new UsageError(`unexpected argument "${positionals[1]}"`);

  const config: Partial<Config> = {};
  if (values.port !== undefined) {
    const port = Number(values.port);
    if (!/^\d+$/.test(values.port) || port > 65535) throw new UsageError(`invalid --port "${values.port}": must be a number from 0 to 65535`);
    config.port = port;
  }
  if (values.host !== undefined) {
    if (!values.host) throw new UsageError('invalid --host "": must not be empty');
    config.host = values.host;
  }
  if (values['data-dir'] !== undefined) {
    if (!values['data-dir']) throw new UsageError('invalid --data-dir "": must not be empty');
    config.dataDir = values['data-dir'];
  }
  if (values.storage !== undefined) {
    if (!STORAGE_KINDS.includes(values.storage as StorageKind))
      throw new UsageError(`invalid --storage "${values.storage}": must be one of ${STORAGE_KINDS.join(', ')}`);
    config.storage = values.storage as StorageKind;
  }
  const etcdFlags = ['etcd-endpoints', 'etcd-prefix', 'etcd-cafile', 'etcd-certfile', 'etcd-keyfile'] as const;
  if (config.storage === 'etcd') {
    const endpoints = (values['etcd-endpoints'] ?? '').split(',').map((e) => e.trim()).filter(Boolean);
    if (endpoints.length === 0) throw new UsageError('--storage etcd needs --etcd-endpoints URL[,URL...]');
    for (const url of endpoints) {
      if (!/^https?:\/\/[^/\s]+\/?$/.test(url)) throw new UsageError(`invalid --etcd-endpoints "${url}": must be http://host:port or https://host:port`);
    }
    if (!values['etcd-certfile'] !== !values['etcd-keyfile']) throw new UsageError('--etcd-certfile and --etcd-keyfile go together');
    if (values['etcd-certfile'] && !values['etcd-cafile']) throw new UsageError('--etcd-certfile needs --etcd-cafile');
    const prefix = values['etcd-prefix'];
    if (prefix !== undefined && !/^\/[^\s]*$/.test(prefix)) throw new UsageError(`invalid --etcd-prefix "${prefix}": must start with /`);
    config.etcd = {
      endpoints,
      ...(prefix ? { prefix } : {}),
      ...(values['etcd-cafile'] ? { caFile: values['etcd-cafile'] } : {}),
      ...(values['etcd-certfile'] ? { certFile: values['etcd-certfile'] } : {}),
      ...(values['etcd-keyfile'] ? { keyFile: values['etcd-keyfile'] } : {}),
    };
  } else {
    const stray = etcdFlags.find((flag) => values[flag] !== undefined);
    if (stray) throw new UsageError(`--${stray} needs --storage etcd`);
  }
  if (values['leader-elect-lease-duration'] !== undefined) {
    const seconds = Number(values['leader-elect-lease-duration']);
    if (!/^\d+$/.test(values['leader-elect-lease-duration']) || seconds < 1 || seconds > 3600)
      throw new UsageError(`invalid --leader-elect-lease-duration "${values['leader-elect-lease-duration']}": must be 1 to 3600 seconds`);
    config.leaderElectLeaseSeconds = seconds;
  }
  if (values.kubeconfig !== undefined) config.kubeconfigPath = values.kubeconfig;
  if (values['no-tls']) config.tls = false;
  if (values['no-controllers']) config.controllers = false;
  if (values.nodes !== undefined) {
    if (!/^\d+$/.test(values.nodes) || Number(values.nodes) > 1000) throw new UsageError(`invalid --nodes "${values.nodes}": must be a number from 0 to 1000`);
    config.nodes = Number(values.nodes);
  }
  if (values['pod-stages'] !== undefined) {
    if (!values['pod-stages']) throw new UsageError('invalid --pod-stages "": must name a file');
    config.podStagesFile = values['pod-stages'];
  }
  if (values['kubernetes-version'] !== undefined) {
    if (!/^v\d+\.\d+\.\d+/.test(values['kubernetes-version']))
      throw new UsageError(`invalid --kubernetes-version "${values['kubernetes-version']}": must look like v1.31.0`);
    config.kubernetesVersion = values['kubernetes-version'];
  }
  if (values.openapi !== undefined) {
    if (!values.openapi) throw new UsageError('invalid --openapi "": must name a swagger.json file');
    config.openapi = values.openapi;
  }
  if (values['log-level'] !== undefined) {
    if (!(LOG_LEVELS as readonly string[]).includes(values['log-level']))
      throw new UsageError(`invalid --log-level "${values['log-level']}": must be one of ${LOG_LEVELS.join(', ')}`);
    config.logLevel = values['log-level'] as Config['logLevel'];
  }
  const mode = values['authorization-mode'];
  if (mode !== undefined) {
    if (!AUTHORIZATION_MODES.includes(mode as Config['authorizationMode']))
      throw new UsageError(`invalid --authorization-mode "${mode}": must be one of ${AUTHORIZATION_MODES.join(', ')}`);
    config.authorizationMode = mode as Config['authorizationMode'];
  }
  if (values['token-auth-file'] !== undefined) {
    if (!values['token-auth-file']) throw new UsageError('invalid --token-auth-file "": must name a file');
    config.tokenAuthFile = values['token-auth-file'];
  }
  if (values['service-account-issuer'] !== undefined) {
    if (!values['service-account-issuer']) throw new UsageError('invalid --service-account-issuer "": must not be empty');
    if (values['service-account-issuer'].includes(':') && !URL.canParse(values['service-account-issuer']))
      throw new UsageError(`invalid --service-account-issuer "${values['service-account-issuer']}": contains a ':' but is not a URL`);
    config.serviceAccountIssuer = values['service-account-issuer'];
  }
  const hostConfig = parseHost(values);
  if (hostConfig?.apiHost && hostConfig.apiPort === undefined) hostConfig.apiPort = config.port ?? DEFAULT_CONFIG.port;
  if (hostConfig) config.hostCluster = hostConfig;
  return { command: 'serve', config: withDefaults(config) };
}

function positiveNumber(flag: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  if (!/^\d+(\.\d+)?$/.test(value)) throw new UsageError(`invalid --${flag} "${value}": must be a number`);
  return Number(value);
}

/** The host-sync flags, or undefined without --host-kubeconfig. */
function parseHost(values: Record<string, string | boolean | undefined>): HostSyncConfig | undefined {
  const kubeconfig = values['host-kubeconfig'] as string | undefined;
  let namespace = values['host-namespace'] as string | undefined;
  let kubeconfigText: string | undefined;
  if (values['host-in-cluster'] === true) {
    if (kubeconfig !== undefined) throw new UsageError('--host-in-cluster and --host-kubeconfig exclude each other');
    try {
      kubeconfigText = inClusterKubeconfig();
    } catch (err) {
      throw new UsageError(`--host-in-cluster: ${(err as Error).message}`);
    }
    namespace ??= inClusterNamespace();
  }
  if (kubeconfig === undefined && kubeconfigText === undefined) {
    for (const flag of ['host-namespace', 'name', 'host-qps', 'host-burst', 'sync-interval', 'sync-nodes', 'sync-api-host'])
      if (values[flag] !== undefined) throw new UsageError(`--${flag} needs --host-kubeconfig`);
    return undefined;
  }
  if (kubeconfigText === undefined && !kubeconfig) throw new UsageError('invalid --host-kubeconfig "": must name a file');
  if (!namespace) throw new UsageError('--host-kubeconfig needs --host-namespace');
  const name = (values.name as string | undefined) ?? 'kubemu';
  if (!/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/.test(name)) throw new UsageError(`invalid --name "${name}": must be a DNS label`);
  const nodes = values['sync-nodes'] as string | undefined;
  if (nodes !== undefined && nodes !== 'fake' && nodes !== 'real') throw new UsageError(`invalid --sync-nodes "${nodes}": must be one of fake, real`);
  const host: HostSyncConfig = kubeconfigText !== undefined ? { kubeconfigText, namespace, name } : { kubeconfig: kubeconfig!, namespace, name };
  const qps = positiveNumber('host-qps', values['host-qps'] as string | undefined);
  const burst = positiveNumber('host-burst', values['host-burst'] as string | undefined);
  const interval = positiveNumber('sync-interval', values['sync-interval'] as string | undefined);
  if (qps !== undefined) host.qps = qps;
  if (burst !== undefined) host.burst = burst;
  if (interval !== undefined) host.driftIntervalMs = interval * 1000;
  if (nodes) host.nodeMode = nodes;
  const api = values['sync-api-host'] as string | undefined;
  if (api !== undefined) Object.assign(host, parseApiHost(api));
  return host;
}

/** `HOST`, `HOST:PORT` or `[IPv6]:PORT` of --sync-api-host. */
function parseApiHost(value: string): { apiHost: string; apiPort?: number } {
  const invalid = () => new UsageError(`invalid --sync-api-host "${value}": must be HOST or HOST:PORT`);
  const match = /^\[([0-9a-fA-F:.]+)\](?::(\d+))?$/.exec(value) ?? /^([^:\s\[\]]+)(?::(\d+))?$/.exec(value);
  if (!match) throw invalid();
  const port = match[2] === undefined ? undefined : Number(match[2]);
  if (port !== undefined && !(port >= 1 && port <= 65535)) throw invalid();
  return { apiHost: match[1]!, ...(port !== undefined ? { apiPort: port } : {}) };
}
