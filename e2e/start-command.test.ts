// `npm start` without surprises: a taken port stops it before anything is built or started
// (naming who holds the port), Ctrl+C says what it stops, and a second start builds nothing
// when no input changed.
import { spawn } from 'node:child_process';
import { mkdir, mkdtemp, rm, utimes, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { freePort } from '../apps/id/test/support/server.js';
// @ts-expect-error: a plain ES module of the repository's scripts, without type declarations
import { buildIsCurrent, currentStamp, OUTPUTS, recordBuild } from '../scripts/lib/build-stamp.mjs';

const root = join(import.meta.dirname, '..');
const cleanup: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const undo of cleanup.splice(0).reverse()) await undo();
});

interface Started {
  output: () => string;
  exited: Promise<number | null>;
  signal: (name: NodeJS.Signals) => void;
}

async function startCommand(env: Record<string, string>): Promise<Started> {
  const dir = await mkdtemp(join(tmpdir(), 'hearth-start-'));
  cleanup.push(() => rm(dir, { recursive: true, force: true }));
  const child = spawn(process.execPath, [join(root, 'scripts/start.mjs')], {
    cwd: root,
    env: { PATH: process.env.PATH, HOME: process.env.HOME, HEARTH_DATA_DIR: join(dir, 'data'), USER_DATA_DIR: join(dir, 'user-data'), HOST: '127.0.0.1', LOG_LEVEL: 'warn', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  cleanup.push(async () => {
    if (child.exitCode === null) {
      child.kill('SIGKILL');
      await exited;
    }
  });
  return { output: () => output, exited, signal: (name) => child.kill(name) };
}

async function until(condition: () => boolean, what: () => string, timeoutMs = 90_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting; output so far:\n${what()}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

async function occupy(port: number): Promise<Server> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  cleanup.push(() => new Promise((resolve) => server.close(resolve)));
  return server;
}

describe('npm start', () => {
  it('stops at once, naming the port and the process holding it, when a port is taken', async () => {
    const [idPort, dashboardPort] = [await freePort(), await freePort()];
    await occupy(dashboardPort);
    const start = await startCommand({ PORT: String(idPort), APP_URL: `http://localhost:${idPort}`, DASHBOARD_PORT: String(dashboardPort) });
    expect(await start.exited).toBe(1);
    // This test's own process holds the port.
    expect(start.output()).toMatch(
      new RegExp(`^Cannot start Hearth Dashboard: port ${dashboardPort} is already in use by .*node.* \\(pid ${process.pid}\\)\\. Is Hearth already running\\? Stop it, or set DASHBOARD_PORT\\.\\n$`),
    );
  });

  it('says what it stops on Ctrl+C and exits 0', async () => {
    const [idPort, dashboardPort] = [await freePort(), await freePort()];
    const start = await startCommand({ PORT: String(idPort), APP_URL: `http://localhost:${idPort}`, DASHBOARD_PORT: String(dashboardPort) });
    await until(() => start.output().includes('Stop with Ctrl+C'), start.output);
    start.signal('SIGINT');
    expect(await start.exited).toBe(0);
    const output = start.output();
    expect(output).toContain('\nStopping Hearth ID and Hearth Dashboard...\n');
    expect(output).toContain('Hearth ID stopped.\n');
    expect(output).toContain('Hearth Dashboard stopped.\n');
  });
});

describe('the build stamp that lets a second start skip the build', () => {
  async function fakeRepository(): Promise<string> {
    const dir = await mkdtemp(join(tmpdir(), 'hearth-stamp-'));
    cleanup.push(() => rm(dir, { recursive: true, force: true }));
    for (const file of ['apps/id/src/a.ts', 'apps/dashboard/src/b.ts', 'apps/dashboard/conf.schema.json', 'package-lock.json', 'tsconfig.base.json']) {
      await mkdir(join(dir, file, '..'), { recursive: true });
      await writeFile(join(dir, file), 'x');
    }
    for (const output of OUTPUTS) {
      await mkdir(join(dir, output, '..'), { recursive: true });
      await writeFile(join(dir, output), 'built');
    }
    return dir;
  }

  it('is current after a recorded build, and not after a source changes or an output goes', async () => {
    const dir = await fakeRepository();
    expect(buildIsCurrent(dir)).toBe(false); // never built
    recordBuild(dir, currentStamp(dir));
    expect(buildIsCurrent(dir)).toBe(true);

    // What the build writes itself, and what is not an input, change nothing.
    await writeFile(join(dir, 'apps/dashboard/conf.schema.json'), 'regenerated');
    await writeFile(join(dir, 'apps/id/dist/extra.js'), 'more output');
    expect(buildIsCurrent(dir)).toBe(true);

    const later = new Date(Date.now() + 5_000);
    await utimes(join(dir, 'apps/id/src/a.ts'), later, later);
    expect(buildIsCurrent(dir)).toBe(false);
    recordBuild(dir, currentStamp(dir));
    expect(buildIsCurrent(dir)).toBe(true);

    await rm(join(dir, 'apps/dashboard/dist/web/index.html'));
    expect(buildIsCurrent(dir)).toBe(false);
  });
});
