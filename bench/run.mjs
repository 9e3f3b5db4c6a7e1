#!/usr/bin/env node
// Throughput of Hearth's hottest read paths, each beside a bare node:http server answering
// the same bytes on the same machine in the same run (the ratio is what to compare).
//   npm run bench            (after npm run build)
import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const SECONDS = Number(process.env.BENCH_SECONDS ?? 3);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 16);
const here = import.meta.dirname;

function start(kind, dir, ...extra) {
  const child = spawn(process.execPath, [join(here, 'serve.mjs'), kind, dir, ...extra], { stdio: ['ignore', 'pipe', 'inherit'] });
  return new Promise((resolve, reject) => {
    child.stdout.once('data', (chunk) => resolve({ url: chunk.toString().trim(), stop: () => child.kill('SIGKILL') }));
    child.once('exit', (code) => reject(new Error(`${kind} server exited with ${code}`)));
  });
}

/** One plain request on a fresh connection (a pooled one may have been closed by the server meanwhile). */
function fetchBody(url) {
  return new Promise((resolve, reject) => {
    http
      .get(url, { agent: false }, (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (chunk) => (body += chunk));
        res.on('end', () => resolve({ body, type: res.headers['content-type'] }));
      })
      .on('error', reject);
  });
}

/** wrk (Debian package `wrk`) when installed: a load generator in C, so the client is not the limit. */
function hasWrk() {
  try {
    execFileSync('wrk', ['--version'], { stdio: 'ignore' });
    return true;
  } catch (error) {
    // wrk exits 1 after printing its version; only a missing binary is an error here.
    return error.code !== 'ENOENT';
  }
}
const useWrk = process.env.BENCH_LOAD !== 'node' && hasWrk();

function loadWithWrk(url) {
  const out = execFileSync('wrk', ['-t1', `-c${CONNECTIONS}`, `-d${SECONDS}s`, url], { encoding: 'utf8' });
  const errors = /Non-2xx or 3xx responses: (\d+)/.exec(out);
  if (errors) throw new Error(`${errors[1]} requests to ${url} failed`);
  return Number(/Requests\/sec:\s+([\d.]+)/.exec(out)?.[1] ?? 0);
}

/** Closed-loop load: CONNECTIONS keep-alive clients, each sending its next request when the last answer arrives. */
async function load(url) {
  if (useWrk) return loadWithWrk(url);
  const agent = new http.Agent({ keepAlive: true, maxSockets: CONNECTIONS });
  const deadline = Date.now() + SECONDS * 1000;
  let done = 0;
  let failed = 0;
  const one = () =>
    new Promise((resolve) => {
      http
        .get(url, { agent }, (res) => {
          res.resume();
          res.on('end', () => {
            if (res.statusCode === 200) done += 1;
            else failed += 1;
            resolve();
          });
        })
        .on('error', () => {
          failed += 1;
          resolve();
        });
    });
  await Promise.all(
    Array.from({ length: CONNECTIONS }, async () => {
      while (Date.now() < deadline) await one();
    }),
  );
  agent.destroy();
  if (failed > 0) throw new Error(`${failed} requests to ${url} failed`);
  return done / SECONDS;
}

const dir = mkdtempSync(join(tmpdir(), 'hearth-bench-'));
const stops = [];
const rows = [];
try {
  const id = await start('hearth-id', dir);
  stops.push(id.stop);
  writeFileSync(join(dir, 'conf.yml'), 'pageInfo:\n  title: Bench Lab\nappConfig:\n  auth:\n    enableOidc: true\n    oidc:\n      clientId: bench\n      endpoint: http://127.0.0.1:1\n      adminGroup: admins\nsections:\n' +
    Array.from({ length: 20 }, (_, s) => `  - name: Section ${s}\n    items:\n` + Array.from({ length: 10 }, (_, i) => `      - title: Item ${s}.${i}\n        url: http://service-${s}-${i}.lan\n`).join('')).join(''));
  const dashboard = await start('dashboard', dir);
  stops.push(dashboard.stop);

  const cases = [
    ['Hearth ID discovery document', `${id.url}/.well-known/openid-configuration`],
    ['Hearth ID JWKS', `${id.url}/.well-known/jwks.json`],
    ['Hearth ID /healthz (database ping)', `${id.url}/healthz`],
    ['Dashboard signed-out /conf.yml (200 items stripped)', `${dashboard.url}/conf.yml`],
  ];
  for (const [name, url] of cases) {
    const { body, type } = await fetchBody(url);
    const baseline = await start('baseline', dir, body, type);
    stops.push(baseline.stop);
    const baselineRate = await load(baseline.url);
    const rate = await load(url);
    baseline.stop();
    rows.push({ name, rate, baselineRate });
  }
} finally {
  for (const stop of stops) stop();
  rmSync(dir, { recursive: true, force: true });
}

console.log(`\n${CONNECTIONS} connections, ${SECONDS} s each, load from ${useWrk ? 'wrk' : 'a Node.js client (install wrk for steadier figures)'}; baseline = bare node:http answering the same bytes\n`);
console.log('| path | Hearth req/s | baseline req/s | ratio |');
console.log('|---|---:|---:|---:|');
for (const { name, rate, baselineRate } of rows) {
  console.log(`| ${name} | ${rate.toFixed(0)} | ${baselineRate.toFixed(0)} | ${(rate / baselineRate).toFixed(2)} |`);
}
