#!/usr/bin/env node
// Throughput of Hearth's hottest read paths, each beside a bare node:http server answering
// the same bytes on the same machine in the same run (the ratio is what to compare).
//   npm run bench            (after npm run build)
import { execFileSync, spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cpuSeconds } from './process-cpu.mjs';
import { ADMIN_CLAIMS, DASHY_RECORDED, idToken, MEMBER_CLAIMS, protectedConfig } from './protected-conf.mjs';

const SECONDS = Number(process.env.BENCH_SECONDS ?? 3);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 16);
// Each path is measured in alternation with its baseline this many times; the medians are
// reported, so a burst of other work on a shared machine moves one round, not the figure.
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
// Comma-separated parts of row names (e.g. `BENCH_ONLY=Dashboard`): only those rows, and only
// the servers they need.
const ONLY = (process.env.BENCH_ONLY ?? '').split(',').map((part) => part.trim().toLowerCase()).filter(Boolean);
const selected = (name) => ONLY.length === 0 || ONLY.some((part) => name.toLowerCase().includes(part));
const here = import.meta.dirname;

function start(kind, dir, ...extra) {
  const child = spawn(process.execPath, [join(here, 'serve.mjs'), kind, dir, ...extra], { stdio: ['ignore', 'pipe', 'inherit'] });
  return new Promise((resolve, reject) => {
    child.stdout.once('data', (chunk) => resolve({ url: chunk.toString().trim(), pid: child.pid, stop: () => child.kill('SIGKILL') }));
    child.once('exit', (code) => reject(new Error(`${kind} server exited with ${code}`)));
  });
}

/** One plain request on a fresh connection (a pooled one may have been closed by the server meanwhile). */
function fetchBody(url, headers = {}) {
  return new Promise((resolve, reject) => {
    http
      .get(url, { agent: false, headers }, (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (chunk) => (body += chunk));
        res.on('end', () => resolve({ body, type: res.headers['content-type'], status: res.statusCode, view: res.headers['x-hearth-config-view'] }));
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

function loadWithWrk(url, headers = {}) {
  const headerArgs = Object.entries(headers).flatMap(([name, value]) => ['-H', `${name}: ${value}`]);
  const out = execFileSync('wrk', ['-t1', `-c${CONNECTIONS}`, `-d${SECONDS}s`, ...headerArgs, url], { encoding: 'utf8' });
  const errors = /Non-2xx or 3xx responses: (\d+)/.exec(out);
  if (errors) throw new Error(`${errors[1]} requests to ${url} failed`);
  return Number(/Requests\/sec:\s+([\d.]+)/.exec(out)?.[1] ?? 0);
}

/** Closed-loop load: CONNECTIONS keep-alive clients, each sending its next request when the last answer arrives. */
async function load(url, headers = {}) {
  if (useWrk) return loadWithWrk(url, headers);
  const agent = new http.Agent({ keepAlive: true, maxSockets: CONNECTIONS });
  const deadline = Date.now() + SECONDS * 1000;
  let done = 0;
  let failed = 0;
  const one = () =>
    new Promise((resolve) => {
      http
        .get(url, { agent, headers }, (res) => {
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

async function measure(url, headers, pid) {
  const before = cpuSeconds(pid);
  const rate = await load(url, headers);
  const after = cpuSeconds(pid);
  return { rate, cpuPerRequest: before === null || after === null ? null : (after - before) / (rate * SECONDS) };
}

const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];

const dir = mkdtempSync(join(tmpdir(), 'hearth-bench-'));
const stops = [];
const rows = [];
try {
  const idRows = ['Hearth ID discovery document', 'Hearth ID JWKS', 'Hearth ID /healthz (database ping)'];
  const id = idRows.some(selected) ? await start('hearth-id', dir) : { url: 'http://hearth-id.invalid', pid: 0, stop: () => {} };
  stops.push(id.stop);
  writeFileSync(join(dir, 'conf.yml'), 'pageInfo:\n  title: Bench Lab\nappConfig:\n  auth:\n    enableOidc: true\n    oidc:\n      clientId: bench\n      endpoint: http://127.0.0.1:1\n      adminGroup: admins\nsections:\n' +
    Array.from({ length: 20 }, (_, s) => `  - name: Section ${s}\n    items:\n` + Array.from({ length: 10 }, (_, i) => `      - title: Item ${s}.${i}\n        url: http://service-${s}-${i}.lan\n`).join('')).join(''));
  const dashboard = await start('dashboard', dir);
  stops.push(dashboard.stop);

  // A second dashboard for the protected rows: sign-in through a local issuer, 100 items.
  const issuer = await start('issuer', dir);
  stops.push(issuer.stop);
  const protectedDir = join(dir, 'protected');
  mkdirSync(protectedDir);
  writeFileSync(join(protectedDir, 'conf.yml'), protectedConfig(issuer.url));
  const guarded = await start('dashboard', protectedDir);
  stops.push(guarded.stop);
  const bearer = async (claims) => ({ authorization: `Bearer ${await idToken(issuer.url, claims)}` });

  const cases = [
    [idRows[0], `${id.url}/.well-known/openid-configuration`],
    [idRows[1], `${id.url}/.well-known/jwks.json`],
    [idRows[2], `${id.url}/healthz`],
    ['Dashboard signed-out /conf.yml (200 items stripped)', `${dashboard.url}/conf.yml`],
    ['Dashboard /conf.yml, admin token (the file, 22 KB)', `${guarded.url}/conf.yml`, await bearer(ADMIN_CLAIMS), 'source'],
    ['Dashboard /conf.yml, member token (filtered view)', `${guarded.url}/conf.yml`, await bearer(MEMBER_CLAIMS), 'filtered'],
  ];
  for (const [name, url, headers = {}, expectedView] of cases.filter(([name]) => selected(name))) {
    const { body, type, status, view } = await fetchBody(url, headers);
    if (status !== 200 || (expectedView && view !== expectedView)) throw new Error(`${name}: HTTP ${status}, view ${view}`);
    const baseline = await start('baseline', dir, body, type);
    stops.push(baseline.stop);
    const pid = [id, dashboard, guarded].find((server) => url.startsWith(server.url))?.pid;
    const rounds = [];
    for (let round = 0; round < ROUNDS; round += 1) rounds.push({ base: await measure(baseline.url, {}, baseline.pid), hearth: await measure(url, headers, pid) });
    baseline.stop();
    const cpuRatios = rounds.filter(({ base, hearth }) => base.cpuPerRequest && hearth.cpuPerRequest).map(({ base, hearth }) => base.cpuPerRequest / hearth.cpuPerRequest);
    rows.push({
      name,
      rate: median(rounds.map(({ hearth }) => hearth.rate)),
      baselineRate: median(rounds.map(({ base }) => base.rate)),
      ratio: median(rounds.map(({ base, hearth }) => hearth.rate / base.rate)),
      cpu: median(rounds.map(({ hearth }) => hearth.cpuPerRequest ?? NaN)),
      baselineCpu: median(rounds.map(({ base }) => base.cpuPerRequest ?? NaN)),
      cpuRatio: cpuRatios.length > 0 ? median(cpuRatios) : NaN,
      againstDashy: expectedView !== undefined,
    });
  }
} finally {
  for (const stop of stops) stop();
  rmSync(dir, { recursive: true, force: true });
}

console.log(`\n${CONNECTIONS} connections, ${SECONDS} s each, ${ROUNDS} rounds in alternation with the baseline (medians), load from ${useWrk ? 'wrk' : 'a Node.js client (install wrk for steadier figures)'}; baseline = bare node:http answering the same bytes; CPU = the server process's user + system time per request\n`);
console.log('| path | Hearth req/s | baseline req/s | ratio | Hearth CPU µs/req | baseline CPU µs/req | CPU ratio |');
console.log('|---|---:|---:|---:|---:|---:|---:|');
const micros = (seconds) => (Number.isNaN(seconds) ? '–' : (seconds * 1e6).toFixed(0));
for (const { name, rate, baselineRate, ratio, cpu, baselineCpu, cpuRatio } of rows) {
  console.log(`| ${name} | ${rate.toFixed(0)} | ${baselineRate.toFixed(0)} | ${ratio.toFixed(2)} | ${micros(cpu)} | ${micros(baselineCpu)} | ${Number.isNaN(cpuRatio) ? '–' : cpuRatio.toFixed(2)} |`);
}

// Dashy's server could not be run here: its recorded ratio to bare node:http, applied to this
// run's baseline, stands in for it.
const dashyRatio = DASHY_RECORDED.rate / DASHY_RECORDED.bare;
const againstDashy = rows.filter((row) => row.againstDashy);
if (againstDashy.length > 0) {
  console.log(`\nBeside Dashy 4.0.6's server (recorded, not run: ${DASHY_RECORDED.rate} req/s against bare ${DASHY_RECORDED.bare}, ratio ${dashyRatio.toFixed(3)}; no token check at all)\n`);
  console.log('| path | Hearth ratio to bare | Dashy ratio to bare | Hearth ÷ Dashy |');
  console.log('|---|---:|---:|---:|');
  for (const { name, ratio } of againstDashy) {
    console.log(`| ${name} | ${ratio.toFixed(2)} | ${dashyRatio.toFixed(2)} | ${(ratio / dashyRatio).toFixed(1)}× |`);
  }
}
