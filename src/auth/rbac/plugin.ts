/**
 * The authorization plugin (app-wide via fastify-plugin): a `preHandler` hook that runs after
 * authentication, as kube-apiserver's handler chain runs impersonation then authorization:
 * impersonation headers replace `request.user` once the caller may impersonate, then the request's
 * attributes are decided and anything not allowed is a 403 Forbidden Status worded as upstream.
 * Every route is decided, public paths and unknown paths included (the bootstrap roles
 * `system:public-info-viewer` and `system:discovery` are what open `/healthz` or `/api`).
 * Owns: the hook. Must not: hold rules or know resources.
 */
import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import { anonymousUser } from '../user.js';
import { requestAttributes } from './attributes.js';
import { forbiddenError } from './forbidden.js';
import { impersonate } from './impersonation.js';
import type { Authorizer } from './types.js';

/** Options of {@link authorizationPlugin}. */
export interface AuthorizationOptions {
  /** Decides every request; read on each request, so it may be swapped (tests). */
  authorizer: () => Authorizer;
}

/** Adds the impersonation and authorization `preHandler` to every route of the app. */
export const authorizationPlugin = fp(
  async function authorization(app: FastifyInstance, options: AuthorizationOptions): Promise<void> {
    if (!app.hasRequestDecorator('user')) app.decorateRequest('user', undefined);
    app.addHook('preHandler', async (request) => {
      const authorizer = options.authorizer();
      const user = impersonate(request.user ?? anonymousUser(), request.raw.rawHeaders, authorizer);
      request.user = user;
      const attributes = requestAttributes(user, request.method, request.url);
      const decision = authorizer.authorize(attributes);
      if (decision.decision === 'allow') return;
      request.log.debug({ user: user.name, verb: attributes.verb, reason: decision.reason }, 'Forbidden');
      throw forbiddenError(attributes, decision.reason);
    });
  },
  { name: 'kubemu-authorization', fastify: '5.x', dependencies: ['kubemu-authentication'] },
);
