import { readFileSync } from 'node:fs';
import { isIP } from 'node:net';
import { z } from 'zod';

/** A startup problem the operator must fix; its message is printed as one line. */
export class ConfigError extends Error {
  override name = 'ConfigError';
}

export type DbProvider = 'sqlite' | 'postgres';

/**
 * Which proxies may name the visitor in X-Forwarded-For: none (false), the nearest N
 * (a number), or those at these addresses, CIDR ranges or the names `loopback`,
 * `linklocal`, `uniquelocal`. http/client-address.ts turns it into Fastify's trust function.
 */
export type TrustProxy = false | number | string[];

export interface Config {
  /** Normalised APP_URL: the OIDC issuer, the WebAuthn origin and the base of every link. */
  appUrl: string;
  /** WebAuthn relying party ID: APP_URL's host name. */
  rpId: string;
  /** Whether APP_URL is https (cookies are Secure either way). */
  secure: boolean;
  trustProxy: TrustProxy;
  db: { provider: DbProvider; connectionString: string };
  /** ENCRYPTION_KEY as given (at least 16 bytes); keys are derived from it. */
  encryptionKey: Buffer;
  port: number;
  host: string;
  logLevel: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';
  /** How long a sign-in session lasts, in seconds. */
  sessionLifetimeSeconds: number;
  /** Sign-in attempts allowed per client address per minute; 0 turns the limit off. */
  signInRateLimit: number;
  /** Days the audit log keeps an entry; 0 keeps entries forever. */
  auditLogRetentionDays: number;
  /** DASHBOARD_URL: where the setup wizard sends the new admin at the end, or null for no link. */
  dashboardUrl: string | null;
  /**
   * PROVISIONING_FILE: a YAML file of groups, users and clients applied at boot, or null. The
   * environment comes along because a client's secret may be named there (secretEnv).
   */
  provisioning: { file: string; env: NodeJS.ProcessEnv } | null;
  /** METRICS_PORT and METRICS_HOST: where /metrics is served, apart from the app; null when off. */
  metrics: { port: number; host: string } | null;
  /**
   * SESSION_COOKIE_DOMAIN: the parent domain the session cookie is sent to (forward auth for
   * apps on sibling hosts), or null for a cookie only APP_URL's host receives.
   */
  sessionCookieDomain: string | null;
}

const DEFAULT_APP_URL = 'http://localhost:1411';

/**
 * Keys printed in documentation (the Pocket ID guide's compose file): they work, so the
 * guide's setup runs as shown, but anyone who read the guide holds them, so the server warns.
 */
export const DOCUMENTED_EXAMPLE_KEYS: readonly string[] = ['local-dev-key-32-bytes-padding!!'];

/** Reads VAR, or the contents of the file named by VAR_FILE (for Docker/Kubernetes secrets). */
function readVariable(env: NodeJS.ProcessEnv, name: string): string | undefined {
  const filePath = env[`${name}_FILE`];
  if (filePath !== undefined && filePath !== '') {
    if (env[name] !== undefined && env[name] !== '') {
      throw new ConfigError(`${name} and ${name}_FILE are both set; set only one`);
    }
    try {
      return readFileSync(filePath, 'utf8').replace(/\r?\n$/, '');
    } catch (error) {
      throw new ConfigError(`${name}_FILE: cannot read ${filePath} (${(error as NodeJS.ErrnoException).code ?? 'error'})`);
    }
  }
  const value = env[name];
  return value === '' ? undefined : value;
}

export function normaliseAppUrl(raw: string): string {
  let url: URL;
  try {
    url = new URL(raw.trim());
  } catch {
    throw new ConfigError(`APP_URL must be an absolute URL like http://localhost:1411 (got "${raw}")`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new ConfigError(`APP_URL must start with http:// or https:// (got "${raw}")`);
  }
  if (url.username || url.password) throw new ConfigError('APP_URL must not contain a user name or password');
  if (url.pathname !== '/' || url.search || url.hash) {
    throw new ConfigError(`APP_URL must not have a path, query or fragment; serve Hearth ID at the root of its own host (got "${raw}")`);
  }
  // URL lower-cases scheme and host and drops default ports; origin has no trailing slash.
  return url.origin;
}

/** DASHBOARD_URL becomes a link in the setup wizard, so only plain http(s) addresses pass. */
export function normaliseDashboardUrl(raw: string): string {
  let url: URL;
  try {
    url = new URL(raw.trim());
  } catch {
    throw new ConfigError(`DASHBOARD_URL must be an absolute URL like http://localhost:4000 (got "${raw}")`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new ConfigError(`DASHBOARD_URL must start with http:// or https:// (got "${raw}")`);
  }
  if (url.username || url.password) throw new ConfigError('DASHBOARD_URL must not contain a user name or password');
  return url.pathname === '/' && !url.search && !url.hash ? url.origin : url.href;
}

function parseInteger(name: string, raw: string | undefined, fallback: number, min: number, max: number): number {
  if (raw === undefined) return fallback;
  const value = Number(raw.trim());
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new ConfigError(`${name} must be a whole number from ${min} to ${max} (got "${raw}")`);
  }
  return value;
}

const NAMED_PROXY_RANGES = ['loopback', 'linklocal', 'uniquelocal'];

function isAddressOrRange(entry: string): boolean {
  if (NAMED_PROXY_RANGES.includes(entry)) return true;
  const [address = '', prefix, ...rest] = entry.split('/');
  const family = isIP(address);
  if (family === 0 || rest.length > 0) return false;
  if (prefix === undefined) return true;
  const bits = Number(prefix);
  return /^\d+$/.test(prefix) && bits <= (family === 4 ? 32 : 128);
}

/**
 * TRUST_PROXY: `true` trusts one proxy (the nearest hop), never the whole X-Forwarded-For
 * chain, whose leftmost entries anyone can write; a number trusts that many hops; a list
 * trusts proxies by address.
 */
export function parseTrustProxy(raw: string | undefined): TrustProxy {
  if (raw === undefined) return false;
  const value = raw.trim().toLowerCase();
  if (['false', 'no', 'off', '0'].includes(value)) return false;
  if (['true', 'yes', 'on'].includes(value)) return 1;
  if (/^\d+$/.test(value)) {
    const hops = Number(value);
    if (hops >= 1 && hops <= 32) return hops;
  } else {
    const entries = value.split(',').map((entry) => entry.trim());
    if (entries.every((entry) => entry !== '' && isAddressOrRange(entry))) return entries;
  }
  throw new ConfigError(
    `TRUST_PROXY must be "true", "false", a number of proxies (1 to 32) or a comma-separated list of proxy addresses or CIDR ranges (got "${raw}")`,
  );
}

const COOKIE_DOMAIN = /^(?=.{1,253}$)[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?(\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)*$/;

/**
 * SESSION_COOKIE_DOMAIN: a domain APP_URL's host is inside (`example.com` for
 * `id.example.com`), so that the session reaches the apps forward auth protects. A leading dot
 * is accepted and dropped, as browsers do.
 */
export function parseSessionCookieDomain(raw: string | undefined, appHost: string): string | null {
  if (raw === undefined) return null;
  const domain = raw.trim().toLowerCase().replace(/^\./, '');
  if (!COOKIE_DOMAIN.test(domain) || isIP(domain) !== 0) {
    throw new ConfigError(`SESSION_COOKIE_DOMAIN must be a domain name like example.com, without a scheme, port or path (got "${raw}")`);
  }
  if (appHost !== domain && !appHost.endsWith(`.${domain}`)) {
    throw new ConfigError(
      `SESSION_COOKIE_DOMAIN is ${domain}, but APP_URL's host ${appHost} is not inside it; set it to a domain ${appHost} ends with, or leave it unset`,
    );
  }
  return domain;
}

/**
 * METRICS_PORT turns /metrics on, on a listener of its own (METRICS_HOST, loopback unless
 * set), never on the app's port: the numbers are for a scraper, not for the internet.
 */
export function parseMetricsAddress(portRaw: string | undefined, hostRaw: string | undefined, appPort: number): { port: number; host: string } | null {
  if (portRaw === undefined) {
    if (hostRaw !== undefined) throw new ConfigError('METRICS_HOST is set but METRICS_PORT is not; set METRICS_PORT to serve /metrics, or unset METRICS_HOST');
    return null;
  }
  const port = parseInteger('METRICS_PORT', portRaw, 0, 1, 65535);
  if (port === appPort) throw new ConfigError(`METRICS_PORT must differ from PORT (both are ${port}): metrics get a listener of their own`);
  return { port, host: hostRaw?.trim() || '127.0.0.1' };
}

const logLevels = z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']);

/** Parses the environment once, at boot. Throws ConfigError naming the variable at fault. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const appUrl = normaliseAppUrl(readVariable(env, 'APP_URL') ?? DEFAULT_APP_URL);
  const parsedAppUrl = new URL(appUrl);

  const encryptionKeyText = readVariable(env, 'ENCRYPTION_KEY');
  if (encryptionKeyText === undefined) {
    // The usual first stumble (running the CLI outside `npm start`): say what to do, not how long a key must be.
    throw new ConfigError(
      'ENCRYPTION_KEY is not set; set it (or ENCRYPTION_KEY_FILE) to the key this database was created with, or to a new one from `openssl rand -hex 32`. From the repository, `npm run hearth-id -- <command>` uses the key `npm start` made in data/encryption-key',
    );
  }
  const encryptionKey = Buffer.from(encryptionKeyText, 'utf8');
  if (encryptionKey.length < 16) throw new ConfigError('ENCRYPTION_KEY must be at least 16 bytes long');

  const providerRaw = (readVariable(env, 'DB_PROVIDER') ?? 'sqlite').trim().toLowerCase();
  const provider = providerRaw === 'postgresql' ? 'postgres' : providerRaw;
  if (provider !== 'sqlite' && provider !== 'postgres') {
    throw new ConfigError(`DB_PROVIDER must be "sqlite" or "postgres" (got "${providerRaw}")`);
  }
  let connectionString = readVariable(env, 'DB_CONNECTION_STRING');
  if (provider === 'sqlite') {
    connectionString ??= 'data/hearth-id.db';
    connectionString = connectionString.replace(/^file:/, '').replace(/\?.*$/, '');
    if (/^postgres(ql)?:\/\//i.test(connectionString)) {
      throw new ConfigError('DB_CONNECTION_STRING is a postgres:// URL but DB_PROVIDER is "sqlite"; set DB_PROVIDER=postgres');
    }
  } else {
    if (connectionString === undefined) {
      throw new ConfigError('DB_CONNECTION_STRING is required when DB_PROVIDER is "postgres" (e.g. postgres://user:pass@db:5432/hearth)');
    }
    if (!/^postgres(ql)?:\/\//i.test(connectionString)) {
      throw new ConfigError('DB_CONNECTION_STRING must be a postgres:// URL when DB_PROVIDER is "postgres"');
    }
  }

  const logLevel = logLevels.safeParse((readVariable(env, 'LOG_LEVEL') ?? 'info').toLowerCase());
  if (!logLevel.success) {
    throw new ConfigError(`LOG_LEVEL must be one of ${logLevels.options.join(', ')} (got "${env.LOG_LEVEL}")`);
  }

  const dashboardUrl = readVariable(env, 'DASHBOARD_URL');
  const port = parseInteger('PORT', readVariable(env, 'PORT'), 1411, 0, 65535);
  const sessionMinutes = parseInteger('SESSION_DURATION', readVariable(env, 'SESSION_DURATION'), 24 * 60, 5, 365 * 24 * 60);

  return {
    appUrl,
    rpId: parsedAppUrl.hostname,
    secure: parsedAppUrl.protocol === 'https:',
    trustProxy: parseTrustProxy(readVariable(env, 'TRUST_PROXY')),
    db: { provider, connectionString },
    encryptionKey,
    port,
    host: readVariable(env, 'HOST') ?? '0.0.0.0',
    logLevel: logLevel.data,
    sessionLifetimeSeconds: sessionMinutes * 60,
    signInRateLimit: parseInteger('SIGN_IN_RATE_LIMIT', readVariable(env, 'SIGN_IN_RATE_LIMIT'), 30, 0, 100_000),
    auditLogRetentionDays: parseInteger('AUDIT_LOG_RETENTION_DAYS', readVariable(env, 'AUDIT_LOG_RETENTION_DAYS'), 90, 0, 36_500),
    dashboardUrl: dashboardUrl === undefined ? null : normaliseDashboardUrl(dashboardUrl),
    provisioning: env.PROVISIONING_FILE ? { file: env.PROVISIONING_FILE, env } : null,
    metrics: parseMetricsAddress(readVariable(env, 'METRICS_PORT'), readVariable(env, 'METRICS_HOST'), port),
    sessionCookieDomain: parseSessionCookieDomain(readVariable(env, 'SESSION_COOKIE_DOMAIN'), parsedAppUrl.hostname),
  };
}
