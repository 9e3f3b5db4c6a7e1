import type { FastifyInstance, FastifyRequest } from 'fastify';
import { SESSION_COOKIE, createSession, deleteSession, findSession } from '../sessions/sessions.js';
import type { AppContext } from '../app-context.js';
import { isOidcPath } from './oidc-dispatch.js';

/**
 * Paths that never look at the Hearth ID session: the provider's (it reads the cookie itself
 * where it needs to, oidc/provider.ts) and static files. Their requests skip the lookup.
 */
function usesNoSession(url: string): boolean {
  return url.startsWith('/static/') || isOidcPath(url);
}

/**
 * Reads the session cookie of each request that may use it and gives replies signIn/signOut.
 * The cookie is always Secure: browsers accept Secure cookies on https and on
 * http://localhost, which are exactly the places passkeys work.
 */
export function installSessions(app: FastifyInstance, ctx: AppContext): void {
  const hostOnly = { path: '/', httpOnly: true, secure: true, sameSite: 'lax' as const };
  // With SESSION_COOKIE_DOMAIN the sibling hosts forward auth protects receive the cookie too.
  const domain = ctx.config.sessionCookieDomain;
  const cookieOptions = domain ? { ...hostOnly, domain } : hostOnly;
  // The cookie plugin parses nothing by itself (server.ts): the header is read here.
  const sessionToken = (request: FastifyRequest): string | undefined => {
    const header = request.headers.cookie;
    if (!header) return undefined;
    request.cookies ??= app.parseCookie(header);
    return request.cookies[SESSION_COOKIE];
  };

  app.decorateRequest('session', null);
  app.addHook('onRequest', (request, _reply, done) => {
    const token = usesNoSession(request.url) ? undefined : sessionToken(request);
    if (!token) return done();
    findSession(ctx.database.db, token).then((session) => {
      request.session = session;
      done();
    }, done);
  });

  app.decorateReply('signIn', async function (this, userId: string) {
    const previous = sessionToken(this.request);
    if (previous) await deleteSession(ctx.database.db, previous);
    const { token } = await createSession(ctx.database.db, userId, {
      lifetimeSeconds: ctx.config.sessionLifetimeSeconds,
      ip: this.request.ip,
      userAgent: this.request.headers['user-agent'] ?? null,
    });
    // A host-only cookie from before SESSION_COOKIE_DOMAIN was set would be sent first and win.
    if (domain) this.clearCookie(SESSION_COOKIE, hostOnly);
    this.setCookie(SESSION_COOKIE, token, { ...cookieOptions, maxAge: ctx.config.sessionLifetimeSeconds });
  });

  app.decorateReply('signOut', async function (this) {
    await deleteSession(ctx.database.db, sessionToken(this.request));
    if (domain) this.clearCookie(SESSION_COOKIE, hostOnly);
    this.clearCookie(SESSION_COOKIE, cookieOptions);
    this.request.session = null;
  });
}
