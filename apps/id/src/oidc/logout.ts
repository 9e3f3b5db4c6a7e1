import type { Kysely } from 'kysely';
import type Provider from 'oidc-provider';
import type { KoaContextWithOIDC } from 'oidc-provider';
import type { DB } from '../db/schema.js';
import { findSession, SESSION_COOKIE, type Session } from '../sessions/sessions.js';
import { escapeHtml, Html, html, page } from '../pages/page.js';
import { findClient } from '../clients/clients.js';

/** The Hearth ID session of the browser behind a provider request, if any. */
export function hearthSessionOf(db: Kysely<DB>, koa: KoaContextWithOIDC): Promise<Session | null> {
  return findSession(db, koa.cookies.get(SESSION_COOKIE, { signed: false }));
}

/** "Sign out of Hearth ID?", with the provider's form (its id is op.logoutForm) and the two answers. */
export function logoutConfirmationPage(form: string): string {
  return page(
    'Sign out',
    html`<h1>Sign out of Hearth ID?</h1>
<p class="muted">Signing out here ends your Hearth ID session. To sign in to your apps again, you will use your passkey.</p>
${new Html(form)}
<div class="actions">
<button form="op.logoutForm" name="logout" value="yes" type="submit">Sign out</button>
<button form="op.logoutForm" class="secondary" type="submit">Stay signed in</button>
</div>`,
  );
}

/** The app a sign-out came from, to link back to: only what its administrator registered. */
export interface ReturnApp {
  name: string;
  url: string;
}

/**
 * The app that named itself in an end-session request (client_id or id_token_hint, already
 * checked by the provider), with where to send the person back: its launch URL, else the
 * origin of its first http(s) logout callback URL. Nothing from the query is used as a link.
 */
export async function returnAppOf(db: Kysely<DB>, clientId: string | undefined): Promise<ReturnApp | null> {
  if (!clientId) return null;
  const client = await findClient(db, clientId);
  if (!client) return null;
  if (client.launchUrl) return { name: client.name, url: client.launchUrl };
  for (const uri of client.logoutCallbackUrls) {
    const url = URL.parse(uri);
    if (url && (url.protocol === 'https:' || url.protocol === 'http:')) return { name: client.name, url: `${url.origin}/` };
  }
  return null;
}

/** Where a sign-out ends when no app asked to be sent back: says what actually happened, and links back to the app when one is known. */
export function afterLogoutPage(stillSignedIn: boolean, returnApp: ReturnApp | null = null): string {
  const back = returnApp ? html`<a class="button secondary" href="${returnApp.url}">Back to ${returnApp.name}</a>` : html``;
  return stillSignedIn
    ? page(
        'Still signed in',
        html`<h1>You are still signed in</h1>
<p class="muted">You chose to stay signed in to Hearth ID.${returnApp ? html` ${returnApp.name} may still have signed you out of itself.` : ''}</p>
<div class="actions"><a class="button" href="/">Continue to Hearth ID</a>${back}</div>`,
      )
    : page(
        'Signed out',
        html`<h1>You are signed out</h1>
<p class="muted">Your Hearth ID session has ended on this device.</p>
<div class="actions"><a class="button" href="/">Sign in again</a>${back}</div>`,
      );
}

/**
 * After a confirmed sign-out the provider drops the app's client_id from the signed-out
 * page's address (it forwards it only for "Stay signed in"), so the page could not say where
 * the person came from. It is put back here: the client the provider itself resolved.
 */
export function keepClientOnSignedOutPage(provider: Provider): void {
  provider.use(async (koa, next) => {
    await next();
    const { oidc } = koa as unknown as KoaContextWithOIDC;
    if (oidc?.route !== 'end_session_confirm' || koa.status !== 303 || !oidc.client) return;
    const location = URL.parse(String(koa.response.get('location')));
    const success = URL.parse(oidc.urlFor('end_session_success'));
    if (!location || !success || location.origin + location.pathname !== success.origin + success.pathname) return;
    if (location.searchParams.has('client_id')) return;
    location.searchParams.set('client_id', oidc.client.clientId);
    koa.response.set('location', location.href);
  });
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
