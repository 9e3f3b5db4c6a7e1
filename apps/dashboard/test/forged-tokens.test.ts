// Tokens an attacker might try. Each must be refused with 401 and a reason, and a genuine
// token must keep working afterwards (no refusal poisons a cache).
import { createPublicKey } from 'node:crypto';
import { importJWK, SignJWT, exportJWK, generateKeyPair, decodeJwt } from 'jose';
import type { JWTPayload } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestDashboard } from './support/dashboard.js';
import type { TestDashboard } from './support/dashboard.js';
import { startTestProvider } from './support/oidc-provider.js';
import type { TestProvider } from './support/oidc-provider.js';
import { signIn } from './support/sign-in.js';

const CLIENT_ID = 'dashboard-client';

let provider: TestProvider;
let dashboard: TestDashboard;
let genuine: { idToken: string; accessToken: string; claims: Record<string, unknown> };

const base64url = (value: unknown) => Buffer.from(typeof value === 'string' ? value : JSON.stringify(value)).toString('base64url');
const now = () => Math.floor(Date.now() / 1000);

function genuineClaims(): JWTPayload {
  const { iss, sub, aud, groups, preferred_username } = genuine.claims;
  return { iss, sub, aud, groups, preferred_username } as JWTPayload;
}

/** Signed with the provider's real key: only the property under test is wrong. */
async function signedByProvider(claims: JWTPayload, header: Record<string, unknown> = {}): Promise<string> {
  const key = await importJWK(provider.signingKey, 'RS256');
  return new SignJWT(claims)
    .setProtectedHeader({ alg: 'RS256', kid: provider.signingKey.kid, ...header })
    .setIssuedAt(typeof claims.iat === 'number' ? claims.iat : now())
    .setExpirationTime(typeof claims.exp === 'number' ? claims.exp : now() + 300)
    .sign(key);
}

beforeAll(async () => {
  provider = await startTestProvider({
    shape: 'pocket-id',
    clientId: CLIENT_ID,
    redirectUri: 'http://localhost:4000/callback',
    jwtAccessTokens: true,
    accounts: [{ id: 'alice', claims: { preferred_username: 'alice', groups: ['admins'] } }],
  });
  dashboard = await startTestDashboard({
    config: `appConfig:
  auth:
    enableOidc: true
    oidc:
      clientId: ${CLIENT_ID}
      endpoint: ${provider.issuer}
      adminGroup: admins
sections:
  - name: Secret
    items:
      - title: Vault
        url: https://vault.example.test
`,
  });
  genuine = await signIn(provider, 'alice');
});

afterAll(async () => {
  await dashboard?.stop();
  await provider?.close();
});

async function expectRefused(token: string, reason: string | RegExp): Promise<void> {
  const response = await dashboard.get('/conf.yml', token);
  const body = (await response.json()) as { error: string; reason: string };
  expect(response.status).toBe(401);
  expect(body.error).toBe('unauthorized');
  if (typeof reason === 'string') expect(body.reason).toBe(reason);
  else expect(body.reason).toMatch(reason);
}

describe('forged and misused tokens', () => {
  it('accepts the genuine ID token', async () => {
    const response = await dashboard.get('/conf.yml', genuine.idToken);
    expect(response.status).toBe(200);
    expect(response.headers.get('x-hearth-config-view')).toBe('source');
  });

  it('refuses alg "none"', async () => {
    const token = `${base64url({ alg: 'none', typ: 'JWT' })}.${base64url(genuine.claims)}.`;
    await expectRefused(token, 'algorithm not allowed');
  });

  it('refuses HS256 signed with the public key as the secret', async () => {
    const publicPem = createPublicKey({ key: provider.signingKey as never, format: 'jwk' }).export({ type: 'spki', format: 'pem' });
    const publicJwk = JSON.stringify(await exportJWK(createPublicKey({ key: provider.signingKey as never, format: 'jwk' })));
    for (const secret of [String(publicPem), publicJwk]) {
      const token = await new SignJWT(genuineClaims())
        .setProtectedHeader({ alg: 'HS256', kid: provider.signingKey.kid })
        .setIssuedAt()
        .setExpirationTime('5m')
        .sign(new TextEncoder().encode(secret));
      await expectRefused(token, 'algorithm not allowed');
    }
  });

  it('refuses a kid the provider never published', async () => {
    await expectRefused(await signedByProvider(genuineClaims(), { kid: 'no-such-key' }), 'unknown signing key');
  });

  it("refuses a token signed with another issuer's key", async () => {
    const { privateKey } = await generateKeyPair('RS256');
    const claims = genuineClaims();
    const sameKid = await new SignJWT(claims).setProtectedHeader({ alg: 'RS256', kid: provider.signingKey.kid }).setIssuedAt().setExpirationTime('5m').sign(privateKey);
    await expectRefused(sameKid, 'invalid signature');
    const ownKid = await new SignJWT(claims).setProtectedHeader({ alg: 'RS256', kid: 'attacker' }).setIssuedAt().setExpirationTime('5m').sign(privateKey);
    await expectRefused(ownKid, 'unknown signing key');
  });

  it('refuses a token for another client', async () => {
    await expectRefused(await signedByProvider({ ...genuineClaims(), aud: 'some-other-app' }), 'wrong audience');
  });

  it('refuses a token from another issuer, naming the claim as jose does', async () => {
    await expectRefused(await signedByProvider({ ...genuineClaims(), iss: 'http://127.0.0.1:1/evil' }), 'unexpected "iss" claim value');
    const logged = dashboard.logs.find((line) => String(line.msg).includes('unexpected "iss" claim value'));
    expect(logged?.level).toBe(40);
  });

  it('refuses a token expired beyond the 30 seconds of skew, and accepts one within it', async () => {
    await expectRefused(await signedByProvider({ ...genuineClaims(), iat: now() - 600, exp: now() - 45 }), 'expired');
    const withinSkew = await signedByProvider({ ...genuineClaims(), iat: now() - 600, exp: now() - 10 });
    expect((await dashboard.get('/conf.yml', withinSkew)).status).toBe(200);
  });

  it('refuses a token that is not valid yet', async () => {
    await expectRefused(await signedByProvider({ ...genuineClaims(), nbf: now() + 120 }), 'not yet valid');
  });

  it('refuses a truncated signature and a payload edited after signing', async () => {
    await expectRefused(genuine.idToken.slice(0, -12), 'invalid signature');
    const [header, , signature] = genuine.idToken.split('.');
    const promoted = { ...decodeJwt(genuine.idToken), groups: ['admins', 'root'], preferred_username: 'mallory' };
    await expectRefused(`${header}.${base64url(promoted)}.${signature}`, 'invalid signature');
  });

  it('refuses an access token where an ID token is expected, even one with the right audience', async () => {
    const claims = decodeJwt(genuine.accessToken);
    expect(claims.aud).toBe(CLIENT_ID);
    expect(claims.iss).toBe(provider.issuer);
    await expectRefused(genuine.accessToken, 'not an ID token');
  });

  it('refuses tokens missing the subject', async () => {
    const { sub: _sub, ...withoutSubject } = genuineClaims();
    await expectRefused(await signedByProvider(withoutSubject), 'missing required "sub" claim');
  });

  it('still accepts the genuine token after all of that', async () => {
    const response = await dashboard.get('/conf.yml', genuine.idToken);
    expect(response.status).toBe(200);
    expect(await response.text()).toContain('Vault');
  });
});
