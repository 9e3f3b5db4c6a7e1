import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from './support/server.js';

async function discovery(server: TestServer, headers: Record<string, string>) {
  const url = new URL('/.well-known/openid-configuration', server.url);
  url.hostname = '127.0.0.1';
  const response = await fetch(url, { headers });
  return (await response.json()) as Record<string, string>;
}

describe('APP_URL is the base of every link, whatever the request says', () => {
  let plain: TestServer;
  let proxied: TestServer;
  beforeAll(async () => {
    plain = await startTestServer();
    proxied = await startTestServer({ env: { TRUST_PROXY: 'true' } });
  });
  afterAll(async () => {
    await plain?.stop();
    await proxied?.stop();
  });

  it('ignores the Host header and forwarded headers without TRUST_PROXY', async () => {
    const doc = await discovery(plain, { host: 'evil.example', 'x-forwarded-host': 'evil.example', 'x-forwarded-proto': 'https' });
    expect(doc.issuer).toBe(plain.url);
    for (const key of ['authorization_endpoint', 'token_endpoint', 'jwks_uri', 'userinfo_endpoint', 'end_session_endpoint']) {
      expect(doc[key]!.startsWith(`${plain.url}/`)).toBe(true);
    }
  });

  it('keeps APP_URL behind a trusted proxy too', async () => {
    const doc = await discovery(proxied, { 'x-forwarded-host': 'other.example', 'x-forwarded-proto': 'https' });
    expect(doc.issuer).toBe(proxied.url);
    expect(doc.token_endpoint).toBe(`${proxied.url}/token`);
  });

  it('takes the client address from X-Forwarded-For only with TRUST_PROXY', async () => {
    const { auditedSignOutAddress } = await import('./support/server.js');
    for (const [server, expected] of [
      [plain, '127.0.0.1'],
      [proxied, '203.0.113.7'],
    ] as const) {
      expect((await auditedSignOutAddress(server, '203.0.113.7'))?.replace('::ffff:', '')).toBe(expected);
    }
  });
});
