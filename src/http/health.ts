/**
 * Health endpoints `/healthz`, `/livez`, `/readyz`: `ok`, the `?verbose` listing of checks,
 * single checks at `/<endpoint>/<check>`, and `?exclude=`, as kube-apiserver's healthz package.
 * Owns: health routes. Must not: know what the checks inspect.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';

/** A named check: resolves when healthy, rejects (with a reason) when not. */
export interface HealthCheck {
  name: string;
  check: () => Promise<void> | void;
}

/** Registers the three endpoints with the checks they run. */
export function healthRoutes(app: FastifyInstance, checks: { livez: HealthCheck[]; readyz: HealthCheck[] }): void {
  const endpoints: Record<string, HealthCheck[]> = { healthz: checks.readyz, livez: checks.livez, readyz: checks.readyz };
  for (const [endpoint, list] of Object.entries(endpoints)) {
    const all = [{ name: 'ping', check: () => {} }, ...list];
    app.get(`/${endpoint}`, (req, reply) => answer(endpoint, all, req, reply));
    app.get(`/${endpoint}/:check`, async (req, reply) => {
      const name = (req.params as { check: string }).check;
      const one = all.find((c) => c.name === name);
      if (!one) return reply.code(404).type('text/plain; charset=utf-8').send('404 page not found\n');
      return answer(endpoint, [one], req, reply, true);
    });
  }
}

async function answer(endpoint: string, checks: HealthCheck[], req: FastifyRequest, reply: FastifyReply, single = false): Promise<FastifyReply> {
  const query = req.query as Record<string, string | string[] | undefined>;
  const excluded = new Set([query.exclude ?? []].flat());
  const verbose = query.verbose !== undefined;
  const lines: string[] = [];
  let failed = false;
  for (const c of checks) {
    if (excluded.has(c.name)) {
      lines.push(`[+]${c.name} excluded: ok`);
      continue;
    }
    try {
      await c.check();
      lines.push(`[+]${c.name} ok`);
    } catch (err) {
      failed = true;
      lines.push(`[-]${c.name} failed: reason withheld`);
      req.log.warn({ err }, `${endpoint} check ${c.name} failed`);
    }
  }
  reply.type('text/plain; charset=utf-8').header('X-Content-Type-Options', 'nosniff');
  if (failed) return reply.code(500).send(`${lines.join('\n')}\n${endpoint} check failed\n`);
  if (!verbose || single) return reply.code(200).send('ok');
  return reply.code(200).send(`${lines.join('\n')}\n${endpoint} check passed\n`);
}
