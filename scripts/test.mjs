#!/usr/bin/env node
// Runs every test suite once (unit, integration on SQLite and PostgreSQL, browser).
// Before it starts, it finds what the tests need and says plainly what is missing.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import net from 'node:net';
import { dirname, join } from 'node:path';
import { assertNodeVersion } from './node-version.mjs';

// The runtime the images use; vitest's workers and every server the tests start inherit it.
console.log(`Node.js ${process.version} (${process.execPath})`);
assertNodeVersion();

const problems = [];

const databaseUrl = process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
process.env.TEST_DATABASE_URL = databaseUrl;
const pg = new URL(databaseUrl);
const pgReachable = await new Promise((resolve) => {
  const socket = net.connect({ host: pg.hostname, port: Number(pg.port || 5432) });
  socket.setTimeout(3000);
  socket.once('connect', () => { socket.destroy(); resolve(true); });
  socket.once('error', () => resolve(false));
  socket.once('timeout', () => { socket.destroy(); resolve(false); });
});
if (!pgReachable) {
  problems.push(
    `PostgreSQL is not reachable at ${pg.hostname}:${pg.port || 5432} (TEST_DATABASE_URL=${databaseUrl}).\n` +
      '  Start it (e.g. pg_ctlcluster --skip-systemctl-redirect $(ls /etc/postgresql) main start) or set TEST_DATABASE_URL.',
  );
}

const chromium = process.env.CHROMIUM_PATH ?? ['/usr/bin/chromium', '/usr/bin/chromium-browser'].find((p) => existsSync(p));
if (!chromium || !existsSync(chromium)) {
  problems.push('Chromium was not found at /usr/bin/chromium (set CHROMIUM_PATH, or: apt-get install -y chromium).');
} else {
  process.env.CHROMIUM_PATH = chromium;
}

if (problems.length > 0) {
  console.error('Cannot run the tests:\n- ' + problems.join('\n- '));
  console.log('\n0 passed, 1 failed');
  process.exit(1);
}

// vitest on this same Node.js, whatever else is on PATH.
const vitest = join(dirname(createRequire(import.meta.url).resolve('vitest/package.json')), 'vitest.mjs');
const child = spawn(process.execPath, [vitest, 'run', ...process.argv.slice(2)], { stdio: 'inherit', env: process.env });
child.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
