import { createHash, createPublicKey, verify, type JsonWebKey } from 'node:crypto';
import * as oidc from 'openid-client';
import { expect } from 'vitest';
import { createClient } from '../../src/clients/clients.js';
import type { SoftwareAuthenticator } from './authenticator.js';
import type { TestBrowser } from './browser.js';
import type { seedScenario } from './fixtures.js';
import { relyingParty } from './oidc-flow.js';
import type { TestServer } from './server.js';

/**
 * A relying party's side of the OpenID Foundation's OP test modules, driven by openid-client:
 * building authorization requests (with or without nonce and PKCE), walking the sign-in like a
 * person with a passkey, and checking ID tokens the way the modules' IdToken.verify() does.
 */

export interface DecodedJwt {
  header: { alg: string; kid?: string; typ?: string };
  payload: Record<string, unknown>;
}

export function decodeJwt(jwt: string): DecodedJwt {
  const [header, payload] = jwt.split('.');
  return {
    header: JSON.parse(Buffer.from(header!, 'base64url').toString()),
    payload: JSON.parse(Buffer.from(payload!, 'base64url').toString()),
  };
}

/** The public keys the provider publishes at its jwks_uri. */
export async function fetchJwks(server: TestServer): Promise<(JsonWebKey & { kid: string; alg?: string; use?: string })[]> {
  const response = await fetch(new URL('/.well-known/jwks.json', server.url));
  expect(response.status).toBe(200);
  return ((await response.json()) as { keys: (JsonWebKey & { kid: string })[] }).keys;
}

/** OIDC Core §3.1.3.6's at_hash / c_hash: the left half of the SHA-256 of the value, base64url. */
export function halfHash(value: string): string {
  const digest = createHash('sha256').update(value).digest();
  return digest.subarray(0, digest.length / 2).toString('base64url');
}

/**
 * Checks an ID token as OIDC Core §3.1.3.7 and the conformance suite's IdToken.verify() do:
 * RS256 with a kid the JWKS publishes, a signature that verifies, iss, aud, azp, exp, iat,
 * nonce, and at_hash when present. Returns the claims.
 */
export async function checkIdToken(
  server: TestServer,
  idToken: string,
  expected: { clientId: string; nonce: string | null; accessToken?: string },
): Promise<Record<string, unknown>> {
  const { header, payload } = decodeJwt(idToken);
  expect(header.alg).toBe('RS256');
  expect(header.kid).toEqual(expect.any(String));
  const jwk = (await fetchJwks(server)).find((key) => key.kid === header.kid);
  expect(jwk, 'the ID token names a key the JWKS publishes').toBeDefined();
  const [h, p, signature] = idToken.split('.');
  const key = createPublicKey({ key: jwk!, format: 'jwk' });
  expect(verify('sha256', Buffer.from(`${h}.${p}`), key, Buffer.from(signature!, 'base64url'))).toBe(true);

  const now = Math.floor(Date.now() / 1000);
  expect(payload.iss).toBe(server.url);
  const audiences = Array.isArray(payload.aud) ? payload.aud : [payload.aud];
  expect(audiences).toContain(expected.clientId);
  if (audiences.length > 1) expect(payload.azp).toBe(expected.clientId);
  if (payload.azp !== undefined) expect(payload.azp).toBe(expected.clientId);
  expect(typeof payload.sub).toBe('string');
  expect((payload.sub as string).length).toBeGreaterThan(0);
  expect((payload.sub as string).length).toBeLessThanOrEqual(255);
  expect(payload.exp).toEqual(expect.any(Number));
  expect(payload.iat).toEqual(expect.any(Number));
  expect(payload.exp as number).toBeGreaterThan(now);
  expect(payload.iat as number).toBeLessThanOrEqual(now + 5);
  if (expected.nonce === null) expect(payload.nonce).toBeUndefined();
  else expect(payload.nonce).toBe(expected.nonce);
  if (payload.auth_time !== undefined) expect(payload.auth_time as number).toBeLessThanOrEqual(now + 5);
  if (payload.at_hash !== undefined && expected.accessToken) expect(payload.at_hash).toBe(halfHash(expected.accessToken));
  return payload;
}

export interface AuthorizationRequest {
  url: URL;
  redirectUri: string;
  state: string;
  nonce: string | null;
  codeVerifier: string | null;
}

/** An authorization request for response_type=code; nonce and PKCE are on unless switched off. */
export async function authorizationRequest(
  config: oidc.Configuration,
  options: { redirectUri: string; scope?: string; nonce?: boolean; pkce?: boolean; extra?: Record<string, string> },
): Promise<AuthorizationRequest> {
  const state = oidc.randomState();
  const nonce = options.nonce === false ? null : oidc.randomNonce();
  const codeVerifier = options.pkce === false ? null : oidc.randomPKCECodeVerifier();
  const params: Record<string, string> = { redirect_uri: options.redirectUri, scope: options.scope ?? 'openid', state, ...options.extra };
  if (nonce) params.nonce = nonce;
  if (codeVerifier) {
    params.code_challenge = await oidc.calculatePKCECodeChallenge(codeVerifier);
    params.code_challenge_method = 'S256';
  }
  return { url: oidc.buildAuthorizationUrl(config, params), redirectUri: options.redirectUri, state, nonce, codeVerifier };
}

/** Reasons for which the sign-in page offers no "continue as": the person must authenticate again. */
const REAUTHENTICATION_REASONS = ['login_prompt', 'max_age', 'id_token_hint', 'claims_id_token_sub_value', 'essential_acr', 'essential_acrs'];

export type InteractionStep = 'passkey' | 'continue' | 'consent';

export interface DrivenAuthorization {
  /** Where the provider finally sent the browser (the callback, with ?code or ?error). */
  callbackUrl: URL;
  /** What the person had to do on the way, in order. */
  steps: InteractionStep[];
  /** The interactions met on the way, with the reasons the provider gave. */
  interactions: { uid: string; prompt: string; reasons: string[] }[];
}

/**
 * Walks an authorization like a person: on a sign-in prompt, "continue" with the Hearth ID
 * session when the page would offer it, the passkey otherwise; allows consent when asked.
 */
export async function drive(browser: TestBrowser, start: URL, authenticator: SoftwareAuthenticator | null): Promise<DrivenAuthorization> {
  const steps: InteractionStep[] = [];
  const interactions: DrivenAuthorization['interactions'] = [];
  let next = start;
  for (let hop = 0; hop < 6; hop += 1) {
    const { url } = await browser.follow(next);
    if (url.origin !== browser.origin || !url.pathname.startsWith('/interaction/')) return { callbackUrl: url, steps, interactions };
    const uid = url.pathname.split('/')[2]!;
    const details = await browser.get(`/interaction/${uid}/details`);
    expect(details.status).toBe(200);
    const { prompt, signedInAs } = details.json() as { prompt: { name: string; reasons: string[] }; signedInAs: unknown };
    interactions.push({ uid, prompt: prompt.name, reasons: prompt.reasons });
    let result;
    if (prompt.name === 'login') {
      if (signedInAs && !prompt.reasons.some((reason) => REAUTHENTICATION_REASONS.includes(reason))) {
        steps.push('continue');
        result = await browser.post(`/interaction/${uid}/continue`);
      } else {
        if (!authenticator) throw new Error(`a sign-in is needed (${prompt.reasons.join(', ')}) but no passkey was given`);
        steps.push('passkey');
        const options = await browser.post(`/interaction/${uid}/passkey-options`);
        expect(options.status).toBe(200);
        result = await browser.post(`/interaction/${uid}/passkey`, { response: authenticator.authenticate(options.json()) });
      }
    } else {
      steps.push('consent');
      result = await browser.post(`/interaction/${uid}/consent`);
    }
    if (result.status !== 200) throw new Error(`interaction step ${steps.at(-1)} failed: ${result.status} ${result.text}`);
    next = new URL(result.json().redirectTo, browser.origin);
  }
  throw new Error('the authorization did not reach the callback');
}

/** A whole code flow: request, sign-in, and the token exchange by openid-client with all its checks. */
export async function codeFlow(
  config: oidc.Configuration,
  browser: TestBrowser,
  authenticator: SoftwareAuthenticator | null,
  options: Parameters<typeof authorizationRequest>[1] & { maxAge?: number },
) {
  const request = await authorizationRequest(config, options);
  const driven = await drive(browser, request.url, authenticator);
  expect(driven.callbackUrl.searchParams.get('error'), driven.callbackUrl.searchParams.get('error_description') ?? '').toBeNull();
  const tokens = await oidc.authorizationCodeGrant(config, driven.callbackUrl, {
    pkceCodeVerifier: request.codeVerifier ?? undefined,
    expectedState: request.state,
    expectedNonce: request.nonce ?? undefined,
    maxAge: options.maxAge,
  });
  return { request, driven, tokens };
}

export const PUBLIC_CALLBACK = 'http://localhost:4000/';
export const BASIC_CALLBACK = 'http://localhost:5100/cb';
export const POST_CALLBACK = 'http://localhost:5101/cb';

/**
 * The clients the modules run with, as the suite's static-client variant registers them: a
 * confidential client_secret_basic client (the plan's default), a client_secret_post one, and
 * the public PKCE client of the seed (Dashy). None is trusted, so consent is asked.
 */
export async function conformanceClients(server: TestServer, scenario: Awaited<ReturnType<typeof seedScenario>>) {
  const { db } = server.ctx.database;
  const basicClient = await createClient(db, { name: 'Conformance basic', callbackUrls: [BASIC_CALLBACK], isPublic: false, authMethod: 'client_secret_basic' });
  const postClient = await createClient(db, { name: 'Conformance post', callbackUrls: [POST_CALLBACK], isPublic: false, authMethod: 'client_secret_post' });
  return {
    basic: { id: basicClient.client.id, secret: basicClient.secret!, rp: await relyingParty(server, basicClient.client.id, basicClient.secret!, 'header') },
    post: { id: postClient.client.id, secret: postClient.secret!, rp: await relyingParty(server, postClient.client.id, postClient.secret!, 'body') },
    public: { id: scenario.client.id, rp: await relyingParty(server, scenario.client.id) },
  };
}

/** POSTs a form to the token endpoint (or another) and returns status, headers and JSON body. */
export async function postForm(server: TestServer, path: string, form: Record<string, string>, headers: Record<string, string> = {}) {
  const response = await fetch(new URL(path, server.url), {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers },
    body: new URLSearchParams(form),
    redirect: 'manual',
  });
  const text = await response.text();
  let body: Record<string, unknown> = {};
  try {
    body = JSON.parse(text) as Record<string, unknown>;
  } catch {
    // an HTML page or nothing
  }
  return { status: response.status, headers: response.headers, body, text };
}

export function basicAuth(id: string, secret: string): string {
  return `Basic ${Buffer.from(`${encodeURIComponent(id)}:${encodeURIComponent(secret)}`).toString('base64')}`;
}
