/**
 * Authentication: authenticators that turn a request's credentials into a UserInfo, and the
 * app-wide fastify plugin that runs them in `onRequest` and sets `request.user`.
 *
 * Semantics follow kube-apiserver (union authenticator, then anonymous with fail-on-error):
 * authenticators are tried in order and the first user wins; a credential that some
 * authenticator rejected (unknown bearer token, certificate from another CA) and nobody
 * accepted is a 401 on every path; a request with no credentials at all is the anonymous user on
 * the public paths and a 401 elsewhere, unless the server passes `publicPaths: () => true` (RBAC
 * mode: every credential-less request is anonymous and the authorizer answers 403).
 *
 * Owns: who the caller is. Must not: decide what the caller may do (authorization), know
 * how certificates or tokens are made.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import { TLSSocket } from 'node:tls';
import { isStatusError, unauthorized, type StatusError } from '../api/errors.js';
import { anonymousUser, MASTERS_GROUP, UNSECURED_USER, withAuthenticatedGroup, type UserInfo } from './user.js';

export type { UserInfo } from './user.js';

declare module 'fastify' {
  interface FastifyRequest {
    /** The caller, set by the authentication plugin before any handler runs. */
    user?: UserInfo;
  }
}

/**
 * Recognizes one kind of credential. Returns the user when the request carries a valid one,
 * undefined when it carries none of this kind, and throws a StatusError (`unauthorized(reason)`)
 * when it carries one of this kind that is invalid; other authenticators are still tried.
 */
export type Authenticator = (req: FastifyRequest) => UserInfo | undefined | Promise<UserInfo | undefined>;

/** Paths the anonymous user may reach (and their sub-paths). */
export const DEFAULT_PUBLIC_PATHS: readonly string[] = ['/healthz', '/livez', '/readyz', '/version'];

/**
 * For plain HTTP (`--no-tls`) only: a request without an Authorization header is the cluster
 * admin `system:unsecured`, as on kube-apiserver's old insecure port. kubectl sends no bearer
 * token over plain HTTP, so this is what makes `--no-tls` usable; a wrong token is still a 401.
 */
export function unsecuredAuthenticator(): Authenticator {
  return (req) => (req.headers.authorization === undefined ? { name: UNSECURED_USER, groups: [MASTERS_GROUP] } : undefined);
}

/** Options of {@link authenticationPlugin}. */
export interface AuthenticationOptions {
  /** Tried in order; the first user wins. */
  authenticators: readonly Authenticator[];
  /** Path prefixes (or a predicate on the path) where a request without credentials is anonymous. */
  publicPaths?: readonly string[] | ((path: string) => boolean);
}

const CLIENT_AUTH = '1.3.6.1.5.5.7.3.2';
const ANY_EXTENDED_KEY_USAGE = '2.5.29.37.0';
/** A Buffer, so fastify sends `application/json` without adding a charset, as kube-apiserver does. */
const UNAUTHORIZED_BODY = Buffer.from(JSON.stringify(unauthorized().status));

/**
 * Authenticates a TLS client certificate verified against the server's `ca` (the server runs
 * with `requestCert: true, rejectUnauthorized: false`): user = CN, groups = the O values plus
 * `system:authenticated`. An unverified, expired or non-clientAuth certificate is rejected. The
 * outcome is kept per connection, so keep-alive requests do not re-parse the certificate.
 */
export function clientCertAuthenticator(): Authenticator {
  const byConnection = new WeakMap<TLSSocket, PeerOutcome>();
  return (req) => {
    const socket = req.raw.socket;
    if (!(socket instanceof TLSSocket)) return undefined;
    let outcome = byConnection.get(socket);
    if (!outcome) byConnection.set(socket, (outcome = examinePeer(socket)));
    if (outcome.error) throw outcome.error;
    if (outcome.user && Date.now() > outcome.notAfter) throw unauthorized('x509: certificate has expired');
    return outcome.user;
  };
}

interface PeerOutcome {
  user?: UserInfo;
  notAfter: number;
  error?: StatusError;
}

function examinePeer(socket: TLSSocket): PeerOutcome {
  const peer = socket.getPeerCertificate();
  if (!peer || Object.keys(peer).length === 0) return { notAfter: Infinity };
  if (!socket.authorized) return { notAfter: 0, error: unauthorized(`x509: ${String(socket.authorizationError)}`) };
  const usages = peer.ext_key_usage;
  if (usages && !usages.includes(CLIENT_AUTH) && !usages.includes(ANY_EXTENDED_KEY_USAGE)) {
    return { notAfter: 0, error: unauthorized('x509: certificate specifies an incompatible key usage') };
  }
  // node gives a string for one value and an array for several.
  const subject = peer.subject as unknown as Record<string, string | string[] | undefined>;
  const name = values(subject.CN).at(-1);
  if (!name) return { notAfter: Infinity }; // like kube: no CN is no user, not an error
  return { user: withAuthenticatedGroup({ name, groups: values(subject.O) }), notAfter: Date.parse(peer.valid_to) };
}

function values(value: string | string[] | undefined): string[] {
  if (value === undefined) return [];
  return Array.isArray(value) ? value : [value];
}

/**
 * Authenticates `Authorization: Bearer <token>` against a fixed table (the admin token, later a
 * token file). A bearer token not in the table is rejected.
 */
export function tokenAuthenticator(tokens: ReadonlyMap<string, UserInfo>): Authenticator {
  return (req) => {
    const token = bearerToken(req);
    if (token === undefined) return undefined;
    const user = tokens.get(token);
    if (!user) throw unauthorized('invalid bearer token');
    return user;
  };
}

/**
 * The token of an `Authorization: Bearer <token>` header (scheme case-insensitive), or undefined
 * when there is no such header or it has another scheme, as kube's bearertoken authenticator reads it.
 */
export function bearerToken(req: FastifyRequest): string | undefined {
  const header = req.headers.authorization?.trim();
  if (!header) return undefined;
  const [scheme, token] = header.split(' ', 3);
  if (scheme?.toLowerCase() !== 'bearer' || !token) return undefined;
  return token;
}

/**
 * The authentication plugin (app-wide via fastify-plugin): an `onRequest` hook that sets
 * `request.user` or answers 401 with the Kubernetes Status `Unauthorized` as application/json.
 */
export const authenticationPlugin = fp(
  async function authentication(app: FastifyInstance, options: AuthenticationOptions): Promise<void> {
    const { authenticators } = options;
    const isPublic = publicMatcher(options.publicPaths ?? DEFAULT_PUBLIC_PATHS);
    if (!app.hasRequestDecorator('user')) app.decorateRequest('user', undefined);

    app.addHook('onRequest', async (request, reply) => {
      let rejected: StatusError | undefined;
      for (const authenticate of authenticators) {
        try {
          const user = await authenticate(request);
          if (user) {
            request.user = withAuthenticatedGroup(user);
            return;
          }
        } catch (err) {
          if (!isStatusError(err)) throw err;
          rejected ??= err;
        }
      }
      const path = request.url.split('?', 1)[0] ?? '';
      if (!rejected && isPublic(path)) {
        request.user = anonymousUser();
        return;
      }
      request.log.debug({ reason: rejected?.message ?? 'no credentials' }, 'Unable to authenticate the request');
      return reply.code(401).header('content-type', 'application/json').send(UNAUTHORIZED_BODY);
    });
  },
  { name: 'kubemu-authentication', fastify: '5.x' },
);

function publicMatcher(paths: readonly string[] | ((path: string) => boolean)): (path: string) => boolean {
  if (typeof paths === 'function') return paths;
  return (path) => paths.some((p) => path === p || path.startsWith(`${p}/`));
}
