// Saving without sign-in configured (anyone may save, as in Dashy): validation before
// writing, backups, path safety, serialisation, and reloading without a restart.
import { existsSync } from 'node:fs';
import { readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { startTestDashboard } from './support/dashboard.js';
import type { TestDashboard } from './support/dashboard.js';

const ORIGINAL = `# kept verbatim
pageInfo:
  title: Before
sections:
  - name: Media
    items:
      - title: Jellyfin
        url: http://jellyfin.lan
`;

let dashboard: TestDashboard;
const conf = () => readFile(join(dashboard.userDataDir, 'conf.yml'), 'utf8');
const backups = async () => (await readdir(join(dashboard.userDataDir, '.backups')).catch(() => [] as string[])).sort();

beforeEach(async () => {
  dashboard = await startTestDashboard({ config: ORIGINAL, maxConfigBytes: 64 * 1024 });
});
afterEach(async () => {
  await dashboard.stop();
});

describe('POST /config-manager/save', () => {
  it('rejects YAML that does not parse, naming the line, and leaves the file alone', async () => {
    const response = await dashboard.save({ config: 'pageInfo:\n  title: [unclosed\nsections: []\n' });
    expect(response.status).toBe(400);
    const body = (await response.json()) as { reason: string; errors: Array<{ line: number; message: string }> };
    expect(body.reason).toBe('invalid configuration');
    expect(body.errors[0]?.line).toBeGreaterThanOrEqual(2);
    expect(await conf()).toBe(ORIGINAL);
    expect(await backups()).toEqual([]);
  });

  it('rejects a config with a new problem, with the YAML path and line', async () => {
    const config = `sections:
  - name: A
  - name: B
  - name: C
    items:
      - title: Broken
        url: javascript:alert(1)
`;
    const response = await dashboard.save({ config });
    expect(response.status).toBe(400);
    expect(await response.json()).toEqual({
      error: 'bad request',
      reason: 'invalid configuration',
      errors: [{ path: 'sections[2].items[0].url', line: 7, column: 14, message: 'a javascript: link could run code in the dashboard; ignored' }],
    });
    expect(await conf()).toBe(ORIGINAL);
  });

  it('keeps a timestamped backup and serves the new version without a restart', async () => {
    const next = ORIGINAL.replace('Before', 'After');
    const response = await dashboard.save({ config: next });
    expect(response.status).toBe(200);
    const body = (await response.json()) as { backup: string };
    expect(body.backup).toMatch(/^\.backups\/conf\.yml\.\d{4}-\d\d-\d\dT\d\d-\d\d-\d\d-\d{3}Z$/);
    expect(await readFile(join(dashboard.userDataDir, body.backup), 'utf8')).toBe(ORIGINAL);
    expect(await conf()).toBe(next);
    expect(await (await dashboard.get('/conf.yml')).text()).toBe(next);
    expect((await readdir(dashboard.userDataDir)).filter((name) => name.endsWith('.tmp'))).toEqual([]);
  });

  it('saves a sub-page by name, with no backup when it is new', async () => {
    const response = await dashboard.save({ config: 'sections:\n  - name: Work\n', filename: 'work.yaml' });
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({ file: 'work.yaml', backup: null, restartRequired: false });
    expect(await readFile(join(dashboard.userDataDir, 'work.yaml'), 'utf8')).toBe('sections:\n  - name: Work\n');
  });

  it('refuses file names that could leave the folder or are not YAML', async () => {
    for (const filename of ['../evil.yml', '../../etc/cron.d/x.yml', 'a/../../b.yml', '/tmp/x.yml', '..\\x.yml', '.hidden.yml', '.backups/x.yml', 'conf.yml.txt', 'x..yml', '', 'conf.yml\0.yml']) {
      const response = await dashboard.save({ config: 'sections: []\n', filename });
      expect(response.status, filename).toBe(400);
      expect(await response.json()).toEqual({
        error: 'bad request',
        reason: 'filename must be a .yml or .yaml file inside the user data folder (sub-folders allowed; no "..", no names starting with a dot)',
      });
    }
    expect(existsSync(join(dashboard.userDataDir, '..', 'evil.yml'))).toBe(false);
    expect(await conf()).toBe(ORIGINAL);
  });

  it('answers malformed requests with 4xx, never 500', async () => {
    const cases: Array<[unknown, number]> = [
      ['{not json', 400],
      [{}, 400],
      [{ config: 42 }, 400],
      [{ config: 'x: 1', filename: 7 }, 400],
      [{ config: `sections: []\n# ${'x'.repeat(70 * 1024)}\n` }, 413],
      [{ config: 'x'.repeat(200 * 1024) }, 413],
    ];
    for (const [body, status] of cases) {
      const response = await dashboard.save(body);
      expect(response.status, JSON.stringify(body).slice(0, 40)).toBe(status);
      expect(Object.keys((await response.json()) as object)).toContain('reason');
    }
    const post = (type: string) => fetch(`${dashboard.url}/config-manager/save`, { method: 'POST', headers: { 'content-type': type }, body: 'x' });
    expect((await post('text/plain')).status).toBe(400);
    expect((await post('application/xml')).status).toBe(415);
    expect(await conf()).toBe(ORIGINAL);
  });

  it('serialises 20 concurrent saves: every one completes, one valid file remains', async () => {
    const versions = Array.from({ length: 20 }, (_, index) => ORIGINAL.replace('Before', `Version ${index}`));
    const responses = await Promise.all(versions.map((config) => dashboard.save({ config })));
    expect(responses.map((response) => response.status)).toEqual(versions.map(() => 200));
    const final = await conf();
    expect(versions).toContain(final);
    expect(parse(final).pageInfo.title).toMatch(/^Version \d+$/);
    const kept = await backups();
    expect(kept).toHaveLength(20);
    // Each backup is a whole earlier version: the original or one of the twenty.
    for (const name of kept) expect([ORIGINAL, ...versions]).toContain(await readFile(join(dashboard.userDataDir, '.backups', name), 'utf8'));
    expect((await readdir(dashboard.userDataDir)).filter((name) => name.endsWith('.tmp'))).toEqual([]);
  });

  it('refuses to save when appConfig.disableConfiguration is set', async () => {
    const locked = `appConfig:\n  disableConfiguration: true\n${ORIGINAL}`;
    expect((await dashboard.save({ config: locked })).status).toBe(200);
    const response = await dashboard.save({ config: ORIGINAL });
    expect(response.status).toBe(403);
    expect(await response.json()).toEqual({ error: 'forbidden', reason: 'saving is turned off (appConfig.disableConfiguration)' });
  });

  it('says when a saved auth change needs a restart', async () => {
    const withAuth = `appConfig:\n  auth:\n    enableOidc: true\n    oidc:\n      clientId: x\n      endpoint: http://127.0.0.1:1\n${ORIGINAL}`;
    const response = await dashboard.save({ config: withAuth });
    expect(await response.json()).toMatchObject({ success: true, restartRequired: true });
    // The running server keeps its boot-time settings: still no sign-in.
    expect((await dashboard.get('/conf.yml')).headers.get('x-hearth-config-view')).toBe('source');
  });
});

describe('edits made on disk', () => {
  it('are served without a restart, within a second; a broken edit keeps the last valid version', async () => {
    const file = join(dashboard.userDataDir, 'conf.yml');
    const title = async () => parse(await (await dashboard.get('/conf.yml')).text()).pageInfo.title;
    await title(); // the store has just looked at the disk
    await writeFile(file, ORIGINAL.replace('Before', 'Hand edited'));
    await expect.poll(title, { timeout: 3000, interval: 100 }).toBe('Hand edited');
    await writeFile(file, 'sections: [oops\n');
    const keptLastValid = () => dashboard.logs.some((line) => String(line.msg).startsWith('keeping the last valid configuration'));
    await expect.poll(async () => (await title(), keptLastValid()), { timeout: 3000, interval: 100 }).toBe(true);
    expect(await title()).toBe('Hand edited');
  });
});

describe('a folder where the save cannot be written', () => {
  it('answers with what the system said and leaves the file alone', async () => {
    // A file where the backup folder should be: the same failure path as a read-only mount
    // or a full disk, and reproducible as any user.
    await writeFile(join(dashboard.userDataDir, '.backups'), 'not a folder');
    const response = await dashboard.save({ config: ORIGINAL.replace('Before', 'Never') });
    expect(response.status).toBe(500);
    expect(await response.json()).toEqual({ error: 'internal error', reason: 'cannot write conf.yml in the user data folder (EEXIST)' });
    expect(await conf()).toBe(ORIGINAL);
    expect(dashboard.logs.some((line) => String(line.msg).startsWith('save failed: cannot write conf.yml'))).toBe(true);
  });
});
