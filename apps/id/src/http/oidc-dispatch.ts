import type { IncomingMessage, ServerResponse } from 'node:http';
import type Provider from 'oidc-provider';
import type { Config } from '../config/config.js';
import { OIDC_ROUTES } from '../oidc/provider.js';

const DISCOVERY = '/.well-known/openid-configuration';
const PREFIXES: string[] = Object.values(OIDC_ROUTES);

/** Whether a request path belongs to the OIDC provider rather than to our own routes. */
export function isOidcPath(url: string | undefined): boolean {
  const path = (url ?? '/').split('?')[0] ?? '/';
  return path === DISCOVERY || PREFIXES.some((prefix) => path === prefix || path.startsWith(`${prefix}/`));
}

/**
 * Hands a request to the provider with APP_URL as its only notion of where it lives, so
 * every URL it prints (endpoints, redirects) starts with APP_URL, whatever Host the
 * request carried. The client's own X-Forwarded-For is honoured only with TRUST_PROXY.
 * Cookies are marked Secure even on http://localhost, where browsers accept them.
 */
export function createOidcHandler(provider: Provider, config: Pick<Config, 'appUrl' | 'trustProxy'>) {
  const callback = provider.callback();
  const appUrl = new URL(config.appUrl);
  provider.proxy = true;

  return (req: IncomingMessage, res: ServerResponse): void => {
    req.headers.host = appUrl.host;
    req.headers['x-forwarded-host'] = appUrl.host;
    req.headers['x-forwarded-proto'] = appUrl.protocol.slice(0, -1);
    if (!config.trustProxy) delete req.headers['x-forwarded-for'];

    const setHeader = res.setHeader.bind(res);
    res.setHeader = (name: string, value: number | string | readonly string[]) => {
      if (name.toLowerCase() === 'set-cookie') {
        const cookies = (Array.isArray(value) ? value : [String(value)]).map((cookie: string) =>
          /;\s*secure/i.test(cookie) ? cookie : `${cookie}; secure`,
        );
        return setHeader(name, cookies);
      }
      return setHeader(name, value);
    };
    void callback(req, res);
  };
}
