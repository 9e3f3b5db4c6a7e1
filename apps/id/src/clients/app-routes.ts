import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import type { AppContext } from '../app-context.js';
import { auditFrom } from '../http/context.js';
import { handleError, handleNotFound } from '../http/errors.js';
import { noContent, requireAdmin, requireSignedIn, sessionOf } from '../http/guards.js';
import { parseInput } from '../http/validation.js';
import { recordAudit } from '../audit/audit.js';
import { appsForUser, grantedAppsOfUser, revokeMyGrant } from './my-apps.js';
import { findClientLogo, LOGO_MAX_BYTES, removeClientLogo, setClientLogo } from './logos.js';

const idParams = z.object({ id: z.string().min(1).max(128) });
const logoParams = z.object({ id: z.string().min(1).max(128), hash: z.string().regex(/^[0-9a-f]{64}$/) });

/**
 * An uploaded file's bytes, kept in a private field: the edge's NUL check walks a parsed body's
 * entries, which for a raw Buffer would be every byte (and binary images hold NULs by nature).
 */
class UploadedBytes {
  readonly #bytes: Buffer;
  constructor(bytes: Buffer) {
    this.#bytes = bytes;
  }
  get bytes(): Buffer {
    return this.#bytes;
  }
}

/**
 * A logo can hold anything, a script included when it is SVG: served as an image only, with
 * a policy that runs nothing and loads nothing, in a sandbox should it be opened on its own.
 */
const LOGO_CSP = "default-src 'none'; img-src data:; style-src 'unsafe-inline'; sandbox";

/**
 * "My apps" (GET /api/me/apps, DELETE /api/me/grants/:id), client logos for administrators
 * (PUT/DELETE /api/admin/clients/:id/logo) and the logos themselves (GET /client-logos/:id/:hash).
 */
export async function registerAppRoutes(app: FastifyInstance, ctx: AppContext): Promise<void> {
  const { db } = ctx.database;

  app.get('/api/me/apps', { preHandler: requireSignedIn }, async (request) => {
    const { user } = sessionOf(request);
    const [apps, granted] = await Promise.all([appsForUser(db, user.id), grantedAppsOfUser(db, user.id)]);
    return { apps, granted };
  });

  app.delete('/api/me/grants/:id', { preHandler: requireSignedIn }, async (request, reply) => {
    const { user } = sessionOf(request);
    const { id } = parseInput(idParams, request.params);
    await revokeMyGrant(db, user.id, id);
    await recordAudit(db, auditFrom(request, { event: 'grant_revoked', userId: user.id, data: { client: id } }));
    return noContent(reply);
  });

  // Logos are public, like the app names a consent screen shows: an image, cacheable for good at its hash.
  app.get('/client-logos/:id/:hash', async (request, reply) => {
    const params = logoParams.safeParse(request.params);
    if (!params.success) return handleNotFound(request, reply);
    const logo = await findClientLogo(db, params.data.id);
    if (!logo || logo.hash !== params.data.hash) return handleNotFound(request, reply);
    const etag = `"${logo.hash}"`;
    void reply
      .header('content-type', logo.contentType)
      .header('cache-control', 'public, max-age=31536000, immutable')
      .header('etag', etag)
      .header('content-security-policy', LOGO_CSP)
      .header('x-content-type-options', 'nosniff')
      .header('content-disposition', 'inline; filename="logo"');
    if (ifNoneMatch(request, etag)) return reply.code(304).send();
    return reply.send(logo.bytes);
  });

  await app.register(async (logos) => {
    logos.addHook('preHandler', requireAdmin);
    // The body is the image file itself, whatever type the browser claims: its bytes decide (logos.ts).
    logos.removeAllContentTypeParsers();
    logos.addContentTypeParser('*', { parseAs: 'buffer', bodyLimit: LOGO_MAX_BYTES }, (_request, body, done) => {
      done(null, new UploadedBytes(body as Buffer));
    });
    logos.setErrorHandler((error: FastifyError, request: FastifyRequest, reply: FastifyReply) => {
      if (error.code === 'FST_ERR_CTP_BODY_TOO_LARGE') {
        void reply.code(413).send({
          error: 'too_large',
          message: `The logo is too large; a logo may be at most ${LOGO_MAX_BYTES / 1024} KB`,
          field: 'logo',
        });
        return;
      }
      handleError(error, request, reply);
    });

    logos.put('/api/admin/clients/:id/logo', async (request) => {
      const { id } = parseInput(idParams, request.params);
      const body = request.body instanceof UploadedBytes ? request.body.bytes : undefined;
      const client = await setClientLogo(db, id, body);
      await recordAudit(db, auditFrom(request, { event: 'admin_change', data: { action: 'client.logo.update', target: id } }));
      return { client };
    });

    logos.delete('/api/admin/clients/:id/logo', async (request) => {
      const { id } = parseInput(idParams, request.params);
      const client = await removeClientLogo(db, id);
      await recordAudit(db, auditFrom(request, { event: 'admin_change', data: { action: 'client.logo.remove', target: id } }));
      return { client };
    });
  });
}

function ifNoneMatch(request: FastifyRequest, etag: string): boolean {
  const header = request.headers['if-none-match'];
  if (!header) return false;
  return header === '*' || header.split(',').some((tag) => tag.trim().replace(/^W\//, '') === etag);
}
