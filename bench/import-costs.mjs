#!/usr/bin/env node
// What each package costs to load: a fresh Node.js process imports it alone, collects
// garbage, and reports its resident memory (RSS), V8 heap and import time beside an empty
// process. Shared dependencies count in each row, so the rows overlap. The young generation
// is held at 1 MB so that V8's semi-spaces, which grow with allocation, do not hide the
// modules' own cost.
//   node bench/import-costs.mjs   (after npm run build; BENCH_STARTS, 3 by default)
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { median } from './id-server.mjs';

const root = join(import.meta.dirname, '..');
const STARTS = Number(process.env.BENCH_STARTS ?? 3);

const modules = [
  ['(nothing)', 'apps/id'],
  ['oidc-provider', 'apps/id'],
  ['fastify', 'apps/id'],
  ['kysely', 'apps/id'],
  ['kysely/migration', 'apps/id'],
  ['pg', 'apps/id'],
  ['zod', 'apps/id'],
  ['pino', 'apps/id'],
  ['@fastify/helmet', 'apps/id'],
  ['@fastify/rate-limit', 'apps/id'],
  ['@fastify/cookie', 'apps/id'],
  ['@simplewebauthn/server', 'apps/id'],
  ['commander', 'apps/id'],
  ['yaml', 'apps/dashboard'],
  ['./dist/http/server.js', 'apps/id'],
  ['./dist/server.js', 'apps/dashboard'],
];

const PROBE = `
const started = performance.now();
const target = process.argv[1];
(target === '(nothing)' ? Promise.resolve() : import(target.startsWith('.') ? require('node:path').resolve(target) : target)).then(() => {
  const ms = performance.now() - started;
  globalThis.gc(); globalThis.gc();
  const { rss, heapUsed } = process.memoryUsage();
  console.log(JSON.stringify({ ms, rss: rss / 1048576, heap: heapUsed / 1048576 }));
});`;

function probe(name, cwd) {
  const runs = [];
  for (let i = 0; i < STARTS; i += 1) {
    const out = execFileSync(process.execPath, ['--expose-gc', '--max-semi-space-size=1', '-e', PROBE, name], { cwd: join(root, cwd), encoding: 'utf8' });
    runs.push(JSON.parse(out));
  }
  return { ms: median(runs.map((r) => r.ms)), rss: median(runs.map((r) => r.rss)), heap: median(runs.map((r) => r.heap)) };
}

const base = probe('(nothing)', 'apps/id');
console.log(`\nmedian of ${STARTS} each; Node.js ${process.version}; empty process ${base.rss.toFixed(0)} MB RSS, ${base.heap.toFixed(1)} MB heap\n`);
console.log('| module | import | RSS | V8 heap |');
console.log('|---|---:|---:|---:|');
for (const [name, cwd] of modules.slice(1)) {
  const row = probe(name, cwd);
  console.log(`| ${name}${name.startsWith('.') ? ` (${cwd})` : ''} | ${row.ms.toFixed(0)} ms | +${(row.rss - base.rss).toFixed(0)} MB | +${(row.heap - base.heap).toFixed(1)} MB |`);
}
