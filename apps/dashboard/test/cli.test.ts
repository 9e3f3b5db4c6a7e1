// The hearth-dashboard command as a process: environment in, one-line errors out, JSON logs,
// and a clean stop on SIGTERM.
import { spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, inject, it } from 'vitest';

const main = join(inject('dashboardBuild'), 'main.js');
let dir: string;

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'hearth-cli-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

interface Run {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

function start(env: Record<string, string>, onLine?: (line: string, stop: (signal: NodeJS.Signals) => void) => void): Promise<Run> {
  const child = spawn(process.execPath, [main], { env: { PATH: process.env.PATH ?? '', USER_DATA_DIR: dir, HOST: '127.0.0.1', PORT: '0', ...env } });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => {
    stdout += chunk.toString();
    for (const line of chunk.toString().split('\n').filter(Boolean)) onLine?.(line, (signal) => child.kill(signal));
  });
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  return new Promise((resolve) => child.on('exit', (code, signal) => resolve({ code, signal, stdout, stderr })));
}

describe('hearth-dashboard', () => {
  it('says in one line that conf.yml is missing, and exits non-zero', async () => {
    const run = await start({});
    expect(run.code).toBe(1);
    expect(run.stderr).toBe(`hearth-dashboard: cannot read ${join(dir, 'conf.yml')}: file not found (create it, or set USER_DATA_DIR)\n`);
  });

  it('names the file, line and path of an invalid conf.yml', async () => {
    await writeFile(join(dir, 'conf.yml'), 'sections:\n  - name: A\n    items:\n      - title: x\n        displayData: { hideForGuests: sometimes }\n');
    const run = await start({});
    expect(run.code).toBe(1);
    expect(run.stderr).toBe(
      `hearth-dashboard: invalid configuration: ${join(dir, 'conf.yml')}:5 sections[0].items[0].displayData.hideForGuests: ` +
        'Invalid input: expected boolean, received string; a visibility rule that cannot be read could show what it should hide\n',
    );
  });

  it('refuses bad environment values', async () => {
    await writeFile(join(dir, 'conf.yml'), 'sections: []\n');
    const port = await start({ PORT: 'http' });
    expect(port.code).toBe(1);
    expect(port.stderr).toBe('hearth-dashboard: invalid PORT="http": expected a port number\n');
    const level = await start({ LOG_LEVEL: 'loud' });
    expect(level.code).toBe(1);
    expect(level.stderr).toMatch(/^hearth-dashboard: invalid LOG_LEVEL="loud": .+\n$/);
  });

  it('serves, logs JSON, and stops cleanly on SIGTERM', async () => {
    await writeFile(join(dir, 'conf.yml'), 'pageInfo:\n  title: CLI\n');
    let health: number | undefined;
    const run = await start({}, (line, stop) => {
      const entry = JSON.parse(line) as { msg: string };
      const listening = /^Server listening at (http:\/\/127\.0\.0\.1:\d+)$/.exec(entry.msg);
      if (listening) {
        void fetch(`${listening[1]}/healthz`).then((response) => {
          health = response.status;
          stop('SIGTERM');
        });
      }
    });
    expect(health).toBe(200);
    expect(run.code).toBe(0);
    expect(run.stderr).toBe('');
    expect(run.stdout).toContain('SIGTERM received, closing');
    for (const line of run.stdout.split('\n').filter(Boolean)) expect(() => JSON.parse(line)).not.toThrow();
  });
});
