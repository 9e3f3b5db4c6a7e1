import type { Middleware } from 'koa';
import { html, page } from '../pages/page.js';

/** A real authorization request is well under this (request objects are off); URLs much longer fail in proxies. */
const MAX_BODY_BYTES = 8 * 1024;

async function readBody(stream: AsyncIterable<Buffer | string>): Promise<string | null> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of stream) {
    const buffer = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
    size += buffer.length;
    if (size > MAX_BODY_BYTES) return null;
    chunks.push(buffer);
  }
  return Buffer.concat(chunks).toString('utf8');
}

function refuse(koa: Parameters<Middleware>[0], status: number, message: string): void {
  koa.status = status;
  koa.type = 'html';
  koa.body = page('Sign-in error', html`<h1>This sign-in request cannot continue</h1>
<p><strong>invalid_request</strong></p>
<p>${message}</p>
<p class="muted">Go back to the app and try again.</p>`);
}

/**
 * OIDC Core §3.1.2.1: the authorization endpoint accepts POST with the parameters in a form
 * body. The library handles POST only with its session cookies made SameSite=None, which
 * would hand them to every cross-site request. Instead a POST is answered with a 303 to
 * the same request as a GET: the browser follows it as a top-level navigation, so the
 * SameSite=Lax cookies (the provider's and Hearth ID's own session) are sent exactly as for
 * a GET an app links to, and the same checks decide. Nothing changes state on the POST.
 */
export function authorizationPostAsGet(path: string): Middleware {
  return async (koa, next) => {
    if (koa.method !== 'POST' || koa.path !== path) return next();
    if (!koa.is('application/x-www-form-urlencoded')) {
      return refuse(koa, 400, 'an authorization request sent with POST must be a form (application/x-www-form-urlencoded)');
    }
    const body = await readBody(koa.req);
    if (body === null) return refuse(koa, 413, 'this authorization request is too large');
    const params = new URLSearchParams(body);
    koa.set('Cache-Control', 'no-store');
    koa.status = 303;
    koa.redirect(`${path}?${params.toString()}`);
  };
}
