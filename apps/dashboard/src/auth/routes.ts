// POST /auth/login, POST /auth/logout and GET /auth/session: the built-in users' sign-in,
// and the one place any browser asks "who am I here?".
import type { FastifyInstance, FastifyReply, FastifyRequest, preHandlerAsyncHookHandler } from 'fastify';
import { z } from 'zod';
import type { CookieSessions } from './cookie-sessions.js';
import { identityOfUser } from './cookie-sessions.js';
import type { FailureLimiter } from './login-limiter.js';
import { crossOriginReason, isJsonRequest } from './same-origin.js';
import type { AuthSettings } from './settings.js';
import { viewerInfo } from './viewer.js';

export interface AuthRouteDeps {
  auth: AuthSettings | null;
  /** Set when sign-in is through built-in users. */
  sessions: CookieSessions | null;
  limiter: FailureLimiter;
  authenticate: preHandlerAsyncHookHandler;
}

const loginBody = z.object({
  username: z.string().min(1).max(256),
  password: z.string().min(1).max(1024),
});

const WRONG_CREDENTIALS = 'wrong username or password';

export function registerAuthRoutes(app: FastifyInstance, { auth, sessions, limiter, authenticate }: AuthRouteDeps): void {
  const noStore = async (_request: FastifyRequest, reply: FastifyReply) => {
    reply.header('cache-control', 'no-store');
  };

  app.get('/auth/session', { onRequest: noStore, preHandler: authenticate }, async (request) => ({ viewer: viewerInfo(request.auth, auth) }));

  app.post('/auth/login', { onRequest: noStore, bodyLimit: 8 * 1024 }, async (request, reply) => {
    if (!sessions) return reply.code(404).send({ error: 'not found', reason: noPasswordSignIn(auth) });
    const crossOrigin = crossOriginReason(request, false);
    if (crossOrigin) return reply.code(403).send({ error: 'forbidden', reason: crossOrigin });
    if (!isJsonRequest(request)) {
      return reply.code(415).send({ error: 'unsupported media type', reason: 'send the credentials as JSON: {"username": "...", "password": "..."}' });
    }
    const wait = limiter.retryAfterSeconds(request.ip);
    if (wait > 0) {
      request.log.warn({ ip: request.ip }, 'sign-in refused: too many wrong passwords from this address');
      return reply
        .code(429)
        .header('retry-after', String(wait))
        .send({ error: 'too many requests', reason: `too many wrong passwords from this address; try again in ${wait} seconds` });
    }
    const body = loginBody.safeParse(request.body);
    if (!body.success) {
      return reply.code(400).send({ error: 'bad request', reason: 'expected a JSON body {"username": "...", "password": "..."}' });
    }
    const { username, password } = body.data;
    const user = await sessions.checkPassword(username, password);
    if (!user) {
      limiter.recordFailure(request.ip);
      // The typed name is logged only when it is a user's: people type passwords into it too.
      const known = await sessions.knows(username);
      request.log.warn({ ip: request.ip, ...(known ? { user: username } : {}) }, `sign-in refused: ${known ? 'wrong password' : 'unknown user'}`);
      return reply.code(401).send({ error: 'unauthorized', reason: WRONG_CREDENTIALS });
    }
    request.log.info({ user: user.user, ip: request.ip }, 'signed in');
    const identity = identityOfUser(user);
    return reply
      .header('set-cookie', sessions.cookieFor(request, user))
      .send({ viewer: viewerInfo({ user: user.user, isAdmin: identity.isAdmin, claims: {}, identity, method: 'users' }, auth) });
  });

  app.post('/auth/logout', { onRequest: noStore, bodyLimit: 1024 }, async (request, reply) => {
    const crossOrigin = crossOriginReason(request, false);
    if (crossOrigin) return reply.code(403).send({ error: 'forbidden', reason: crossOrigin });
    if (sessions) reply.header('set-cookie', sessions.clearedFor(request));
    return reply.send({ viewer: viewerInfo(null, auth) });
  });
}

function noPasswordSignIn(auth: AuthSettings | null): string {
  if (auth?.method === 'oidc') {
    return auth.block.users?.length
      ? 'this dashboard signs in through its identity provider; appConfig.auth.users is ignored while OIDC or Keycloak is enabled'
      : 'this dashboard signs in through its identity provider, not with a password';
  }
  return 'this dashboard has no built-in users (appConfig.auth.users)';
}
