// The seed's sections 3 and 4 in a real browser: the dashboard's own web app signing people
// in through a real Hearth ID with their passkeys, an admin editing, non-admins refused, and
// each group seeing exactly what conf.yml grants it, down to the bytes on the wire.
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDashboard, type RunningDashboard } from '../apps/dashboard/src/index.js';
import { createClient } from '../apps/id/src/clients/clients.js';
import { createGroup, setUserGroups } from '../apps/id/src/groups/groups.js';
import { createUser, type User } from '../apps/id/src/users/users.js';
import { launchBrowser, watchForPageErrors } from '../apps/id/test/browser/support.js';
import { freePort, startTestServer, type TestServer } from '../apps/id/test/support/server.js';
import { personWithPasskey, recordResponses, requireDashboardWebApp, signInThroughHearthId, storedIdToken, visibleDashboard, type Person } from './support/journeys.js';

function confYml(clientId: string, endpoint: string): string {
  // Section 3's appConfig and section 4's displayData blocks as the seed prints them, around
  // sections that make every rule visible: "Team" shows the interns rule to someone who sees
  // the section at all (only admins see "Internal Tools").
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
  - name: Admin Area
    displayData:
      showForKeycloakUsers:
        groups:
          - admins
    items:
      - title: Router
        url: http://router-admin.lan
  - name: Internal Tools
    displayData:
      showForKeycloakUsers:
        groups: ['admins']
      hideForKeycloakUsers:
        groups: ['guests']
    items:
      - title: Hidden from interns
        url: http://grafana-internal.lan
        displayData:
          hideForKeycloakUsers:
            groups: ['interns']
  - name: Team
    displayData:
      hideForKeycloakUsers:
        groups: ['guests']
    items:
      - title: Team chat
        url: http://chat-team.lan
      - title: Payroll
        url: http://payroll-team.lan
        displayData:
          hideForKeycloakUsers:
            groups: ['interns']
`;
}

/** Every section and item of the file, each with strings that appear nowhere else. */
const CATALOGUE = {
  sections: ['Media', 'Admin Area', 'Internal Tools', 'Team'],
  items: ['Jellyfin', 'Router', 'Hidden from interns', 'Team chat', 'Payroll'],
};
const SECRETS: Record<string, string[]> = {
  'Admin Area': ['Admin Area', 'router-admin.lan'],
  Router: ['router-admin.lan'],
  'Internal Tools': ['Internal Tools', 'grafana-internal.lan'],
  'Hidden from interns': ['Hidden from interns', 'grafana-internal.lan'],
  Team: ['chat-team.lan'],
  'Team chat': ['chat-team.lan'],
  Payroll: ['Payroll', 'payroll-team.lan'],
};

describe('Hearth Dashboard in a browser, signed in through Hearth ID with passkeys (the seed’s sections 3 and 4)', () => {
  let browser: Browser;
  let id: TestServer;
  let dashboard: RunningDashboard;
  let dashboardUrl: string;
  let userDataDir: string;
  const users = {} as Record<'admin' | 'guest' | 'intern', User>;

  beforeAll(async () => {
    requireDashboardWebApp();
    browser = await launchBrowser();
    id = await startTestServer();
    const { db } = id.ctx.database;

    // Hearth ID configured as the seed's section 2 says: the admins group (friendly name
    // `admins`), the client with both callback URLs, public, PKCE; plus guests and interns.
    const port = await freePort();
    dashboardUrl = `http://localhost:${port}`;
    const groups = {
      admin: await createGroup(db, { name: 'Dashy admins', friendlyName: 'admins' }),
      guest: await createGroup(db, { name: 'Guests', friendlyName: 'guests' }),
      intern: await createGroup(db, { name: 'Interns', friendlyName: 'interns' }),
    };
    const { client } = await createClient(db, {
      name: 'Dashy',
      callbackUrls: [dashboardUrl, `${dashboardUrl}/`],
      logoutCallbackUrls: [dashboardUrl],
      isPublic: true,
      pkceEnabled: true,
    });
    for (const [role, username] of [['admin', 'alice'], ['guest', 'gus'], ['intern', 'ivy']] as const) {
      users[role] = await createUser(db, { username, email: `${username}@example.com`, firstName: username, lastName: 'Example', isAdmin: false });
      await setUserGroups(db, users[role].id, [groups[role].id]);
    }

    userDataDir = await mkdtemp(join(tmpdir(), 'hearth-e2e-browser-'));
    dashboard = await startDashboard({ userDataDir, port, config: confYml(client.id, id.url) });
  });
  afterAll(async () => {
    await browser?.close();
    await dashboard?.close();
    await id?.stop();
    if (userDataDir) await rm(userDataDir, { recursive: true, force: true });
  });

  /** A person with a passkey who opens the dashboard and signs in through Hearth ID. */
  async function signedIn(role: keyof typeof users): Promise<Person & { errors: string[] }> {
    const person = await personWithPasskey(browser, id, users[role]);
    const errors = watchForPageErrors(person.page);
    await person.page.goto(dashboardUrl);
    await signInThroughHearthId(person.page, id.url, dashboardUrl);
    await person.page.getByRole('button', { name: 'Sign out' }).waitFor();
    return { ...person, errors };
  }

  it('sends a signed-out visit to Hearth ID; the passkey signs in and the browser lands on the dashboard', async () => {
    const person = await personWithPasskey(browser, id, users.admin);
    const errors = watchForPageErrors(person.page);
    const authorize = person.page.waitForRequest((request) => request.url().startsWith(`${id.url}/authorize?`));
    await person.page.goto(dashboardUrl);

    // The seed's client side: authorization code with PKCE, the configured scope, back to the dashboard.
    const request = new URL((await authorize).url());
    expect(request.searchParams.get('response_type')).toBe('code');
    expect(request.searchParams.get('code_challenge_method')).toBe('S256');
    expect(request.searchParams.get('scope')).toBe('openid profile email groups');
    expect([dashboardUrl, `${dashboardUrl}/`]).toContain(request.searchParams.get('redirect_uri'));
    await person.page.getByRole('heading', { name: 'Sign in to Dashy' }).waitFor();

    await signInThroughHearthId(person.page, id.url, dashboardUrl);
    await person.page.getByText(/^Jellyfin/).first().waitFor();
    await person.page.getByText('alice').first().waitFor();
    await person.page.getByRole('button', { name: 'Sign out' }).waitFor();

    // Dashy's storage keys, so the seed's troubleshooting ("decode the id_token from localStorage, key ID_TOKEN") works.
    const token = await storedIdToken(person.page);
    expect(token).toBeTruthy();
    const claims = JSON.parse(Buffer.from(token!.split('.')[1]!, 'base64url').toString('utf8'));
    expect(claims).toMatchObject({ iss: id.url, preferred_username: 'alice', groups: ['admins'] });
    expect(errors).toEqual([]);
    await person.context.close();
  });

  it('lets an admin change an item in edit mode; the change is saved and still there after a reload', async () => {
    const { page, context, errors } = await signedIn('admin');
    await page.getByRole('button', { name: 'Edit mode' }).click();
    await page.getByRole('button', { name: 'Edit Jellyfin' }).click();
    const form = page.getByRole('dialog');
    await form.getByLabel('Title', { exact: true }).fill('Jellyfin Media');
    await form.getByRole('button', { name: 'Apply changes' }).click();
    await page.getByRole('region', { name: 'Edit mode' }).getByText('1 unsaved change').first().waitFor();
    // Save shows the difference to the file on the server first.
    await page.getByRole('region', { name: 'Edit mode' }).getByRole('button', { name: 'Save', exact: true }).click();
    const review = page.getByRole('dialog', { name: 'Save changes to conf.yml' });
    await review.getByRole('region', { name: 'Changes to conf.yml' }).getByText('title: Jellyfin Media').waitFor();
    const saved = page.waitForResponse((response) => response.url() === `${dashboardUrl}/config-manager/save`);
    await review.getByRole('button', { name: 'Save', exact: true }).click();
    expect((await saved).status()).toBe(200);
    expect(await readFile(join(userDataDir, 'conf.yml'), 'utf8')).toContain('title: Jellyfin Media');

    await page.reload();
    await page.getByText('Jellyfin Media', { exact: true }).first().waitFor();
    expect(errors).toEqual([]);
    await context.close();
  });

  it('lets an admin change an item in the YAML editor; the change is saved and still there after a reload', async () => {
    const { page, context, errors } = await signedIn('admin');
    const before = await readFile(join(userDataDir, 'conf.yml'), 'utf8');
    await page.getByRole('button', { name: 'Edit config' }).click();
    // CodeMirror draws only the lines in view: scroll down until the line is there.
    const line = page.locator('.cm-line', { hasText: 'title: Team chat' });
    const scroller = page.getByRole('dialog', { name: 'Edit conf.yml' }).locator('.cm-scroller');
    await expect
      .poll(async () => {
        if ((await line.count()) > 0) return true;
        await scroller.evaluate((element) => element.scrollBy(0, element.clientHeight / 2));
        return false;
      }, { timeout: 10_000 })
      .toBe(true);
    await line.click();
    await page.keyboard.press('End');
    await page.keyboard.type(' room');
    const editor = page.getByRole('dialog', { name: 'Edit conf.yml' });
    await editor.getByRole('button', { name: 'Review changes' }).click();
    await editor.getByText('1 line added, 1 removed.').waitFor();
    await editor.getByRole('region', { name: 'Changes to conf.yml' }).getByText('title: Team chat room').waitFor();
    const saved = page.waitForResponse((response) => response.url() === `${dashboardUrl}/config-manager/save`);
    await editor.getByRole('button', { name: 'Save', exact: true }).click();
    expect((await saved).status()).toBe(200);
    await editor.getByText(/^Saved/).waitFor();
    // The file is what the admin typed: one line changed, nothing else.
    expect(await readFile(join(userDataDir, 'conf.yml'), 'utf8')).toBe(before.replace('title: Team chat\n', 'title: Team chat room\n'));

    await page.reload();
    await page.getByText('Team chat room', { exact: true }).first().waitFor();
    expect(errors).toEqual([]);
    await context.close();
  });

  it('shows a non-admin no editing controls, and answers their direct save with 403', async () => {
    const { page, context, errors } = await signedIn('guest');
    await page.getByText(/^Jellyfin/).first().waitFor();
    for (const name of ['Edit mode', 'Edit config', 'Save']) {
      await expect(page.getByRole('button', { name }).count()).resolves.toBe(0);
    }
    const token = await storedIdToken(page);
    expect(token).toBeTruthy();
    const save = await fetch(`${dashboard.url}/config-manager/save`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
      body: JSON.stringify({ config: 'pageInfo:\n  title: Mine now\n', filename: 'conf.yml' }),
    });
    expect(save.status).toBe(403);
    expect((await save.json()).reason).toContain('"admins"');
    expect(await readFile(join(userDataDir, 'conf.yml'), 'utf8')).not.toContain('Mine now');
    expect(errors).toEqual([]);
    await context.close();
  });

  const expected = {
    admin: { sections: ['Media', 'Admin Area', 'Internal Tools', 'Team'], items: ['Jellyfin', 'Router', 'Hidden from interns', 'Team chat', 'Payroll'] },
    guest: { sections: ['Media'], items: ['Jellyfin'] },
    intern: { sections: ['Media', 'Team'], items: ['Jellyfin', 'Team chat'] },
  };

  it.each(['admin', 'guest', 'intern'] as const)('shows the %s exactly their sections and items; what is hidden is in no response', async (role) => {
    const person = await personWithPasskey(browser, id, users[role]);
    const errors = watchForPageErrors(person.page);
    const responses = recordResponses(person.page);
    await person.page.goto(dashboardUrl);
    await signInThroughHearthId(person.page, id.url, dashboardUrl);
    await person.page.getByText(/^Jellyfin/).first().waitFor();
    // Edits by the tests above renamed some titles; match on how each title starts.
    const seen = await visibleDashboard(person.page, { sections: CATALOGUE.sections, items: await currentTitles() });
    expect({ sections: seen.sections, items: seen.items.map(originalTitle) }).toEqual(expected[role]);

    const hidden = [...CATALOGUE.sections, ...CATALOGUE.items].filter((name) => !expected[role].sections.includes(name) && !expected[role].items.includes(name));
    const secrets = [...new Set(hidden.flatMap((name) => SECRETS[name] ?? []))];
    const html = await person.page.content();
    const recorded = await responses.all();
    // The record is real: what this person may see did arrive, as JSON or YAML.
    expect(recorded.some((response) => response.url.startsWith(dashboardUrl) && response.body.includes('jellyfin.lan'))).toBe(true);
    for (const response of recorded) {
      for (const secret of secrets) {
        if (response.body.includes(secret)) throw new Error(`${role}: "${secret}" was sent in ${response.url}`);
      }
    }
    for (const secret of secrets) expect(html).not.toContain(secret);
    expect(errors).toEqual([]);
    await person.context.close();
  });

  /** The items' titles in conf.yml now (the editing tests may have added to them). */
  async function currentTitles(): Promise<string[]> {
    const text = await readFile(join(userDataDir, 'conf.yml'), 'utf8');
    return [...text.matchAll(/^\s*- title: (.+)$/gm)].map((match) => match[1]!.trim());
  }
  function originalTitle(title: string): string {
    return CATALOGUE.items.find((original) => title === original || title.startsWith(`${original} `)) ?? title;
  }

  it('signs out through Hearth ID and returns to the dashboard signed out', async () => {
    const { page, context } = await signedIn('intern');
    const back = page.waitForRequest((request) => request.isNavigationRequest() && request.url().startsWith(dashboardUrl) && !request.url().includes('code='));
    await page.getByRole('button', { name: 'Sign out' }).click();
    // Hearth ID confirms before it ends its own session.
    const confirm = page.getByRole('heading', { name: 'Sign out of Hearth ID?' });
    if (await Promise.race([confirm.waitFor().then(() => true, () => false), back.then(() => false, () => false)])) {
      await page.getByRole('button', { name: 'Sign out' }).click();
    }
    await back;
    // Back on the dashboard, which offers nothing but signing in again.
    await page.getByRole('button', { name: /^Sign in/ }).first().waitFor();
    expect(new URL(page.url()).origin).toBe(dashboardUrl);
    await expect(page.getByText(/^Team chat/).count()).resolves.toBe(0);
    const state = await context.storageState();
    const stored = state.origins.find((origin) => origin.origin === dashboardUrl)?.localStorage ?? [];
    expect(stored.find((entry) => entry.name === 'ID_TOKEN')).toBeUndefined();
    expect(await page.content()).not.toContain('chat-team.lan');
    // Hearth ID's session ended too: signing in again needs the passkey.
    const me = await page.request.get(`${id.url}/api/me`);
    expect(me.status()).toBe(401);
    await context.close();
  });
});
