import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DB_PROVIDERS, api, startTestServer, type TestServer } from './support/server.js';

describe.each(DB_PROVIDERS)('Hearth ID basics on %s', (provider) => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer({ provider });
  });
  afterAll(async () => server?.stop());

  it('answers /healthz', async () => {
    const res = await api(server, 'GET', '/healthz');
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ status: 'ok' });
  });

  it('publishes discovery with the issuer exactly APP_URL', async () => {
    const res = await api(server, 'GET', '/.well-known/openid-configuration');
    expect(res.status).toBe(200);
    expect(res.body.issuer).toBe(server.url);
    expect(res.body.authorization_endpoint).toBe(`${server.url}/authorize`);
    expect(res.body.jwks_uri).toBe(`${server.url}/.well-known/jwks.json`);
    expect(res.body.scopes_supported).toEqual(expect.arrayContaining(['openid', 'profile', 'email', 'groups', 'offline_access']));
    expect(res.body.code_challenge_methods_supported).toEqual(['S256']);
  });
});
