// The security headers of every answer (one edge for all paths), worked out once at start.
// @fastify/helmet builds helmet's middleware anew for every request and then sets each header
// on its own: about a tenth of the time it takes to serve conf.yml. None of the headers depends
// on the request, so the same plugin runs once, on a scratch instance, and what it set is
// added to every reply from then on. Routes can still override one (icons send their own CSP).
import helmet from '@fastify/helmet';
import type { FastifyHelmetOptions } from '@fastify/helmet';
import Fastify from 'fastify';
import type { FastifyInstance } from 'fastify';

/** The headers @fastify/helmet sets with these options, names in lower case. */
export async function securityHeaders(options: FastifyHelmetOptions): Promise<Record<string, string>> {
  const scratch = Fastify();
  try {
    await scratch.register(helmet, options);
    // At handler time the raw response holds exactly what the plugin's hooks set on it.
    scratch.get('/', async (_request, reply) => reply.raw.getHeaders());
    const response = await scratch.inject('/');
    const set = response.json<Record<string, unknown>>();
    return Object.fromEntries(Object.entries(set).map(([name, value]) => [name, Array.isArray(value) ? value.join(', ') : String(value)]));
  } finally {
    await scratch.close();
  }
}

/** Sets the headers on every reply, before any route or hook of the app runs. */
export function addSecurityHeaders(app: FastifyInstance, headers: Record<string, string>): void {
  app.addHook('onRequest', (_request, reply, done) => {
    reply.headers(headers);
    done();
  });
}
