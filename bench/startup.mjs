#!/usr/bin/env node
// Cold start and memory of each program: spawn its bin with a fresh data directory, time to
// the first 200 from /healthz, resident memory (RSS) idle 2 s later, and RSS after 1,000
// requests of its everyday paths. Beside them, in the same run: an empty Node.js process
// answering /healthz with node:http, and bare oidc-provider (the library Hearth ID is built
// on, default configuration, answering /healthz beside it).
//   npm run bench:startup --workspace bench   (after npm run build; BENCH_STARTS, 5 by default)
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { median } from './id-server.mjs';

const STARTS = Number(process.env.BENCH_STARTS ?? 5);
// Node.js options for every program measured (e.g. BENCH_NODE_ARGS=--max-semi-space-size=2), to try V8 settings.
const NODE_ARGS = (process.env.BENCH_NODE_ARGS ?? '').split(' ').filter(Boolean);
const root = join(import.meta.dirname, '..');

const EMPTY_NODE = `require('node:http').createServer((q, r) => r.end('ok')).listen(process.env.PORT, '127.0.0.1');`;
const BARE_PROVIDER = `
const http = require('node:http');
import('oidc-provider').then(({ default: Provider }) => {
  const provider = new Provider('http://localhost:' + process.env.PORT, {});
  const callback = provider.callback();
  http.createServer((q, r) => (q.url === '/healthz' ? r.end('ok') : callback(q, r))).listen(process.env.PORT, '127.0.0.1');
});`;

/** The node options on a bin's first line (`#!/usr/bin/env -S node --max-semi-space-size=2`): measured as `hearth-id` runs. */
const nodeOptionsOf = (bin) => (/^#!.*\bnode((?: --[\w-]+(?:=\S+)?)*)\s*$/m.exec(readFileSync(bin, 'utf8').split('\n')[0])?.[1] ?? '').split(' ').filter(Boolean);
const ID_BIN = join(root, 'apps/id/bin/hearth-id.js');
const DASHBOARD_BIN = join(root, 'apps/dashboard/bin/hearth-dashboard.js');

const programs = [
  { name: 'empty Node.js process (node:http)', args: ['-e', EMPTY_NODE], paths: ['/healthz'] },
  { name: 'bare oidc-provider', args: ['-e', BARE_PROVIDER], cwd: join(root, 'apps/id'), paths: ['/healthz', '/.well-known/openid-configuration', '/jwks'] },
  {
    name: 'Hearth ID (SQLite)',
    args: [...nodeOptionsOf(ID_BIN), ID_BIN],
    env: (dir, port) => ({
      APP_URL: `http://localhost:${port}`,
      ENCRYPTION_KEY: 'bench-encryption-key-0123456789abcdef0123456789',
      DB_CONNECTION_STRING: join(dir, 'hearth-id.db'),
      HOST: '127.0.0.1',
      LOG_LEVEL: 'warn',
    }),
    paths: ['/healthz', '/.well-known/openid-configuration', '/jwks', '/login', '/api/setup'],
  },
  {
    name: 'Hearth Dashboard',
    args: [...nodeOptionsOf(DASHBOARD_BIN), DASHBOARD_BIN],
    env: (dir) => {
      writeFileSync(join(dir, 'conf.yml'), 'pageInfo:\n  title: Bench\nsections:\n  - name: Apps\n    items:\n      - title: Jellyfin\n        url: http://jellyfin.lan\n');
      return { USER_DATA_DIR: dir, HOST: '127.0.0.1', LOG_LEVEL: 'warn' };
    },
    paths: ['/healthz', '/conf.yml', '/'],
  },
];

// BENCH_MODULES=1 adds each app run from its per-module build (dist/, what the tests import)
// instead of its bundle (dist/program/, what the bins run), to show what bundling gives.
if (process.env.BENCH_MODULES === '1') {
  const [, , id, dashboard] = programs;
  programs.push(
    { ...id, name: 'Hearth ID (SQLite), per-module build', args: [...nodeOptionsOf(ID_BIN), join(root, 'apps/id/dist/cli/main.js')] },
    { ...dashboard, name: 'Hearth Dashboard, per-module build', args: [...nodeOptionsOf(DASHBOARD_BIN), join(root, 'apps/dashboard/dist/main.js')] },
  );
}

const freePort = () =>
  new Promise((resolve) => {
    const server = net.createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });

const rssMb = (pid) => Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))[1]) / 1024;
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

async function startOnce(program) {
  const dir = mkdtempSync(join(tmpdir(), 'hearth-startup-'));
  const port = await freePort();
  const env = { ...process.env, PORT: String(port), ...(program.env?.(dir, port) ?? {}) };
  const started = performance.now();
  const child = spawn(process.execPath, [...NODE_ARGS, ...program.args], { env, cwd: program.cwd ?? root, stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (chunk) => (stderr += chunk));
  const base = `http://127.0.0.1:${port}`;
  let healthy = NaN;
  while (performance.now() - started < 60_000) {
    const ok = await fetch(`${base}/healthz`).then((res) => res.status === 200, () => false);
    if (ok) {
      healthy = performance.now() - started;
      break;
    }
    if (child.exitCode !== null) break;
    await sleep(5);
  }
  if (!Number.isFinite(healthy)) {
    child.kill();
    throw new Error(`${program.name} did not become healthy:\n${stderr}`);
  }
  await sleep(2000);
  const idle = rssMb(child.pid);
  // 1,000 requests, 10 at a time, going round the program's paths.
  for (let i = 0; i < 1000; i += 10) {
    await Promise.all(Array.from({ length: 10 }, (_, j) => fetch(`${base}${program.paths[(i + j) % program.paths.length]}`).then((res) => res.arrayBuffer())));
  }
  const loaded = rssMb(child.pid);
  child.kill('SIGTERM');
  await new Promise((resolve) => (child.exitCode !== null ? resolve() : child.once('exit', resolve)));
  rmSync(dir, { recursive: true, force: true });
  return { healthy, idle, loaded };
}

const only = process.env.BENCH_ONLY; // a part of a program's name, to run it alone beside the empty process
const rows = [];
for (const program of programs.filter((p, i) => i === 0 || !only || p.name.includes(only))) {
  const runs = [];
  for (let i = 0; i < STARTS; i += 1) runs.push(await startOnce(program));
  rows.push({ name: program.name, healthy: median(runs.map((r) => r.healthy)), idle: median(runs.map((r) => r.idle)), loaded: median(runs.map((r) => r.loaded)) });
}

const empty = rows[0];
console.log(`\nmedian of ${STARTS} starts each; Node.js ${process.version}\n`);
console.log('| program | start to healthy | RSS idle (2 s) | RSS after 1,000 requests | idle RSS − empty Node |');
console.log('|---|---:|---:|---:|---:|');
for (const row of rows) {
  console.log(`| ${row.name} | ${row.healthy.toFixed(0)} ms | ${row.idle.toFixed(0)} MB | ${row.loaded.toFixed(0)} MB | ${(row.idle - empty.idle).toFixed(0)} MB |`);
}
