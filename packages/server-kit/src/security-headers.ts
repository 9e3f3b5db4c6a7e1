// The security headers of every answer, worked out once at start. @fastify/helmet builds helmet's middleware anew for every request, a tenth
// of what serving the discovery document costs. None of the headers depends on the request,
// so the plugin runs once, on a scratch instance, and what it set is set on every response.
import helmet from '@fastify/helmet';
import type { FastifyHelmetOptions } from '@fastify/helmet';
import Fastify from 'fastify';
import type { FastifyInstance } from 'fastify';
import { withoutRouteSchemas } from './route-schemas.js';

/** The headers @fastify/helmet sets with these options, names in lower case. */
export async function securityHeaders(options: FastifyHelmetOptions): Promise<Record<string, string>> {
  const scratch = Fastify({ schemaController: withoutRouteSchemas });
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

/**
 * Sets the headers on every response, before any route or hook of the app runs. They go on
 * the raw response, as helmet put them, so that they stay on answers written past Fastify
 * (the OIDC provider's) and a route can still override one with reply.header().
 */
export function addSecurityHeaders(app: FastifyInstance, headers: Record<string, string>): void {
  const entries = Object.entries(headers);
  app.addHook('onRequest', (_request, reply, done) => {
    const raw = reply.raw;
    for (const [name, value] of entries) raw.setHeader(name, value);
    done();
  });
}
