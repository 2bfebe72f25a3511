/**
 * `/version`: the Kubernetes version kubemu reports (configurable, since kubectl warns on skew
 * and test suites match it), in version.Info's shape.
 * Owns: the version document. Must not: know anything else.
 */
import type { FastifyInstance } from 'fastify';

/** version.Info for `gitVersion` like `v1.31.0`. */
export function versionInfo(gitVersion: string): Record<string, string> {
  const match = /^v(\d+)\.(\d+)/.exec(gitVersion);
  if (!match) throw new TypeError(`not a Kubernetes version: ${gitVersion}`);
  return {
    major: match[1]!,
    minor: match[2]!,
    gitVersion,
    gitCommit: '0000000000000000000000000000000000000000',
    gitTreeState: 'clean',
    buildDate: '2026-01-01T00:00:00Z',
    goVersion: 'go1.23.0',
    compiler: 'gc',
    platform: `${process.platform}/${process.arch === 'x64' ? 'amd64' : process.arch}`,
  };
}

/** Registers GET /version. */
export function versionRoutes(app: FastifyInstance, gitVersion: string): void {
  const body = JSON.stringify(versionInfo(gitVersion));
  app.get('/version', async (_req, reply) => reply.type('application/json').send(body));
}
