import * as oidc from 'openid-client';
import type { Page } from 'playwright-core';
import { relyingParty } from '../support/oidc-flow.js';
import type { TestServer } from '../support/server.js';

/** Dashy's address in the seed; nothing listens there, the browser's visits are caught instead. */
export const APP_ORIGIN = 'http://localhost:4000';
// openid-client prints the callback as a URL object does, with the trailing slash.
export const CALLBACK = `${APP_ORIGIN}/`;

export interface PendingAuthorization {
  url: URL;
  config: oidc.Configuration;
  codeVerifier: string;
  state: string;
  nonce: string;
}

/** An authorization request as the relying party (openid-client) builds it, with PKCE. */
export async function startAuthorization(server: TestServer, clientId: string, scope = 'openid profile email groups'): Promise<PendingAuthorization> {
  const config = await relyingParty(server, clientId);
  const codeVerifier = oidc.randomPKCECodeVerifier();
  const state = oidc.randomState();
  const nonce = oidc.randomNonce();
  const url = oidc.buildAuthorizationUrl(config, {
    redirect_uri: CALLBACK,
    scope,
    state,
    nonce,
    code_challenge: await oidc.calculatePKCECodeChallenge(codeVerifier),
    code_challenge_method: 'S256',
  });
  return { url, config, codeVerifier, state, nonce };
}

/**
 * Starts waiting for the browser to be sent to the app, and gives the URL it was sent to.
 * Nothing listens at the app's address, and Playwright does not intercept the target of a
 * server's redirect here, so the request is read as it leaves rather than answered.
 */
export function expectCallback(page: Page): Promise<URL> {
  return page
    .waitForRequest((request) => request.isNavigationRequest() && request.url().startsWith(`${APP_ORIGIN}/`))
    .then((request) => new URL(request.url()));
}

/** Redeems the code from the callback, as the app would. */
export async function redeemCode(pending: PendingAuthorization, callback: URL) {
  return oidc.authorizationCodeGrant(pending.config, callback, {
    pkceCodeVerifier: pending.codeVerifier,
    expectedState: pending.state,
    expectedNonce: pending.nonce,
  });
}
