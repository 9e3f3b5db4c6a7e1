// The closing line CI reads ("N passed, N failed"): a real vitest run over a few small files,
// one of them with a beforeAll hook that throws (its tests show as skipped, yet it failed).
import { spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, expect, it } from 'vitest';

const root = join(import.meta.dirname, '..');
let dir = '';
afterAll(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
});

it('counts a failed test, a file whose beforeAll failed and a file that cannot load as failures', async () => {
  dir = await mkdtemp(join(tmpdir(), 'hearth-summary-'));
  await writeFile(join(dir, 'vitest.config.mjs'), `export default { test: { include: ['*.check.mjs'], reporters: [${JSON.stringify(join(root, 'scripts/summary-reporter.mjs'))}] } };\n`);
  await writeFile(join(dir, 'a.check.mjs'), "import { it, expect } from 'vitest';\nit('passes', () => expect(1).toBe(1));\nit('fails', () => expect(1).toBe(2));\nit.skip('is skipped', () => {});\n");
  await writeFile(join(dir, 'b.check.mjs'), "import { beforeAll, it } from 'vitest';\nbeforeAll(() => { throw new Error('no server'); });\nit('never runs', () => {});\nit('never runs either', () => {});\n");
  await writeFile(join(dir, 'c.check.mjs'), "import { it } from 'vitest';\nthrow new Error('cannot load');\nit('unreachable', () => {});\n");
  const output = await new Promise<{ code: number | null; text: string }>((resolve, reject) => {
    const child = spawn(process.execPath, [join(root, 'node_modules/vitest/vitest.mjs'), 'run', '--root', dir], { cwd: dir, env: { ...process.env, CI: 'true' } });
    let text = '';
    child.stdout.on('data', (chunk: Buffer) => (text += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (text += chunk.toString()));
    child.on('error', reject);
    child.on('exit', (code) => resolve({ code, text }));
  });
  expect(output.code).toBe(1);
  const last = output.text.trim().split('\n').at(-1);
  expect(last).toBe('1 passed, 3 failed, 3 skipped');
}, 120_000);
