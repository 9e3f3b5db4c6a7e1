// The answers to GET /conf.yml are reused: each ID token is verified once for its lifetime,
// and each view is rendered once per version of the file and per set of the claims the
// visibility rules read. None of that may ever show a stale file, one person's view to
// another, or accept a token that full verification would refuse.
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { decodeJwt, importJWK, SignJWT } from 'jose';
import type { JWK, JWTPayload } from 'jose';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { viewBodies } from '../src/config/views.js';
import { startTestDashboard } from './support/dashboard.js';
import type { TestDashboard } from './support/dashboard.js';
import { generateSigningKey, startTestProvider } from './support/oidc-provider.js';
import type { TestProvider } from './support/oidc-provider.js';

const CLIENT_ID = 'dashboard-client';

const config = (endpoint: string, extraItem = '') => `appConfig:
  auth:
    enableOidc: true
    oidc:
      clientId: ${CLIENT_ID}
      endpoint: ${endpoint}
      adminGroup: admins
sections:
  - name: Everyone
    items:
      - title: Wiki
        url: https://wiki.lan
${extraItem}  - name: Family
    displayData: { showForKeycloakUsers: { groups: [family] } }
    items:
      - title: Photos
        url: https://photos.lan
  - name: Grown-ups
    displayData: { hideForKeycloakUsers: { groups: [kids] } }
    items:
      - title: Bank
        url: https://bank.lan
  - name: Bob only
    displayData: { showForUsers: [bob] }
    items:
      - title: Bobs NAS
        url: https://nas.lan
`;

let provider: TestProvider;
let dashboard: TestDashboard;
let original: string;

const now = () => Math.floor(Date.now() / 1000);

async function token(claims: JWTPayload, key: JWK = provider.signingKey, lifetime = 3600): Promise<string> {
  return new SignJWT({ iss: provider.issuer, aud: CLIENT_ID, ...claims })
    .setProtectedHeader({ alg: 'RS256', kid: key.kid })
    .setIssuedAt()
    .setExpirationTime(now() + lifetime)
    .sign(await importJWK(key, 'RS256'));
}

const SECTIONS = ['Everyone', 'Family', 'Grown-ups', 'Bob only'];

/** The sections a token is shown, asked for as YAML and as JSON (both must agree). */
async function sectionsFor(idToken: string): Promise<string[]> {
  const yaml = await dashboard.get('/conf.yml', idToken);
  expect(yaml.status).toBe(200);
  const text = await yaml.text();
  const fromYaml = SECTIONS.filter((name) => text.includes(`name: ${name}`));
  const json = await fetch(`${dashboard.url}/conf.yml`, { headers: { authorization: `Bearer ${idToken}`, accept: 'application/json' } });
  const body = (await json.json()) as { config: { sections?: Array<{ name: string }> } };
  expect((body.config.sections ?? []).map((section) => section.name)).toEqual(fromYaml);
  return fromYaml;
}

beforeAll(async () => {
  provider = await startTestProvider({ shape: 'pocket-id', clientId: CLIENT_ID, accounts: [] });
  original = config(provider.issuer);
  dashboard = await startTestDashboard({ config: original });
});

afterEach(() => {
  vi.useRealTimers();
});

afterAll(async () => {
  await dashboard?.stop();
  await provider?.close();
});

describe('views rendered once per claim set', () => {
  it('renders a view once per version of the file and claim set, however many ask', async () => {
    const claims = { sub: 'bob', preferred_username: 'bob', groups: ['family'] };
    const bob = await token(claims);
    // Another token with the same claims (another sign-in): the same view.
    const bobAgain = await token(claims, provider.signingKey, 1800);
    const rendersOf = async (ask: () => Promise<unknown>) => {
      const before = viewBodies.rendered;
      await ask();
      return viewBodies.rendered - before;
    };
    const askAll = async () => {
      for (let round = 0; round < 5; round += 1) {
        for (const idToken of [bob, bobAgain]) expect(await sectionsFor(idToken)).toEqual(['Everyone', 'Family', 'Grown-ups', 'Bob only']);
      }
    };
    // The first requests render the YAML and the JSON view (if no earlier test did), no more.
    expect(await rendersOf(askAll)).toBeLessThanOrEqual(2);
    expect(await rendersOf(askAll)).toBe(0);
    // A new version: rendered once more, then reused.
    const file = join(dashboard.userDataDir, 'conf.yml');
    await writeFile(file, config(provider.issuer, '      - title: New version\n        url: https://new.lan\n'));
    try {
      expect(await rendersOf(askAll)).toBe(2);
      expect(await rendersOf(askAll)).toBe(0);
    } finally {
      await writeFile(file, original);
    }
  });

  it('never hands one claim set the view of another, asked in turn', async () => {
    const bob = await token({ sub: 'bob', preferred_username: 'bob', groups: ['family'] });
    const carol = await token({ sub: 'carol', preferred_username: 'carol', groups: ['kids'] });
    // Same display name and groups as bob, but no preferred_username: user rules must not match.
    const notBob = await token({ sub: 'bob', groups: ['family'] });
    // The same person with and without the groups claim: absent is not empty.
    const daveWithout = await token({ sub: 'dave', preferred_username: 'dave' });
    const daveEmpty = await token({ sub: 'dave', preferred_username: 'dave', groups: [] });
    const expected: Array<[string, string[]]> = [
      [bob, ['Everyone', 'Family', 'Grown-ups', 'Bob only']],
      [carol, ['Everyone']],
      [notBob, ['Everyone', 'Family', 'Grown-ups']],
      [daveEmpty, ['Everyone', 'Grown-ups']],
      [daveWithout, ['Everyone']],
    ];
    for (let round = 0; round < 2; round += 1) {
      for (const [idToken, sections] of expected) expect(await sectionsFor(idToken)).toEqual(sections);
      for (const [idToken, sections] of [...expected].reverse()) expect(await sectionsFor(idToken)).toEqual(sections);
    }
  });

  it('tags each view, answers 304 to the same tag, and a new tag for another claim set', async () => {
    const bob = await token({ sub: 'bob', preferred_username: 'bob', groups: ['family'] });
    const carol = await token({ sub: 'carol', preferred_username: 'carol', groups: ['kids'] });
    const first = await dashboard.get('/conf.yml', bob);
    const etag = first.headers.get('etag');
    expect(etag).toMatch(/^"[\w-]+"$/);
    const again = await fetch(`${dashboard.url}/conf.yml`, { headers: { authorization: `Bearer ${bob}`, 'if-none-match': etag ?? '' } });
    expect(again.status).toBe(304);
    expect(await again.text()).toBe('');
    const other = await fetch(`${dashboard.url}/conf.yml`, { headers: { authorization: `Bearer ${carol}`, 'if-none-match': etag ?? '' } });
    expect(other.status).toBe(200);
    expect(other.headers.get('etag')).not.toBe(etag);
  });
});

describe('views follow the file', () => {
  afterEach(async () => {
    await writeFile(join(dashboard.userDataDir, 'conf.yml'), original);
  });

  it('shows a save through the dashboard on the next request', async () => {
    const admin = await token({ sub: 'alice', preferred_username: 'alice', groups: ['admins'] });
    const bob = await token({ sub: 'bob', preferred_username: 'bob', groups: ['family'] });
    const before = await dashboard.get('/conf.yml', bob);
    expect(await before.text()).not.toContain('Saved item');
    const saved = await dashboard.save({ config: config(provider.issuer, '      - title: Saved item\n        url: https://saved.lan\n') }, admin);
    expect(saved.status).toBe(200);
    const after = await dashboard.get('/conf.yml', bob);
    expect(await after.text()).toContain('Saved item');
    expect(after.headers.get('etag')).not.toBe(before.headers.get('etag'));
    expect(await (await dashboard.get('/conf.yml', admin)).text()).toContain('Saved item');
  });

  it('shows a hand edit on disk on the next request, even one that keeps the size', async () => {
    const bob = await token({ sub: 'bob', preferred_username: 'bob', groups: ['family'] });
    const file = join(dashboard.userDataDir, 'conf.yml');
    expect(await (await dashboard.get('/conf.yml', bob)).text()).toContain('Photos');
    await writeFile(file, (await readFile(file, 'utf8')).replace('Photos', 'Videos'));
    expect(await (await dashboard.get('/conf.yml', bob)).text()).toContain('Videos');
    await writeFile(file, config(provider.issuer, '      - title: Edited by hand\n        url: https://hand.lan\n'));
    expect(await (await dashboard.get('/conf.yml', bob)).text()).toContain('Edited by hand');
  });
});

describe('tokens verified once per lifetime', () => {
  it('refuses a token past its exp even though it was accepted before', async () => {
    const bob = await token({ sub: 'bob', preferred_username: 'bob', groups: ['family'] }, provider.signingKey, 60);
    expect((await dashboard.get('/conf.yml', bob)).status).toBe(200);
    expect((await dashboard.get('/conf.yml', bob)).status).toBe(200);
    const exp = decodeJwt(bob).exp ?? 0;
    vi.useFakeTimers({ toFake: ['Date'] });
    // Past exp and the 30 seconds of clock tolerance.
    vi.setSystemTime((exp + 31) * 1000);
    const response = await dashboard.get('/conf.yml', bob);
    expect(response.status).toBe(401);
    expect(((await response.json()) as { reason: string }).reason).toBe('expired');
  });

  it('refuses an altered or forged copy of a token it has accepted, and still accepts the original', async () => {
    const bob = await token({ sub: 'bob', preferred_username: 'bob', groups: ['family'] });
    expect((await dashboard.get('/conf.yml', bob)).status).toBe(200);
    const [header, payload, signature] = bob.split('.') as [string, string, string];
    const promoted = Buffer.from(JSON.stringify({ ...decodeJwt(bob), groups: ['admins'] })).toString('base64url');
    const flipped = `${signature.slice(0, -2)}${signature.endsWith('AA') ? 'BA' : 'AA'}`;
    const otherKey = { ...(await generateSigningKey()), kid: provider.signingKey.kid };
    const forged = await token(decodeJwt(bob), otherKey);
    for (const bad of [`${header}.${promoted}.${signature}`, `${header}.${payload}.${flipped}`, forged, `${bob}x`]) {
      const response = await dashboard.get('/conf.yml', bad);
      expect(response.status).toBe(401);
      expect(response.headers.get('x-hearth-config-view')).toBeNull();
    }
    const response = await dashboard.get('/conf.yml', bob);
    expect(response.status).toBe(200);
    expect(response.headers.get('x-hearth-config-view')).toBe('filtered');
  });

  it('stops trusting tokens of a withdrawn key once the key set is fetched again', async () => {
    const oldKey = provider.signingKey;
    const bob = await token({ sub: 'bob', preferred_username: 'bob', groups: ['family'] });
    expect((await dashboard.get('/conf.yml', bob)).status).toBe(200);
    // The provider rotates: same address, a new key, the old one gone.
    const port = provider.port;
    await provider.close();
    provider = await startTestProvider({ shape: 'pocket-id', clientId: CLIENT_ID, accounts: [], port, signingKey: await generateSigningKey() });
    const fresh = await token({ sub: 'bob', preferred_username: 'bob', groups: ['family'] });
    // A token with the new key makes the dashboard fetch the key set again (after jose's
    // 30 seconds of cooldown since the last fetch).
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(Date.now() + 31_000);
    expect((await dashboard.get('/conf.yml', fresh)).status).toBe(200);
    const refused = await dashboard.get('/conf.yml', bob);
    expect(refused.status).toBe(401);
    expect(((await refused.json()) as { reason: string }).reason).toBe('unknown signing key');
    expect(oldKey.kid).not.toBe(provider.signingKey.kid);
  });

  it('checks a remembered token again when the key set is older than its cache age', async () => {
    const bob = await token({ sub: 'bob', preferred_username: 'bob', groups: ['family'] });
    expect((await dashboard.get('/conf.yml', bob)).status).toBe(200);
    const port = provider.port;
    await provider.close();
    provider = await startTestProvider({ shape: 'pocket-id', clientId: CLIENT_ID, accounts: [], port, signingKey: await generateSigningKey() });
    vi.useFakeTimers({ toFake: ['Date'] });
    // jose keeps a key set for 10 minutes; the token itself is valid for an hour.
    vi.setSystemTime(Date.now() + 12 * 60_000);
    const refused = await dashboard.get('/conf.yml', bob);
    expect(refused.status).toBe(401);
    expect(((await refused.json()) as { reason: string }).reason).toBe('unknown signing key');
  });
});
