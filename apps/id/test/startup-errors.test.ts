import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { BIN, runCli } from './support/cli.js';
import { freePort } from './support/server.js';

const dir = mkdtempSync(join(tmpdir(), 'hearth-id-startup-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const KEY = 'a-perfectly-fine-key-of-32-bytes';
const base = () => ({ DB_CONNECTION_STRING: join(dir, `db-${Math.random()}.db`), PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: 'error' });

describe('startup errors: one clear line and a non-zero exit', () => {
  it.each([
    ['ENCRYPTION_KEY missing', {}, 'ENCRYPTION_KEY is not set; set it (or ENCRYPTION_KEY_FILE)'],
    ['ENCRYPTION_KEY empty', { ENCRYPTION_KEY: '' }, 'ENCRYPTION_KEY is not set'],
    ['ENCRYPTION_KEY too short', { ENCRYPTION_KEY: 'short-key-15byt' }, 'ENCRYPTION_KEY must be at least 16 bytes long'],
    ['APP_URL with a path', { ENCRYPTION_KEY: KEY, APP_URL: 'http://localhost:1411/auth' }, 'APP_URL must not have a path'],
    ['APP_URL not a URL', { ENCRYPTION_KEY: KEY, APP_URL: 'localhost:1411' }, 'APP_URL must'],
    ['DB_PROVIDER unknown', { ENCRYPTION_KEY: KEY, DB_PROVIDER: 'mysql' }, 'DB_PROVIDER must be "sqlite" or "postgres" (got "mysql")'],
    ['postgres without a URL', { ENCRYPTION_KEY: KEY, DB_PROVIDER: 'postgres', DB_CONNECTION_STRING: '' }, 'DB_CONNECTION_STRING is required'],
    ['TRUST_PROXY not understood', { ENCRYPTION_KEY: KEY, TRUST_PROXY: 'maybe' }, 'TRUST_PROXY must be "true", "false", a number of proxies'],
    ['PORT out of range', { ENCRYPTION_KEY: KEY, PORT: '70000' }, 'PORT must be a whole number from 0 to 65535'],
    ['DASHBOARD_URL not http(s)', { ENCRYPTION_KEY: KEY, DASHBOARD_URL: 'javascript:alert(1)' }, 'DASHBOARD_URL must start with http:// or https://'],
    ['LOG_LEVEL unknown', { ENCRYPTION_KEY: KEY, LOG_LEVEL: 'loud' }, 'LOG_LEVEL must be one of'],
    ['ENCRYPTION_KEY_FILE unreadable', { ENCRYPTION_KEY_FILE: '/nonexistent/key' }, 'ENCRYPTION_KEY_FILE: cannot read /nonexistent/key'],
  ])('%s', async (_name, env, message) => {
    const result = await runCli([], { ...base(), ...env } as Record<string, string>);
    expect(result.code).not.toBe(0);
    expect(result.stderr).toContain(message);
    expect(result.stderr.trim().split('\n')).toHaveLength(1);
    expect(result.stderr).not.toMatch(/\n\s+at /);
  });

  it('reads secrets from NAME_FILE', async () => {
    const keyFile = join(dir, 'key');
    writeFileSync(keyFile, 'short\n');
    const result = await runCli([], { ...base(), ENCRYPTION_KEY_FILE: keyFile });
    expect(result.stderr).toContain('ENCRYPTION_KEY must be at least 16 bytes long');
  });

  it('refuses a different ENCRYPTION_KEY on an existing database', async () => {
    const env = { ...base(), ENCRYPTION_KEY: KEY };
    const first = await runCli(['key-rotate'], env);
    expect(first.code).toBe(0);
    const second = await runCli(['key-rotate'], { ...env, ENCRYPTION_KEY: 'another-key-that-is-long-enough' });
    expect(second.code).not.toBe(0);
    expect(second.stderr).toContain('ENCRYPTION_KEY does not match the key this database was created with');
  });

  it('explains an unreachable PostgreSQL', async () => {
    const port = await freePort();
    const result = await runCli([], {
      ...base(),
      ENCRYPTION_KEY: KEY,
      DB_PROVIDER: 'postgres',
      DB_CONNECTION_STRING: `postgres://nobody@127.0.0.1:${port}/nothing`,
    });
    expect(result.code).not.toBe(0);
    expect(result.stderr).toContain('cannot prepare the PostgreSQL database');
    expect(result.stderr).toContain('DB_CONNECTION_STRING');
  });
});

describe('a port already in use', () => {
  it('says so and exits non-zero', async () => {
    const { createServer } = await import('node:net');
    const blocker = createServer();
    const port = await new Promise<number>((resolve) => blocker.listen(0, '127.0.0.1', () => resolve((blocker.address() as { port: number }).port)));
    try {
      const result = await runCli([], { ...base(), ENCRYPTION_KEY: KEY, PORT: String(port) });
      expect(result.code).not.toBe(0);
      expect(result.stderr).toContain(`port ${port} is already in use`);
    } finally {
      blocker.close();
    }
  });
});

describe('the guide\'s example ENCRYPTION_KEY', () => {
  it('starts with the guide\'s example ENCRYPTION_KEY, as the guide shows, but warns that it is public', { timeout: 60_000 }, async () => {
    const child = spawn(process.execPath, [BIN], { env: { PATH: process.env.PATH ?? '', ...base(), LOG_LEVEL: 'warn', ENCRYPTION_KEY: 'local-dev-key-32-bytes-padding!!' } });
    let output = '';
    const warning = await new Promise<string>((resolve, reject) => {
      child.stdout.on('data', (chunk: Buffer) => {
        output += chunk.toString();
        const line = output.split('\n').find((text) => text.includes('ENCRYPTION_KEY'));
        if (line) resolve(line);
      });
      child.on('exit', (code) => reject(new Error(`exited (${code}) without the warning: ${output}`)));
    });
    child.kill('SIGTERM');
    const entry = JSON.parse(warning) as { level: number; msg: string };
    expect(entry.level).toBe(40);
    expect(entry.msg).toMatch(/^ENCRYPTION_KEY is the example value from the documentation, which anyone can read: replace it/);
  });
});
