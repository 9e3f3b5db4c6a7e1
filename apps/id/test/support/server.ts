import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import pino from 'pino';
import { loadConfig, type Config } from '../../src/config/config.js';
import { startIdServer, type RunningIdServer } from '../../src/boot.js';
import { createUser, type User, type UserInput } from '../../src/users/users.js';
import { createSession, SESSION_COOKIE } from '../../src/sessions/sessions.js';

export type TestDbProvider = 'sqlite' | 'postgres';
export const DB_PROVIDERS: TestDbProvider[] = ['sqlite', 'postgres'];
export const TEST_ENCRYPTION_KEY = 'test-encryption-key-0123456789abcdef';

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}

function adminUrl(): string {
  return process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
}

/** A throwaway database: a temp SQLite file, or a fresh PostgreSQL database dropped afterwards. */
export async function createTestDatabase(provider: TestDbProvider): Promise<{ env: Record<string, string>; drop(): Promise<void> }> {
  if (provider === 'sqlite') {
    const dir = mkdtempSync(join(tmpdir(), 'hearth-id-test-'));
    return {
      env: { DB_PROVIDER: 'sqlite', DB_CONNECTION_STRING: join(dir, 'hearth-id.db') },
      drop: async () => rmSync(dir, { recursive: true, force: true }),
    };
  }
  const name = `hearth_test_${process.pid}_${Math.random().toString(36).slice(2, 10)}`;
  const admin = new pg.Client({ connectionString: adminUrl() });
  await admin.connect();
  await admin.query(`create database ${name}`);
  await admin.end();
  const url = new URL(adminUrl());
  url.pathname = `/${name}`;
  return {
    env: { DB_PROVIDER: 'postgres', DB_CONNECTION_STRING: url.toString() },
    async drop() {
      const client = new pg.Client({ connectionString: adminUrl() });
      await client.connect();
      await client.query(`drop database if exists ${name} with (force)`);
      await client.end();
    },
  };
}

export interface TestServer extends RunningIdServer {
  url: string;
  config: Config;
  env: Record<string, string>;
  /** Stops the server and deletes its database. */
  stop(): Promise<void>;
}

/**
 * Starts a real Hearth ID on http://localhost:<free port> with a throwaway database.
 * Pass `database` to share one database between servers (replicas); it is then not dropped.
 */
export async function startTestServer(
  options: { provider?: TestDbProvider; env?: Record<string, string>; database?: { env: Record<string, string> } } = {},
): Promise<TestServer> {
  const port = await freePort();
  const database = options.database ?? (await createTestDatabase(options.provider ?? 'sqlite'));
  const env = {
    APP_URL: `http://localhost:${port}`,
    ENCRYPTION_KEY: TEST_ENCRYPTION_KEY,
    PORT: String(port),
    HOST: '127.0.0.1',
    LOG_LEVEL: 'silent',
    ...database.env,
    ...options.env,
  };
  const config = loadConfig(env);
  const running = await startIdServer(config, pino({ level: process.env.TEST_LOG_LEVEL ?? 'silent' }));
  return {
    ...running,
    url: config.appUrl,
    config,
    env,
    async stop() {
      await running.close();
      if (!options.database && 'drop' in database) await (database as { drop(): Promise<void> }).drop();
    },
  };
}

/** Creates a user straight in the database and a session for them; returns the Cookie header value. */
export async function signedInUser(server: TestServer, input: Partial<UserInput> = {}): Promise<{ user: User; cookie: string }> {
  const user = await createUser(server.ctx.database.db, {
    username: input.username ?? `user${Math.random().toString(36).slice(2, 8)}`,
    email: input.email ?? null,
    firstName: input.firstName ?? 'Test',
    lastName: input.lastName ?? 'User',
    isAdmin: input.isAdmin ?? false,
    ...input,
  });
  const { token } = await createSession(server.ctx.database.db, user.id, { lifetimeSeconds: 3600 });
  return { user, cookie: `${SESSION_COOKIE}=${token}` };
}

/** fetch against the test server with JSON in and out; sends Origin like a browser on APP_URL. */
export async function api(
  server: TestServer,
  method: string,
  path: string,
  options: { cookie?: string; body?: unknown; origin?: string | null; headers?: Record<string, string> } = {},
): Promise<{ status: number; body: any; headers: Headers }> { // eslint-disable-line @typescript-eslint/no-explicit-any
  const headers: Record<string, string> = { ...options.headers };
  if (options.cookie) headers.cookie = options.cookie;
  if (options.origin !== null) headers.origin = options.origin ?? server.url;
  if (options.body !== undefined) headers['content-type'] = 'application/json';
  const response = await fetch(new URL(path, server.url), {
    method,
    headers,
    body: options.body === undefined ? undefined : JSON.stringify(options.body),
    redirect: 'manual',
  });
  const text = await response.text();
  let body: unknown = text;
  try {
    body = text ? JSON.parse(text) : null;
  } catch {
    // not JSON: keep the text
  }
  return { status: response.status, body, headers: response.headers };
}

/** Signs a new user out with this X-Forwarded-For; the client address the audit log recorded for it. */
export async function auditedSignOutAddress(server: TestServer, forwardedFor: string): Promise<string | null> {
  const { cookie, user } = await signedInUser(server);
  const response = await api(server, 'POST', '/api/logout', { cookie, headers: { 'x-forwarded-for': forwardedFor } });
  if (response.status >= 300) throw new Error(`sign-out answered ${response.status}`);
  const row = await server.ctx.database.db
    .selectFrom('audit_log')
    .select('ip')
    .where('user_id', '=', user.id)
    .where('event', '=', 'sign_out')
    .executeTakeFirstOrThrow();
  return row.ip;
}
