// Signs an account in at a test provider the way a browser app does: authorization code with
// PKCE, state and nonce, through openid-client as an independent relying party. Redirects
// are followed by hand with a small cookie jar, standing in for the browser.
import * as client from 'openid-client';
import type { TestProvider } from './oidc-provider.js';

export interface SignInResult {
  idToken: string;
  accessToken: string;
  claims: Record<string, unknown>;
}

export async function signIn(provider: TestProvider, accountId: string): Promise<SignInResult> {
  const config = await client.discovery(new URL(provider.issuer), provider.clientId, undefined, client.None(), {
    execute: [client.allowInsecureRequests],
  });
  const codeVerifier = client.randomPKCECodeVerifier();
  const state = client.randomState();
  const nonce = client.randomNonce();
  const authorizationUrl = client.buildAuthorizationUrl(config, {
    redirect_uri: provider.redirectUri,
    scope: provider.scope,
    code_challenge: await client.calculatePKCECodeChallenge(codeVerifier),
    code_challenge_method: 'S256',
    state,
    nonce,
    login_hint: accountId,
  });

  const cookies = new Map<string, string>();
  let next = authorizationUrl;
  for (let hops = 0; ; hops += 1) {
    if (hops > 10) throw new Error('too many redirects during sign-in');
    const response = await fetch(next, {
      redirect: 'manual',
      headers: { cookie: [...cookies].map(([name, value]) => `${name}=${value}`).join('; ') },
    });
    for (const line of response.headers.getSetCookie()) {
      const [pair = ''] = line.split(';');
      const at = pair.indexOf('=');
      cookies.set(pair.slice(0, at), pair.slice(at + 1));
    }
    const location = response.headers.get('location');
    if (!location) throw new Error(`sign-in stopped at ${next.href} with HTTP ${response.status}: ${await response.text()}`);
    next = new URL(location, next);
    if (next.href.startsWith(provider.redirectUri)) break;
  }
  const tokens = await client.authorizationCodeGrant(config, next, {
    pkceCodeVerifier: codeVerifier,
    expectedState: state,
    expectedNonce: nonce,
    idTokenExpected: true,
  });
  if (!tokens.id_token) throw new Error('the provider returned no ID token');
  return { idToken: tokens.id_token, accessToken: tokens.access_token, claims: { ...tokens.claims() } };
}
