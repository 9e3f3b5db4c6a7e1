import Fastify from 'fastify';
import type { FastifyInstance } from 'fastify';
import fastifyCookie from '@fastify/cookie';
import fastifyRateLimit from '@fastify/rate-limit';
import type Provider from 'oidc-provider';
import type { AppContext } from '../app-context.js';
import { handleError, handleNotFound } from './errors.js';
import { installSessions } from './session-hooks.js';
import { installCsrfProtection } from './csrf.js';
import { installInputGuards } from './input-guards.js';
import { addSecurityHeaders, countFastifyRequests, securityHeaders, withoutRouteSchemas } from '@hearth/server-kit';
import { fastifyTrustProxy } from './client-address.js';
import { rateLimitPluginOptions } from './rate-limit.js';
import { registerOidcRoutes } from './oidc-dispatch.js';
import { serializeRequest } from './log-redaction.js';
import { createOidcProvider } from '../oidc/provider.js';
import type { PrivateJwk } from '../keys/signing-keys.js';
import { registerInteractionRoutes } from '../oidc/interaction-routes.js';
import { registerSetupRoutes } from '../setup/routes.js';
import { registerOneTimeAccessRoutes } from '../one-time-access/routes.js';
import { registerAccountRoutes } from '../users/account-routes.js';
import { registerAppRoutes } from '../clients/app-routes.js';
import { registerAdminRoutes } from './admin-routes.js';
import { registerProvisioningSchemaRoute } from '../provisioning/routes.js';
import { registerPasskeyRoutes } from '../passkeys/routes.js';
import { registerWebApp } from '../web-app/routes.js';
import { registerForwardAuthRoutes } from '../forward-auth/routes.js';

export interface IdServer {
  app: FastifyInstance;
  provider: Provider;
}

const CSP_DIRECTIVES = {
  defaultSrc: ["'self'"],
  scriptSrc: ["'self'"],
  styleSrc: ["'self'"],
  imgSrc: ["'self'", 'data:'],
  fontSrc: ["'self'"],
  connectSrc: ["'self'"],
  formAction: ["'self'"],
  frameAncestors: ["'none'"],
  baseUri: ["'none'"],
  objectSrc: ["'none'"],
};

/**
 * The provider's pages post forms to apps (response_mode=form_post) and end in redirects to
 * them (sign-out), which form-action 'self' would block; its inline auto-submit script is
 * allowed by hash, which the provider adds to script-src itself.
 */
const { formAction: _appsOnly, ...OIDC_CSP_DIRECTIVES } = CSP_DIRECTIVES;

/** Builds the whole Hearth ID HTTP server (not yet listening): our routes plus the OIDC provider. */
export async function createIdServer(ctx: AppContext, jwks: PrivateJwk[]): Promise<IdServer> {
  const provider = createOidcProvider(ctx, jwks);

  const app = Fastify({
    // Access-log lines name the route and harmless parameters, never tokens or secrets.
    loggerInstance: ctx.logger.child({}, { serializers: { req: serializeRequest } }),
    trustProxy: fastifyTrustProxy(ctx.config.trustProxy),
    bodyLimit: 256 * 1024,
    schemaController: withoutRouteSchemas,
  });

  app.setErrorHandler(handleError);
  app.setNotFoundHandler(handleNotFound);
  // With metrics off no hook is added: requests pay nothing for them.
  if (ctx.metrics) {
    countFastifyRequests(app, ctx.metrics.requests);
    ctx.metrics.watchProvider(provider);
  }

  // Cookies are parsed where they are read (the session hook), not on every request.
  await app.register(fastifyCookie, { hook: false });
  // Cross-origin isolation headers would break OIDC popups and redirects; HSTS belongs to the TLS proxy.
  const helmetOptions = { crossOriginEmbedderPolicy: false, hsts: false } as const;
  const headers = await securityHeaders({ ...helmetOptions, contentSecurityPolicy: { useDefaults: false, directives: CSP_DIRECTIVES } });
  addSecurityHeaders(app, headers);
  await app.register(fastifyRateLimit, rateLimitPluginOptions(ctx.database));

  // What the API answers is about one person (or, for admins, everyone): never for a cache.
  app.addHook('onSend', (request, reply, payload, done) => {
    if (request.url.startsWith('/api/')) reply.header('cache-control', 'no-store');
    done(null, payload);
  });

  installSessions(app, ctx);
  installCsrfProtection(app, ctx.config.appUrl);
  installInputGuards(app);

  app.get('/healthz', async (_request, reply) => {
    const ok = await ctx.database.ping();
    return reply.code(ok ? 200 : 503).send({ status: ok ? 'ok' : 'database unavailable' });
  });

  await registerSetupRoutes(app, ctx);
  await registerOneTimeAccessRoutes(app, ctx);
  await registerAccountRoutes(app, ctx);
  await registerAppRoutes(app, ctx);
  await registerPasskeyRoutes(app, ctx);
  await registerAdminRoutes(app, ctx);
  await registerForwardAuthRoutes(app, ctx);
  await registerProvisioningSchemaRoute(app);
  const { interactionPage } = await registerInteractionRoutes(app, ctx, provider);
  const oidcHeaders = await securityHeaders({ ...helmetOptions, contentSecurityPolicy: { useDefaults: false, directives: OIDC_CSP_DIRECTIVES } });
  await registerOidcRoutes(app, provider, ctx.config, {
    // Set over the app's: only what differs (the CSP).
    securityHeaders: Object.fromEntries(Object.entries(oidcHeaders).filter(([name, value]) => headers[name] !== value)),
    database: ctx.database,
    requestMetrics: ctx.metrics?.requests ?? null,
  });
  await registerWebApp(app, ctx, undefined, { interactionPage });

  return { app, provider };
}
