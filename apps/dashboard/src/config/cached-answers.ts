// GET /conf.yml answered from memory before Fastify routes the request, when all it takes is
// already known: the file's version needs no look at the disk, the token was verified before
// (or there is none), and an earlier request rendered the view for this claim set and format.
// Fastify's per-request work around those cached bytes cost as much again as the bytes
// themselves (bench/README.md). The answer is the route's (routes.ts), header for header, and
// the access log gets the same two lines; the route stays the only place that reads the disk,
// verifies or refuses a token, renders a view or answers anything else.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { performance } from 'node:perf_hooks';
import type { FastifyInstance } from 'fastify';
import { answerAheadOfFastify } from '@hearth/server-kit';
import type { Logger } from 'pino';
import type { RequestAuth } from '../auth/hook.js';
import type { AuthSettings } from '../auth/settings.js';
import { viewerInfo } from '../auth/viewer.js';
import { configJsonView, prefersJson } from './json-view.js';
import { configCaching, etagMatches, JSON_CONTENT_TYPE, requesterOf, YAML_CONTENT_TYPE } from './routes.js';
import { ROOT_CONFIG_FILE } from './store.js';
import type { ConfigStore } from './store.js';
import { ALREADY_RENDERED, configView } from './views.js';
import type { ViewInput } from './views.js';

/** Told of each answer given here: what a request counter among Fastify's hooks would not see. */
export type CachedAnswerListener = (method: string, route: string, statusCode: number, seconds: number) => void;

export interface CachedAnswersOptions {
  store: ConfigStore;
  auth: AuthSettings | null;
  /** What the auth hook concludes from memory alone (auth/hook.ts authFromMemory). */
  authFromMemory: (authorization: string | undefined) => RequestAuth | null | undefined;
  /** The security headers the app sets on every answer. */
  securityHeaders: Record<string, string>;
  /** The app's request ids (requestIds below), so that log lines from here and from Fastify never share one. */
  genReqId: (req: IncomingMessage) => string;
  trustProxy: boolean;
  onAnswer?: CachedAnswerListener;
}

const PATH = `/${ROOT_CONFIG_FILE}`;

/** Fastify's own request ids (`req-1`, `req-2`, … in base 36), as one sequence to share with answers given ahead of it. */
export function requestIds(): (req: IncomingMessage) => string {
  let next = 0;
  return () => {
    next = (next + 1) & 0x7fffffff;
    return `req-${next.toString(36)}`;
  };
}

/**
 * Puts the cached answers in front of Fastify's request handler. Only a plain `GET /conf.yml`
 * (no query string) that is a cache hit is answered here; anything else, HEAD included, goes
 * on to Fastify untouched, as does every request once the app is closing.
 */
export function answerCachedViewsFirst(app: FastifyInstance, options: CachedAnswersOptions): void {
  // A pino logger with Fastify's serializers: the lines come out as Fastify writes them.
  const appLog = app.log as unknown as Logger;
  const { cacheControl, vary } = configCaching(options.auth);
  // In the order the routed answer has them: the raw response's first, then the route's.
  const common = [...Object.entries(options.securityHeaders).flat(), 'cache-control', cacheControl, 'vary', vary];
  // Per body: a body belongs to one view kind and one format, and goes with its version of the file.
  const headersOf = new WeakMap<Buffer, { ok: string[]; notModified: string[] }>();

  const answer = (req: IncomingMessage, res: ServerResponse): boolean => {
    const startedAt = performance.now();
    const root = options.store.rootIfFresh();
    if (!root) return false;
    const requestAuth = options.authFromMemory(req.headers.authorization);
    if (requestAuth === undefined) return false;
    const input: ViewInput = { fileName: ROOT_CONFIG_FILE, file: root, root, auth: options.auth, requester: requesterOf({ auth: requestAuth }) };
    const json = prefersJson(req.headers.accept);
    const view = json ? configJsonView(input, viewerInfo(requestAuth, options.auth), ALREADY_RENDERED) : configView(input, ALREADY_RENDERED);
    if (view === undefined || view.kind === 'denied') return false;

    const log = appLog.isLevelEnabled('info') ? appLog.child({ reqId: options.genReqId(req) }) : null;
    log?.info({ req: requestForLog(req, options.trustProxy) }, 'incoming request');
    let headers = headersOf.get(view.body);
    if (!headers) {
      const ok = [...common, 'x-hearth-config-view', view.kind, 'etag', view.etag];
      headers = { notModified: ok.slice(), ok: [...ok, 'content-type', json ? JSON_CONTENT_TYPE : YAML_CONTENT_TYPE, 'content-length', String(view.body.length)] };
      headersOf.set(view.body, headers);
    }
    let status: number;
    if (etagMatches(req.headers['if-none-match'], view.etag)) {
      status = 304;
      res.writeHead(status, headers.notModified).end();
    } else {
      status = 200;
      res.writeHead(status, headers.ok).end(view.body);
    }
    const elapsedMs = performance.now() - startedAt;
    log?.info({ res: { statusCode: status }, responseTime: elapsedMs }, 'request completed');
    options.onAnswer?.('GET', PATH, status, elapsedMs / 1000);
    return true;
  };

  answerAheadOfFastify(app, (req, res) => {
    if (req.method !== 'GET' || req.url !== PATH) return false;
    try {
      return answer(req, res);
    } catch (error) {
      // Nothing here may take the process down: unanswered, the route answers (or fails) as usual.
      appLog.error({ err: error }, 'answering GET /conf.yml from memory failed');
      return res.headersSent;
    }
  });
}

/**
 * What Fastify's request serializer reads (method, url, host, remote address and port), worked
 * out as Fastify does with a boolean trustProxy: behind a trusted proxy the client is the first
 * X-Forwarded-For address and the host the last X-Forwarded-Host.
 */
function requestForLog(req: IncomingMessage, trustProxy: boolean) {
  const { headers, socket } = req;
  const forwardedHost = trustProxy ? headers['x-forwarded-host'] : undefined;
  const host = forwardedHost ? (String(forwardedHost).split(',').pop() ?? '').trim() : (headers.host ?? '');
  return { method: req.method, url: req.url, headers, host, ip: trustProxy ? forwardedClient(req) : socket.remoteAddress, socket };
}

/** The first address of X-Forwarded-For as @fastify/forwarded splits it (spaces and tabs around commas). */
function forwardedClient({ headers, socket }: IncomingMessage): string | undefined {
  const header = headers['x-forwarded-for'];
  if (!header || typeof header !== 'string') return socket.remoteAddress;
  if (!header.includes(',')) return header.trim() || socket.remoteAddress;
  const first = header
    .split(',')
    .map((entry) => entry.replace(/^[ \t]+|[ \t]+$/g, ''))
    .find((entry) => entry.length > 0);
  return first ?? socket.remoteAddress;
}
