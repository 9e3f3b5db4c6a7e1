import Provider, { interactionPolicy } from 'oidc-provider';
import type { Configuration, KoaContextWithOIDC } from 'oidc-provider';
import type { AppContext } from '../app-context.js';
import { findUserWithGroups } from '../groups/groups.js';
import { allowsGroups, findClient } from '../clients/clients.js';
import { constantTimeEqual, hashToken } from '../crypto/crypto.js';
import { recordAuditBatched } from '../audit/audit.js';
import { deleteSession, findSession, SESSION_COOKIE } from '../sessions/sessions.js';
import type { PrivateJwk } from '../keys/signing-keys.js';
import { html, page } from '../pages/page.js';
import { createAdapterClass } from './adapter.js';
import { CLIENT_AUTH_METHODS, assertRegisteredSecretMethod } from './client-auth.js';
import { assertClaimsParameter } from './claims-parameter.js';
import { authorizationPostAsGet } from './authorization-post.js';
import { customClaimsForAccount } from '../custom-claims/custom-claims.js';
import { CUSTOM_CLAIMS, CUSTOM_CLAIMS_SCOPE, releaseCustomClaims } from './custom-claims-release.js';
import { afterLogoutPage, askBeforeSigningOut, hearthSessionOf, keepClientOnSignedOutPage, logoutConfirmationPage, returnAppOf } from './logout.js';

export const OIDC_SCOPES = ['openid', 'profile', 'email', 'groups', 'offline_access'] as const;

/** Reason given to the interaction when a signed-in user may not use the client. */
export const NOT_ALLOWED_REASON = 'hearth_not_in_allowed_groups';
/** Reason given to the interaction when the provider's session outlived the Hearth ID session. */
export const SESSION_ENDED_REASON = 'hearth_session_ended';

export const TOKEN_TTL = {
  AccessToken: 60 * 60,
  AuthorizationCode: 60,
  IdToken: 60 * 60,
  RefreshToken: 30 * 24 * 60 * 60,
  Grant: 30 * 24 * 60 * 60,
  Interaction: 60 * 60,
};

/** Where the provider's own endpoints live; the HTTP layer hands these paths to it. */
export const OIDC_ROUTES = {
  authorization: '/authorize',
  token: '/token',
  userinfo: '/userinfo',
  jwks: '/.well-known/jwks.json',
  revocation: '/token/revocation',
  introspection: '/token/introspection',
  end_session: '/session/end',
  pushed_authorization_request: '/request',
} as const;

function readCookie(header: string | undefined, name: string): string | undefined {
  for (const part of header?.split(';') ?? []) {
    const [key, ...rest] = part.trim().split('=');
    if (key !== name) continue;
    try {
      return decodeURIComponent(rest.join('='));
    } catch {
      return undefined; // a malformed cookie names no session: the visitor counts as signed out
    }
  }
  return undefined;
}

export function createOidcProvider(ctx: AppContext, jwks: PrivateJwk[]): Provider {
  const { db } = ctx.database;

  const policy = interactionPolicy.base();
  // A session is not enough when its user is outside the client's allowed groups: send
  // them to the interaction, which explains the refusal and answers access_denied.
  policy.get('login')!.checks.add(
    new interactionPolicy.Check(NOT_ALLOWED_REASON, 'the user is not in a group allowed to use this client', 'access_denied', async (oidc) => {
      const accountId = oidc.oidc.session?.accountId;
      const clientId = oidc.oidc.client?.clientId;
      if (!accountId || !clientId) return interactionPolicy.Check.NO_NEED_TO_PROMPT;
      const client = await findClient(db, clientId);
      if (!client || client.allowedGroupIds.length === 0) return interactionPolicy.Check.NO_NEED_TO_PROMPT;
      // The account as the token requests read it (kept for a second): no statement of its own.
      const account = await findUserWithGroups(db, accountId);
      return account && allowsGroups(client, account.groups.map((group) => group.id))
        ? interactionPolicy.Check.NO_NEED_TO_PROMPT
        : interactionPolicy.Check.REQUEST_PROMPT;
    }),
  );

  // The Hearth ID session is the one that counts: when it has ended (signed out, expired,
  // user disabled), the provider's own session no longer signs anyone in silently.
  policy.get('login')!.checks.add(
    new interactionPolicy.Check(SESSION_ENDED_REASON, 'the Hearth ID session has ended', 'login_required', async (koa) => {
      const accountId = koa.oidc.session?.accountId;
      if (!accountId) return interactionPolicy.Check.NO_NEED_TO_PROMPT;
      const session = await findSession(db, koa.cookies.get(SESSION_COOKIE, { signed: false }));
      return session?.user.id === accountId ? interactionPolicy.Check.NO_NEED_TO_PROMPT : interactionPolicy.Check.REQUEST_PROMPT;
    }),
  );

  const configuration: Configuration = {
    adapter: createAdapterClass(db),
    jwks: { keys: jwks as unknown as NonNullable<Configuration['jwks']>['keys'] },
    cookies: {
      keys: ctx.keys.cookieKeys,
      long: { httpOnly: true, sameSite: 'lax', signed: true },
      short: { httpOnly: true, sameSite: 'lax', signed: true },
    },
    scopes: [...OIDC_SCOPES],
    claims: {
      openid: ['sub'],
      profile: ['name', 'given_name', 'family_name', 'preferred_username'],
      email: ['email', 'email_verified'],
      groups: ['groups'],
    },
    // The dashboard reads groups and names from the ID token, not only from userinfo.
    conformIdTokenClaims: false,
    async findAccount(_ctx, sub, token) {
      // One statement reads the user and their groups, for the access check and the claims
      // alike; the client's allowed groups come from the (briefly cached) client record.
      const found = await findUserWithGroups(db, sub);
      if (!found || found.user.disabled) return undefined;
      const { user, groups } = found;
      // A code, refresh token or access token counts only while its user may still use its
      // client: access is checked at every redemption, refresh and userinfo call, not only at
      // sign-in. Without an account the library answers invalid_grant / invalid_token.
      if (token?.clientId) {
        const client = await findClient(db, token.clientId);
        if (!client || !allowsGroups(client, groups.map((group) => group.id))) return undefined;
      }
      const claims = {
        sub: user.id,
        preferred_username: user.username,
        name: user.displayName,
        given_name: user.firstName ?? undefined,
        family_name: user.lastName ?? undefined,
        email: user.email ?? undefined,
        email_verified: user.email ? user.emailVerified : undefined,
        groups: groups.map((group) => group.friendlyName),
      };
      // Read only when a token or userinfo answer may carry them, and once per request.
      let custom: Promise<Record<string, unknown>> | undefined;
      return {
        accountId: user.id,
        async claims(_use, scope) {
          const standard = { ...claims, groups: [...claims.groups] };
          if (!String(scope).split(' ').includes(CUSTOM_CLAIMS_SCOPE)) return standard;
          custom ??= customClaimsForAccount(db, user.id, groups);
          return { ...standard, [CUSTOM_CLAIMS]: await custom };
        },
      };
    },
    extraClientMetadata: { properties: ['hearth_pkce', 'hearth_trusted'] },
    pkce: {
      required: (_ctx, client) => client.clientAuthMethod === 'none' || (client as unknown as { hearth_pkce?: boolean }).hearth_pkce === true,
    },
    clientDefaults: {
      grant_types: ['authorization_code', 'refresh_token'],
      response_types: ['code'],
      token_endpoint_auth_method: 'none',
      id_token_signed_response_alg: 'RS256',
    },
    responseTypes: ['code'],
    // Only what a client can be registered with (no client_secret_jwt, private_key_jwt).
    clientAuthMethods: [...CLIENT_AUTH_METHODS],
    discovery: {
      claim_types_supported: ['normal'],
      // RFC 8414 §2: without these, a relying party assumes client_secret_basic alone.
      introspection_endpoint_auth_methods_supported: [...CLIENT_AUTH_METHODS],
      revocation_endpoint_auth_methods_supported: [...CLIENT_AUTH_METHODS],
    },
    rotateRefreshToken: true,
    ttl: { ...TOKEN_TTL, Session: ctx.config.sessionLifetimeSeconds },
    routes: OIDC_ROUTES,
    interactions: { url: (_ctx, interaction) => `/interaction/${interaction.uid}`, policy },
    features: {
      devInteractions: { enabled: false },
      // Individual claims on request (OIDC Core §5.5); `groups` is one of them. A claim asked
      // for this way needs consent like a scope (see the consent step and loadExistingGrant).
      claimsParameter: { enabled: true, assertClaimsParameter },
      revocation: { enabled: true },
      introspection: { enabled: true },
      userinfo: { enabled: true },
      rpInitiatedLogout: {
        enabled: true,
        async logoutSource(koa, form) {
          koa.type = 'html';
          koa.body = logoutConfirmationPage(form);
        },
        async postLogoutSuccessSource(koa) {
          koa.type = 'html';
          koa.body = afterLogoutPage((await hearthSessionOf(db, koa)) !== null, await returnAppOf(db, koa.oidc.client?.clientId));
        },
      },
    },
    clientBasedCORS(_koa, origin, client) {
      return client.redirectUris?.some((uri) => URL.parse(uri)?.origin === origin) ?? false;
    },
    // Trusted clients skip consent: their grant covers whatever OpenID scopes they ask for.
    async loadExistingGrant(koa) {
      const { oidc } = koa;
      const grantId = oidc.result?.consent?.grantId ?? oidc.session?.grantIdFor(oidc.client!.clientId);
      const trusted = (oidc.client as unknown as { hearth_trusted?: boolean }).hearth_trusted === true;
      let grant = grantId ? await oidc.provider.Grant.find(grantId) : undefined;
      if (!trusted || !oidc.session?.accountId) return grant;
      grant ??= new oidc.provider.Grant({ clientId: oidc.client!.clientId, accountId: oidc.session.accountId });
      grant.addOIDCScope([...oidc.requestParamScopes].filter((scope) => (OIDC_SCOPES as readonly string[]).includes(scope)).join(' '));
      if (oidc.requestParamClaims.size > 0) grant.addOIDCClaims([...oidc.requestParamClaims]);
      await grant.save();
      return grant;
    },
    async renderError(koa, out, error) {
      // Pocket ID answers a callback URL mismatch as invalid_request naming the URI; so do we.
      const redirectUri = koa.oidc?.params?.redirect_uri;
      const mismatch = out.error === 'invalid_redirect_uri';
      const title = mismatch ? 'invalid_request' : String(out.error);
      const description = mismatch
        ? `redirect_uri "${String(redirectUri)}" is not one of this client's callback URLs; callback URLs match exactly, so register it (and its trailing-slash variant) on the OIDC client`
        : String(out.error_description ?? '');
      koa.type = 'html';
      koa.body = page(
        'Sign-in error',
        html`<h1>This sign-in request cannot continue</h1>
<p><strong>${title}</strong></p>
<p>${description}</p>
<p class="muted">Go back to the app and try again. If it keeps happening, the app's OIDC settings need fixing.</p>`,
      );
      if (koa.status >= 500) ctx.logger.error({ err: error }, 'OIDC error');
    },
  };

  const provider = new Provider(ctx.config.appUrl, configuration);
  releaseCustomClaims(provider);
  // POST at the authorization endpoint becomes the same request as a GET (see the module).
  provider.use(authorizationPostAsGet(OIDC_ROUTES.authorization));
  askBeforeSigningOut(provider, db);
  keepClientOnSignedOutPage(provider);

  // Confidential clients' secrets are stored as SHA-256 hashes; compare hash to hash.
  const clientPrototype = provider.Client.prototype as unknown as {
    compareClientSecret(this: { clientSecret?: string; clientAuthMethod?: string }, actual: string): boolean;
  };
  clientPrototype.compareClientSecret = function compare(actual) {
    assertRegisteredSecretMethod(this.clientAuthMethod ?? '');
    return typeof this.clientSecret === 'string' && constantTimeEqual(this.clientSecret, hashToken(actual));
  };

  provider.on('grant.success', (koa: KoaContextWithOIDC) => {
    const accountId = koa.oidc.entities.Account?.accountId ?? null;
    recordAuditBatched(
      db,
      {
        event: 'token_issued',
        userId: accountId,
        ip: koa.ip,
        userAgent: koa.get('user-agent') || null,
        data: { client: koa.oidc.client?.clientId, clientName: koa.oidc.client?.clientName, grantType: koa.oidc.params?.grant_type },
      },
      (err: unknown) => ctx.logger.warn({ err }, 'cannot write audit log'),
    );
  });

  // Signing out through the provider also ends the Hearth ID session of the same person.
  // When someone else signs in during an authorization, the library ends the previous
  // person's provider session through this same endpoint; the new person's Hearth ID
  // session, created a moment before, stays. Deciding needs the database, so the event
  // only notes whose session ended and the middleware below, still before the response
  // leaves, does the rest.
  provider.on('end_session.success', (koa: KoaContextWithOIDC) => {
    // "Stay signed in" ends here too, without logout=yes: it ends at most one app's session.
    if (!koa.oidc.params?.logout) return;
    koa.state.hearthEndedAccountId = koa.oidc.session?.accountId ?? null;
  });
  provider.use(async (koa, next) => {
    await next();
    if (!('hearthEndedAccountId' in koa.state)) return;
    const ended = koa.state.hearthEndedAccountId as string | null;
    const token = readCookie(koa.get('cookie'), SESSION_COOKIE);
    const session = token ? await findSession(db, token) : null;
    if (ended && session && session.user.id !== ended) return;
    if (token) await deleteSession(db, token).catch(() => {});
    koa.append('Set-Cookie', `${SESSION_COOKIE}=; Path=/; Max-Age=0; HttpOnly; Secure; SameSite=Lax`);
    // The cookie scoped to SESSION_COOKIE_DOMAIN (forward auth) is another cookie to the browser.
    const domain = ctx.config.sessionCookieDomain;
    if (domain) koa.append('Set-Cookie', `${SESSION_COOKIE}=; Path=/; Domain=${domain}; Max-Age=0; HttpOnly; Secure; SameSite=Lax`);
  });

  // Refusals are normal (a wrong verifier, a reused code); the log says why, for whoever debugs a client.
  for (const event of ['grant.error', 'authorization.error', 'end_session.error', 'introspection.error', 'revocation.error', 'userinfo.error'] as const) {
    (provider as unknown as NodeJS.EventEmitter).on(event, (koa: KoaContextWithOIDC, err: { error?: string; error_description?: string; error_detail?: string }) =>
      ctx.logger.info({ event, client: koa.oidc?.client?.clientId, error: err.error, description: err.error_description, detail: err.error_detail }, 'OIDC request refused'),
    );
  }
  provider.on('server_error', (_koa, err) => ctx.logger.error({ err }, 'OIDC server error'));
  return provider;
}
