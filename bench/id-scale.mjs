#!/usr/bin/env node
// Hearth ID's admin screens at the scale of a large installation (10,000 users, 1,000 groups,
// 500 clients; bench/id-seed.mjs), on SQLite and PostgreSQL: each API call a screen makes,
// BENCH_CALLS times one after the other (200 by default), median and p95, beside the same
// call on an empty instance (one admin, one group, one client) in the same run.
//   npm run bench:scale --workspace bench   (after npm run build; BENCH_DBS=sqlite,postgres)
import { performance } from 'node:perf_hooks';
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
  return { typicalGroup: group.id, largestGroup: group.id, client: client.id };
}

const paths = (ids) => [
  ['users page 1', '/api/admin/users?search=&page=1&pageSize=20'],
  ['users page 400 of 500', '/api/admin/users?search=&page=400&pageSize=20'],
  ['user search, many hits ("smith")', '/api/admin/users?search=smith&page=1&pageSize=20'],
  ['user search, one hit', '/api/admin/users?search=olivia.hall1012&page=1&pageSize=20'],
  ['user page', `/api/admin/users/${ids.user}`],
  ['groups page', '/api/admin/groups'],
  ['group page (30 members)', `/api/admin/groups/${ids.typicalGroup}`],
  ['group page (everyone: all users)', `/api/admin/groups/${ids.largestGroup}`],
  ['group page member search', '/api/admin/users?search=walker&pageSize=10'],
  ['clients page', '/api/admin/clients'],
  ['client page', `/api/admin/clients/${ids.client}`],
];

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
    results.set(label, { median: median(times), p95: percentile(times, 95), bytes });
  }
  return results;
}

const rows = [];
for (const db of DBS) {
  for (const scale of ['empty', 'seeded']) {
    const server = await startIdServer(db);
    try {
      const { cookie, adminId } = await adminCookie(server);
      const started = performance.now();
      const ids = scale === 'seeded' ? await seedAtScale(server.ctx.database.db) : { ...(await seedSmall(server.ctx.database.db)), user: adminId };
      if (scale === 'seeded') console.error(`${db}: seeded in ${((performance.now() - started) / 1000).toFixed(1)} s`);
      rows.push({ db, scale, results: await timeCalls(server, cookie, ids) });
    } finally {
      await server.stop();
    }
  }
}

console.log(`\n${CALLS} calls each, one at a time; seeded = 10,000 users, 1,000 groups, 500 clients\n`);
console.log('| call | database | empty: median | p95 | seeded: median | p95 | p95 ratio | answer size (seeded) |');
console.log('|---|---|---:|---:|---:|---:|---:|---:|');
for (const db of DBS) {
  const empty = rows.find((r) => r.db === db && r.scale === 'empty').results;
  const seeded = rows.find((r) => r.db === db && r.scale === 'seeded').results;
  for (const [label, s] of seeded) {
    const e = empty.get(label);
    console.log(`| ${label} | ${db} | ${e.median.toFixed(1)} ms | ${e.p95.toFixed(1)} ms | ${s.median.toFixed(1)} ms | ${s.p95.toFixed(1)} ms | ${(s.p95 / e.p95).toFixed(1)} | ${(s.bytes / 1024).toFixed(1)} KB |`);
  }
}
process.exit(0);
