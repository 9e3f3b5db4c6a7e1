// `npm start` without surprises: a taken port stops it before anything is built or started
// (naming who holds the port), Ctrl+C says what it stops, and a second start builds nothing
// when no input changed.
import { spawn } from 'node:child_process';
import { mkdir, mkdtemp, readFile, rm, utimes, writeFile } from 'node:fs/promises';
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

describe('npm start with public URLs (APP_URL, DASHBOARD_URL), as behind a reverse proxy', () => {
  // Each start builds first when a source changed since the last build, which takes minutes on a busy machine.
  const START_TIMEOUT_MS = 240_000;
  /** Whether Hearth ID accepts the dashboard client with this callback: an authorization request answered with the sign-in, not an error. */
  async function acceptsCallback(idPort: number, redirectUri: string): Promise<boolean> {
    const url = new URL(`http://127.0.0.1:${idPort}/authorize`);
    url.search = new URLSearchParams({
      client_id: 'hearth-dashboard',
      redirect_uri: redirectUri,
      response_type: 'code',
      scope: 'openid',
      code_challenge: 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM',
      code_challenge_method: 'S256',
    }).toString();
    const response = await fetch(url, { redirect: 'manual' });
    return response.status === 303 && (response.headers.get('location') ?? '').includes('/interaction/');
  }

  it('wires the dashboard client and conf.yml to them, and follows them when they change', async () => {
    const [idPort, dashboardPort] = [await freePort(), await freePort()];
    const dir = await mkdtemp(join(tmpdir(), 'hearth-start-urls-'));
    cleanup.push(() => rm(dir, { recursive: true, force: true }));
    const folders = { HEARTH_DATA_DIR: join(dir, 'data'), USER_DATA_DIR: join(dir, 'user-data'), PORT: String(idPort), DASHBOARD_PORT: String(dashboardPort) };

    const first = await startCommand({ ...folders, APP_URL: 'https://id.home.test', DASHBOARD_URL: 'https://home.test/' });
    await until(() => first.output().includes('Stop with Ctrl+C'), first.output, START_TIMEOUT_MS);
    expect(first.output()).toContain('Hearth ID   https://id.home.test\n  Dashboard   https://home.test\n');
    expect(first.output()).toContain('Create the first admin: https://id.home.test/setup\n');
    const conf = await readFile(join(dir, 'user-data', 'conf.yml'), 'utf8');
    expect(conf).toContain('      endpoint: https://id.home.test\n');
    expect(conf).toContain('# yaml-language-server: $schema=https://home.test/conf.schema.json\n');
    expect(await acceptsCallback(idPort, 'https://home.test/')).toBe(true);
    expect(await acceptsCallback(idPort, `http://localhost:${dashboardPort}/`)).toBe(false);
    first.signal('SIGINT');
    expect(await first.exited).toBe(0);

    const second = await startCommand({ ...folders, APP_URL: 'https://sso.home.test', DASHBOARD_URL: 'https://dash.home.test' });
    await until(() => second.output().includes('Stop with Ctrl+C'), second.output, START_TIMEOUT_MS);
    expect(second.output()).toContain('The public URLs changed since the last start: the hearth-dashboard client now calls back to https://dash.home.test.\n');
    expect(second.output()).toContain('conf.yml now signs in through https://sso.home.test.\n');
    expect(await readFile(join(dir, 'user-data', 'conf.yml'), 'utf8')).toContain('      endpoint: https://sso.home.test\n');
    expect(await acceptsCallback(idPort, 'https://dash.home.test/')).toBe(true);
    expect(await acceptsCallback(idPort, 'https://home.test/')).toBe(false);
  }, 600_000);

  it('listens on the port of a localhost DASHBOARD_URL, and refuses a URL that is not one', async () => {
    const bad = await startCommand({ PORT: String(await freePort()), APP_URL: 'id.home.test' });
    expect(await bad.exited).toBe(1);
    expect(bad.output()).toBe('Cannot start Hearth: APP_URL must be an absolute URL like https://id.example.com (got "id.home.test").\n');

    const [idPort, dashboardPort] = [await freePort(), await freePort()];
    const start = await startCommand({ PORT: String(idPort), APP_URL: `http://localhost:${idPort}`, DASHBOARD_URL: `http://localhost:${dashboardPort}` });
    await until(() => start.output().includes('Stop with Ctrl+C'), start.output, START_TIMEOUT_MS);
    expect((await fetch(`http://127.0.0.1:${dashboardPort}/healthz`)).ok).toBe(true);
  }, 300_000);
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
