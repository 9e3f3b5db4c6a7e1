import type { IncomingMessage } from 'node:http';
import { parse as parseQueryString } from 'node:querystring';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { DomainError } from '../errors.js';
import { isOidcPath } from './oidc-dispatch.js';

/**
 * NUL characters have no business in any text Hearth ID reads, and PostgreSQL refuses them
 * in text columns with an error that would surface as a 500. They are refused here, at the
 * edge, with a 400, before any route or the OIDC provider sees them.
 */
export const NUL_MESSAGE = 'The request contains a NUL character, which no field accepts';

/** Deeper than any input we accept; the body limit keeps it small anyway. */
const MAX_DEPTH = 64;

/** Whether a parsed value (string, array, object keys and values, nested) holds a NUL character. */
export function containsNul(value: unknown, depth = 0): boolean {
  if (typeof value === 'string') return value.includes('\0');
  if (value === null || typeof value !== 'object' || depth > MAX_DEPTH) return false;
  if (Array.isArray(value)) return value.some((item) => containsNul(item, depth + 1));
  return Object.entries(value).some(([key, item]) => key.includes('\0') || containsNul(item, depth + 1));
}

/** Whether a request target carries a NUL in its path or query, raw or percent-encoded. */
export function urlContainsNul(url: string | undefined): boolean {
  return url !== undefined && (url.includes('\0') || /%00/i.test(url));
}

/**
 * Refuses NUL characters on every route: the URL (path, query) first, then the body. Our
 * routes' bodies are parsed by then; the OIDC provider's are left unread for it, so they are
 * read here and handed back untouched. The provider's paths answer in the OAuth error shape.
 */
export function installInputGuards(app: FastifyInstance): void {
  const refuse = (request: FastifyRequest, reply: FastifyReply) => {
    if (!isOidcPath(request.url)) throw new DomainError('invalid', NUL_MESSAGE);
    return reply.code(400).header('cache-control', 'no-store').send({ error: 'invalid_request', error_description: NUL_MESSAGE });
  };
  // Our routes' refusal is an error for the error handler; the provider's is an answer sent here.
  const refuseOrFail = (request: FastifyRequest, reply: FastifyReply, done: (error?: Error) => void) => {
    try {
      refuse(request, reply);
    } catch (error) {
      done(error as Error);
    }
  };
  app.addHook('onRequest', (request, reply, done) => {
    if (urlContainsNul(request.url)) refuseOrFail(request, reply, done);
    else done();
  });
  app.addHook('preValidation', (request, reply, done) => {
    if (containsNul(request.body)) return refuseOrFail(request, reply, done);
    // Most requests (every GET) have no body nobody has read: nothing to wait for.
    if (request.body !== undefined || !mayHaveUnreadBody(request.raw)) return done();
    unreadBodyContainsNul(request.raw).then(
      (found) => (found ? refuseOrFail(request, reply, done) : done()),
      (error: Error) => done(error),
    );
  });
}

/** The OIDC provider's own body limit: larger bodies are left for it to refuse. */
const PROVIDER_BODY_LIMIT = 56 * 1024;

/**
 * Reads a request body without consuming it: once every byte has arrived, and before the
 * stream reports its end, the bytes are pushed back (`unshift`) for the next reader, here
 * the OIDC provider's own body parser. Returns null when the body is too large to look at
 * or the request failed; what was read is pushed back in that case too.
 */
function peekBody(req: IncomingMessage, limit: number): Promise<Buffer | null> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const done = (complete: boolean) => {
      req.off('readable', onReadable);
      req.off('error', onFailure);
      req.off('close', onFailure);
      const read = Buffer.concat(chunks, size);
      if (read.length > 0 && !req.readableEnded) req.unshift(read);
      resolve(complete ? read : null);
    };
    const onFailure = () => done(false);
    const onReadable = () => {
      let chunk: Buffer | null;
      while ((chunk = req.read() as Buffer | null) !== null) {
        chunks.push(chunk);
        size += chunk.length;
        if (size > limit) return done(false);
      }
      // `complete`: the whole message has arrived; the end event is still to come, so unshift works.
      if (req.complete) done(true);
    };
    req.on('readable', onReadable);
    req.on('error', onFailure);
    req.on('close', onFailure);
  });
}

/**
 * The spellings of NUL in a form (%00) and in JSON (\u0000): a body without any of them has no
 * NUL once parsed, so only the rare body that has one is parsed here to be sure.
 */
const ESCAPED_NUL = /%00|\\u0000/i;

function bodyContainsNul(contentType: string, body: Buffer): boolean {
  if (body.includes(0)) return true;
  const text = body.toString('utf8');
  if (!ESCAPED_NUL.test(text)) return false;
  if (contentType === 'application/x-www-form-urlencoded') return containsNul(parseQueryString(text));
  if (contentType === 'application/json') {
    try {
      return containsNul(JSON.parse(text));
    } catch {
      return false; // not JSON: the provider answers that itself
    }
  }
  return false;
}

/** Whether a request announces a body that may still be unread. */
function mayHaveUnreadBody(req: IncomingMessage): boolean {
  return !req.readableEnded && (req.headers['transfer-encoding'] !== undefined || Number(req.headers['content-length'] ?? 0) > 0);
}

/** Whether a form or JSON body nobody has read yet carries a NUL; the body stays readable. */
export async function unreadBodyContainsNul(req: IncomingMessage): Promise<boolean> {
  if (!mayHaveUnreadBody(req)) return false;
  const contentType = (req.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
  if (contentType !== 'application/x-www-form-urlencoded' && contentType !== 'application/json') return false;
  const body = await peekBody(req, PROVIDER_BODY_LIMIT);
  return body !== null && bodyContainsNul(contentType, body);
}
