import { posix } from 'node:path';

/**
 * Forward auth without the database or HTTP: which rule covers a request, whether it lets a
 * person in, and where a person may be sent back to after signing in.
 */

export interface ForwardAuthRule {
  id: string;
  /** Lower-case host, with a port only when it is not the scheme's default. */
  host: string;
  /** `/`, or a path without a trailing slash. */
  pathPrefix: string;
  /** True when the rule names no groups: any signed-in person may pass. */
  allowAnyUser: boolean;
  allowedGroupIds: string[];
}

/** The request the proxy is asking about, from its X-Forwarded-* headers. */
export interface OriginalRequest {
  /** `https://app.example.com/path?query`, as the browser asked for it. */
  url: string;
  /** As rules store it: lower-case, without the scheme's default port. */
  host: string;
  /** Normalised (decoded, dot segments resolved, repeated slashes collapsed), for matching only. */
  path: string;
}

const HOST_NAME = /^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)(\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)*$/;
const IPV6 = /^\[[0-9a-f:.]+\]$/;

/**
 * A rule's host as stored, or an error in words. Given in any case; a port only when it is not
 * 80 or 443, because proxies leave those out of the Host header.
 */
export function normaliseRuleHost(raw: string): { host: string } | { problem: string } {
  const value = raw.trim().toLowerCase();
  const problem =
    'must be a host name like app.example.com, with a port only when it is not 80 or 443 (app.example.com:8443), without http:// or a path';
  const match = /^(.*?)(?::(\d{1,5}))?$/.exec(value);
  if (!match || value === '') return { problem };
  const [, name = '', port] = match;
  if (!HOST_NAME.test(name) && !IPV6.test(name)) return { problem };
  if (port !== undefined) {
    const number = Number(port);
    if (number < 1 || number > 65535 || String(number) !== port) return { problem };
    if (number === 80 || number === 443) return { problem: 'must leave out the port when it is 80 or 443 (proxies do not send it)' };
  }
  return { host: value };
}

/** A rule's path prefix as stored (`/admin`, never `/admin/`), or an error in words. */
export function normaliseRulePathPrefix(raw: string | undefined | null): { pathPrefix: string } | { problem: string } {
  const value = (raw ?? '').trim() || '/';
  if (!value.startsWith('/') || /[?#\s\\]/.test(value) || value.length > 500) {
    return { problem: 'must be a path starting with / (like /admin), without a query, spaces or backslashes' };
  }
  const normalised = normalisePath(value);
  if (normalised === null) return { problem: 'must be a path starting with / (like /admin)' };
  return { pathPrefix: normalised };
}

/**
 * A request path the way an app behind the proxy would likely read it, so that `/%61dmin`,
 * `/public/../admin` and `//admin` meet the rule for `/admin`. Null when it cannot be decoded.
 */
export function normalisePath(raw: string): string | null {
  let decoded: string;
  try {
    decoded = decodeURIComponent(raw);
  } catch {
    return null;
  }
  if (decoded.includes('\0')) return null;
  const path = posix.normalize(`/${decoded.replace(/\\/g, '/')}`).replace(/\/+/g, '/');
  return path.length > 1 ? path.replace(/\/$/, '') : path;
}

function headerValue(value: string | string[] | undefined): string | undefined {
  const first = Array.isArray(value) ? (value.length === 1 ? value[0] : undefined) : value;
  return first?.trim() || undefined;
}

/**
 * The original request from X-Forwarded-Proto, -Host and -Uri, or a reason it cannot be told.
 * Each header must hold one value: a list would leave it open which hop wrote which.
 */
export function originalRequest(headers: Record<string, string | string[] | undefined>): OriginalRequest | { problem: string } {
  const proto = (headerValue(headers['x-forwarded-proto']) ?? 'https').toLowerCase();
  const rawHost = headerValue(headers['x-forwarded-host']);
  const uri = headerValue(headers['x-forwarded-uri']);
  if (proto !== 'http' && proto !== 'https') return { problem: 'X-Forwarded-Proto must be http or https' };
  if (!rawHost || rawHost.includes(',')) return { problem: 'the proxy must send the site asked for in X-Forwarded-Host' };
  if (!uri || !uri.startsWith('/')) return { problem: 'the proxy must send the path asked for in X-Forwarded-Uri' };
  let url: URL;
  try {
    url = new URL(`${proto}://${rawHost}${uri}`);
  } catch {
    return { problem: 'X-Forwarded-Host and X-Forwarded-Uri do not make an address' };
  }
  if (url.username || url.password || url.host === '') return { problem: 'X-Forwarded-Host is not a host name' };
  const path = normalisePath(uri.replace(/[?#].*$/s, ''));
  if (path === null) return { problem: 'X-Forwarded-Uri is not a readable path' };
  // URL drops the scheme's default port and lower-cases the host, as rules are stored.
  return { url: url.href, host: url.host, path };
}

function pathIsUnder(path: string, prefix: string): boolean {
  return prefix === '/' || path === prefix || path.startsWith(`${prefix}/`);
}

/** The rule that decides: on the request's host, the one with the longest prefix the path is under. */
export function matchRule(rules: readonly ForwardAuthRule[], host: string, path: string): ForwardAuthRule | null {
  let best: ForwardAuthRule | null = null;
  for (const rule of rules) {
    if (rule.host !== host || !pathIsUnder(path, rule.pathPrefix)) continue;
    if (!best || rule.pathPrefix.length > best.pathPrefix.length) best = rule;
  }
  return best;
}

export function ruleAllows(rule: ForwardAuthRule, userGroupIds: readonly string[]): boolean {
  return rule.allowAnyUser || rule.allowedGroupIds.some((id) => userGroupIds.includes(id));
}

const MAX_RETURN_URL = 4000;

/**
 * Where to send a person after they sign in: `rd` when it points at Hearth ID itself or at a
 * host a rule protects, otherwise null (they go to Hearth ID's home). Relative and
 * scheme-relative forms (`//evil.example`), other schemes (`javascript:`) and user names in
 * the address are judged by what the browser would really open.
 */
export function safeReturnUrl(rd: unknown, appUrl: string, ruleHosts: ReadonlySet<string>): string | null {
  if (typeof rd !== 'string' || rd === '' || rd.length > MAX_RETURN_URL) return null;
  // Browsers drop tabs and newlines inside a URL and trim controls around it; refuse rather than guess.
  // eslint-disable-next-line no-control-regex -- control characters are exactly what is refused
  if (/[\u0000-\u001f\u007f]/.test(rd)) return null;
  let url: URL;
  try {
    url = new URL(rd, appUrl);
  } catch {
    return null;
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') return null;
  if (url.username || url.password) return null;
  if (url.origin === appUrl || ruleHosts.has(url.host)) return url.href;
  return null;
}

/**
 * A header value as UTF-8 bytes on the wire (what proxies and apps expect of Remote-Name),
 * written the way Node takes raw bytes: one latin1 character per byte. Control characters,
 * which no header may hold, are dropped.
 */
export function headerText(value: string): string {
  // eslint-disable-next-line no-control-regex -- control characters are exactly what is dropped
  return Buffer.from(value.replace(/[\u0000-\u001f\u007f]/g, ''), 'utf8').toString('latin1');
}
