import * as oidc from 'openid-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createClient, type ClientAuthMethod } from '../src/clients/clients.js';
import { TestBrowser } from './support/browser.js';
import { seedScenario } from './support/fixtures.js';
import { authorize, relyingParty } from './support/oidc-flow.js';
import { startTestServer, type TestServer } from './support/server.js';

const CALLBACK = 'http://localhost:4000/';
const METHODS = ['client_secret_basic', 'client_secret_post', 'none'];

/**
 * Each client authenticates the one way it is registered for (RFC 7591 §2,
 * token_endpoint_auth_method), at the token, introspection and revocation endpoints alike,
 * and discovery lists only the methods a client can be registered with.
 */
describe('client authentication methods', () => {
  let server: TestServer;
  let scenario: Awaited<ReturnType<typeof seedScenario>>;
  const confidential = new Map<ClientAuthMethod, { id: string; secret: string }>();

  beforeAll(async () => {
    server = await startTestServer();
    scenario = await seedScenario(server, { trusted: true });
    for (const authMethod of ['client_secret_basic', 'client_secret_post'] as const) {
      const { client, secret } = await createClient(server.ctx.database.db, {
        name: `App using ${authMethod}`,
        callbackUrls: [CALLBACK],
        trusted: true,
        authMethod,
      });
      confidential.set(authMethod, { id: client.id, secret: secret! });
    }
  });
  afterAll(async () => server?.stop());

  /** A relying party for a client, sending its secret the given way (or none). */
  function rpFor(clientId: string, secret: string | undefined, sendAs: ClientAuthMethod | 'none') {
    return relyingParty(server, clientId, sendAs === 'none' ? undefined : secret, sendAs === 'client_secret_post' ? 'body' : 'header');
  }

  /** A signed-in authorization for the client, stopped at the callback, code not yet redeemed. */
  async function codeFor(config: oidc.Configuration) {
    return authorize(config, new TestBrowser(server.url), scenario.authenticator, { redirectUri: CALLBACK, scope: 'openid offline_access', extra: { prompt: 'consent' } });
  }

  async function redeem(config: oidc.Configuration, result: Awaited<ReturnType<typeof codeFor>>) {
    return oidc.authorizationCodeGrant(config, result.callbackUrl, {
      pkceCodeVerifier: result.codeVerifier ?? undefined,
      expectedState: result.state,
      expectedNonce: result.nonce,
    });
  }

  async function refusal(promise: Promise<unknown>): Promise<{ status?: number; error?: string }> {
    try {
      await promise;
    } catch (error) {
      // A 401 with a WWW-Authenticate challenge carries the error code in the challenge.
      const e = error as { status?: number; error?: string; cause?: { parameters?: { error?: string } }[] };
      return { status: e.status, error: e.error ?? (Array.isArray(e.cause) ? e.cause[0]?.parameters?.error : undefined) };
    }
    return {};
  }

  it('discovery advertises exactly the methods a client can be registered with, at every endpoint', async () => {
    const config = await rpFor(scenario.client.id, undefined, 'none');
    const metadata = config.serverMetadata() as Record<string, unknown>;
    expect([...(metadata.token_endpoint_auth_methods_supported as string[])].sort()).toEqual([...METHODS].sort());
    expect(metadata.token_endpoint_auth_signing_alg_values_supported).toBeUndefined();
    expect([...(metadata.introspection_endpoint_auth_methods_supported as string[])].sort()).toEqual([...METHODS].sort());
    expect([...(metadata.revocation_endpoint_auth_methods_supported as string[])].sort()).toEqual([...METHODS].sort());
  });

  for (const [registered, other] of [
    ['client_secret_basic', 'client_secret_post'],
    ['client_secret_post', 'client_secret_basic'],
  ] as const) {
    it(`a client registered for ${registered} is refused with ${other} and with no secret, and accepted with ${registered}`, async () => {
      const { id, secret } = confidential.get(registered)!;
      const right = await rpFor(id, secret, registered);
      const result = await codeFor(right);

      // A refused client authentication does not use up the code: the right one still redeems it.
      expect(await refusal(redeem(await rpFor(id, secret, other), result))).toMatchObject({ status: 401, error: 'invalid_client' });
      expect(await refusal(redeem(await rpFor(id, secret, 'none'), result))).toMatchObject({ status: 401, error: 'invalid_client' });
      const tokens = await redeem(right, result);
      expect(tokens.access_token).toBeTruthy();
      expect(tokens.refresh_token).toBeTruthy();

      const wrong = await rpFor(id, secret, other);
      expect(await refusal(oidc.tokenIntrospection(wrong, tokens.access_token))).toMatchObject({ status: 401, error: 'invalid_client' });
      expect(await refusal(oidc.refreshTokenGrant(wrong, tokens.refresh_token!))).toMatchObject({ status: 401, error: 'invalid_client' });
      expect(await refusal(oidc.tokenRevocation(wrong, tokens.refresh_token!))).toMatchObject({ status: 401, error: 'invalid_client' });
      expect((await oidc.tokenIntrospection(right, tokens.access_token)).active).toBe(true);
      await oidc.tokenRevocation(right, tokens.refresh_token!);
      expect(await refusal(oidc.refreshTokenGrant(right, tokens.refresh_token!))).toMatchObject({ status: 400, error: 'invalid_grant' });
    });
  }

  it('a public client is refused when it sends a secret, and accepted without one', async () => {
    const right = await rpFor(scenario.client.id, undefined, 'none');
    const result = await codeFor(right);
    for (const sendAs of ['client_secret_basic', 'client_secret_post'] as const) {
      expect(await refusal(redeem(await rpFor(scenario.client.id, 'made-up-secret', sendAs), result))).toMatchObject({ status: 401, error: 'invalid_client' });
    }
    expect((await redeem(right, result)).access_token).toBeTruthy();
  });
});
