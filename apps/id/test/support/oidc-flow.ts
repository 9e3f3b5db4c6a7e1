import * as oidc from 'openid-client';
import { expect } from 'vitest';
import type { SoftwareAuthenticator } from './authenticator.js';
import type { TestBrowser } from './browser.js';
import type { TestServer } from './server.js';

/** An openid-client configuration for a client of the test server (public unless a secret is given). */
export async function relyingParty(
  server: TestServer,
  clientId: string,
  secret?: string,
  secretIn: 'header' | 'body' = 'header',
): Promise<oidc.Configuration> {
  const auth = !secret ? oidc.None() : secretIn === 'body' ? oidc.ClientSecretPost(secret) : oidc.ClientSecretBasic(secret);
  return oidc.discovery(new URL(server.url), clientId, secret, auth, {
    execute: [oidc.allowInsecureRequests],
  });
}

export interface AuthorizeOptions {
  redirectUri: string;
  scope?: string;
  prompt?: string;
  /** Use this verifier (PKCE); null sends no code_challenge. */
  codeVerifier?: string | null;
  extra?: Record<string, string>;
}

export interface AuthorizeResult {
  /** Where the provider finally sent the browser: the callback (with ?code or ?error). */
  callbackUrl: URL;
  codeVerifier: string | null;
  /** The redirect_uri sent (a browser may show it with a slash added). */
  redirectUri: string;
  state: string;
  nonce: string;
}

/**
 * Drives an authorization request like a person in a browser: opens the authorization
 * URL, signs in with the passkey when asked, allows consent when asked, and returns the
 * callback URL the provider redirects to.
 */
export async function authorize(
  config: oidc.Configuration,
  browser: TestBrowser,
  authenticator: SoftwareAuthenticator | null,
  options: AuthorizeOptions,
): Promise<AuthorizeResult> {
  const codeVerifier = options.codeVerifier === undefined ? oidc.randomPKCECodeVerifier() : options.codeVerifier;
  const state = oidc.randomState();
  const nonce = oidc.randomNonce();
  const params: Record<string, string> = {
    redirect_uri: options.redirectUri,
    scope: options.scope ?? 'openid profile email groups',
    state,
    nonce,
    ...(options.prompt && { prompt: options.prompt }),
    ...options.extra,
  };
  if (codeVerifier !== null) {
    params.code_challenge = await oidc.calculatePKCECodeChallenge(codeVerifier);
    params.code_challenge_method = 'S256';
  }
  let next: URL = oidc.buildAuthorizationUrl(config, params);
  for (let step = 0; step < 6; step += 1) {
    const { url } = await browser.follow(next);
    if (url.origin !== browser.origin || !url.pathname.startsWith('/interaction/')) {
      return { callbackUrl: url, codeVerifier, redirectUri: options.redirectUri, state, nonce };
    }
    const uid = url.pathname.split('/')[2]!;
    const details = (await browser.get(`/interaction/${uid}/details`)).json();
    let result;
    if (details.prompt.name === 'login') {
      if (browser.jar.get('hearth_session') && details.continueAllowed) {
        result = await browser.post(`/interaction/${uid}/continue`);
      } else {
        if (!authenticator) throw new Error('sign-in needed but no authenticator given');
        const optionsResponse = await browser.post(`/interaction/${uid}/passkey-options`);
        expect(optionsResponse.status).toBe(200);
        result = await browser.post(`/interaction/${uid}/passkey`, { response: authenticator.authenticate(optionsResponse.json()) });
      }
    } else {
      result = await browser.post(`/interaction/${uid}/consent`);
    }
    if (result.status !== 200) throw new Error(`interaction step failed: ${result.status} ${result.text}`);
    next = new URL(result.json().redirectTo, browser.origin);
  }
  throw new Error('the authorization did not reach the callback');
}
