import { DomainError } from '../errors.js';

/**
 * Where "My apps" opens a client's app: an absolute http(s) address set by an administrator.
 * Empty means none (the app is listed without a link). Anything else, `javascript:` above
 * all, is refused: the address becomes a link on every member's home page.
 */
export function checkLaunchUrl(raw: string | null | undefined): string | null {
  const value = raw?.trim() ?? '';
  if (!value) return null;
  const fail = (message: string): never => {
    throw new DomainError('invalid', message, 'launchUrl');
  };
  if (value.length > 2000) fail('Launch URL must be at most 2000 characters');
  const url = URL.parse(value);
  if (!url) return fail(`Launch URL "${value}" is not an absolute URL; enter it in full, like https://app.example.com/`);
  if (url.protocol !== 'https:' && url.protocol !== 'http:') fail(`Launch URL "${value}" must start with https:// or http://`);
  if (url.username || url.password) fail('Launch URL must not contain a user name or password');
  return value;
}

/** The path a client's logo is served at: the content hash makes it safe to cache for good. */
export function logoPath(clientId: string, hash: string): string {
  return `/client-logos/${encodeURIComponent(clientId)}/${hash}`;
}
