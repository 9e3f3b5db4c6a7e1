// YAML nested hundreds of thousands of levels deep: the parser recurses, so such text is
// refused before it is parsed, wherever conf.yml text is read (a save, the file at start, a
// sub-page), with a 4xx naming the line. The server keeps answering meanwhile. A config that
// nests deeply but sanely still loads.
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { startTestDashboard } from './support/dashboard.js';
import type { TestDashboard } from './support/dashboard.js';

const ORIGINAL = `pageInfo:
  title: Lab
pages:
  - name: Deep
    path: deep.yml
sections:
  - name: Media
    items:
      - title: Jellyfin
        url: http://jellyfin.lan
`;

const LEVELS = 200_000;
/** About 400 KB of flow nesting, after a line that names the key. */
const deepFlow = `pageInfo:\n  title: Deep\nsections: ${'['.repeat(LEVELS)}${']'.repeat(LEVELS)}\n`;
/** About 300 KB of compact block lists (`- - - - x`). */
const deepBlock = `pageInfo:\n  title: Deep\nsections:\n${'- '.repeat(150_000)}x\n`;
/** The hash placeholder makes the save read the built-in users out of the text first. */
const deepWithUsers = `appConfig:\n  auth:\n    users:\n      - user: admin\n        hash: '********'\n        type: admin\n${deepFlow}`;

const TOO_DEEP = /^nested deeper than 100 levels/;

let dashboard: TestDashboard;

beforeAll(async () => {
  // Hand edits of conf.yml show at once.
  dashboard = await startTestDashboard({ config: ORIGINAL, files: { 'deep.yml': deepFlow }, configFreshnessMs: 0 });
});
afterAll(async () => {
  await dashboard?.stop();
});

interface SaveAnswer {
  reason: string;
  errors: Array<{ line?: number; message: string }>;
}

describe('deeply nested YAML', () => {
  for (const [name, text, line] of [
    ['flow collections', deepFlow, 3],
    ['compact block lists', deepBlock, 4],
    ['flow collections next to built-in users', deepWithUsers, 9],
  ] as const) {
    it(`refuses a save of ${name} with a 400 naming the line, while /healthz answers`, async () => {
      const saving = dashboard.save({ config: text });
      const health = dashboard.get('/healthz');
      const [saved, healthz] = await Promise.all([saving, health]);
      expect(healthz.status).toBe(200);
      expect(saved.status).toBe(400);
      const body = (await saved.json()) as SaveAnswer;
      expect(body.reason).toBe('invalid configuration');
      expect(body.errors).toHaveLength(1);
      expect(body.errors[0]!.message).toMatch(TOO_DEEP);
      expect(body.errors[0]!.line).toBe(line);
      expect(await readFile(join(dashboard.userDataDir, 'conf.yml'), 'utf8')).toBe(ORIGINAL);
      expect((await dashboard.get('/healthz')).status).toBe(200);
    });
  }

  it('does not serve a sub-page that is too deep, and keeps serving the rest', async () => {
    const [page, healthz] = await Promise.all([dashboard.get('/deep.yml'), dashboard.get('/healthz')]);
    expect(healthz.status).toBe(200);
    expect(page.status).toBe(500);
    expect(dashboard.logs.some((entry) => /cannot serve deep\.yml: .*nested deeper than 100 levels/.test(String(entry.msg)))).toBe(true);
    expect((await dashboard.get('/conf.yml')).status).toBe(200);
  });

  it('refuses to start on a conf.yml that is too deep, naming the line', async () => {
    const userDataDir = await mkdtemp(join(tmpdir(), 'hearth-deep-'));
    try {
      await expect(startTestDashboard({ config: deepBlock, userDataDir })).rejects.toThrow(/conf\.yml:4 nested deeper than 100 levels/);
    } finally {
      await rm(userDataDir, { recursive: true, force: true });
    }
  });

  it('keeps the last good conf.yml when a hand edit makes it too deep', async () => {
    await writeFile(join(dashboard.userDataDir, 'conf.yml'), deepFlow);
    const [response, healthz] = await Promise.all([dashboard.get('/conf.yml'), dashboard.get('/healthz')]);
    expect(healthz.status).toBe(200);
    expect(response.status).toBe(200);
    expect((parse(await response.text()) as { pageInfo: { title: string } }).pageInfo.title).toBe('Lab');
    expect(dashboard.logs.some((entry) => /keeping the last valid configuration: .*nested deeper than 100 levels/.test(String(entry.msg)))).toBe(true);
    await writeFile(join(dashboard.userDataDir, 'conf.yml'), ORIGINAL);
  });
});

describe('a config that nests deeply but sanely', () => {
  // An item with an extra key holding 30 levels of mappings, then 30 levels of lists.
  const nested = Array.from({ length: 30 }, (_, level) => `${'  '.repeat(level + 5)}level${level}:`).join('\n');
  const SANE = `${ORIGINAL}        extra:
${nested}
${'  '.repeat(35)}leaf: ${'['.repeat(30)}1${']'.repeat(30)}
`;

  it('saves and loads', async () => {
    expect(parse(SANE)).toBeTruthy();
    const saved = await dashboard.save({ config: SANE });
    expect(saved.status, await saved.clone().text()).toBe(200);
    const served = await dashboard.get('/conf.yml');
    expect(served.status).toBe(200);
    expect(await served.text()).toBe(SANE);
    await writeFile(join(dashboard.userDataDir, 'conf.yml'), ORIGINAL);
  });
});
