#!/usr/bin/env node
// A full passkey sign-in through the OIDC flow in Debian's Chromium, with the DevTools
// protocol's virtual authenticator (as apps/id/test/browser does): /authorize, the sign-in
// screen, the passkey, back to the app's callback. Median and p95 of the whole flow, and when
// the sign-in button was on screen, counted from the start of the /authorize navigation.
//   npm run bench:sign-in --workspace bench   (after npm run build)
//   BENCH_RUNS (25), BENCH_DBS (sqlite,postgres), BENCH_SEEDED=1 (each database also with
//   10,000 users, 1,000 groups and 500 clients, bench/id-seed.mjs)
// Baseline, in the same browser and run: the bare minimum of the same ceremony, a static page
// on localhost with its challenge in the HTML and one button that calls
// navigator.credentials.get and posts the answer, which a bare node:http server answers with
// the callback address (it does not verify the signature, about 1 ms of work).
/* global document, window, MutationObserver, navigator -- functions passed to the page run there */
import { createHash, randomBytes } from 'node:crypto';
import http from 'node:http';
import { performance } from 'node:perf_hooks';
import { URLSearchParams } from 'node:url';
import { existsSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { chromium } from 'playwright-core';
import { load, median, percentile, startIdServer } from './id-server.mjs';
import { seedAtScale } from './id-seed.mjs';

const RUNS = Number(process.env.BENCH_RUNS ?? 25);
const DBS = (process.env.BENCH_DBS ?? 'sqlite,postgres').split(',');
const CALLBACK = 'http://localhost:4000/';
const BUTTON = 'Sign in with a passkey';

// Before any page script: clicks the sign-in button the moment it is there and enabled, and
// notes when that was, so neither figure includes the automation's polling.
const AUTO_CLICK = (label) => {
  const check = () => {
    const button = [...document.querySelectorAll('button')].find((b) => b.textContent.trim() === label && !b.disabled && b.offsetParent !== null);
    if (!button || window.__clicked) return;
    window.__clicked = true;
    window.name = `button:${performance.now().toFixed(1)}`;
    button.click();
  };
  new MutationObserver(check).observe(document, { childList: true, subtree: true, attributes: true });
};

const b64url = (buffer) => Buffer.from(buffer).toString('base64url');

/** The bare minimum: one static page, one button, one POST, one redirect to the callback. */
function baselineServer() {
  const server = http.createServer((request, response) => {
    if (request.method === 'POST') {
      request.resume();
      request.on('end', () => {
        response.writeHead(200, { 'content-type': 'application/json' });
        response.end(JSON.stringify({ redirectTo: `${CALLBACK}?code=${b64url(randomBytes(16))}` }));
      });
      return;
    }
    if (request.url === '/setup') {
      response.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
      response.end('<!doctype html><title>setup</title>');
      return;
    }
    const challenge = b64url(randomBytes(32));
    response.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' });
    // The script comes before the button, so the button works from the moment it is drawn.
    response.end(`<!doctype html><html><head><meta charset="utf-8"><title>Sign in</title><script>
const decode = (s) => Uint8Array.from(atob(s.replace(/-/g, '+').replace(/_/g, '/')), (c) => c.charCodeAt(0));
const encode = (b) => btoa(String.fromCharCode(...new Uint8Array(b))).replace(/\\+/g, '-').replace(/\\//g, '_').replace(/=+$/, '');
async function signIn() {
  const credential = await navigator.credentials.get({ publicKey: { challenge: decode('${challenge}'), rpId: 'localhost', userVerification: 'required', allowCredentials: [], timeout: 60000 } });
  const r = credential.response;
  const body = { id: credential.id, response: { clientDataJSON: encode(r.clientDataJSON), authenticatorData: encode(r.authenticatorData), signature: encode(r.signature) } };
  const answer = await fetch('/verify', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) }).then((res) => res.json());
  location.assign(answer.redirectTo);
}
</script></head><body><h1>Sign in</h1><button type="button" onclick="signIn()">${BUTTON}</button></body></html>`);
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve({ server, url: `http://localhost:${server.address().port}/` })));
}

async function seed(server) {
  const [{ createUser }, { createSession, SESSION_COOKIE }, { createClient }] = await Promise.all([
    load('users/users.js'),
    load('sessions/sessions.js'),
    load('clients/clients.js'),
  ]);
  const { db } = server.ctx.database;
  const user = await createUser(db, { username: 'alice', email: null, firstName: 'Alice', lastName: 'Bench', isAdmin: false });
  const { token } = await createSession(db, user.id, { lifetimeSeconds: 3600 });
  const { client } = await createClient(db, { name: 'Dashy', callbackUrls: [CALLBACK], isPublic: true, pkceEnabled: true, trusted: true });
  return { cookie: { name: SESSION_COOKIE, value: token, url: server.url }, clientId: client.id };
}

function authorizeUrl(server, clientId) {
  const verifier = b64url(randomBytes(32));
  const url = new URL('/authorize', server.url);
  url.search = new URLSearchParams({
    client_id: clientId,
    response_type: 'code',
    redirect_uri: CALLBACK,
    scope: 'openid profile email groups',
    state: b64url(randomBytes(12)),
    nonce: b64url(randomBytes(12)),
    code_challenge: b64url(createHash('sha256').update(verifier).digest()),
    code_challenge_method: 'S256',
  }).toString();
  return url.href;
}

/** One sign-in: total wall time to the callback request, and when the button was clickable. */
async function timeOnce(page, url) {
  const callback = page.waitForRequest((request) => request.isNavigationRequest() && request.url().startsWith(CALLBACK), { timeout: 20_000 });
  let buttonAt = NaN;
  // The page's window.name survives until the callback's navigation replaces the document.
  const onFrame = (frame) => {
    if (frame === page.mainFrame()) frame.evaluate(() => window.name).then((name) => { if (name.startsWith('button:')) buttonAt = Number(name.slice(7)); }).catch(() => {});
  };
  const started = performance.now();
  page.on('framenavigated', onFrame);
  await page.goto(url, { waitUntil: 'commit' });
  const poll = setInterval(() => onFrame(page.mainFrame()), 5);
  await callback.catch(async (error) => {
    console.error(page.url(), await page.evaluate(() => document.body.innerText + ' ' + window.name).catch((e) => e.message));
    throw error;
  });
  const total = performance.now() - started;
  clearInterval(poll);
  page.off('framenavigated', onFrame);
  await page.evaluate(() => window.stop()).catch(() => {});
  return { total, buttonAt };
}

async function runFlows(browser, label, makeUrl, setup) {
  const context = await browser.newContext();
  await context.addInitScript(AUTO_CLICK, BUTTON);
  const page = await context.newPage();
  page.on('pageerror', (error) => console.error('page error:', error.message));
  page.on('console', (message) => message.type() === 'error' && console.error('console:', message.text()));
  const cdp = await context.newCDPSession(page);
  await cdp.send('WebAuthn.enable', { enableUI: false });
  const { authenticatorId } = await cdp.send('WebAuthn.addVirtualAuthenticator', {
    options: { protocol: 'ctap2', transport: 'internal', hasResidentKey: true, hasUserVerification: true, isUserVerified: true, automaticPresenceSimulation: true },
  });
  await setup?.({ context, page, cdp, authenticatorId });
  const rows = {};
  for (const cache of ['warm', 'cold']) {
    await cdp.send('Network.enable');
    await cdp.send('Network.setCacheDisabled', { cacheDisabled: cache === 'cold' });
    await timeOnce(page, makeUrl()); // warm-up: the first run compiles everything once
    await context.clearCookies();
    const totals = [];
    const buttons = [];
    for (let i = 0; i < RUNS; i += 1) {
      await page.evaluate(() => { window.name = ''; }).catch(() => {});
      const { total, buttonAt } = await timeOnce(page, makeUrl());
      totals.push(total);
      buttons.push(buttonAt);
      await context.clearCookies();
    }
    rows[cache] = { totals, buttons: buttons.filter(Number.isFinite) };
  }
  await context.close();
  return { label, rows };
}

const fmt = (n) => (Number.isFinite(n) ? `${n.toFixed(0)} ms` : 'n/a');

async function main() {
  const executablePath = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
  if (!existsSync(executablePath)) throw new Error(`Chromium not found at ${executablePath}`);
  const browser = await chromium.launch({
    executablePath,
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-quic'],
  });
  const results = [];
  const loadAtStart = loadavg()[0];
  const baseline = await baselineServer();
  const setups = DBS.flatMap((db) => (process.env.BENCH_SEEDED === '1' ? [[db, false], [db, true]] : [[db, false]]));
  for (const [db, seeded] of setups) {
    const server = await startIdServer(db);
    try {
      if (seeded) await seedAtScale(server.ctx.database.db);
      const { cookie, clientId } = await seed(server);
      results.push(
        await runFlows(browser, `Hearth ID (${db}${seeded ? ', seeded' : ''})`, () => authorizeUrl(server, clientId), async ({ context, page }) => {
          // The passkey is made through the account page, as a person would.
          await context.addCookies([cookie]);
          await page.goto(`${server.url}/settings/account`);
          await page.getByRole('button', { name: 'Add a passkey' }).first().click();
          await page.getByText('added.').waitFor();
          await context.clearCookies();
        }),
      );
      if (!results.some((r) => r.label === 'baseline')) {
        results.push(
          await runFlows(browser, 'baseline', () => baseline.url, async ({ page }) => {
            // A resident credential for rp "localhost", so that get() with no allow list answers at once.
            await page.goto(`${baseline.url}setup`);
            await page.evaluate(async () => {
              await navigator.credentials.create({
                publicKey: {
                  challenge: new Uint8Array(32),
                  rp: { id: 'localhost', name: 'baseline' },
                  user: { id: new Uint8Array([1]), name: 'alice', displayName: 'Alice' },
                  pubKeyCredParams: [{ type: 'public-key', alg: -7 }],
                  authenticatorSelection: { residentKey: 'required', userVerification: 'required' },
                },
              });
            });
          }),
        );
      }
    } finally {
      await server.stop();
    }
  }
  baseline.server.close();
  await browser.close();

  const base = results.find((r) => r.label === 'baseline');
  console.log(`\n${RUNS} sign-ins each, after one warm-up; warm = assets in the browser cache, cold = cache disabled`);
  console.log(`load average (1 min) ${loadAtStart.toFixed(1)} at the start, ${loadavg()[0].toFixed(1)} at the end, ${cpus().length} CPUs\n`);
  console.log('| flow | cache | median | p95 | button clickable, median | p95 | median ÷ baseline |');
  console.log('|---|---|---:|---:|---:|---:|---:|');
  for (const { label, rows } of [...results.filter((r) => r !== base), base]) {
    for (const cache of ['warm', 'cold']) {
      const { totals, buttons } = rows[cache];
      const ratio = median(totals) / median(base.rows[cache].totals);
      console.log(`| ${label} | ${cache} | ${fmt(median(totals))} | ${fmt(percentile(totals, 95))} | ${fmt(median(buttons))} | ${fmt(percentile(buttons, 95))} | ${ratio.toFixed(2)} |`);
    }
  }
  process.exit(0);
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
