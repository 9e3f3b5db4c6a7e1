// Every conf.yml in ../shared/dashy-confs (files real people run Dashy with) loads, answers
// /conf.yml as YAML and as JSON, and keeps what sign-in protects: a signed-out visitor of a
// dashboard with sign-in gets only the bootstrap, and no answer ever carries a password hash.
// The sign-in providers these files name do not exist here; nothing below needs them.
import { existsSync } from 'node:fs';
import { copyFile, mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { localPageFileName } from '../src/config/page-path.js';
import { parseConfigText } from '../src/config/parse.js';
import type { DashyConfig, DashyItem } from '../src/config/schema.js';
import { startTestDashboard } from './support/dashboard.js';

const repoRoot = fileURLToPath(new URL('../../..', import.meta.url));
const CONFS = resolve(repoRoot, '../shared/dashy-confs');
if (!existsSync(CONFS)) {
  throw new Error(`the real Dashy configs are missing: expected a folder of conf.yml files at ${CONFS} (../shared/dashy-confs from the repository root)`);
}
const files = (await readdir(CONFS)).filter((name) => /\.ya?ml$/.test(name)).sort();

/**
 * Files Dashy cannot read: its js-yaml stops with "end of the stream or a document separator
 * is expected (9:1)" because the first key is indented by one space. Hearth reads them as
 * meant and warns at the line of the slip.
 */
const INDENTED_FIRST_KEY: Record<string, number> = { '05-christian-blades-cb-dots.yml': 1 };

interface Answer {
  status: number;
  view: string | null;
  text: string;
}

function itemUrls(items: readonly DashyItem[] | undefined): string[] {
  return (items ?? []).flatMap((item) => [item.url, item.statusCheckUrl, ...itemUrls(item.subItems)].filter((url): url is string => typeof url === 'string'));
}

/** What a bootstrap must not reveal: links long enough not to occur by chance. */
function privateUrls(config: DashyConfig): string[] {
  const urls = [
    ...(config.sections ?? []).flatMap((section) => itemUrls(section.items)),
    ...(config.pageInfo?.navLinks ?? []).map((link) => link.path),
    ...(config.pages ?? []).map((page) => page.path),
  ];
  return [...new Set(urls.filter((url) => url.length >= 12))];
}

function userHashes(text: string): string[] {
  return [...text.matchAll(/^\s*(?:-\s+)?hash:\s*['"]?([0-9a-fA-F]{64})/gm)].map((match) => match[1]!.toLowerCase());
}

function signInConfigured(config: DashyConfig): boolean {
  const auth = config.appConfig?.auth;
  return Boolean(auth?.enableOidc || auth?.enableKeycloak || (auth?.users?.length ?? 0) > 0);
}

describe('real Dashy configs', () => {
  it('are all here', () => {
    expect(files.length).toBeGreaterThanOrEqual(25);
  });

  it.each(files)('%s', async (name) => {
    const text = await readFile(join(CONFS, name), 'utf8');
    const userDataDir = await mkdtemp(join(tmpdir(), 'hearth-real-conf-'));
    try {
      await copyFile(join(CONFS, name), join(userDataDir, 'conf.yml'));
      const parsed = parseConfigText(text);
      if (!parsed.ok) throw new Error(`${name} must load: ${JSON.stringify(parsed.errors)}`);
      const { config, warnings } = parsed;
      if (INDENTED_FIRST_KEY[name] !== undefined) {
        expect(warnings[0]).toMatchObject({ line: INDENTED_FIRST_KEY[name], message: expect.stringContaining('the first key is indented') });
      }
      // Every local page gets a file, so sub-folder pages (`/assets/extras.yml`) are served too.
      const pageFiles = (config.pages ?? []).map((page) => localPageFileName(page.path)).filter((file): file is string => file !== null && file !== 'conf.yml');
      for (const file of pageFiles) {
        await mkdir(dirname(join(userDataDir, file)), { recursive: true });
        await writeFile(join(userDataDir, file), 'sections:\n  - name: Page stub\n');
      }

      const dashboard = await startTestDashboard({ userDataDir });
      try {
        const get = async (path: string, accept?: string): Promise<Answer> => {
          const response = await fetch(`${dashboard.url}${path}`, { headers: accept ? { accept } : {} });
          return { status: response.status, view: response.headers.get('x-hearth-config-view'), text: await response.text() };
        };
        const yaml = await get('/conf.yml');
        const json = await get('/conf.yml', 'application/json');
        expect(yaml.status, yaml.text).toBe(200);
        expect(json.status, json.text).toBe(200);
        const view = JSON.parse(json.text) as { kind: string; config: DashyConfig; viewer: { signedIn: boolean; isAdmin: boolean }; canEdit: boolean; warnings: unknown[] };
        expect(view.kind).toBe(yaml.view);
        expect(view.viewer.signedIn).toBe(false);

        const guests = config.appConfig?.auth?.enableGuestAccess === true;
        if (!signInConfigured(config)) {
          expect(yaml.view).toBe('source');
          expect(yaml.text).toBe(text);
          expect(view.viewer.isAdmin).toBe(true);
          expect(view.canEdit).toBe(config.appConfig?.disableConfiguration !== true);
          expect(view.warnings).toEqual(warnings);
        } else if (!guests) {
          expect(yaml.view).toBe('bootstrap');
          for (const body of [parse(yaml.text) as DashyConfig, view.config]) {
            expect(Object.keys(body).sort()).toEqual(['appConfig', 'pageInfo']);
            expect(Object.keys(body.appConfig ?? {}).filter((key) => key !== 'enableServiceWorker')).toEqual(['auth']);
          }
          for (const url of privateUrls(config)) {
            expect(yaml.text).not.toContain(url);
            expect(json.text).not.toContain(url);
          }
          expect(view.warnings).toEqual([]);
        } else {
          expect(yaml.view).toBe('filtered');
          expect(view.canEdit).toBe(false);
          expect(view.warnings).toEqual([]);
        }

        // Pages: served as written without sign-in, refused to a signed-out visitor otherwise.
        for (const file of pageFiles) {
          const page = await get(`/${file}`);
          expect(page.status, file).toBe(!signInConfigured(config) ? 200 : guests ? 200 : 401);
        }

        // No answer carries a password hash or the list of users, whoever asks.
        const hashes = userHashes(text);
        const answers = [yaml, json, ...(await Promise.all(pageFiles.map((file) => get(`/${file}`, 'application/json'))))];
        for (const answer of answers) {
          for (const hash of hashes) expect(answer.text.toLowerCase()).not.toContain(hash);
        }
        if (signInConfigured(config)) expect((parse(yaml.text) as DashyConfig).appConfig?.auth?.users).toBeUndefined();
        expect(view.config.appConfig?.auth?.users).toBeUndefined();

        // What Dashy would warn about is logged once at start, with the lines.
        const logged = dashboard.logs.filter((line) => line.level === 40 && Array.isArray(line.warnings));
        if (warnings.length === 0) expect(logged).toEqual([]);
        else expect(logged.map((line) => line.warnings)).toEqual([warnings]);
      } finally {
        await dashboard.stop();
      }
    } finally {
      await rm(userDataDir, { recursive: true, force: true });
    }
  });
});
