import type { Kysely } from 'kysely';
import type Provider from 'oidc-provider';
import type { KoaContextWithOIDC } from 'oidc-provider';
import type { DB } from '../db/schema.js';
import { findSession, SESSION_COOKIE, type Session } from '../sessions/sessions.js';
import { escapeHtml, Html, html, page } from '../pages/page.js';

/** The Hearth ID session of the browser behind a provider request, if any. */
export function hearthSessionOf(db: Kysely<DB>, koa: KoaContextWithOIDC): Promise<Session | null> {
  return findSession(db, koa.cookies.get(SESSION_COOKIE, { signed: false }));
}

/** "Sign out of Hearth ID?", with the provider's form (its id is op.logoutForm) and the two answers. */
export function logoutConfirmationPage(form: string): string {
  return page(
    'Sign out',
    html`<h1>Sign out of Hearth ID?</h1>
<p class="muted">You will also need a passkey to sign in to your other apps again.</p>
${new Html(form)}
<button form="op.logoutForm" name="logout" value="yes" type="submit">Sign out</button>
<button form="op.logoutForm" class="secondary" type="submit">Stay signed in</button>`,
  );
}

/** Where a sign-out ends when no app asked to be sent back: says what actually happened. */
export function afterLogoutPage(stillSignedIn: boolean): string {
  return stillSignedIn
    ? page('Still signed in', html`<h1>You are still signed in</h1><p><a class="button" href="/">Continue to Hearth ID</a></p>`)
    : page('Signed out', html`<h1>You are signed out</h1><p><a class="button" href="/">Sign in again</a></p>`);
}

/**
 * Any page on the web can send a browser to /session/end. When the browser has no provider
 * session (someone signed in to the Hearth ID web app only), the library answers with a form
 * that submits itself and signs out at once. Whenever a Hearth ID session exists, the person
 * is asked instead, with the same form (and its one-time xsrf value) behind two buttons.
 */
export function askBeforeSigningOut(provider: Provider, db: Kysely<DB>): void {
  provider.use(async (koa, next) => {
    await next();
    const { oidc } = koa as unknown as KoaContextWithOIDC;
    if (oidc?.route !== 'end_session' || koa.status !== 200 || oidc.session?.accountId) return;
    const secret = (oidc.session?.state as { secret?: unknown } | undefined)?.secret;
    if (typeof secret !== 'string' || !(await hearthSessionOf(db, koa as unknown as KoaContextWithOIDC))) return;
    const action = escapeHtml(oidc.urlFor('end_session_confirm'));
    koa.type = 'html';
    koa.body = logoutConfirmationPage(
      `<form id="op.logoutForm" method="post" action="${action}"><input type="hidden" name="xsrf" value="${escapeHtml(secret)}"/></form>`,
    );
  });
}
