import type { IncomingMessage, ServerResponse } from 'node:http';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type Provider from 'oidc-provider';
import type { Config } from '../config/config.js';
import { OIDC_ROUTES } from '../oidc/provider.js';
import { signInRateLimit } from './rate-limit.js';

const DISCOVERY = '/.well-known/openid-configuration';
const PREFIXES: string[] = [DISCOVERY, ...Object.values(OIDC_ROUTES)];
const ALL_METHODS = ['DELETE', 'GET', 'HEAD', 'OPTIONS', 'PATCH', 'POST', 'PUT'];

/** Endpoints where a client proves a code, token or secret: failures there are guesses. */
const TOKEN_ENDPOINTS = new Set<string>([OIDC_ROUTES.token, OIDC_ROUTES.introspection, OIDC_ROUTES.revocation]);

/** Whether a request path belongs to the OIDC provider rather than to our own routes. */
export function isOidcPath(url: string | undefined): boolean {
  const path = (url ?? '/').split('?')[0] ?? '/';
  return PREFIXES.some((prefix) => path === prefix || path.startsWith(`${prefix}/`));
}

/** Called by the provider's innermost middleware with the status it is about to send. */
type BeforeResponse = (status: number) => Promise<void>;
const beforeResponse = new WeakMap<IncomingMessage, BeforeResponse>();

/**
 * Hands a request to the provider with APP_URL as its only notion of where it lives, so
 * every URL it prints (endpoints, redirects) starts with APP_URL, whatever Host the
 * request carried. Its idea of the client's address is Fastify's (which alone reads
 * X-Forwarded-For, by the TRUST_PROXY rules), so audit lines agree with rate limits.
 * Cookies are marked Secure even on http://localhost, where browsers accept them.
 */
function createOidcHandler(provider: Provider, config: Pick<Config, 'appUrl'>) {
  const appUrl = new URL(config.appUrl);
  provider.proxy = true;
  provider.use(async (koa, next) => {
    await next();
    await beforeResponse.get(koa.req)?.(koa.status);
  });
  // Koa composes the middleware here: anything use()d later would never run.
  const callback = provider.callback();

  return (req: IncomingMessage, res: ServerResponse, clientIp: string): void => {
    req.headers.host = appUrl.host;
    req.headers['x-forwarded-host'] = appUrl.host;
    req.headers['x-forwarded-proto'] = appUrl.protocol.slice(0, -1);
    req.headers['x-forwarded-for'] = clientIp;

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

/** Documents that stay the same until a restart (signing keys are loaded at boot): served from memory. */
const CONSTANT_DOCUMENTS = new Set<string>([DISCOVERY, OIDC_ROUTES.jwks]);
/** Headers that belong to one response, not to the document: set afresh on each. */
const PER_RESPONSE_HEADERS = new Set(['date', 'connection', 'keep-alive', 'transfer-encoding', 'content-length', 'access-control-allow-origin']);

interface CachedDocument {
  headers: Record<string, string | string[]>;
  body: Buffer;
}

/**
 * Remembers the provider's first successful answer for the discovery document and the key
 * set, and answers later GETs with the same bytes and headers, without the provider's
 * dispatch and rendering. The cache lives as long as the provider, which holds the signing
 * keys read at boot: after `hearth-id key-rotate` a restart brings new keys and a new cache.
 * The CORS header, which the provider derives from each request's Origin, is set per request
 * as it does (the request's Origin, else *; Vary: Origin is among the kept headers).
 */
function constantDocumentCache() {
  const documents = new Map<string, CachedDocument>();
  return {
    /** Answers from memory when it can; true when it did. */
    serve(request: FastifyRequest, reply: FastifyReply): boolean {
      if (request.method !== 'GET') return false;
      const cached = documents.get(request.routeOptions.url ?? '');
      if (!cached) return false;
      void reply
        .headers(cached.headers)
        .header('access-control-allow-origin', request.headers.origin || '*')
        .send(cached.body);
      return true;
    },
    /** Keeps the provider's answer to this request if it is a cacheable one. */
    capture(request: FastifyRequest, res: ServerResponse): void {
      const path = request.routeOptions.url ?? '';
      if (request.method !== 'GET' || !CONSTANT_DOCUMENTS.has(path)) return;
      let streamed = false;
      const write = res.write.bind(res) as (...args: unknown[]) => boolean;
      const end = res.end.bind(res) as (...args: unknown[]) => ServerResponse;
      res.write = ((...args: unknown[]) => {
        streamed = true;
        return write(...args);
      }) as typeof res.write;
      res.end = ((...args: unknown[]) => {
        const [chunk] = args;
        if (!streamed && res.statusCode === 200 && !res.hasHeader('set-cookie') && (typeof chunk === 'string' || Buffer.isBuffer(chunk))) {
          const headers: Record<string, string | string[]> = {};
          for (const [name, value] of Object.entries(res.getHeaders())) {
            if (value !== undefined && !PER_RESPONSE_HEADERS.has(name)) headers[name] = typeof value === 'number' ? String(value) : value;
          }
          documents.set(path, { headers, body: Buffer.from(chunk) });
        }
        return end(...args);
      }) as typeof res.end;
    },
  };
}

/** Token-endpoint counts go by fixed minutes, so a request's attempt and its success fall in one window. */
const WINDOW_MS = 60_000;

/**
 * Limits the requests to the token endpoints that do not succeed (a wrong secret, an unknown
 * code or refresh token), per client address: each request counts as an attempt when it
 * arrives and is taken back when it succeeds, so an address may have at most
 * SIGN_IN_RATE_LIMIT failed or still-running requests in a minute. Many simultaneous guesses
 * are thus counted before any of them is answered, while one app's server may redeem codes
 * for all its users from one address. Counters live in the rate-limit store (the database on
 * PostgreSQL, shared by replicas).
 */
function limitUnsuccessfulTokenRequests(
  scope: FastifyInstance,
  config: Pick<Config, 'signInRateLimit'>,
): ((request: FastifyRequest) => BeforeResponse) | null {
  const { rateLimit } = signInRateLimit(config);
  if (!rateLimit) return null;
  const windowOf = new WeakMap<FastifyRequest, number>();
  // The plugin's limiters serve as counters here: no limit of their own, one key per minute.
  const counter = (kind: string) =>
    scope.createRateLimit({
      max: Number.MAX_SAFE_INTEGER,
      timeWindow: WINDOW_MS,
      keyGenerator: (request) => `token-${kind} ${windowOf.get(request) ?? 0} ${request.ip}`,
    });
  const attempts = counter('attempts');
  const successes = counter('successes');
  const countOf = (state: Awaited<ReturnType<typeof attempts>>) => (state.isAllowed ? 0 : state.max - state.remaining);
  const isTokenRequest = (request: FastifyRequest) => request.method === 'POST' && TOKEN_ENDPOINTS.has(request.routeOptions.url ?? '');

  scope.addHook('onRequest', async (request, reply) => {
    if (!isTokenRequest(request)) return;
    const now = Date.now();
    windowOf.set(request, Math.floor(now / WINDOW_MS));
    const unsuccessful = countOf(await attempts(request)) - countOf(await successes(request, { increment: false }));
    if (unsuccessful <= rateLimit.max) return;
    const retryAfter = Math.ceil((WINDOW_MS - (now % WINDOW_MS)) / 1000);
    return reply
      .code(429)
      .header('retry-after', String(retryAfter))
      .header('cache-control', 'no-store')
      .send({ error: 'too_many_requests', error_description: `too many failed requests from this address; try again in ${retryAfter} seconds` });
  });

  // Runs before the provider's answer leaves, so the next request already sees it counted.
  return (request) => async (status) => {
    if (isTokenRequest(request) && status < 400) await successes(request);
  };
}

/**
 * Mounts the provider's paths as Fastify routes, so that they pass the same edge as every
 * other path (security headers, session, rate limits, access log), then hands the raw
 * request to the provider. No body parser runs here: the provider reads its own bodies.
 */
export async function registerOidcRoutes(
  app: FastifyInstance,
  provider: Provider,
  config: Pick<Config, 'appUrl' | 'signInRateLimit'>,
  routeOptions: { helmet: Record<string, unknown> },
): Promise<void> {
  const handle = createOidcHandler(provider, config);

  await app.register(async (scope) => {
    scope.removeAllContentTypeParsers();
    // Leave the body stream unread for the provider.
    scope.addContentTypeParser('*', (_request: FastifyRequest, _payload: IncomingMessage, done: (err: null, body?: undefined) => void) => done(null));
    const successCounter = limitUnsuccessfulTokenRequests(scope, config);
    const documents = constantDocumentCache();

    const handler = (request: FastifyRequest, reply: FastifyReply): void => {
      if (documents.serve(request, reply)) return;
      documents.capture(request, reply.raw);
      reply.hijack();
      if (successCounter) beforeResponse.set(request.raw, successCounter(request));
      handle(request.raw, reply.raw, request.ip);
    };
    for (const prefix of PREFIXES) {
      for (const url of [prefix, `${prefix}/*`]) {
        scope.route({ method: ALL_METHODS, url, handler, ...routeOptions, exposeHeadRoute: false });
      }
    }
  });
}
