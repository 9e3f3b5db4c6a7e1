// Every conf.yml in ../shared/dashy-confs (files real people run Dashy with), in a real
// Chromium against a real dashboard server: it renders with no console or page error, shows
// what the server's JSON view holds, and keeps what sign-in protects. The hosts these files
// name do not exist here, so each file's environment is made local first: its OIDC provider
// becomes a test provider of the same shape, its Glances hosts a stand-in Glances, and its
// built-in users get passwords of our own. Everything else stays as the owner wrote it.
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Browser, BrowserContext, Page, Request } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isMap, isScalar, isSeq, parseDocument } from 'yaml';
import type { Document, Scalar, YAMLMap } from 'yaml';
import { localPageFileName } from '../../src/config/page-path.js';
import { parseConfigText } from '../../src/config/parse.js';
import type { DashyConfig } from '../../src/config/schema.js';
import { startTestDashboard } from '../support/dashboard.js';
import type { TestDashboard } from '../support/dashboard.js';
import { startStandInGlances } from '../support/glances.js';
import type { StandInGlances } from '../support/glances.js';
import { startTestProvider } from '../support/oidc-provider.js';
import type { TestAccount, TestProvider } from '../support/oidc-provider.js';
import { freePort, launchBrowser, openPerson, WEB_ROOT } from './support.js';
import type { Person } from './support.js';

const repoRoot = fileURLToPath(new URL('../../../..', import.meta.url));
const CONFS = resolve(repoRoot, '../shared/dashy-confs');
if (!existsSync(CONFS)) {
  throw new Error(`the real Dashy configs are missing: expected a folder of conf.yml files at ${CONFS} (../shared/dashy-confs from the repository root)`);
}
const files = (await readdir(CONFS)).filter((name) => /\.ya?ml$/.test(name)).sort();

const sha256 = (text: string) => createHash('sha256').update(text, 'utf8').digest('hex');
const passwordOf = (user: string) => `${user}-test-password`;

/** The app's own files, the same for every dashboard: what they contain says nothing of a config. */
async function staticPaths(): Promise<Set<string>> {
  const found = new Set<string>();
  const walk = async (folder: string): Promise<void> => {
    for (const entry of await readdir(folder, { withFileTypes: true })) {
      const path = join(folder, entry.name);
      if (entry.isDirectory()) await walk(path);
      else found.add(`/${relative(WEB_ROOT, path).split('\\').join('/')}`);
    }
  };
  await walk(WEB_ROOT);
  return found;
}

interface ConfigView {
  kind: string;
  config: DashyConfig;
  viewer: { signedIn: boolean; isAdmin: boolean; user?: string };
  canEdit: boolean;
}

type Kind = 'none' | 'oidc' | 'users';

function kindOf(config: DashyConfig): Kind {
  const auth = config.appConfig?.auth;
  if (auth?.enableOidc === true || auth?.enableKeycloak === true) return 'oidc';
  return (auth?.users?.length ?? 0) > 0 ? 'users' : 'none';
}

interface LocalEnvironment {
  /** The file as the dashboard gets it. */
  text: string;
  /** Built-in users with the password each now has. */
  users: Array<{ user: string; password: string; admin: boolean; originalHash: string; hash: string }>;
  provider: TestProvider | null;
}

/** A value to write over a scalar of the file, at the characters it spans. */
interface Edit {
  node: Scalar;
  value: string;
}

function scalarAt(map: YAMLMap, key: string, where: string): Scalar {
  const node = map.get(key, true);
  if (!isScalar(node) || !node.range) throw new Error(`${where}.${key} is not a plain value`);
  return node;
}

function scalarIn(doc: Document, path: string[]): Scalar {
  const parent = doc.getIn(path.slice(0, -1), true);
  if (!isMap(parent)) throw new Error(`${path.slice(0, -1).join('.')} is not a mapping`);
  return scalarAt(parent, path.at(-1)!, path.slice(0, -1).join('.'));
}

/** Writes each value over its scalar's own characters, in its quoting: the rest of the file stays byte for byte. */
function applyEdits(text: string, edits: Edit[]): string {
  let result = text;
  for (const { node, value } of [...edits].sort((a, b) => b.node.range![0] - a.node.range![0])) {
    const [start, end] = node.range!;
    const written = node.type === 'QUOTE_DOUBLE' ? JSON.stringify(value) : node.type === 'QUOTE_SINGLE' ? `'${value.replace(/'/g, "''")}'` : value;
    result = `${result.slice(0, start)}${written}${result.slice(end)}`;
  }
  return result;
}

const isGlances = (type: unknown) => typeof type === 'string' && /^gl-/i.test(type.trim());

/**
 * Points the file at local stand-ins: yaml's Document API finds the values, and only their
 * characters are rewritten, so comments, quoting, indentation and anchors stay as written.
 */
async function localise(text: string, config: DashyConfig, origin: string, glances: StandInGlances): Promise<LocalEnvironment> {
  const environment: LocalEnvironment = { text, users: [], provider: null };
  const kind = kindOf(config);
  const hasGlances = (config.sections ?? []).some((section) => (section.widgets ?? []).some((widget) => isGlances(widget?.type)));
  if (kind === 'none' && !hasGlances) return environment;

  const doc = parseDocument(text);
  expect(doc.errors, 'the file is read with yaml before being made local').toEqual([]);
  const edits: Edit[] = [];

  if (kind === 'oidc') {
    const auth = config.appConfig?.auth;
    const keycloak = auth?.enableOidc !== true;
    const block = keycloak ? auth?.keycloak : auth?.oidc;
    const clientId = String(block?.clientId ?? '');
    const admin = keycloak ? auth?.keycloak?.adminRole : auth?.oidc?.adminRole;
    const adminGroup = keycloak ? undefined : auth?.oidc?.adminGroup;
    const endpoint = String(auth?.oidc?.endpoint ?? '');
    const realm = keycloak ? String(auth?.keycloak?.realm ?? '') : /\/realms\/([^/]+)\/?$/.exec(endpoint)?.[1];
    const owner: TestAccount = {
      id: 'owner',
      claims: realm
        ? { preferred_username: 'owner', email: 'owner@example.com', name: 'Owner', realm_access: { roles: admin ? [admin] : [] }, resource_access: {} }
        : { preferred_username: 'owner', email: 'owner@example.com', name: 'Owner', groups: adminGroup ? [adminGroup] : [] },
    };
    const provider = await startTestProvider({
      shape: realm ? 'keycloak' : 'pocket-id',
      ...(realm ? { realm } : {}),
      clientId,
      redirectUri: origin,
      accounts: [owner],
      defaultAccountId: owner.id,
    });
    environment.provider = provider;
    if (keycloak) {
      edits.push({ node: scalarIn(doc, ['appConfig', 'auth', 'keycloak', 'serverUrl']), value: new URL(provider.issuer).origin });
    } else {
      // Keep the owner's trailing slash (Keycloak's realm URL is often written with one).
      edits.push({ node: scalarIn(doc, ['appConfig', 'auth', 'oidc', 'endpoint']), value: `${provider.issuer}${endpoint.endsWith('/') ? '/' : ''}` });
    }
  }

  if (kind === 'users') {
    const users = doc.getIn(['appConfig', 'auth', 'users'], true);
    if (!isSeq(users)) throw new Error('appConfig.auth.users is not a list');
    for (const entry of users.items) {
      if (!isMap(entry)) continue;
      const user = String(entry.get('user'));
      const hashNode = scalarAt(entry, 'hash', `user ${user}`);
      const originalHash = String(hashNode.value);
      const password = passwordOf(user);
      // Dashy writes either case; keep the owner's.
      const hash = /[A-F]/.test(originalHash) ? sha256(password).toUpperCase() : sha256(password);
      edits.push({ node: hashNode, value: hash });
      environment.users.push({ user, password, admin: entry.get('type') === 'admin', originalHash, hash });
    }
  }

  const sections = doc.get('sections', true);
  for (const section of isSeq(sections) ? sections.items : []) {
    const widgets = isMap(section) ? section.get('widgets', true) : null;
    for (const widget of isSeq(widgets) ? widgets.items : []) {
      if (!isMap(widget) || !isGlances(widget.get('type'))) continue;
      const options = widget.get('options', true);
      if (!isMap(options)) continue;
      const hostname = String(options.get('hostname') ?? '');
      edits.push({ node: scalarAt(options, 'hostname', 'a Glances widget'), value: `${glances.base}${hostname.endsWith('/') ? '/' : ''}` });
    }
  }

  environment.text = applyEdits(text, edits);
  // Read back: the new text holds exactly the intended data, the same values changed in memory.
  for (const edit of edits) edit.node.value = edit.value;
  const changed = parseDocument(environment.text);
  expect(changed.errors).toEqual([]);
  expect(changed.toJS()).toEqual(doc.toJS());
  return environment;
}

/** What the page shows of the sections: their names, and each one's item titles. */
async function shownSections(page: Page): Promise<Array<{ name: string; items: string[] }>> {
  return page.locator('[data-section]').evaluateAll((sections) =>
    sections.map((section) => ({
      name: section.querySelector('h2 .name')?.textContent?.trim() ?? '',
      items: [...section.querySelectorAll('[data-item]')].map((item) => item.querySelector('.title, .group-title')?.textContent?.trim() ?? ''),
    })),
  );
}

/** The page shows exactly the sections and items of the view, each section's items in any order. */
async function expectRendersView(visitor: Visitor, view: ConfigView, name: string): Promise<void> {
  const { page } = visitor;
  const sections = (view.config.sections ?? []).filter((section) => typeof section === 'object' && section !== null);
  await page.locator('#main-heading').waitFor();
  await page.waitForFunction((count) => document.querySelectorAll('[data-section]').length === count, sections.length);
  await settle(visitor);

  const title = view.config.pageInfo?.title;
  const heading = (await page.locator('#main-heading .title').textContent())?.trim();
  if (typeof title === 'string' && title.trim() !== '') expect(heading, `${name}: the page title`).toBe(title.trim());

  const shown = await shownSections(page);
  expect(shown.length, `${name}: the number of sections`).toBe(sections.length);
  sections.forEach((section, index) => {
    const onPage = shown[index]!;
    if (typeof section.name === 'string' && section.name.trim() !== '') expect(onPage.name, `${name}: section ${index}`).toBe(section.name.trim());
    const items = (section.items ?? []).filter((item) => typeof item === 'object' && item !== null);
    expect(onPage.items.length, `${name}: items of section "${onPage.name}"`).toBe(items.length);
    for (const item of items) {
      if (typeof item.title === 'string' && item.title.trim() !== '') {
        expect(onPage.items, `${name}: section "${onPage.name}" shows "${item.title}"`).toContain(item.title.trim());
      }
    }
  });
}

/** Every Glances widget of the view is on the page with figures from the stand-in, none a problem. */
async function expectGlancesFigures(page: Page, view: ConfigView, name: string): Promise<void> {
  const widgets = page.locator('article[data-widget-type^="gl-"]');
  const count = await widgets.count();
  const expected = (view.config.sections ?? []).flatMap((section) => section?.widgets ?? []).filter((widget) => isGlances(widget?.type)).length;
  expect(count, `${name}: Glances widgets on the page`).toBe(expected);
  for (let index = 0; index < count; index += 1) {
    const widget = widgets.nth(index);
    const type = await widget.getAttribute('data-widget-type');
    // Collapsed sections keep their widgets in the page, hidden.
    await widget.locator('.glances').waitFor({ state: 'attached' });
    expect(await widget.getByRole('alert').count(), `${name}: ${type} shows a problem: ${await widget.textContent()}`).toBe(0);
    expect(await widget.textContent(), `${name}: ${type} shows numbers`).toMatch(/\d/);
  }
}

interface Recorded {
  url: string;
  status: number;
  headers: Record<string, string>;
  /** The body as the browser received it ('' for redirects, which have none). */
  body(): Promise<string>;
}

/** The app's own files (and the packages it serves), the same for every dashboard. */
function isStatic(answer: Recorded): boolean {
  const path = new URL(answer.url).pathname;
  return statics.has(path) || path.startsWith('/vendor/');
}

/** Records every answer of the dashboard's origin to this browser profile. */
function record(context: BrowserContext, origin: string): Recorded[] {
  const answers: Recorded[] = [];
  context.on('response', (response) => {
    if (!response.url().startsWith(origin)) return;
    const redirect = response.status() >= 300 && response.status() < 400;
    // Read at once: Chromium forgets a document's bodies when the page navigates away (to the
    // provider). It hands over a fetch's body only once the page reads it, so one the page
    // never reads (the login form's 401) never arrives, and must not stall the test.
    const body = redirect
      ? Promise.resolve('')
      : Promise.race([
          response.text().catch((error: unknown) => {
            throw new Error(`the body of ${response.url()} could not be read: ${String(error)}`);
          }),
          new Promise<string>((_, reject) => setTimeout(() => reject(new Error(`no body for ${response.url()} within 5 s`)), 5_000).unref()),
        ]);
    // A failure is reported where the body is looked at.
    body.catch(() => undefined);
    answers.push({ url: response.url(), status: response.status(), headers: response.headers(), body: () => body });
  });
  return answers;
}

/** A browser profile, and how many of its requests are still running. */
interface Visitor extends Person {
  pending: Set<Request>;
  quietSince: number;
}

async function openVisitor(origin: string): Promise<Visitor> {
  const visitor: Visitor = Object.assign(await openPerson(browser, origin), { pending: new Set<Request>(), quietSince: Date.now() });
  visitor.context.on('request', (request) => {
    visitor.pending.add(request);
  });
  const done = (request: Request) => {
    visitor.pending.delete(request);
    visitor.quietSince = Date.now();
  };
  // An answer counts as arrived: Chromium does not finish a fetch whose body the page never
  // reads (a 401 from the login form), and a failed load is logged when its answer arrives.
  visitor.context.on('response', (response) => done(response.request()));
  visitor.context.on('requestfinished', done);
  visitor.context.on('requestfailed', done);
  return visitor;
}

/**
 * Waits until no request of this profile has been running for a moment: icons, status checks
 * and widget data have come back, and anything they log is logged. (Playwright's networkidle
 * only follows navigations, not what a single-page app fetches afterwards.)
 */
async function settle(visitor: Visitor, quietMs = 300, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (visitor.pending.size > 0 || Date.now() - visitor.quietSince < quietMs) {
    if (Date.now() > deadline) {
      throw new Error(`requests still running after ${timeoutMs} ms: ${[...visitor.pending].map((request) => `${request.method()} ${request.url()}`).join(', ')}`);
    }
    await new Promise((done) => setTimeout(done, 50));
  }
}

/**
 * What a signed-out browser must not receive: a section's name as a value (JSON or YAML), an
 * item's address, a password hash or the users list. The app's own files are left out of the
 * first two: they are the same for every dashboard.
 */
async function expectNothingPrivate(answers: Recorded[], config: DashyConfig, hashes: string[], name: string): Promise<void> {
  const sections = (config.sections ?? []).filter((section) => typeof section === 'object' && section !== null);
  const names = sections.map((section) => section.name).filter((value): value is string => typeof value === 'string' && value.trim() !== '');
  const urls = sections
    .flatMap((section) => section.items ?? [])
    .flatMap((item) => [item?.url, item?.statusCheckUrl])
    .filter((url): url is string => typeof url === 'string' && url.trim().length >= 12)
    .map((url) => url.trim());
  expect(answers.length).toBeGreaterThan(0);
  for (const answer of answers) {
    if (isStatic(answer)) continue;
    const body = await answer.body();
    const where = `${name}: ${answer.url}`;
    for (const section of names) {
      expect(body, `${where} names section ${section}`).not.toContain(JSON.stringify(section));
      expect(body, `${where} names section ${section}`).not.toMatch(new RegExp(`name:\\s*['"]?${section.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\s*['"]?\\s*$`, 'm'));
    }
    for (const url of urls) expect(body, `${where} holds the item address ${url}`).not.toContain(url);
  }
  await expectNoPasswords(answers, hashes, name);
}

/** No answer, to anyone, carries a password hash (the owner's or ours) or the users list. */
async function expectNoPasswords(answers: Recorded[], hashes: string[], name: string): Promise<void> {
  expect(answers.length).toBeGreaterThan(0);
  for (const answer of answers) {
    if (isStatic(answer)) continue;
    const body = await answer.body();
    for (const hash of hashes) expect(body.toLowerCase(), `${name}: ${answer.url} holds a password hash`).not.toContain(hash.toLowerCase());
    expect(body, `${name}: ${answer.url} holds the users list`).not.toMatch(/"users"\s*:|^\s*users:/m);
  }
}

async function viewOf(origin: string, headers: Record<string, string> = {}): Promise<ConfigView> {
  const response = await fetch(`${origin}/conf.yml`, { headers: { accept: 'application/json', ...headers } });
  expect(response.status).toBe(200);
  return (await response.json()) as ConfigView;
}

async function contextView(context: BrowserContext, origin: string): Promise<ConfigView> {
  const response = await context.request.get(`${origin}/conf.yml`, { headers: { accept: 'application/json' } });
  expect(response.status()).toBe(200);
  return (await response.json()) as ConfigView;
}

let browser: Browser;
let glances: StandInGlances;
let statics: Set<string>;
/** Nobody listens there: dashboard-icons (and the internet) are out of reach. */
let closedBase: string;

beforeAll(async () => {
  browser = await launchBrowser();
  glances = await startStandInGlances();
  statics = await staticPaths();
  const closed = createServer();
  await new Promise<void>((done) => closed.listen(0, '127.0.0.1', done));
  closedBase = `http://127.0.0.1:${(closed.address() as AddressInfo).port}`;
  await new Promise<void>((done) => closed.close(() => done()));
});

afterAll(async () => {
  await browser?.close();
  await glances?.close();
});

describe('real Dashy configs in a browser', () => {
  it('are all here', () => {
    expect(files.length).toBeGreaterThanOrEqual(25);
  });

  it.each(files)('%s', async (name) => {
    const original = await readFile(join(CONFS, name), 'utf8');
    const parsed = parseConfigText(original);
    if (!parsed.ok) throw new Error(`${name} must load: ${JSON.stringify(parsed.errors)}`);
    const { config } = parsed;
    const kind = kindOf(config);
    const guests = config.appConfig?.auth?.enableGuestAccess === true;
    if (kind === 'oidc' && guests) throw new Error(`${name}: OIDC with guest access has no check here yet; write one`);

    const port = await freePort();
    const origin = `http://127.0.0.1:${port}`;
    const environment = await localise(original, config, origin, glances);
    const userDataDir = await mkdtemp(join(tmpdir(), 'hearth-real-conf-browser-'));
    const people: Visitor[] = [];
    let dashboard: TestDashboard | undefined;
    const person = async (): Promise<Visitor> => {
      const next = await openVisitor(origin);
      people.push(next);
      return next;
    };
    try {
      await writeFile(join(userDataDir, 'conf.yml'), environment.text);
      // Local pages get a file each, as the owner's folder has them.
      for (const page of config.pages ?? []) {
        const file = localPageFileName(page.path);
        if (file === null || file === 'conf.yml') continue;
        await mkdir(dirname(join(userDataDir, file)), { recursive: true });
        await writeFile(join(userDataDir, file), 'sections:\n  - name: Page stub\n');
      }
      dashboard = await startTestDashboard({ userDataDir, port, dashboardIconsUrl: closedBase, iconFetchTimeoutMs: 300, statusCheckTimeoutMs: 1_000 });
      expect(dashboard.url).toBe(origin);

      if (kind === 'none') {
        const visitor = await person();
        await visitor.page.goto(`${origin}/`);
        const view = await viewOf(origin);
        await expectRendersView(visitor, view, name);
        await expectGlancesFigures(visitor.page, view, name);
      }

      if (kind === 'oidc') {
        const provider = environment.provider!;
        const visitor = await person();
        const answers = record(visitor.context, origin);
        let beforeCallback = -1;
        visitor.context.on('request', (request) => {
          if (beforeCallback === -1 && request.url().startsWith(origin) && new URL(request.url()).searchParams.has('code')) beforeCallback = answers.length;
        });
        await visitor.page.goto(`${origin}/`);
        await visitor.page.locator('[data-username]').waitFor();
        expect(visitor.requests.some((request) => request.url.startsWith(`${provider.issuer}/auth?`)), `${name}: went to the provider`).toBe(true);
        expect(beforeCallback, `${name}: came back with a code`).toBeGreaterThan(0);
        expect(visitor.page.url()).toBe(`${origin}/`);
        await expectNothingPrivate(answers.slice(0, beforeCallback), config, [], name);

        const token = await visitor.page.evaluate(() => localStorage.getItem('ID_TOKEN'));
        expect(token).toBeTruthy();
        const view = await viewOf(origin, { authorization: `Bearer ${token}` });
        expect(view.viewer.signedIn).toBe(true);
        await expectRendersView(visitor, view, name);
        await expectGlancesFigures(visitor.page, view, name);
      }

      if (kind === 'users') {
        const hashes = environment.users.flatMap((user) => [user.originalHash, user.hash]);
        const visitor = await person();
        const answers = record(visitor.context, origin);
        await visitor.page.goto(`${origin}/`);
        if (guests) {
          // A guest sees the guest view: what the server sends a signed-out visitor.
          const guestView = await viewOf(origin);
          expect(guestView.viewer.signedIn).toBe(false);
          await expectRendersView(visitor, guestView, `${name} (guest)`);
          await expectGlancesFigures(visitor.page, guestView, `${name} (guest)`);
          await expectNoPasswords(answers, hashes, `${name} (guest)`);
          await visitor.page.locator('header').getByRole('button', { name: 'Sign in' }).click();
        } else {
          await visitor.page.getByLabel('Username').waitFor();
          await settle(visitor);
          expect(await visitor.page.locator('[data-section]').count()).toBe(0);
          expect(visitor.page.url()).toBe(`${origin}/login`);
          await expectNothingPrivate(answers, config, hashes, name);
        }

        // A wrong password is refused with a message. The refusal is a 401, which Chromium
        // reports on the console as a failed request: that one line is expected, nothing else.
        const admin = environment.users.find((user) => user.admin) ?? environment.users[0]!;
        const errorsBefore = visitor.errors.length;
        await visitor.page.getByLabel('Username').fill(admin.user);
        await visitor.page.getByLabel('Password').fill(`${admin.password}-wrong`);
        await visitor.page.getByRole('button', { name: 'Sign in', exact: true }).click();
        await expect.poll(() => visitor.page.locator('#login-error').textContent()).toBe('Wrong username or password.');
        await settle(visitor);
        const refusal = visitor.errors.splice(errorsBefore);
        expect(refusal, `${name}: what the refusal logged`).toEqual([expect.stringMatching(/\/auth\/login: Failed to load resource: the server responded with a status of 401/)]);

        // The right one signs in and shows what the server sends this user.
        await visitor.page.getByLabel('Password').fill(admin.password);
        await visitor.page.getByRole('button', { name: 'Sign in', exact: true }).click();
        await visitor.page.locator('[data-username]').waitFor();
        expect(await visitor.page.locator('[data-username]').textContent()).toBe(admin.user);
        const adminView = await contextView(visitor.context, origin);
        expect(adminView.viewer).toMatchObject({ signedIn: true, isAdmin: admin.admin });
        await expectRendersView(visitor, adminView, `${name} (${admin.user})`);
        await expectGlancesFigures(visitor.page, adminView, `${name} (${admin.user})`);
        const editConfig = visitor.page.getByRole('button', { name: 'Edit config' });
        if (admin.admin && config.appConfig?.disableConfiguration !== true) {
          expect(adminView.canEdit).toBe(true);
          expect(await editConfig.isVisible(), `${name}: an admin sees Edit config`).toBe(true);
        } else {
          expect(await editConfig.count()).toBe(0);
        }

        // Normal users: no editing controls, and the server refuses their save.
        for (const user of environment.users.filter((one) => !one.admin)) {
          const member = await person();
          await member.page.goto(`${origin}/login`);
          await member.page.getByLabel('Username').fill(user.user);
          await member.page.getByLabel('Password').fill(user.password);
          await member.page.getByRole('button', { name: 'Sign in', exact: true }).click();
          await member.page.locator('[data-username]').waitFor();
          const memberView = await contextView(member.context, origin);
          expect(memberView.viewer).toMatchObject({ signedIn: true, isAdmin: false });
          expect(memberView.canEdit).toBe(false);
          await expectRendersView(member, memberView, `${name} (${user.user})`);
          expect(await member.page.getByRole('button', { name: /^Edit (config|mode)$/ }).count(), `${name}: ${user.user} sees editing controls`).toBe(0);
          const save = await member.context.request.post(`${origin}/config-manager/save`, {
            headers: { origin, 'content-type': 'application/json' },
            data: { config: `${environment.text}\n# Changed by ${user.user}\n` },
          });
          expect(save.status(), `${name}: ${user.user} saving`).toBe(403);
          expect(((await save.json()) as { reason: string }).reason).toMatch(/^only admins can save/);
        }
        expect(await readFile(join(userDataDir, 'conf.yml'), 'utf8')).toBe(environment.text);
      }

      for (const who of people) {
        await settle(who);
        expect(who.errors, `${name}: console and page errors`).toEqual([]);
      }
    } finally {
      for (const who of people) await who.context.close();
      await dashboard?.stop();
      await environment.provider?.close();
      await rm(userDataDir, { recursive: true, force: true });
    }
  });
});

describe('Glances widgets in a browser', () => {
  it('draw the stand-in Glances figures, and a widget whose host is down says so without breaking the others', async () => {
    const config = `pageInfo:
  title: Lab machines
sections:
  - name: NAS
    widgets:
      - type: gl-current-cpu
        options:
          hostname: ${glances.base}
      - type: gl-cpu-history
        options:
          hostname: ${glances.base}/
          apiVersion: 4
      - type: gl-disk-space
        options:
          hostname: ${glances.base}
      - type: gl-current-mem
        label: Old box memory
        options:
          hostname: ${closedBase}
  - name: Failing
    widgets:
      - type: gl-system-load
        options:
          hostname: ${glances.base}/fail
  - name: Links
    items:
      - title: Glances
        url: ${glances.base}
`;
    const dashboard = await startTestDashboard({ config, dashboardIconsUrl: closedBase, iconFetchTimeoutMs: 300 });
    const visitor = await openVisitor(dashboard.url);
    const answers = record(visitor.context, dashboard.url);
    try {
      const { page } = visitor;
      await page.goto(`${dashboard.url}/`);
      const widget = (type: string) => page.locator(`article[data-widget-type="${type}"]`);

      const cpu = widget('gl-current-cpu');
      // Widgets come after the first frame and their own chunk and data: more than poll's default second on a busy machine.
      await expect.poll(() => cpu.getByRole('meter', { name: 'CPU in use' }).getAttribute('aria-valuenow'), { timeout: 20_000 }).toBe('23.4');
      expect(await cpu.locator('dl').innerText()).toMatch(/User\s+15\.2%/);

      const history = widget('gl-cpu-history');
      await history.locator('figcaption').waitFor({ state: 'attached' });
      const summary = await history.locator('figcaption p').first().textContent();
      expect(summary).toContain('System: latest 7.7%, lowest 4.8%, highest 7.7%.');
      expect(summary).toContain('User: latest 18.9%, lowest 11.2%, highest 18.9%.');

      const disks = widget('gl-disk-space');
      await expect.poll(() => disks.getByRole('meter').count(), { timeout: 20_000 }).toBe(2);
      expect(await disks.getByRole('meter', { name: '/ used' }).getAttribute('aria-valuenow')).toBe('41.3');
      expect(await disks.getByRole('meter', { name: '/srv/media used' }).getAttribute('aria-valuenow')).toBe('88');
      expect(await disks.innerText()).toContain('447 GB free of 3.6 TB');

      const down = widget('gl-current-mem');
      await down.getByRole('alert').waitFor();
      expect(await down.getByRole('heading').textContent()).toBe('Old box memory');
      expect(await down.getByRole('alert').textContent()).toMatch(/^could not load: cannot reach the widget's source: .*ECONNREFUSED/);
      expect(await down.getByRole('meter').count()).toBe(0);

      const failing = widget('gl-system-load');
      await failing.getByRole('alert').waitFor();
      expect(await failing.getByRole('alert').textContent()).toBe("could not load: the widget's source answered HTTP 500");

      // The working widgets beside them are untouched, and so is the rest of the page.
      for (const type of ['gl-current-cpu', 'gl-cpu-history', 'gl-disk-space']) expect(await widget(type).getByRole('alert').count(), type).toBe(0);
      expect(await page.locator('[data-item]').allInnerTexts()).toEqual(['Glances']);

      await settle(visitor);
      // A source that is down is an everyday state, not a failed request of the page: the
      // proxy answers it as a marked 200, so the console has nothing to report.
      expect(visitor.errors.filter((line) => /status of 502/.test(line)), 'failed requests logged for a source that is down').toEqual([]);
      expect(visitor.errors).toEqual([]);
      const proxied = answers.filter((answer) => new URL(answer.url).pathname === '/widgets/proxy');
      const failures = proxied.filter((answer) => answer.headers['x-hearth-widget-error'] === '502');
      expect(failures.length).toBeGreaterThanOrEqual(2);
      expect(proxied.every((answer) => answer.status === 200)).toBe(true);
      // The stand-in was asked through the dashboard, never by the browser.
      expect(visitor.requests.filter((request) => request.url.startsWith(glances.base))).toEqual([]);
      expect(glances.seen.some((request) => request.path === '/api/4/cpu/history/100')).toBe(true);
    } finally {
      await visitor.context.close();
      await dashboard.stop();
    }
  });
});
