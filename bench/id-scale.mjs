#!/usr/bin/env node
// Hearth ID's admin screens at the scale of a large installation (10,000 users, 1,000 groups,
// 500 clients; bench/id-seed.mjs), on SQLite and PostgreSQL: each API call a screen makes,
// BENCH_CALLS times one after the other (200 by default), median and p95, beside the same
// call on an empty instance (one admin, one group, one client) in the same run.
//   npm run bench:scale --workspace bench   (after npm run build; BENCH_DBS=sqlite,postgres)
import { performance } from 'node:perf_hooks';
import os from 'node:os';
import { sql } from 'kysely';
import { load, median, percentile, startIdServer } from './id-server.mjs';
import { seedAtScale } from './id-seed.mjs';

const CALLS = Number(process.env.BENCH_CALLS ?? 200);
const DBS = (process.env.BENCH_DBS ?? 'sqlite,postgres').split(',');

async function adminCookie(server) {
  const [{ createUser }, { createSession, SESSION_COOKIE }] = await Promise.all([load('users/users.js'), load('sessions/sessions.js')]);
  const { db } = server.ctx.database;
  const admin = await createUser(db, { username: 'zz-admin', email: null, firstName: 'Admin', lastName: 'Bench', isAdmin: true });
  const { token } = await createSession(db, admin.id, { lifetimeSeconds: 3600 });
  return { cookie: `${SESSION_COOKIE}=${token}`, adminId: admin.id };
}

/** A few of each kind on an empty instance, so that every path has something to show. */
async function seedSmall(db) {
  const [{ createGroup }, { createClient }] = await Promise.all([load('groups/groups.js'), load('clients/clients.js')]);
  const group = await createGroup(db, { name: 'Everyone', friendlyName: 'everyone' });
  const { client } = await createClient(db, { name: 'App', callbackUrls: ['https://app.example.org/callback'], isPublic: true, pkceEnabled: true });
  return { typicalGroup: group.id, largestGroup: group.id, client: client.id, chosenGroups: [group.id] };
}

// What the screens ask for: the users list pages with Next/Previous from the username at the
// edge of the page (after=), the groups and clients lists 50 at a time with a search, and the
// group pickers on the user and client screens 10 groups at a time as one types.
const paths = (ids) => [
  ['users page 1', '/api/admin/users?search=&page=1&pageSize=20'],
  ['users page 400 of 500, Next (after=)', `/api/admin/users?search=&page=400&pageSize=20&after=${encodeURIComponent(ids.cursor)}`],
  ['users page 400 of 500 by number (OFFSET)', '/api/admin/users?search=&page=400&pageSize=20'],
  ['user search, many hits ("smith")', '/api/admin/users?search=smith&page=1&pageSize=20'],
  ['user search, one hit', '/api/admin/users?search=olivia.hall1012&page=1&pageSize=20'],
  ['user page', `/api/admin/users/${ids.user}`],
  ['group picker, opened', '/api/admin/groups?q=&pageSize=10'],
  ['group picker, typed "team 12"', '/api/admin/groups?q=team%2012&pageSize=10'],
  ['group picker, names of chosen', `/api/admin/groups?ids=${ids.chosenGroups.join(',')}&pageSize=100`],
  ['groups page 1', '/api/admin/groups?q=&page=1&pageSize=50'],
  ['groups page 20 of 20', '/api/admin/groups?q=&page=20&pageSize=50'],
  ['groups search ("team 5")', '/api/admin/groups?q=team%205&page=1&pageSize=50'],
  ['group page (30 members)', `/api/admin/groups/${ids.typicalGroup}`],
  ['group page (everyone: all users)', `/api/admin/groups/${ids.largestGroup}`],
  ['group page member search', '/api/admin/users?search=walker&pageSize=10'],
  ['clients page 1', '/api/admin/clients?q=&page=1&pageSize=50'],
  ['clients search ("app 42")', '/api/admin/clients?q=app%2042&page=1&pageSize=50'],
  ['client page', `/api/admin/clients/${ids.client}`],
];

/** The username a Next click from page 399 sends: the last one on that page. */
async function cursorOf(server, cookie) {
  const res = await fetch(new URL('/api/admin/users?page=399&pageSize=20', server.url), { headers: { cookie } });
  const { users } = await res.json();
  return users.at(-1)?.username ?? 'a';
}

async function timeCalls(server, cookie, ids) {
  const results = new Map();
  for (const [label, path] of paths(ids)) {
    const url = new URL(path, server.url);
    const times = [];
    let bytes = 0;
    for (let i = 0; i < CALLS + 5; i += 1) {
      const started = performance.now();
      const res = await fetch(url, { headers: { cookie, accept: 'application/json' } });
      const body = await res.arrayBuffer();
      if (res.status !== 200) throw new Error(`${path}: ${res.status} ${Buffer.from(body).toString()}`);
      if (i >= 5) times.push(performance.now() - started); // the first few warm the caches
      bytes = body.byteLength;
    }
    results.set(label, { min: Math.min(...times), median: median(times), p95: percentile(times, 95), bytes });
  }
  return results;
}

console.error(`load average at start: ${os.loadavg().map((n) => n.toFixed(1)).join(' ')}`);
const rows = [];
for (const db of DBS) {
  for (const scale of ['empty', 'seeded']) {
    const server = await startIdServer(db);
    try {
      const { cookie, adminId } = await adminCookie(server);
      const started = performance.now();
      const ids = scale === 'seeded' ? await seedAtScale(server.ctx.database.db) : { ...(await seedSmall(server.ctx.database.db)), user: adminId };
      if (scale === 'seeded') console.error(`${db}: seeded in ${((performance.now() - started) / 1000).toFixed(1)} s`);
      // A bulk load leaves PostgreSQL without statistics and the trigram index's rows in its
      // pending list until autovacuum comes by, as it would long before an installation had
      // 10,000 users; do now what autovacuum would.
      if (db === 'postgres') await sql`vacuum analyze`.execute(server.ctx.database.db);
      ids.cursor = await cursorOf(server, cookie);
      rows.push({ db, scale, results: await timeCalls(server, cookie, ids) });
    } finally {
      await server.stop();
    }
  }
}

console.log(`\n${CALLS} calls each, one at a time; seeded = 10,000 users, 1,000 groups, 500 clients; load average ${os.loadavg().map((n) => n.toFixed(1)).join(' ')}\n`);
// Under load from other processes the p95 mostly measures the scheduler; the fastest call
// (min) says what the request itself costs.
console.log('| call | database | empty: min | median | p95 | seeded: min | median | p95 | median ratio | answer size (seeded) |');
console.log('|---|---|---:|---:|---:|---:|---:|---:|---:|---:|');
for (const db of DBS) {
  const empty = rows.find((r) => r.db === db && r.scale === 'empty').results;
  const seeded = rows.find((r) => r.db === db && r.scale === 'seeded').results;
  for (const [label, s] of seeded) {
    const e = empty.get(label);
    const ms = (r) => `${r.min.toFixed(1)} ms | ${r.median.toFixed(1)} ms | ${r.p95.toFixed(1)} ms`;
    console.log(`| ${label} | ${db} | ${ms(e)} | ${ms(s)} | ${(s.median / e.median).toFixed(1)} | ${(s.bytes / 1024).toFixed(1)} KB |`);
  }
}
process.exit(0);
