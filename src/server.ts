/**
 * buildServer(config): composes storage, TLS material, authentication, the registry and the
 * HTTP routes into a fastify app ready to listen. It never listens itself, so tests use
 * `app.inject` and the CLI and library decide where to listen.
 * Owns: wiring. Must not: hold logic of its own.
 */
import { join, resolve } from 'node:path';
import fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import { isStatusError, pathNotFound } from './api/errors.js';
import { loadOrCreateAdminToken, adminUser } from './auth/admin.js';
import { authenticationPlugin, clientCertAuthenticator, tokenAuthenticator, unsecuredAuthenticator } from './auth/authenticate.js';
import { loadOrCreateTls, type TlsMaterial } from './auth/certs.js';
import { renderKubeconfig } from './auth/kubeconfig.js';
import { authorizationPlugin } from './auth/rbac/plugin.js';
import { startAuthorization, type Authorization } from './auth/rbac/setup.js';
import { withReviewResources } from './auth/reviews.js';
import { rbacEscalation } from './admission/rbac-escalation.js';
import { startLegacyTokenFiller } from './auth/legacy-token-secrets.js';
import { registryLookup } from './auth/object-lookup.js';
import { loadOrCreateServiceAccountKey } from './auth/sa-key.js';
import { withFileLock } from './auth/files.js';
import { serviceAccountAuthenticator } from './auth/service-account-authenticator.js';
import { ServiceAccountTokens } from './auth/service-account-token.js';
import { loadTokenFile } from './auth/token-file.js';
import { tokenRequestHandler } from './auth/token-request.js';
import type { Config } from './cli/config.js';
import { Discovery } from './http/discovery.js';
import { installErrorHandlers, MAX_BODY_BYTES } from './http/errors.js';
import { healthRoutes } from './http/health.js';
import { oidcRoutes } from './http/oidc.js';
import { openapiV2Plugin } from './http/openapi-v2.js';
import { openapiV3Plugin } from './http/openapi-v3.js';
import { parseApiPath } from './http/request-info.js';
import websocket from '@fastify/websocket';
import { handleResource, type SubresourceCreate } from './http/resources.js';
import { reviewHandler } from './http/reviews.js';
import { type ReadSettings } from './http/reads.js';
import { websocketWatch } from './http/websocket.js';
import type { PodIO } from './http/pod-io/backend.js';
import { handleProtocols } from './http/pod-io/channel.js';
import { podIORoutes } from './http/pod-io/routes.js';
import { SimulatedPodIO } from './http/pod-io/simulated.js';
import { relayForHostCluster } from './syncer/relay.js';
import { DEFAULT_STAGES } from './controllers/nodes/default-stages.js';
import { versionRoutes } from './http/version.js';
import { builtinResources } from './openapi/schemas.js';
import { acquireSchemaSource } from './openapi/source.js';
import { LocalClient } from './client/local.js';
import { builtinControllers } from './controllers/index.js';
import { Manager } from './controllers/runtime/manager.js';
import { createSyncer } from './syncer/attach.js';
import type { Syncer } from './syncer/index.js';
import { bootstrap } from './registry/bootstrap.js';
import { Registry } from './registry/registry.js';
import { bindPod } from './registry/builtin/pod-binding.js';
import { loadStages, type Stage } from './controllers/nodes/stages.js';
import { CrdController } from './registry/crd/controller.js';
import { CustomOpenAPI } from './openapi/custom-source.js';
import { consistentRevision, createStorage, StorageError, storageHealth } from './storage/index.js';
import { leaderElectedControllers } from './controllers/runtime/leader-election.js';
import type { Storage } from './storage/types.js';

const noValidator = () => () => true;
const noSerializer = () => (data: unknown) => JSON.stringify(data);

/** A composed, not yet listening, kubemu server. */
export interface Server {
  app: FastifyInstance;
  registry: Registry;
  storage: Storage;
  /** TLS material when serving HTTPS. */
  tls?: TlsMaterial;
  /** The admin's bearer token (also valid over HTTPS). */
  adminToken: string;
  /** Issues and verifies this server's service-account tokens. */
  serviceAccountTokens: ServiceAccountTokens;
  /** A kubeconfig for the admin, pointing at `url`. */
  kubeconfig(url: string): string;
  /** The authorizer of `config.authorizationMode` and the RBAC policy it reads. */
  authorization: Authorization;
  /** The in-server CRD controller (names, Established, serving of custom resources, cleanup). */
  crds: CrdController;
  /** The built-in controllers, started after bootstrap when `config.controllers`. */
  controllers: Manager;
  /**
   * Chooses who answers pods/log, exec, attach and portforward: `select(pod)` returns a backend
   * (e.g. the host relay of src/syncer/relay.ts) or undefined for the simulated nodes.
   */
  setPodIO(select: ((pod: import('./api/types.js').StoredObject) => PodIO | undefined) | undefined): void;
  /** The syncer to the host cluster, when `config.hostCluster` is set. */
  syncer?: Syncer | undefined;
  /** Stops the controllers and serving, then closes storage. */
  close(): Promise<void>;
}

/** The stages of `--pod-stages FILE`; throws `cannot load --pod-stages FILE: ...`. */
function readPodStages(file: string): readonly Stage[] {
  try {
    return loadStages(file);
  } catch (err) {
    throw new Error(`cannot load --pod-stages ${file}: ${(err as Error).message}`);
  }
}

/** Builds the app for `config`; opens storage, loads or creates TLS material, bootstraps state. */
export async function buildServer(config: Config): Promise<Server> {
  const releaseSchemas = acquireSchemaSource(config.openapi); // throws `cannot load --openapi FILE: ...`
  const podStages = config.podStagesFile === undefined ? undefined : readPodStages(config.podStagesFile);
  const persistent = config.storage === 'level';
  const dataDir = resolve(config.dataDir);
  const storage = createStorage({ kind: config.storage, dataDir, eventWindow: config.eventWindow, ...(config.etcd ? { etcd: config.etcd } : {}) });
  await storage.open().catch((err: unknown) => {
    releaseSchemas();
    throw err;
  });
  try {
    // Files go to <dataDir>/pki/; etcd replicas given one --data-dir share the CA and keys.
    const secretsDir = persistent || config.storage === 'etcd' ? dataDir : undefined;
    const loadSecrets = () => Promise.all([
      config.tls ? loadOrCreateTls({ dir: secretsDir, hosts: [config.host] }) : undefined,
      loadOrCreateAdminToken({ dir: secretsDir }),
      loadOrCreateServiceAccountKey({ dir: secretsDir }),
    ]);
    // Replicas starting together on one empty dir: one makes the secrets, the others reuse them.
    const [[tls, adminToken, saKey], tokenFile] = await Promise.all([
      secretsDir ? withFileLock(join(secretsDir, 'pki', '.lock'), loadSecrets) : loadSecrets(),
      config.tokenAuthFile === undefined ? undefined : loadTokenFile(config.tokenAuthFile),
    ]);
    const serviceAccountTokens = new ServiceAccountTokens({ key: saKey, issuer: config.serviceAccountIssuer });

    const app = fastify({
      logger: config.logLevel === 'silent' ? false : { level: config.logLevel },
      // kubemu validates with its own schemas: skip loading fastify's ajv and serializer compilers.
      schemaController: { compilersFactory: { buildValidator: () => noValidator, buildSerializer: () => noSerializer } },
      bodyLimit: MAX_BODY_BYTES,
      ...(tls ? { https: { key: tls.serverKey, cert: tls.serverCert, ca: tls.caCert, requestCert: true, rejectUnauthorized: false } } : {}),
    } as Parameters<typeof fastify>[0]) as unknown as FastifyInstance;

    app.removeAllContentTypeParsers();
    app.addContentTypeParser('*', { parseAs: 'buffer', bodyLimit: MAX_BODY_BYTES }, (_req, body, done) => done(null, body));
    installErrorHandlers(app);
    // Before authentication: its onRequest hook marks upgrade requests, so one refused by a hook is closed.
    await app.register(websocket, { options: { handleProtocols } });

    let authorization: Authorization | undefined;
    // With a host cluster, Services are created on the host first (it allocates the ClusterIP).
    let syncer: { syncer: Syncer; close(): void } | undefined;
    const syncerAdmission = config.hostCluster ? [(req: Parameters<ReturnType<Syncer['admission']>>[0]) => syncer?.syncer.admission()(req) ?? Promise.resolve()] : [];
    const admission = [rbacEscalation(() => authorization?.escalation), ...syncerAdmission];
    const registry = new Registry(storage, builtinResources(), { eventWindow: config.eventWindow, admission });
    await registry.start();
    // CRDs: served by the API server itself (names, Established, cleanup), also without controllers.
    const crds = new CrdController(registry, { onError: (err) => app.log.error({ err }, 'reconciling a CustomResourceDefinition failed') });
    crds.start();
    await crds.idle(); // CRDs already stored are served before the first request
    const authz = (authorization = startAuthorization({
      mode: config.authorizationMode,
      registry,
      onError: (err) => app.log.error({ err }, 'aggregating ClusterRoles failed'),
    }));
    const lookup = registryLookup(registry);

    for (const warning of tokenFile?.warnings ?? []) app.log.warn(warning);
    const authenticators = [
      tokenAuthenticator(new Map([...(tokenFile?.tokens ?? []), [adminToken, adminUser()]])),
      serviceAccountAuthenticator({ tokens: serviceAccountTokens, lookup }),
    ];
    if (tls) authenticators.unshift(clientCertAuthenticator());
    else authenticators.push(unsecuredAuthenticator());
    // With RBAC, requests without credentials are system:anonymous everywhere and RBAC decides (403s).
    const publicPaths = config.authorizationMode === 'RBAC' ? () => true : undefined;
    await app.register(authenticationPlugin, { authenticators, ...(publicPaths ? { publicPaths } : {}) });
    await app.register(authorizationPlugin, { authorizer: () => authz.authorizer });
    const readSettings: ReadSettings = {
      watchCache: registry.watchCache,
      bookmarkIntervalMs: config.bookmarkIntervalMs,
      maxWatchBufferedBytes: config.maxWatchBufferedBytes,
    };
    const discovery = new Discovery(() => withReviewResources(registry.resources));
    registry.onChange(() => discovery.invalidate());
    const customOpenAPI = new CustomOpenAPI(crds, config.kubernetesVersion);
    const reviews = reviewHandler(() => authz.authorizer);
    versionRoutes(app, config.kubernetesVersion);
    oidcRoutes(app, { issuer: config.serviceAccountIssuer, key: saKey });
    const pods = registry.store('', 'v1', 'pods')!;
    const creates = new Map<string, SubresourceCreate>([
      ['serviceaccounts/token', tokenRequestHandler({ tokens: serviceAccountTokens, lookup })],
      ['pods/binding', ({ namespace, name, body, dryRun }) => bindPod(pods, namespace, name, body, { dryRun })],
    ]);
    healthRoutes(app, {
      livez: [],
      readyz: [
        { name: 'storage', check: () => storage.get('/registry/core/namespaces/default').then(() => undefined) },
        ...(config.storage === 'etcd' ? [{ name: 'etcd', check: () => storageHealth(storage) }] : []),
      ],
    });
    await app.register(openapiV3Plugin, { source: customOpenAPI.v3() });
    await app.register(openapiV2Plugin, { kubernetesVersion: config.kubernetesVersion, source: customOpenAPI.v2() });
    // Replicas on etcd: a read without resourceVersion first learns etcd's revision and waits for
    // this replica's watch cache to reach it (kube-apiserver's consistent reads from cache); with
    // etcd down it fails as a 503 instead of serving a stale cache.
    const consistentRead = config.storage === 'etcd' ? async (query: Record<string, unknown>): Promise<void> => {
      if (query.watch === 'true' || query.watch === '1' || (query.resourceVersion ?? '') !== '') return;
      const revision = await consistentRevision(storage, 3000);
      await registry.watchCache.waitFor(revision, (wanted, current) => new StorageError('Unavailable', '', `the watch cache is at revision ${current}, not yet at etcd's ${wanted}`), 5000);
    } : undefined;
    const api = async (request: FastifyRequest, reply: FastifyReply) => {
      const path = parseApiPath(request.url.split('?')[0]!);
      if (!path) throw pathNotFound();
      if (path.type === 'discovery') return discovery.handle(path, request, reply);
      const review = reviews(path, request, reply);
      if (review) return review;
      if (consistentRead && request.method === 'GET') await consistentRead(request.query as Record<string, unknown>);
      return handleResource(registry, readSettings, path, request, reply, creates);
    };
    for (const url of ['/api', '/api/*', '/apis', '/apis/*']) {
      app.route({ method: 'GET', url, handler: api, wsHandler: (socket, request) => websocketWatch(registry, readSettings, socket, request) });
      app.route({ method: ['POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'], url, handler: api });
    }

    const simulatedIO = new SimulatedPodIO({
      stages: podStages ?? DEFAULT_STAGES,
      getPod: (namespace, name) => {
        try {
          return pods.get(namespace, name);
        } catch (err) {
          if (isStatusError(err) && err.code === 404) return undefined;
          throw err;
        }
      },
    });
    let selectPodIO: Parameters<Server['setPodIO']>[0];
    podIORoutes(app, { getPod: (namespace, name) => pods.get(namespace, name), backend: (pod) => selectPodIO?.(pod) ?? simulatedIO });

    await bootstrap(registry, { advertiseAddress: config.host, port: config.port });
    await authz.settled();
    const makeManager = (): Manager => {
      const manager = new Manager({ client: new LocalClient(registry, { fieldManager: 'kube-controller-manager' }), log: app.log });
      for (const definition of builtinControllers({ nodes: config.hostCluster ? 0 : config.nodes, kubernetesVersion: config.kubernetesVersion, ...(tls ? { caCert: tls.caCert } : {}), ...(podStages ? { podStages } : {}) })) manager.add(definition);
      return manager;
    };
    const controllers = makeManager();
    const hostCluster = config.hostCluster;
    const makeSyncer = hostCluster ? () => createSyncer(hostCluster, {
      virtual: new LocalClient(registry, { fieldManager: 'kubemu-syncer' }),
      log: app.log,
      issue: (spec) => serviceAccountTokens.issue(spec),
      audiences: serviceAccountTokens.audiences,
      ...(tls ? { caCert: tls.caCert } : {}),
    }) : undefined;
    // Replicas on etcd: the controllers and the syncer run on the holder of the
    // kube-controller-manager Lease only (a new Manager and syncer per term: each starts once).
    const leaderTerm = (manager: Manager) => ({
      start: async () => {
        if (config.controllers) await manager.start();
        if (makeSyncer) {
          syncer = makeSyncer();
          await syncer.syncer.start();
        }
      },
      stop: async () => {
        const running = syncer;
        syncer = undefined;
        await running?.syncer.stop().catch((err: unknown) => app.log.warn({ err }, 'stopping the syncer'));
        running?.close();
        await manager.stop();
      },
    });
    const elector = (config.controllers || makeSyncer) && config.storage === 'etcd' ? leaderElectedControllers({
      client: new LocalClient(registry, { fieldManager: 'kube-controller-manager' }),
      first: leaderTerm(controllers),
      make: () => leaderTerm(makeManager()),
      ...(config.leaderElectLeaseSeconds ? { leaseDurationSeconds: config.leaderElectLeaseSeconds } : {}),
      onError: (err) => app.log.warn({ err }, 'leader election'),
    }) : undefined;
    if (config.controllers && !elector) await controllers.start();
    if (makeSyncer && !elector) {
      syncer = makeSyncer();
      try {
        await syncer.syncer.start();
      } catch (err) {
        // Stop what already runs before refusing (the outer catch closes storage).
        await syncer.syncer.stop().catch(() => undefined);
        syncer.close();
        await controllers.stop();
        await app.close();
        authz.stop();
        crds.stop();
        registry.stop();
        throw err;
      }
    }
    if (hostCluster) {
      const relay = relayForHostCluster(hostCluster);
      selectPodIO ??= () => relay;
    }
    const tokenSecrets = startLegacyTokenFiller({
      registry,
      tokens: serviceAccountTokens,
      ...(tls ? { caCert: tls.caCert } : {}),
      onError: (err) => app.log.error({ err }, 'filling a service-account token Secret failed'),
    });

    return {
      app,
      registry,
      storage,
      tls,
      adminToken,
      serviceAccountTokens,
      kubeconfig: (url) =>
        renderKubeconfig(
          tls
            ? { server: url, caCert: tls.caCert, clientCert: tls.adminCert, clientKey: tls.adminKey }
            : { server: url, token: adminToken },
        ),
      controllers,
      crds,
      authorization: authz,
      setPodIO: (select) => {
        selectPodIO = select;
      },
      get syncer() {
        return syncer?.syncer;
      },
      close: async () => {
        await elector?.stop();
        await syncer?.syncer.stop();
        syncer?.close();
        await controllers.stop();
        await app.close();
        await tokenSecrets.stop();
        authz.stop();
        crds.stop();
        registry.stop();
        await storage.close();
        releaseSchemas();
      },
    };
  } catch (err) {
    await storage.close();
    releaseSchemas();
    throw err;
  }
}
