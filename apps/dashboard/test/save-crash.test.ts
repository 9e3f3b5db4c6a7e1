// A process killed (SIGKILL, no chance to clean up) in the middle of saving must leave the
// old file or the new one, whole, never a mix or a truncated file. The saver is compiled to
// a private folder (test/support/global-build.ts) and run in a child process that the test kills over and over.
import { spawn } from 'node:child_process';
import { watch } from 'node:fs';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { parse } from 'yaml';
import { startTestDashboard } from './support/dashboard.js';

const packageDir = fileURLToPath(new URL('..', import.meta.url));
const buildDir = inject('dashboardBuild');
let workDir: string;
const versions: string[] = [];

/** Large enough that writing and syncing takes real time, cheap to parse. */
function bigConfig(label: string): string {
  const filler = label.repeat(Math.ceil((3 * 1024 * 1024) / label.length));
  return `pageInfo:\n  title: ${label}\n  description: ${filler}\nsections:\n  - name: ${label}\n`;
}

beforeAll(async () => {
  workDir = await mkdtemp(join(tmpdir(), 'hearth-crash-'));
  versions.push(bigConfig('AAAA'), bigConfig('BBBB'));
  await writeFile(join(workDir, 'a.src'), versions[0] ?? '');
  await writeFile(join(workDir, 'b.src'), versions[1] ?? '');
  await writeFile(join(workDir, 'conf.yml'), versions[1] ?? '');
});

afterAll(async () => {
  if (workDir) await rm(workDir, { recursive: true, force: true });
});

/**
 * Runs the save loop and kills it once `afterSaves` saves completed: either `delayMs` later
 * (a random moment), or, when `atWrite`, as soon as the next temporary file appears, which
 * lands the kill in the middle of writing, syncing or renaming.
 */
function runAndKill(afterSaves: number, delayMs: number, atWrite: boolean): Promise<void> {
  const child = spawn(process.execPath, [
    join(packageDir, 'test', 'support', 'save-loop.mjs'),
    join(buildDir, 'saving', 'save.js'),
    workDir,
    join(workDir, 'a.src'),
    join(workDir, 'b.src'),
  ]);
  let armed = false;
  const watcher = watch(workDir, (_event, name) => {
    if (armed && name?.endsWith('.tmp')) child.kill('SIGKILL');
  });
  return new Promise<void>((resolve, reject) => {
    let saves = 0;
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.stdout.on('data', (chunk: Buffer) => {
      const before = saves;
      saves += chunk.toString().split('\n').filter(Boolean).length;
      if (before >= afterSaves || saves < afterSaves) return;
      if (atWrite) armed = true;
      else setTimeout(() => child.kill('SIGKILL'), delayMs);
    });
    child.on('exit', (_code, signal) => (signal === 'SIGKILL' ? resolve() : reject(new Error(`save loop exited: ${stderr}`))));
  }).finally(() => watcher.close());
}

describe('a save interrupted by SIGKILL', () => {
  it('leaves the old or the new file, whole, every time', async () => {
    let leftovers = 0;
    for (let round = 0; round < 16; round += 1) {
      await runAndKill(1 + (round % 3), Math.floor(Math.random() * 40), round % 2 === 0);
      const text = await readFile(join(workDir, 'conf.yml'), 'utf8');
      // A temporary file left behind is the proof that the kill landed mid-save.
      leftovers += (await readdir(workDir)).filter((name) => name.endsWith('.tmp')).length;
      expect(versions.includes(text), `round ${round}: conf.yml is ${text.length} bytes, neither version`).toBe(true);
      expect(parse(text).pageInfo.title).toMatch(/^(AAAA|BBBB)$/);
      for (const backup of await readdir(join(workDir, '.backups'))) {
        expect(versions).toContain(await readFile(join(workDir, '.backups', backup), 'utf8'));
      }
    }
    expect(leftovers).toBeGreaterThan(0);
  }, 120_000);

  it('has its temporary files removed when the dashboard starts', async () => {
    await writeFile(join(workDir, '.conf.yml.999999.0123456789ab.tmp'), 'half a fi');
    const dashboard = await startTestDashboard({ userDataDir: workDir });
    try {
      expect((await readdir(workDir)).filter((name) => name.endsWith('.tmp'))).toEqual([]);
      expect((await dashboard.get('/healthz')).status).toBe(200);
    } finally {
      await dashboard.stop();
    }
  });
});
