import type { FastifyInstance } from 'fastify';
import { SESSION_COOKIE, createSession, deleteSession, findSession } from '../sessions/sessions.js';
import type { AppContext } from './context.js';

/**
 * Reads the session cookie on every request and gives replies signIn/signOut.
 * The cookie is always Secure: browsers accept Secure cookies on https and on
 * http://localhost, which are exactly the places passkeys work.
 */
export function installSessions(app: FastifyInstance, ctx: AppContext): void {
  const cookieOptions = { path: '/', httpOnly: true, secure: true, sameSite: 'lax' as const };

  app.decorateRequest('session', null);
  app.addHook('onRequest', async (request) => {
    const token = request.cookies[SESSION_COOKIE];
    request.session = token ? await findSession(ctx.database.db, token) : null;
  });

  app.decorateReply('signIn', async function (this, userId: string) {
    const previous = this.request.cookies[SESSION_COOKIE];
    if (previous) await deleteSession(ctx.database.db, previous);
    const { token } = await createSession(ctx.database.db, userId, {
      lifetimeSeconds: ctx.config.sessionLifetimeSeconds,
      ip: this.request.ip,
      userAgent: this.request.headers['user-agent'] ?? null,
    });
    this.setCookie(SESSION_COOKIE, token, { ...cookieOptions, maxAge: ctx.config.sessionLifetimeSeconds });
  });

  app.decorateReply('signOut', async function (this) {
    await deleteSession(ctx.database.db, this.request.cookies[SESSION_COOKIE]);
    this.clearCookie(SESSION_COOKIE, cookieOptions);
    this.request.session = null;
  });
}
