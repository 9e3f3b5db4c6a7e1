// The dashboard server against a real Hearth ID: ID tokens obtained through a real
// passkey sign-in (openid-client as the browser app's stand-in), checked by the dashboard
// against Hearth ID's discovery document and JWKS, exactly as the seed wires the two.
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as oidc from 'openid-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { startDashboard, type RunningDashboard } from '../apps/dashboard/src/index.js';
import { createGroup, setUserGroups } from '../apps/id/src/groups/groups.js';
import { TestBrowser } from '../apps/id/test/support/browser.js';
import { registerPasskey, seedScenario } from '../apps/id/test/support/fixtures.js';
import { authorize } from '../apps/id/test/support/oidc-flow.js';
import { signedInUser, startTestServer, type TestServer } from '../apps/id/test/support/server.js';
import type { SoftwareAuthenticator } from '../apps/id/test/support/authenticator.js';

function confYml(clientId: string, endpoint: string): string {
  // The seed's blocks, as a Dashy user would paste them.
  return `pageInfo:
  title: Home Lab
appConfig:
  disableConfigurationForNonAdmin: true
  auth:
    enableOidc: true
    oidc:
      clientId: ${clientId}
      endpoint: ${endpoint}
      adminGroup: admins
      scope: openid profile email groups
sections:
  - name: Media
    items:
      - title: Jellyfin
        url: http://jellyfin.lan:8096
  - name: Admin
    displayData:
      showForKeycloakUsers:
        groups:
          - admins
    items:
      - title: Router
        url: http://192.168.1.1
  - name: Internal Tools
    displayData:
      showForKeycloakUsers:
        groups: ['admins']
      hideForKeycloakUsers:
        groups: ['guests']
    items:
      - title: Hidden from interns
        url: http://grafana.lan
        displayData:
          hideForKeycloakUsers:
            groups: ['interns']
`;
}

describe('Hearth Dashboard with a real Hearth ID', () => {
  let id: TestServer;
  let dashboard: RunningDashboard;
  let userDataDir: string;
  let rp: oidc.Configuration;
  const tokens: Record<'admin' | 'guest', string> = { admin: '', guest: '' };

  async function idToken(authenticator: SoftwareAuthenticator): Promise<string> {
    const result = await authorize(rp, new TestBrowser(id.url), authenticator, { redirectUri: 'http://localhost:4000/' });
    const response = await oidc.authorizationCodeGrant(rp, result.callbackUrl, {
      pkceCodeVerifier: result.codeVerifier!,
      expectedState: result.state,
      expectedNonce: result.nonce,
    });
    return response.id_token!;
  }

  beforeAll(async () => {
    id = await startTestServer();
    const scenario = await seedScenario(id);
    const guests = await createGroup(id.ctx.database.db, { name: 'Guests', friendlyName: 'guests' });
    const guest = await signedInUser(id, { username: 'visitor' });
    await setUserGroups(id.ctx.database.db, guest.user.id, [guests.id]);
    const guestAuthenticator = await registerPasskey(id, guest.cookie);

    rp = await oidc.discovery(new URL(id.url), scenario.client.id, undefined, oidc.None(), { execute: [oidc.allowInsecureRequests] });
    tokens.admin = await idToken(scenario.authenticator);
    tokens.guest = await idToken(guestAuthenticator);

    userDataDir = await mkdtemp(join(tmpdir(), 'hearth-e2e-'));
    dashboard = await startDashboard({ userDataDir, config: confYml(scenario.client.id, id.url) });
  });
  afterAll(async () => {
    await dashboard?.close();
    await id?.stop();
    if (userDataDir) await rm(userDataDir, { recursive: true, force: true });
  });

  const get = (path: string, token?: string) => fetch(`${dashboard.url}${path}`, { headers: token ? { authorization: `Bearer ${token}` } : {} });

  it('strips the config for signed-out visitors, with no-store and Vary: Authorization', async () => {
    const response = await get('/conf.yml');
    expect(response.status).toBe(200);
    expect(response.headers.get('cache-control')).toBe('private, no-store');
    expect(response.headers.get('vary')).toMatch(/Authorization/i);
    const text = await response.text();
    expect(text).not.toContain('jellyfin');
    expect(text).not.toContain('192.168.1.1');
    const config = parse(text);
    expect(config.pageInfo.title).toBe('Login | Home Lab');
    expect(config.appConfig.auth.oidc.endpoint).toBe(id.url);
    expect(config.sections).toBeUndefined();

    const save = await fetch(`${dashboard.url}/config-manager/save`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ config: 'pageInfo:\n  title: mine\n' }),
    });
    expect(save.status).toBe(401);
  });

  it('gives the admin (group "admins" from the ID token) the whole file and lets them save', async () => {
    const response = await get('/conf.yml', tokens.admin);
    expect(response.status).toBe(200);
    const text = await response.text();
    expect(text).toContain('192.168.1.1');
    expect(text).toContain('http://grafana.lan');

    const updated = text.replace('title: Home Lab', 'title: Our Home Lab');
    const save = await fetch(`${dashboard.url}/config-manager/save`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${tokens.admin}` },
      body: JSON.stringify({ config: updated }),
    });
    expect(save.status).toBe(200);
    expect(await readFile(join(userDataDir, 'conf.yml'), 'utf8')).toContain('title: Our Home Lab');
  });

  it('shows a guest only what guests may see, and refuses their save with 403', async () => {
    const text = await (await get('/conf.yml', tokens.guest)).text();
    expect(text).toContain('jellyfin');
    expect(text).not.toContain('192.168.1.1');
    expect(text).not.toContain('grafana');
    const save = await fetch(`${dashboard.url}/config-manager/save`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${tokens.guest}` },
      body: JSON.stringify({ config: 'pageInfo:\n  title: mine\n' }),
    });
    expect(save.status).toBe(403);
    expect((await save.json()).reason).toBe(
      'only admins can save the configuration: admins need the group "admins" in their token, which has groups ["guests"]',
    );
  });

  it('refuses a token from Hearth ID issued to another client (wrong audience)', async () => {
    const payload = JSON.parse(Buffer.from(tokens.admin.split('.')[1]!, 'base64url').toString());
    expect(payload.aud).toBe(rp.clientMetadata().client_id);
    const forged = [tokens.admin.split('.')[0], Buffer.from(JSON.stringify({ ...payload, aud: 'other' })).toString('base64url'), tokens.admin.split('.')[2]].join('.');
    expect((await get('/conf.yml', forged)).status).toBe(401);
    expect((await get('/conf.yml', tokens.admin)).status).toBe(200);
  });
});
