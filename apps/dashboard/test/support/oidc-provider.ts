// Real OpenID Connect providers for tests, built on oidc-provider and listening on
// 127.0.0.1. Two shapes:
//   'pocket-id': issuer at the root, `groups` in the ID token (Pocket ID, Hearth ID).
//   'keycloak':  issuer at /realms/<realm>, roles in realm_access / resource_access, no
//                groups, and Keycloak's `typ: "ID"` claim.
// Sign-in is finished by a tiny interaction route: it logs in the account named by the
// authorization request's login_hint (else `interaction.accountId`, for browsers) and grants
// what was asked, or refuses with access_denied when `interaction.refuse` is set.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { exportJWK, generateKeyPair } from 'jose';
import type { JWK } from 'jose';
import Provider from 'oidc-provider';
import type { Configuration, KoaContextWithOIDC } from 'oidc-provider';

export type ProviderShape = 'pocket-id' | 'keycloak';

export interface TestAccount {
  id: string;
  claims: Record<string, unknown>;
}

export interface TestProviderOptions {
  shape: ProviderShape;
  clientId: string;
  /** Defaults to the dashboard's usual address, http://localhost:4000/. */
  redirectUri?: string;
  accounts: TestAccount[];
  realm?: string;
  /** Reuse a port (to restart a provider where a dashboard expects it). */
  port?: number;
  /** Reuse signing keys (a restarted provider keeps its keys). */
  signingKey?: JWK;
  /** Issue access tokens as RFC 9068 JWTs whose audience is the client. */
  jwtAccessTokens?: boolean;
  /** Who signs in when the request names nobody (a browser's sign-in has no login_hint). */
  defaultAccountId?: string;
  /** Lifetime of ID tokens in seconds (default 600). */
  idTokenTtl?: number;
  /** Also issue refresh tokens, for every sign-in. */
  refreshTokens?: boolean;
}

export interface InteractionPlan {
  /** Signed in when the request has no login_hint. */
  accountId: string | undefined;
  /** When set, the next sign-ins end with access_denied and this error_description. */
  refuse: string | undefined;
}

export interface TestProvider {
  issuer: string;
  port: number;
  shape: ProviderShape;
  clientId: string;
  redirectUri: string;
  /** The private signing key (kid, alg RS256), for tests that must forge tokens. */
  signingKey: JWK;
  scope: string;
  /** What the interaction route does next; tests change it between sign-ins. */
  interaction: InteractionPlan;
  close(): Promise<void>;
}

export async function generateSigningKey(): Promise<JWK> {
  const { privateKey } = await generateKeyPair('RS256', { extractable: true });
  return { ...(await exportJWK(privateKey)), kid: `test-${Math.random().toString(36).slice(2, 10)}`, alg: 'RS256', use: 'sig' };
}

export async function startTestProvider(options: TestProviderOptions): Promise<TestProvider> {
  const server = http.createServer();
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', resolve);
  });
  const { port } = server.address() as AddressInfo;
  const prefix = options.shape === 'keycloak' ? `/realms/${options.realm ?? 'hearth'}` : '';
  const issuer = `http://127.0.0.1:${port}${prefix}`;
  const signingKey = options.signingKey ?? (await generateSigningKey());
  const accounts = new Map(options.accounts.map((account) => [account.id, account]));
  const redirectUri = options.redirectUri ?? 'http://localhost:4000/';
  const scope = options.shape === 'keycloak' ? 'openid profile email roles' : 'openid profile email groups';

  const configuration: Configuration = {
    clients: [
      {
        client_id: options.clientId,
        token_endpoint_auth_method: 'none',
        redirect_uris: [redirectUri],
        post_logout_redirect_uris: [redirectUri],
        grant_types: options.refreshTokens ? ['authorization_code', 'refresh_token'] : ['authorization_code'],
        response_types: ['code'],
      },
    ],
    jwks: { keys: [signingKey] },
    cookies: { keys: ['test-cookie-key-that-is-long-enough'] },
    pkce: { required: () => true },
    ttl: { Interaction: 600, Session: 3600, Grant: 3600, AccessToken: 600, IdToken: options.idTokenTtl ?? 600, RefreshToken: 3600 },
    ...(options.refreshTokens ? { issueRefreshToken: async () => true } : {}),
    // Both Pocket ID and Keycloak put profile claims (and groups or roles) in the ID token.
    conformIdTokenClaims: false,
    claims:
      options.shape === 'keycloak'
        ? { openid: ['sub', 'typ'], profile: ['name', 'preferred_username'], email: ['email'], roles: ['realm_access', 'resource_access'] }
        : { openid: ['sub'], profile: ['name', 'preferred_username'], email: ['email'], groups: ['groups'] },
    findAccount: async (_ctx: KoaContextWithOIDC, id: string) => {
      const account = accounts.get(id);
      if (!account) return undefined;
      const typ = options.shape === 'keycloak' ? { typ: 'ID' } : {};
      return { accountId: id, claims: async () => ({ sub: id, ...typ, ...account.claims }) };
    },
    interactions: { url: (_ctx: KoaContextWithOIDC, interaction) => `${prefix}/interaction/${interaction.uid}` },
    features: {
      devInteractions: { enabled: false },
      ...(options.jwtAccessTokens
        ? {
            resourceIndicators: {
              enabled: true,
              defaultResource: () => 'urn:hearth:test-api',
              useGrantedResource: () => true,
              getResourceServerInfo: () => ({ scope: 'api', audience: options.clientId, accessTokenFormat: 'jwt' as const }),
            },
          }
        : {}),
    },
  };
  const provider = new Provider(issuer, configuration);
  const callback = provider.callback();
  const interaction: InteractionPlan = { accountId: options.defaultAccountId, refuse: undefined };

  server.on('request', (req: http.IncomingMessage, res: http.ServerResponse) => {
    const url = req.url ?? '/';
    if (prefix && !url.startsWith(prefix)) {
      res.writeHead(404).end();
      return;
    }
    if (url.startsWith(`${prefix}/interaction/`)) {
      finishInteraction(provider, interaction, req, res).catch((error: unknown) => {
        res.writeHead(500, { 'content-type': 'text/plain' }).end(String(error));
      });
      return;
    }
    if (prefix) {
      // Mount below the realm path the way an Express app.use(prefix, ...) would.
      (req as http.IncomingMessage & { originalUrl?: string }).originalUrl = url;
      req.url = url.slice(prefix.length) || '/';
    }
    callback(req, res);
  });

  return {
    issuer,
    port,
    shape: options.shape,
    clientId: options.clientId,
    redirectUri,
    signingKey,
    scope,
    interaction,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

async function finishInteraction(provider: Provider, plan: InteractionPlan, req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
  const details = await provider.interactionDetails(req, res);
  if (plan.refuse !== undefined) {
    await provider.interactionFinished(req, res, { error: 'access_denied', error_description: plan.refuse }, { mergeWithLastSubmission: false });
    return;
  }
  if (details.prompt.name === 'login') {
    const accountId = String(details.params.login_hint ?? plan.accountId ?? '');
    await provider.interactionFinished(req, res, { login: { accountId } }, { mergeWithLastSubmission: false });
    return;
  }
  const accountId = details.session?.accountId ?? '';
  const grant = details.grantId
    ? ((await provider.Grant.find(details.grantId)) ?? new provider.Grant({ accountId, clientId: String(details.params.client_id) }))
    : new provider.Grant({ accountId, clientId: String(details.params.client_id) });
  const missing = details.prompt.details as {
    missingOIDCScope?: string[];
    missingOIDCClaims?: string[];
    missingResourceScopes?: Record<string, string[]>;
  };
  if (missing.missingOIDCScope) grant.addOIDCScope(missing.missingOIDCScope.join(' '));
  if (missing.missingOIDCClaims) grant.addOIDCClaims(missing.missingOIDCClaims);
  for (const [indicator, scopes] of Object.entries(missing.missingResourceScopes ?? {})) {
    grant.addResourceScope(indicator, scopes.join(' '));
  }
  const grantId = await grant.save();
  await provider.interactionFinished(req, res, { consent: { grantId } }, { mergeWithLastSubmission: true });
}
