#!/usr/bin/env node
// `npm start`: runs Hearth on SQLite under ./data, already wired together:
// Hearth ID on http://localhost:1411 and the dashboard on http://localhost:4000.
// Variables you set yourself (APP_URL, ENCRYPTION_KEY, DB_*, DASHBOARD_PORT, DASHBOARD_URL,
// HEARTH_DATA_DIR, USER_DATA_DIR, ...) win.
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { applyLocalEnv } from './local-env.mjs';
import { portOwner, portProblem } from './lib/port-owner.mjs';
import { previousWiring, publicUrls, recordWiring, retargetConf } from './lib/public-urls.mjs';
import { assertNodeVersion } from './node-version.mjs';
import { DASHBOARD_CLIENT_ID, writeStartProvisioning } from './start-provisioning.mjs';

assertNodeVersion();

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
// The data folder, its database and its key: the same module tells `npm run hearth-id` where they are.
const { dataDir } = applyLocalEnv(process.env, { create: true });
const userDataDir = process.env.USER_DATA_DIR ?? join(root, 'user-data');
const idBin = join(root, 'apps/id/bin/hearth-id.js');
const dashboardBin = join(root, 'apps/dashboard/bin/hearth-dashboard.js');
/** The node options on a bin's first line (`#!/usr/bin/env -S node --max-semi-space-size=2`), given here as this Node.js runs it. */
const nodeOptionsOf = (bin) => (/^#!.*\bnode((?: --[\w-]+(?:=\S+)?)*)\s*$/m.exec(readFileSync(bin, 'utf8').split('\n')[0])?.[1] ?? '').split(' ').filter(Boolean);
mkdirSync(userDataDir, { recursive: true });

let urls;
try {
  urls = publicUrls(process.env);
} catch (error) {
  console.error(`Cannot start Hearth: ${error.message}.`);
  process.exit(1);
}
// Public URLs: localhost by default, or where a reverse proxy serves each app (docs/reverse-proxy.md).
const { appUrl, dashboardUrl, dashboardPort } = urls;
const idEnv = {
  ...process.env,
  APP_URL: appUrl,
  // The setup wizard ends with a link to the dashboard.
  DASHBOARD_URL: dashboardUrl,
  PORT: urls.idPort,
  DB_CONNECTION_STRING: process.env.DB_CONNECTION_STRING ?? join(dataDir, 'hearth-id.db'),
};

// Before building anything: a port that is taken (usually Hearth already running) ends here,
// with one line naming who holds it, and the running instance is left alone.
const host = process.env.HOST ?? '0.0.0.0';
for (const [name, port, variable] of [['Hearth ID', idEnv.PORT, 'PORT'], ['Hearth Dashboard', dashboardPort, 'DASHBOARD_PORT']]) {
  const problem = await portProblem(port, host);
  if (problem === 'EADDRINUSE') {
    const owner = portOwner(port);
    console.error(`Cannot start ${name}: port ${port} is already in use${owner ? ` by ${owner}` : ''}. Is Hearth already running? Stop it, or set ${variable}.`);
    process.exit(1);
  }
  if (problem) {
    console.error(`Cannot start ${name} on port ${port} (${problem}); choose another with ${variable}.`);
    process.exit(1);
  }
}

// Builds only what changed since the last build (nothing, on a second start).
try {
  execFileSync(process.execPath, [join(root, 'scripts/build.mjs'), '--if-changed'], { stdio: 'inherit' });
} catch {
  console.error('The build failed (see above); nothing was started.');
  process.exit(1);
}

function hearthId(...args) {
  try {
    return execFileSync(process.execPath, [...nodeOptionsOf(idBin), idBin, ...args], { env: idEnv, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }).trim();
  } catch (error) {
    process.stderr.write(error.stderr || `${error.message}\n`);
    process.exit(1);
  }
}

// The dashboard's client and admin group, created once (a provisioning file that Hearth ID
// applies at boot); the first admin joins the group. Your own PROVISIONING_FILE is applied
// too: ours first, here, then yours when the server starts.
const clientId = DASHBOARD_CLIENT_ID;
const provisioningFile = join(dataDir, 'provisioning.yaml');
const previous = previousWiring(dataDir);
const urlsChanged = previous !== null && (previous.appUrl !== appUrl || previous.dashboardUrl !== dashboardUrl);
writeStartProvisioning(provisioningFile, { appUrl, dashboardUrl, clientId, urlsChanged });
if (idEnv.PROVISIONING_FILE) hearthId('provision', provisioningFile);
else idEnv.PROVISIONING_FILE = provisioningFile;

const confFile = join(userDataDir, 'conf.yml');
if (urlsChanged) {
  console.log(`The public URLs changed since the last start: the ${clientId} client now calls back to ${dashboardUrl}.`);
  if (retargetConf(confFile, { clientId, from: previous.appUrl, to: appUrl })) console.log(`conf.yml now signs in through ${appUrl}.`);
}
if (!existsSync(confFile)) {
  writeFileSync(
    confFile,
    `# yaml-language-server: $schema=${dashboardUrl}/conf.schema.json
pageInfo:
  title: Home Lab
  description: Everything running at home
appConfig:
  disableConfigurationForNonAdmin: true
  auth:
    enableOidc: true
    oidc:
      clientId: ${clientId}
      endpoint: ${appUrl}
      adminGroup: admins
      scope: openid profile email groups
sections:
  - name: Getting started
    items:
      - title: Hearth ID
        description: Sign-in, passkeys, users and apps
        url: ${appUrl}
  - name: Admin
    displayData:
      showForKeycloakUsers:
        groups: ['admins']
    items:
      - title: Users and groups
        url: ${appUrl}/admin/users
`,
  );
}

const children = [];
let stopping = false;
function run(name, script, env) {
  const child = spawn(process.execPath, [...nodeOptionsOf(script), script], { env, stdio: 'inherit' });
  child.on('exit', (code, signal) => {
    if (!stopping) {
      console.error(`${name} stopped (${signal ?? `exit code ${code}`}); stopping the rest.`);
      stop(code || 1);
    }
  });
  children.push({ name, child });
}
const isRunning = ({ child }) => child.exitCode === null && child.signalCode === null;
/** Stops what runs, saying what, and exits once each has finished its open requests. */
function stop(code = 0) {
  if (stopping) {
    process.exit(code); // a second Ctrl+C: now
  }
  stopping = true;
  const running = children.filter(isRunning);
  if (running.length > 0) console.log(`\nStopping ${running.map(({ name }) => name).join(' and ')}...`);
  for (const { child } of running) child.kill('SIGTERM');
  Promise.all(running.map(({ name, child }) => new Promise((resolve) => {
    if (!isRunning({ child })) resolve();
    else child.once('exit', () => { console.log(`${name} stopped.`); resolve(); });
  }))).then(() => process.exit(code));
  setTimeout(() => process.exit(code), 12_000).unref();
}
process.on('SIGINT', () => stop(0));
process.on('SIGTERM', () => stop(0));

/** Polls until the URL answers 200 (true), for up to a minute on a slow or busy machine (false), or until stopping. */
async function waitFor(url) {
  for (let i = 0; i < 600 && !stopping; i += 1) {
    try {
      if ((await fetch(url)).ok) return true;
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return false;
}

run('Hearth ID', idBin, { ...idEnv, LOG_LEVEL: process.env.LOG_LEVEL ?? 'warn' });
if (await waitFor(`http://127.0.0.1:${idEnv.PORT}/healthz`)) {
  // METRICS_PORT is Hearth ID's; the dashboard's metrics take DASHBOARD_METRICS_PORT (two listeners cannot share a port).
  const { METRICS_PORT: _idMetricsPort, DASHBOARD_METRICS_PORT: dashboardMetricsPort, ...dashboardEnv } = process.env;
  run('Hearth Dashboard', dashboardBin, {
    ...dashboardEnv,
    ...(dashboardMetricsPort && { METRICS_PORT: dashboardMetricsPort }),
    USER_DATA_DIR: userDataDir,
    PORT: dashboardPort,
    LOG_LEVEL: process.env.LOG_LEVEL ?? 'warn',
  });
  await waitFor(`http://127.0.0.1:${dashboardPort}/healthz`);
  // Only now: Hearth ID has applied the client for these URLs.
  recordWiring(dataDir, urls);
  const setup = await fetch(`http://127.0.0.1:${idEnv.PORT}/api/setup`).catch(() => null);
  console.log(`\nHearth is running:\n  Hearth ID   ${appUrl}\n  Dashboard   ${dashboardUrl}`);
  if (setup?.ok) console.log(`\nCreate the first admin: ${appUrl}/setup`);
  const shown = (dir) => (relative(process.cwd(), dir).startsWith('..') ? dir : `./${relative(process.cwd(), dir)}`);
  console.log(`\nData lives in ${shown(dataDir)} and ${shown(userDataDir)}. Stop with Ctrl+C.\n`);
} else if (!stopping) {
  console.error(`Hearth ID did not answer at http://127.0.0.1:${idEnv.PORT}/healthz within a minute; stopping.`);
  stop(1);
}
