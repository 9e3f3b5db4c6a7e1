// A Hearth ID for the benches, in this process, on a fresh SQLite file or PostgreSQL database
// (the built code in apps/id/dist, as `npm start` runs it).
import { mkdtempSync, rmSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import pino from 'pino';

const dist = new URL('../apps/id/dist/', import.meta.url);
export const load = (path) => import(new URL(path, dist).href);

const POSTGRES = process.env.BENCH_DATABASE_URL ?? process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

function freePort() {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

export async function freshDatabase(provider) {
  if (provider === 'sqlite') {
    const dir = mkdtempSync(join(tmpdir(), 'hearth-bench-'));
    return { env: { DB_PROVIDER: 'sqlite', DB_CONNECTION_STRING: join(dir, 'hearth-id.db') }, drop: async () => rmSync(dir, { recursive: true, force: true }) };
  }
  const name = `hearth_bench_${process.pid}_${Math.random().toString(36).slice(2, 8)}`;
  const admin = new pg.Client({ connectionString: POSTGRES });
  await admin.connect();
  await admin.query(`create database ${name}`);
  await admin.end();
  const url = new URL(POSTGRES);
  url.pathname = `/${name}`;
  return {
    env: { DB_PROVIDER: 'postgres', DB_CONNECTION_STRING: url.toString() },
    async drop() {
      const client = new pg.Client({ connectionString: POSTGRES });
      await client.connect();
      await client.query(`drop database if exists ${name} with (force)`);
      await client.end();
    },
  };
}

/** Starts Hearth ID on localhost (passkeys need that exact host); `stop()` also drops its database. */
export async function startIdServer(provider = 'sqlite', env = {}) {
  const [{ loadConfig }, { startIdServer: start }] = await Promise.all([load('config/config.js'), load('boot.js')]);
  const port = await freePort();
  const database = await freshDatabase(provider);
  const config = loadConfig({
    APP_URL: `http://localhost:${port}`,
    ENCRYPTION_KEY: 'bench-encryption-key-0123456789abcdef0123456789',
    PORT: String(port),
    HOST: '127.0.0.1',
    LOG_LEVEL: 'silent',
    SIGN_IN_RATE_LIMIT: '0',
    ...database.env,
    ...env,
  });
  const running = await start(config, pino({ level: 'silent' }));
  return {
    ...running,
    url: config.appUrl,
    async stop() {
      await running.close();
      await database.drop();
    },
  };
}

export const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
export const percentile = (values, p) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
};
