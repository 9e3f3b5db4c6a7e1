// Hearth ID's token endpoint, userinfo and introspection beside the bare oidc-provider
// configured alike (RS256, rotating refresh tokens, PKCE, a groups claim), on the same
// storage, with BENCH_WORKERS (16) concurrent workers for BENCH_SECONDS (5) per row, each row
// BENCH_ROUNDS (3) times alternating between the servers (medians); plus
// the SQL statements each refresh costs, and discovery/JWKS against bare node:http.
// `node id-endpoints.mjs` after `npm run build`; PostgreSQL from BENCH_DATABASE_URL
// (postgres://postgres@127.0.0.1:5432/test), a fresh database per server.
import { execFileSync, fork } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { Agent, request } from 'node:http';
import { tmpdir } from 'node:os';
import { URLSearchParams } from 'node:url';
import { join } from 'node:path';
import { freshDatabase } from './id-server.mjs';
import { cpuSeconds } from './process-cpu.mjs';

const WORKERS = Number(process.env.BENCH_WORKERS ?? 16);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 5);
const ONLY = process.env.BENCH_ONLY?.split(',');
const REDIRECT_URI = 'http://localhost:4000/';
const agent = new Agent({ keepAlive: true, maxSockets: WORKERS * 2 });

function http(url, { method = 'GET', headers = {}, body } = {}) {
  return new Promise((resolve, reject) => {
    const req = request(url, { method, headers: { ...headers, ...(body && { 'content-length': Buffer.byteLength(body) }) }, agent }, (res) => {
      const chunks = [];
      res.on('data', (chunk) => chunks.push(chunk));
      res.on('end', () => resolve({ status: res.statusCode, headers: res.headers, text: Buffer.concat(chunks).toString() }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

/** Cookies by name and path, enough for the provider's path-scoped interaction cookies. */
class Jar {
  cookies = new Map();
  take(res, url) {
    for (const line of res.headers['set-cookie'] ?? []) {
      const [pair, ...attrs] = line.split(';');
      const [name, ...value] = pair.split('=');
      const path = attrs.map((a) => a.trim()).find((a) => a.toLowerCase().startsWith('path='))?.slice(5) ?? '/';
      const key = `${name.trim()} ${path}`;
      if (/max-age=0|expires=thu, 01 jan 1970/i.test(line)) this.cookies.delete(key);
      else this.cookies.set(key, { name: name.trim(), value: value.join('='), path });
    }
    void url;
  }
  header(url) {
    const { pathname } = new URL(url);
    return [...this.cookies.values()].filter((c) => pathname.startsWith(c.path)).map((c) => `${c.name}=${c.value}`).join('; ');
  }
}

const form = (fields) => new URLSearchParams(fields).toString();
const basic = (server) => `Basic ${Buffer.from(`${encodeURIComponent(server.clientId)}:${encodeURIComponent(server.clientSecret)}`).toString('base64')}`;

function authorizeUrl(server, consent) {
  const verifier = randomBytes(32).toString('base64url');
  const params = {
    client_id: server.clientId,
    response_type: 'code',
    redirect_uri: REDIRECT_URI,
    scope: consent ? 'openid profile email groups offline_access' : 'openid profile email groups',
    code_challenge: createHash('sha256').update(verifier).digest('base64url'),
    code_challenge_method: 'S256',
    state: randomBytes(8).toString('hex'),
    nonce: randomBytes(8).toString('hex'),
    ...(consent && { prompt: 'consent' }),
  };
  return { url: `${server.url}/authorize?${form(params)}`, verifier };
}

async function redeem(server, code, verifier) {
  const res = await http(`${server.url}/token`, {
    method: 'POST',
    headers: { authorization: basic(server), 'content-type': 'application/x-www-form-urlencoded' },
    body: form({ grant_type: 'authorization_code', code, redirect_uri: REDIRECT_URI, code_verifier: verifier }),
  });
  if (res.status !== 200) throw new Error(`code redemption: ${res.status} ${res.text}`);
  return JSON.parse(res.text);
}

/** Follows the authorization through sign-in and consent to the callback's code. */
async function signIn(server, jar, consent) {
  const { url, verifier } = authorizeUrl(server, consent);
  let next = url;
  for (let step = 0; step < 8; step += 1) {
    const res = await http(next, { headers: { cookie: jar.header(next) } });
    jar.take(res, next);
    const location = res.headers.location ? new URL(res.headers.location, next).toString() : null;
    if (location?.startsWith(REDIRECT_URI)) {
      const code = new URL(location).searchParams.get('code');
      if (!code) throw new Error(`no code: ${location}`);
      return redeem(server, code, verifier);
    }
    if (!location && res.status !== 200) throw new Error(`authorization: ${res.status} ${res.text.slice(0, 300)}`);
    if (location && !(server.kind === 'hearth' && location.includes('/interaction/'))) {
      next = location;
      continue;
    }
    // Hearth ID's sign-in screen: continue as the signed-in user, then consent.
    const uid = new URL(location ?? next).pathname.split('/')[2];
    const details = JSON.parse((await http(`${server.url}/interaction/${uid}/details`, { headers: { cookie: jar.header(`${server.url}/interaction/${uid}/details`) } })).text);
    const action = details.prompt.name === 'login' ? 'continue' : 'consent';
    const target = `${server.url}/interaction/${uid}/${action}`;
    const done = await http(target, { method: 'POST', headers: { cookie: jar.header(target), origin: server.url, 'content-type': 'application/json' }, body: '{}' });
    jar.take(done, target);
    if (done.status !== 200) throw new Error(`interaction ${action}: ${done.status} ${done.text}`);
    next = new URL(JSON.parse(done.text).redirectTo, server.url).toString();
  }
  throw new Error('the authorization did not reach the callback');
}

/**
 * Runs `step` in WORKERS loops for SECONDS; answers completed steps per second, and the CPU
 * time the server process spent per step (req/s also depends on what the load generator and
 * other work on the machine leave over; the CPU a step costs the server does not).
 */
async function measure(states, step, pid) {
  const cpuBefore = cpuSeconds(pid);
  const end = Date.now() + SECONDS * 1000;
  let done = 0;
  let failed = 0;
  const started = Date.now();
  await Promise.all(
    states.map(async (state) => {
      while (Date.now() < end) {
        if (await step(state)) done += 1;
        else failed += 1;
      }
    }),
  );
  if (failed > 0) console.error(`${failed} failed requests`);
  const cpuAfter = cpuSeconds(pid);
  return { rate: done / ((Date.now() - started) / 1000), cpuPerStep: cpuBefore === null || cpuAfter === null || done === 0 ? NaN : (cpuAfter - cpuBefore) / done };
}

async function refresh(server, state) {
  const res = await http(`${server.url}/token`, {
    method: 'POST',
    headers: { authorization: basic(server), 'content-type': 'application/x-www-form-urlencoded' },
    body: form({ grant_type: 'refresh_token', refresh_token: state.tokens.refresh_token }),
  });
  if (res.status !== 200) {
    console.error(`refresh: ${res.status} ${res.text}`);
    return false;
  }
  state.tokens = JSON.parse(res.text);
  return true;
}

const ROWS = {
  'refresh grant req/s': (server) => (state) => refresh(server, state),
  'authorization-code round trips/s': (server) => async (state) => {
    const { url, verifier } = authorizeUrl(server, false);
    const res = await http(url, { headers: { cookie: state.jar.header(url) } });
    const code = res.headers.location && new URL(res.headers.location, url).searchParams.get('code');
    if (!code) {
      console.error(`authorize: ${res.status} ${res.headers.location}`);
      return false;
    }
    await redeem(server, code, verifier);
    return true;
  },
  'userinfo req/s': (server) => async (state) =>
    (await http(`${server.url}/userinfo`, { headers: { authorization: `Bearer ${state.tokens.access_token}` } })).status === 200,
  'introspection req/s': (server) => async (state) => {
    const res = await http(`${server.url}/token/introspection`, {
      method: 'POST',
      headers: { authorization: basic(server), 'content-type': 'application/x-www-form-urlencoded' },
      body: form({ token: state.tokens.access_token }),
    });
    return res.status === 200 && JSON.parse(res.text).active === true;
  },
};

async function startServer(kind, storage, dir) {
  let location = '';
  let drop = async () => {};
  if (storage === 'sqlite') location = join(dir, `${kind}.db`);
  if (storage === 'postgres') {
    const database = await freshDatabase('postgres');
    ({ DB_CONNECTION_STRING: location } = database.env);
    drop = database.drop;
  }
  const child = fork(new URL('./id-servers.mjs', import.meta.url), [kind, storage, location], {
    stdio: ['ignore', 'pipe', 'inherit', 'ipc'],
    // e.g. BENCH_SERVER_NODE_ARGS="--cpu-prof --cpu-prof-dir=/tmp/profiles" to see where a server's time goes.
    execArgv: process.env.BENCH_SERVER_NODE_ARGS?.split(' ') ?? [],
  });
  const line = await new Promise((resolve, reject) => {
    let out = '';
    child.stdout.on('data', (chunk) => {
      out += chunk;
      if (out.includes('\n')) resolve(out.split('\n')[0]);
    });
    child.on('exit', (code) => reject(new Error(`${kind} ${storage} exited with ${code}`)));
  });
  const statements = () =>
    new Promise((resolve) => {
      child.once('message', resolve);
      child.send('statements');
    });
  return {
    kind,
    storage,
    pid: child.pid,
    ...JSON.parse(line),
    statements,
    async stop() {
      child.kill();
      await drop();
    },
  };
}

/** Signs each worker in, and counts the statements of 50 refreshes in a row (after a warm-up). */
async function prepare(server) {
  const states = [];
  for (let i = 0; i < WORKERS; i += 1) {
    const jar = new Jar();
    if (server.cookie) jar.cookies.set('session /', { name: server.cookie.split('=')[0], value: server.cookie.split('=').slice(1).join('='), path: '/' });
    states.push({ jar, tokens: await signIn(server, jar, true) });
  }
  for (let i = 0; i < 20; i += 1) await refresh(server, states[0]);
  const before = await server.statements();
  for (let i = 0; i < 50; i += 1) await refresh(server, states[0]);
  const after = await server.statements();
  const perText = Object.entries(after.byText)
    .map(([text, n]) => [text, (n - (before.byText[text] ?? 0)) / 50])
    .filter(([, n]) => n > 0);
  const result = { 'SQL statements per refresh': (after.statements - before.statements) / 50, perText };
  for (const row of ['userinfo req/s', 'introspection req/s', 'authorization-code round trips/s']) {
    const step = ROWS[row](server);
    const start = await server.statements();
    for (let i = 0; i < 20; i += 1) await step(states[0]);
    const end = await server.statements();
    result[`SQL statements per ${row.split(' ')[0]}`] = (end.statements - start.statements) / 20;
    if (row.startsWith('authorization')) {
      result.perTextCode = Object.entries(end.byText)
        .map(([text, n]) => [text, (n - (start.byText[text] ?? 0)) / 20])
        .filter(([, n]) => n > 0);
    }
  }
  return { states, result };
}

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const median = (values) => values.sort((a, b) => a - b)[Math.floor(values.length / 2)];

/**
 * Measures the servers of one storage side by side: each row ROUNDS times, alternating
 * between them, and keeps each one's median, so that other work on the machine weighs on
 * both alike.
 */
async function benchSideBySide(servers) {
  const prepared = [];
  for (const server of servers) prepared.push(await prepare(server));
  for (const [row, make] of Object.entries(ROWS)) {
    if (ONLY && !ONLY.some((word) => row.includes(word))) continue;
    const runs = prepared.map(() => []);
    for (let round = 0; round < ROUNDS; round += 1) {
      for (const [i, server] of servers.entries()) runs[i].push(await measure(prepared[i].states, make(server), server.pid));
    }
    for (const [i, { result }] of prepared.entries()) {
      result[row] = median(runs[i].map((run) => run.rate));
      result[`${row} CPU`] = median(runs[i].map((run) => run.cpuPerStep));
    }
  }
  return prepared.map(({ result }) => result);
}

/** Whether wrk is installed; the discovery and JWKS rows need it and are left out (with a note) without it. */
function hasWrk() {
  try {
    execFileSync('wrk', ['--version'], { stdio: 'ignore' });
  } catch (error) {
    if (error.code === 'ENOENT') {
      console.error('wrk is not installed (apt-get install wrk): the discovery and JWKS rows are left out');
      return false;
    }
  }
  return true;
}

/** req/s from wrk (Debian package `wrk`), one thread, WORKERS connections. */
function wrk(url) {
  const out = execFileSync('wrk', ['-t1', `-c${WORKERS}`, `-d${SECONDS}s`, url], { encoding: 'utf8' });
  return Number(/Requests\/sec:\s+([\d.]+)/.exec(out)?.[1] ?? 0);
}

/** Discovery and the key set beside bare node:http answering the same bytes (serve.mjs). */
async function documentRows(server, dir) {
  const rows = {};
  for (const [name, path] of [['discovery', '/.well-known/openid-configuration'], ['JWKS', '/.well-known/jwks.json']]) {
    const res = await http(`${server.url}${path}`);
    const child = fork(new URL('./serve.mjs', import.meta.url), ['baseline', dir, res.text, res.headers['content-type']], { stdio: ['ignore', 'pipe', 'inherit', 'ipc'] });
    const url = await new Promise((resolve) => child.stdout.once('data', (chunk) => resolve(String(chunk).trim())));
    try {
      rows[`${name} req/s`] = wrk(`${server.url.replace('localhost', '127.0.0.1')}${path}`);
      rows[`${name}, bare node:http`] = wrk(url);
    } finally {
      child.kill();
    }
  }
  return rows;
}

const dir = mkdtempSync(join(tmpdir(), 'hearth-id-bench-'));
const targets = (process.env.BENCH_TARGETS ?? 'hearth:sqlite,bare:sqlite,bare:memory,hearth:postgres,bare:postgres').split(',');
const results = {};
try {
  const groups = ['sqlite', 'postgres', 'memory'].map((storage) => targets.filter((t) => t.endsWith(`:${storage}`))).filter((g) => g.length > 0);
  for (const group of groups) {
    const servers = [];
    try {
      for (const target of group) servers.push(await startServer(...target.split(':'), dir));
      const found = await benchSideBySide(servers);
      for (const [i, target] of group.entries()) {
        results[target] = found[i];
        if (target === 'hearth:sqlite' && !process.env.BENCH_NO_DOCUMENTS && hasWrk()) Object.assign(results[target], await documentRows(servers[i], dir));
        console.error(`${target}: ${JSON.stringify(results[target], null, 1)}`);
      }
    } finally {
      for (const server of servers) await server.stop();
    }
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
  agent.destroy();
}

const fmt = (n) => (n === undefined ? '—' : n >= 100 ? Math.round(n).toLocaleString('en') : n.toFixed(1));
const ratio = (a, b) => (a && b ? (a / b).toFixed(2) : '—');
console.log(`\n${WORKERS} workers, ${SECONDS} s per row\n`);
console.log('| path | Hearth ID SQLite | bare, SQLite adapter | ratio | Hearth ID PostgreSQL | bare, PostgreSQL adapter | ratio | bare, memory |');
console.log('|---|---:|---:|---:|---:|---:|---:|---:|');
for (const row of ['SQL statements per refresh', 'SQL statements per authorization-code', 'SQL statements per userinfo', 'SQL statements per introspection', ...Object.keys(ROWS)]) {
  const v = (t) => results[t]?.[row];
  const isCount = row.startsWith('SQL');
  console.log(
    `| ${row} | ${fmt(v('hearth:sqlite'))} | ${fmt(v('bare:sqlite'))} | ${isCount ? '' : ratio(v('hearth:sqlite'), v('bare:sqlite'))} | ${fmt(v('hearth:postgres'))} | ${fmt(v('bare:postgres'))} | ${isCount ? '' : ratio(v('hearth:postgres'), v('bare:postgres'))} | ${fmt(v('bare:memory'))} |`,
  );
}
// The server's CPU per request, in µs; the ratio is the bare library's over Hearth ID's, so that,
// like the req/s ratio, 1.00 means as cheap as the bare library.
for (const row of Object.keys(ROWS)) {
  const us = (t) => (results[t]?.[`${row} CPU`] === undefined || Number.isNaN(results[t][`${row} CPU`]) ? undefined : results[t][`${row} CPU`] * 1e6);
  const cpuRatio = (a, b) => ratio(us(b), us(a));
  console.log(
    `| ${row.replace(/ req\/s$| round trips\/s$/, '')}: server CPU µs each | ${fmt(us('hearth:sqlite'))} | ${fmt(us('bare:sqlite'))} | ${cpuRatio('hearth:sqlite', 'bare:sqlite')} | ${fmt(us('hearth:postgres'))} | ${fmt(us('bare:postgres'))} | ${cpuRatio('hearth:postgres', 'bare:postgres')} | ${fmt(us('bare:memory'))} |`,
  );
}
const documents = results['hearth:sqlite'];
if (documents?.['discovery req/s']) {
  console.log('\n| path | Hearth ID | bare node:http, same bytes | ratio |\n|---|---:|---:|---:|');
  for (const name of ['discovery', 'JWKS']) {
    const [a, b] = [documents[`${name} req/s`], documents[`${name}, bare node:http`]];
    console.log(`| ${name} | ${fmt(a)} | ${fmt(b)} | ${ratio(a, b)} |`);
  }
}
for (const target of Object.keys(results)) {
  console.log(`\nStatements per refresh, ${target}:`);
  for (const [text, n] of results[target].perText) console.log(`  ${n.toFixed(2)}  ${text}`);
  console.log(`\nStatements per authorization-code round trip, ${target}:`);
  for (const [text, n] of results[target].perTextCode ?? []) console.log(`  ${n.toFixed(2)}  ${text}`);
}
