import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { AppContext } from '../app-context.js';
import { auditFrom } from '../http/context.js';
import { recordAudit } from '../audit/audit.js';
import { DomainError } from '../errors.js';
import { html, page } from '../pages/page.js';
import { signInRateLimit } from '../http/rate-limit.js';
import { listPasskeys } from '../passkeys/passkeys.js';
import { INVALID_TOKEN_MESSAGE, redeemOneTimeAccessToken } from './one-time-access.js';

/**
 * Where a login link lands: someone without a passkey on the account page, which leads them to
 * add one (else they would need another link next time); everyone else on My apps.
 */
async function afterLoginLink(db: AppContext['database']['db'], userId: string): Promise<string> {
  return (await listPasskeys(db, userId)).length === 0 ? '/settings/account' : '/apps';
}


/**
 * Login links. GET /lc/<token> only shows a page (link previews and scanners must not use
 * up the token); the page submits itself to POST /lc/<token>, which signs in.
 * POST /api/one-time-access-token/<token> does the same for scripts and the web app.
 */
export async function registerOneTimeAccessRoutes(app: FastifyInstance, ctx: AppContext): Promise<void> {
  const { db } = ctx.database;
  const rateLimit = signInRateLimit(ctx.config);

  async function redeem(request: FastifyRequest<{ Params: { token: string } }>, reply: FastifyReply): Promise<string> {
    try {
      const userId = await redeemOneTimeAccessToken(db, request.params.token);
      await reply.signIn(userId);
      ctx.metrics?.signIn('login_link', 'success');
      await recordAudit(db, auditFrom(request, { event: 'one_time_access_used', userId, actorId: userId }));
      return userId;
    } catch (error) {
      if (error instanceof DomainError) {
        ctx.metrics?.signIn('login_link', 'failure');
        await recordAudit(db, auditFrom(request, { event: 'sign_in_failed', data: { method: 'one_time_access' } }));
      }
      throw error;
    }
  }

  app.get<{ Params: { token: string } }>('/lc/:token', async (request, reply) => {
    const action = `/lc/${encodeURIComponent(request.params.token)}`;
    // Browsers send `Origin: null` on a form post from a no-referrer page, which the CSRF check
    // refuses; same-origin still keeps the token out of other sites' Referer. The form is sent as
    // text/plain: it carries no fields, and Fastify parses only JSON and text bodies.
    return reply
      .type('text/html')
      .header('cache-control', 'no-store')
      .header('referrer-policy', 'same-origin')
      .send(
        page(
          'Sign in with a login link',
          html`<h1>Sign in with a login link</h1>
<form method="post" action="${action}" enctype="text/plain" id="login-link">
<button type="submit">Sign in</button>
</form>
<p class="muted">This link works once, until it expires (after an hour unless the administrator chose longer). After signing in, add a passkey so you will not need another link.</p>
<script src="/static/login-link.js"></script>`,
        ),
      );
  });

  app.post<{ Params: { token: string } }>('/lc/:token', { config: rateLimit }, async (request, reply) => {
    let userId: string;
    try {
      userId = await redeem(request, reply);
    } catch (error) {
      if (!(error instanceof DomainError)) throw error;
      return reply
        .code(400)
        .type('text/html')
        .send(
          page(
            INVALID_TOKEN_MESSAGE,
            html`<h1>${INVALID_TOKEN_MESSAGE}</h1>
<p>Login links work once and expire (after an hour unless the administrator chose longer). Ask an administrator for a new one, or create one on the server:</p>
<p><code>hearth-id one-time-access-token &lt;username&gt;</code></p>
<p><a class="button secondary" href="/">Sign in with a passkey</a></p>`,
          ),
        );
    }
    return reply.redirect(await afterLoginLink(db, userId), 303);
  });

  app.post<{ Params: { token: string } }>('/api/one-time-access-token/:token', { config: rateLimit }, async (request, reply) => {
    const userId = await redeem(request, reply);
    return { userId, redirectTo: await afterLoginLink(db, userId) };
  });
}
