import type { IncomingMessage, ServerResponse } from 'node:http';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type Provider from 'oidc-provider';
import type { Config } from '../config/config.js';
import { OIDC_ROUTES } from '../oidc/provider.js';
import type { Database } from '../db/database.js';
import { signInRateLimit, unsuccessfulRequestCounter } from './rate-limit.js';
import { addSecurityHeaders, answerAheadOfFastify } from '@hearth/server-kit';
import type { RequestMetrics } from '@hearth/server-kit';

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
  /** The same headers as a flat [name, value, …] list with the length, for writeHead. */
  flat: string[];
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
    serve(path: string, request: FastifyRequest, reply: FastifyReply): boolean {
      if (request.method !== 'GET') return false;
      const cached = documents.get(path);
      if (!cached) return false;
      void reply
        .headers(cached.headers)
        .header('access-control-allow-origin', request.headers.origin || '*')
        .send(cached.body);
      return true;
    },
    /** Keeps the provider's answer to this request if it is a cacheable one. */
    capture(path: string, request: FastifyRequest, res: ServerResponse): void {
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
          const body = Buffer.from(chunk);
          const flat = Object.entries(headers).flatMap(([name, value]) => [value].flat().flatMap((item) => [name, item]));
          documents.set(path, { headers, body, flat: [...flat, 'content-length', String(body.length)] });
        }
        return end(...args);
      }) as typeof res.end;
    },
    /**
     * Lets the HTTP server answer a plain GET of a cached document (no query, so nothing for
     * the input guards; no cookie or limit applies) before Fastify routes it: the bytes and
     * headers, security headers included, are those the whole edge gave the first answer.
     * The access log gets its line all the same. Anything else goes on to Fastify.
     */
    answerFirst(app: FastifyInstance, requestMetrics: RequestMetrics | null): void {
      answerAheadOfFastify(app, (req, res) => {
        const cached = req.method === 'GET' ? documents.get(req.url ?? '') : undefined;
        if (!cached) return false;
        const started = requestMetrics ? performance.now() : 0;
        res.writeHead(200, [...cached.flat, 'access-control-allow-origin', req.headers.origin || '*']);
        res.end(cached.body);
        // Under the route Fastify would have matched: the cached paths are exact route paths.
        if (requestMetrics) requestMetrics.observe('GET', req.url as string, 200, (performance.now() - started) / 1000);
        app.log.info({ req, res: { statusCode: 200 } }, 'request completed');
        return true;
      });
    },
  };
}

/** Token-endpoint counts go by fixed minutes, so a request's attempt and its success fall in one window. */
const WINDOW_MS = 60_000;

type RequestHook = (request: FastifyRequest, reply: FastifyReply) => Promise<unknown>;

/**
 * Limits the requests to the token endpoints that do not succeed (a wrong secret, an unknown
 * code or refresh token), per client address: each request counts as an attempt when it
 * arrives and is taken back when it succeeds, so an address may have at most
 * SIGN_IN_RATE_LIMIT failed or still-running requests in a minute. Many simultaneous guesses
 * are thus counted before any of them is answered, while one app's server may redeem codes
 * for all its users from one address. On PostgreSQL the counters are in the database, shared
 * by replicas (rate-limit.ts).
 */
function limitUnsuccessfulTokenRequests(
  config: Pick<Config, 'signInRateLimit'>,
  database: Pick<Database, 'db' | 'provider'>,
): { onRequest: RequestHook; successCounter: (request: FastifyRequest) => BeforeResponse } | null {
  const { rateLimit } = signInRateLimit(config);
  if (!rateLimit) return null;
  const counter = unsuccessfulRequestCounter(database, WINDOW_MS);
  const windowOf = new WeakMap<FastifyRequest, number>();

  const onRequest: RequestHook = async (request, reply) => {
    if (request.method !== 'POST') return;
    const now = Date.now();
    const window = Math.floor(now / WINDOW_MS);
    windowOf.set(request, window);
    if ((await counter.attempt(request.ip, window)) <= rateLimit.max) return;
    const retryAfter = Math.ceil((WINDOW_MS - (now % WINDOW_MS)) / 1000);
    return reply
      .code(429)
      .header('retry-after', String(retryAfter))
      .header('cache-control', 'no-store')
      .send({ error: 'too_many_requests', error_description: `too many failed requests from this address; try again in ${retryAfter} seconds` });
  };

  // Runs before the provider's answer leaves, so the next request to this replica already sees it taken back.
  const successCounter = (request: FastifyRequest) => async (status: number) => {
    const window = windowOf.get(request);
    if (window !== undefined && status < 400) await counter.succeed(request.ip, window);
  };
  return { onRequest, successCounter };
}

/**
 * Mounts the provider's paths as Fastify routes, so that they pass the same edge as every
 * other path (security headers, rate limits, access log), then hands the raw request to the
 * provider. No body parser runs here: the provider reads its own bodies. The security
 * headers are the app's, with the provider's own CSP (`securityHeaders`, set over them).
 */
export async function registerOidcRoutes(
  app: FastifyInstance,
  provider: Provider,
  config: Pick<Config, 'appUrl' | 'signInRateLimit'>,
  options: { securityHeaders: Record<string, string>; database: Pick<Database, 'db' | 'provider'>; requestMetrics?: RequestMetrics | null },
): Promise<void> {
  const handle = createOidcHandler(provider, config);
  const documents = constantDocumentCache();
  documents.answerFirst(app, options.requestMetrics ?? null);

  await app.register(async (scope) => {
    scope.removeAllContentTypeParsers();
    // Leave the body stream unread for the provider.
    scope.addContentTypeParser('*', (_request: FastifyRequest, _payload: IncomingMessage, done: (err: null, body?: undefined) => void) => done(null));
    addSecurityHeaders(scope, options.securityHeaders);
    const tokenLimit = limitUnsuccessfulTokenRequests(config, options.database);

    const handlerFor = (url: string) => {
      const cacheable = CONSTANT_DOCUMENTS.has(url);
      const counted = tokenLimit !== null && TOKEN_ENDPOINTS.has(url);
      return (request: FastifyRequest, reply: FastifyReply): void => {
        if (cacheable && documents.serve(url, request, reply)) return;
        if (cacheable) documents.capture(url, request, reply.raw);
        reply.hijack();
        if (counted) beforeResponse.set(request.raw, tokenLimit.successCounter(request));
        handle(request.raw, reply.raw, request.ip);
      };
    };
    for (const prefix of PREFIXES) {
      for (const url of [prefix, `${prefix}/*`]) {
        const onRequest = tokenLimit !== null && TOKEN_ENDPOINTS.has(url) ? tokenLimit.onRequest : undefined;
        scope.route({ method: ALL_METHODS, url, handler: handlerFor(url), ...(onRequest && { onRequest }), exposeHeadRoute: false });
      }
    }
  });
}
