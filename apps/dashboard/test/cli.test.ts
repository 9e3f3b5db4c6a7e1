// The hearth-dashboard command as a process: environment in, one-line errors out, JSON logs,
// and a clean stop on SIGTERM.
import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
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

/** Runs the command with arguments to its end. */
function command(args: string[]): Promise<Run> {
  const child = spawn(process.execPath, [main, ...args], { env: { PATH: process.env.PATH ?? '', USER_DATA_DIR: dir, HOST: '127.0.0.1', PORT: '0' }, cwd: dir });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  return new Promise((resolve) => child.on('exit', (code, signal) => resolve({ code, signal, stdout, stderr })));
}

describe('hearth-dashboard command line', () => {
  it('answers --help with the commands and variables, without starting a server', async () => {
    // A conf.yml that would start a server: --help must not.
    await writeFile(join(dir, 'conf.yml'), 'pageInfo:\n  title: Help\n');
    const run = await command(['--help']);
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/^Usage: hearth-dashboard \[options\] \[command\]/);
    expect(run.stdout).toContain('validate [options] <files...>');
    expect(run.stdout).toContain('USER_DATA_DIR');
    expect(run.stdout).not.toContain('Server listening');
  });

  it('prints its version', async () => {
    const pkg = JSON.parse(await readFile(join(inject('dashboardBuild'), '..', 'package.json'), 'utf8')) as { version: string };
    const run = await command(['--version']);
    expect(run).toMatchObject({ code: 0, stdout: `${pkg.version}\n`, stderr: '' });
  });

  it('refuses an unknown command with exit code 2', async () => {
    const run = await command(['serve-please']);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain("error: unknown command 'serve-please'");
  });

  it('validates files as a save does: line-numbered errors, exit code 1 when invalid', async () => {
    await writeFile(join(dir, 'good.yml'), 'pageInfo:\n  title: Home\nsections:\n  - name: Media\n    items:\n      - title: Jellyfin\n        url: http://jellyfin.local\n');
    await writeFile(join(dir, 'bad.yml'), 'sections:\n  - name: A\n    items:\n      - title: x\n        displayData: { hideForGuests: sometimes }\n');
    await writeFile(join(dir, 'broken.yml'), 'pageInfo:\n  title: [unclosed\n');
    const good = await command(['validate', 'good.yml']);
    expect(good).toMatchObject({ code: 0, stdout: 'good.yml: valid (1 section, 1 item)\n', stderr: '' });

    const bad = await command(['validate', 'good.yml', 'bad.yml', 'broken.yml', 'missing.yml']);
    expect(bad.code).toBe(1);
    expect(bad.stdout).toContain('good.yml: valid (1 section, 1 item)\n');
    expect(bad.stdout).toContain(
      'bad.yml:5:39: error: sections[0].items[0].displayData.hideForGuests: Invalid input: expected boolean, received string; ' +
        'a visibility rule that cannot be read could show what it should hide\nbad.yml: invalid (1 error, 0 warnings)\n',
    );
    expect(bad.stdout).toMatch(/broken\.yml:\d+:\d+: error: .+\nbroken\.yml: invalid \(1 error, 0 warnings\)\n/);
    expect(bad.stderr).toBe('missing.yml: file not found\n');
  });

  it('counts warnings as valid, and as invalid with --strict', async () => {
    await writeFile(join(dir, 'dashy.yml'), 'sections:\n  - name: A\n    icon:\n    items:\n      - title: x\n');
    const lenient = await command(['validate', 'dashy.yml']);
    expect(lenient.code).toBe(0);
    expect(lenient.stdout).toBe('dashy.yml:3:10: warning: sections[0].icon: Invalid input: expected string, received null; ignored\ndashy.yml: valid (1 section, 1 item; 1 warning)\n');
    const strict = await command(['validate', '--strict', 'dashy.yml']);
    expect(strict.code).toBe(1);
    expect(strict.stdout).toContain('dashy.yml: invalid (0 errors, 1 warning, warnings count with --strict)\n');
  });
});

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
