// The public URLs `npm start` wires Hearth ID and the dashboard to: APP_URL (Hearth ID) and
// DASHBOARD_URL, localhost by default, or the addresses a reverse proxy serves them on. The
// dashboard's client, its callback and logout URLs, and conf.yml's sign-in endpoint follow them,
// also when they change between two starts.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseDocument } from 'yaml';

/** An absolute http(s) URL without a trailing slash, or a one-line error naming the variable. */
function publicUrl(name, raw, example) {
  let url;
  try {
    url = new URL(raw);
  } catch {
    throw new Error(`${name} must be an absolute URL like ${example} (got "${raw}")`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new Error(`${name} must start with http:// or https:// (got "${raw}")`);
  return raw.replace(/\/+$/, '');
}

/**
 * The two public URLs and the ports the servers listen on. A port in a URL is the default
 * listening port (http://localhost:1500 listens on 1500); PORT and DASHBOARD_PORT win, which
 * is what a proxy in front needs (https://id.example.com, listening on 1411).
 */
export function publicUrls(env) {
  const appUrl = publicUrl('APP_URL', env.APP_URL ?? 'http://localhost:1411', 'https://id.example.com');
  const idPort = env.PORT ?? (new URL(appUrl).port || '1411');
  const dashboardUrl = env.DASHBOARD_URL === undefined
    ? `http://localhost:${env.DASHBOARD_PORT ?? '4000'}`
    : publicUrl('DASHBOARD_URL', env.DASHBOARD_URL, 'https://home.example.com');
  const dashboardPort = env.DASHBOARD_PORT ?? (new URL(dashboardUrl).port || '4000');
  return { appUrl, idPort, dashboardUrl, dashboardPort };
}

const wiringFile = (dataDir) => join(dataDir, 'start-urls.json');

/** The URLs the last start wired (null before the first), so a change can be carried into what it made. */
export function previousWiring(dataDir) {
  try {
    const { appUrl, dashboardUrl } = JSON.parse(readFileSync(wiringFile(dataDir), 'utf8'));
    return typeof appUrl === 'string' && typeof dashboardUrl === 'string' ? { appUrl, dashboardUrl } : null;
  } catch {
    return null; // the first start, or a file someone removed: nothing to carry over
  }
}

/** Records the URLs of this start, once Hearth ID has applied its client for them. */
export function recordWiring(dataDir, { appUrl, dashboardUrl }) {
  writeFileSync(wiringFile(dataDir), `${JSON.stringify({ appUrl, dashboardUrl }, null, 2)}\n`);
}

/**
 * Points an existing conf.yml's sign-in at the new APP_URL, only while it still names our
 * client and the previous APP_URL (an endpoint someone changed by hand stays theirs); keeps
 * comments and layout. Returns whether the file changed.
 */
export function retargetConf(confFile, { clientId, from, to }) {
  if (!existsSync(confFile) || from === to) return false;
  const doc = parseDocument(readFileSync(confFile, 'utf8'));
  const path = ['appConfig', 'auth', 'oidc'];
  if (doc.getIn([...path, 'clientId']) !== clientId) return false;
  const endpoint = String(doc.getIn([...path, 'endpoint']) ?? '').replace(/\/+$/, '');
  if (endpoint !== from) return false;
  doc.setIn([...path, 'endpoint'], to);
  writeFileSync(confFile, doc.toString());
  return true;
}
