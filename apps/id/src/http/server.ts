import { createServer } from 'node:http';
import { fileURLToPath } from 'node:url';
import Fastify from 'fastify';
import type { FastifyInstance } from 'fastify';
import fastifyCookie from '@fastify/cookie';
import fastifyHelmet from '@fastify/helmet';
import fastifyRateLimit from '@fastify/rate-limit';
import fastifyStatic from '@fastify/static';
import type Provider from 'oidc-provider';
import type { AppContext } from './context.js';
import { handleError, handleNotFound } from './errors.js';
import { installSessions } from './session-hooks.js';
import { installCsrfProtection } from './csrf.js';
import { createOidcHandler, isOidcPath } from './oidc-dispatch.js';
import { createOidcProvider } from '../oidc/provider.js';
import type { PrivateJwk } from '../keys/signing-keys.js';
import { registerInteractionRoutes } from '../oidc/interaction-routes.js';
import { registerSetupRoutes } from '../setup/routes.js';
import { registerOneTimeAccessRoutes } from '../one-time-access/routes.js';
import { registerAccountRoutes } from '../users/account-routes.js';
import { registerAdminRoutes } from './admin-routes.js';
import { registerPasskeyRoutes } from '../passkeys/routes.js';
import { registerWebApp } from '../web-app/routes.js';

export interface IdServer {
  app: FastifyInstance;
  provider: Provider;
}

const PUBLIC_DIR = fileURLToPath(new URL('../../public/', import.meta.url));

/** Builds the whole Hearth ID HTTP server (not yet listening): our routes plus the OIDC provider. */
export async function createIdServer(ctx: AppContext, jwks: PrivateJwk[]): Promise<IdServer> {
  const provider = createOidcProvider(ctx, jwks);
  const oidcHandler = createOidcHandler(provider, ctx.config);

  const app = Fastify({
    loggerInstance: ctx.logger,
    trustProxy: ctx.config.trustProxy,
    bodyLimit: 256 * 1024,
    // OIDC endpoints go straight to the provider; it parses its own bodies.
    serverFactory: (handler) =>
      createServer((req, res) => (isOidcPath(req.url) ? oidcHandler(req, res) : handler(req, res))),
  });

  app.setErrorHandler(handleError);
  app.setNotFoundHandler(handleNotFound);

  await app.register(fastifyCookie);
  await app.register(fastifyHelmet, {
    contentSecurityPolicy: {
      useDefaults: false,
      directives: {
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
      },
    },
    // Cross-origin isolation headers would break OIDC popups and redirects; HSTS belongs to the TLS proxy.
    crossOriginEmbedderPolicy: false,
    hsts: false,
  });
  await app.register(fastifyRateLimit, { global: false });
  await app.register(fastifyStatic, { root: PUBLIC_DIR, prefix: '/static/', decorateReply: false });

  installSessions(app, ctx);
  installCsrfProtection(app, ctx.config.appUrl);

  app.get('/healthz', async (_request, reply) => {
    const ok = await ctx.database.ping();
    return reply.code(ok ? 200 : 503).send({ status: ok ? 'ok' : 'database unavailable' });
  });

  await registerSetupRoutes(app, ctx);
  await registerOneTimeAccessRoutes(app, ctx);
  await registerAccountRoutes(app, ctx);
  await registerPasskeyRoutes(app, ctx);
  await registerAdminRoutes(app, ctx);
  await registerInteractionRoutes(app, ctx, provider);
  await registerWebApp(app, ctx);

  return { app, provider };
}
