import * as oidc from 'openid-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fetchJwks } from '../support/conformance.js';
import { DB_PROVIDERS, startTestServer, type TestServer } from '../support/server.js';

// OpenID Foundation "Config OP" profile (oidcc-config-certification-test-plan): one module,
// oidcc-discovery-endpoint-verification, which stands for the legacy OP-Discovery-* tests.

describe.each(DB_PROVIDERS)('Config OP conformance on %s', (provider) => {
  let server: TestServer;
  let metadata: Record<string, unknown>;
  let response: Response;

  beforeAll(async () => {
    server = await startTestServer({ provider });
    response = await fetch(new URL('/.well-known/openid-configuration', server.url));
    metadata = (await response.json()) as Record<string, unknown>;
  });
  afterAll(async () => server?.stop());

  it('oidcc-discovery-endpoint-verification (OP-Discovery-Config): a JSON document whose issuer is exactly the URL it was fetched under', async () => {
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^application\/json/);
    expect(metadata.issuer).toBe(server.url);
    // openid-client refuses a document whose issuer differs from the one it asked for.
    const config = await oidc.discovery(new URL(server.url), 'any-client', undefined, oidc.None(), { execute: [oidc.allowInsecureRequests] });
    expect(config.serverMetadata().issuer).toBe(server.url);
  });

  it('OP-Discovery-Config: every endpoint a code-flow client needs, under the issuer', () => {
    for (const endpoint of ['authorization_endpoint', 'token_endpoint', 'userinfo_endpoint', 'jwks_uri', 'end_session_endpoint']) {
      expect(metadata[endpoint], endpoint).toEqual(expect.any(String));
      expect(String(metadata[endpoint]).startsWith(`${server.url}/`), endpoint).toBe(true);
    }
  });

  it('OP-Discovery-Config: scopes, response types, subject types and signing algorithms as the profile requires', () => {
    expect(metadata.scopes_supported).toEqual(expect.arrayContaining(['openid']));
    expect(metadata.response_types_supported).toEqual(['code']);
    expect(metadata.subject_types_supported).toEqual(expect.arrayContaining(['public']));
    expect(metadata.id_token_signing_alg_values_supported).toContain('RS256');
    expect(metadata.id_token_signing_alg_values_supported).not.toContain('none');
    expect(metadata.grant_types_supported).toEqual(expect.arrayContaining(['authorization_code']));
    expect(metadata.grant_types_supported).not.toContain('implicit');
    expect(metadata.grant_types_supported).not.toContain('password');
    expect(metadata.code_challenge_methods_supported).toEqual(['S256']);
    expect(metadata.authorization_response_iss_parameter_supported).toBe(true);
  });

  it('OP-Discovery-Config: advertises exactly the client authentication methods a client can be registered with', () => {
    expect([...(metadata.token_endpoint_auth_methods_supported as string[])].sort()).toEqual(['client_secret_basic', 'client_secret_post', 'none']);
  });

  it('OP-Discovery-claims_supported: lists the claims the scopes give, and claim types are "normal"', () => {
    expect(metadata.claims_supported).toEqual(
      expect.arrayContaining(['sub', 'iss', 'auth_time', 'name', 'given_name', 'family_name', 'preferred_username', 'email', 'email_verified', 'groups']),
    );
    if (metadata.claim_types_supported !== undefined) expect(metadata.claim_types_supported).toEqual(['normal']);
    expect(typeof metadata.claims_parameter_supported).toBe('boolean');
    // Request objects are not supported; the document must not claim otherwise.
    expect(metadata.request_parameter_supported ?? false).toBe(false);
    expect(metadata.request_uri_parameter_supported ?? false).toBe(false);
  });

  it('OP-Discovery-jwks_uri and OP-Discovery-JWKs: well-formed public RSA signing keys, no private parts', async () => {
    const keys = await fetchJwks(server);
    expect(keys.length).toBeGreaterThan(0);
    const kids = keys.map((key) => key.kid);
    expect(new Set(kids).size).toBe(kids.length);
    for (const key of keys) {
      expect(key).toMatchObject({ kty: 'RSA', kid: expect.any(String), e: expect.any(String), n: expect.any(String) });
      if (key.use !== undefined) expect(key.use).toBe('sig');
      if (key.alg !== undefined) expect(key.alg).toBe('RS256');
      for (const privatePart of ['d', 'p', 'q', 'dp', 'dq', 'qi']) expect(key[privatePart as keyof typeof key], privatePart).toBeUndefined();
      // A 2048-bit modulus at least (RFC 7518 §3.3).
      expect(Buffer.from(key.n!, 'base64url').length * 8).toBeGreaterThanOrEqual(2048);
    }
  });
});
