import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { recordAudit } from '../audit/audit.js';
import { DomainError } from '../errors.js';
import type { AppContext } from '../app-context.js';
import { auditFrom } from '../http/context.js';
import { noContent, requireSignedIn, sessionOf } from '../http/guards.js';
import { parseInput, text } from '../http/validation.js';
import { requireUser } from '../users/users.js';
import { signInRateLimit } from '../http/rate-limit.js';
import {
  authenticationOptions,
  authenticationResponseSchema,
  deletePasskey,
  listPasskeys,
  registrationOptions,
  registrationResponseSchema,
  renamePasskey,
  verifyAuthentication,
  verifyRegistration,
} from './passkeys.js';

const NAME_MAX = 64;
const idParams = z.object({ id: z.string().min(1).max(64) });
const addBody = z.object({ response: registrationResponseSchema, name: text(NAME_MAX).optional() });
const renameBody = z.object({ name: text(NAME_MAX) });
const verifyBody = z.object({ response: authenticationResponseSchema });

export async function registerPasskeyRoutes(app: FastifyInstance, ctx: AppContext): Promise<void> {
  const { config } = ctx;
  const { db } = ctx.database;
  // Unauthenticated ceremony endpoints are cheap to call and worth throttling per address.
  const rateLimit = signInRateLimit(config);

  app.get('/api/me/passkeys', { preHandler: requireSignedIn }, async (request) => {
    return { passkeys: await listPasskeys(db, sessionOf(request).user.id) };
  });

  app.post('/api/me/passkeys/registration-options', { preHandler: requireSignedIn }, async (request) => {
    return registrationOptions(db, config, sessionOf(request).user);
  });

  app.post('/api/me/passkeys', { preHandler: requireSignedIn }, async (request, reply) => {
    const { user } = sessionOf(request);
    const body = parseInput(addBody, request.body);
    const passkey = await verifyRegistration(db, config, user.id, body.response, body.name);
    await recordAudit(db, auditFrom(request, { event: 'passkey_added', userId: user.id, data: { passkeyId: passkey.id, name: passkey.name } }));
    return reply.code(201).send({ passkey });
  });

  app.patch('/api/me/passkeys/:id', { preHandler: requireSignedIn }, async (request) => {
    const { id } = parseInput(idParams, request.params);
    const { name } = parseInput(renameBody, request.body);
    return { passkey: await renamePasskey(db, sessionOf(request).user.id, id, name) };
  });

  app.delete('/api/me/passkeys/:id', { preHandler: requireSignedIn }, async (request, reply) => {
    const { user } = sessionOf(request);
    const { id } = parseInput(idParams, request.params);
    const passkey = await deletePasskey(db, user.id, id);
    await recordAudit(db, auditFrom(request, { event: 'passkey_removed', userId: user.id, data: { passkeyId: passkey.id, name: passkey.name } }));
    return noContent(reply);
  });

  app.post('/api/passkey-login/options', { config: rateLimit }, async () => {
    return authenticationOptions(db, config);
  });

  app.post('/api/passkey-login/verify', { config: rateLimit }, async (request, reply) => {
    let userId: string;
    let passkeyId: string;
    try {
      const { response } = parseInput(verifyBody, request.body);
      ({ userId, passkeyId } = await verifyAuthentication(db, config, response));
    } catch (error) {
      if (error instanceof DomainError) {
        ctx.metrics?.signIn('passkey', 'failure');
        await recordAudit(db, auditFrom(request, { event: 'sign_in_failed', data: { method: 'passkey', reason: error.message } }));
      }
      throw error;
    }
    await reply.signIn(userId);
    ctx.metrics?.signIn('passkey', 'success');
    await recordAudit(db, auditFrom(request, { event: 'sign_in', userId, actorId: userId, data: { method: 'passkey', passkeyId } }));
    return { user: await requireUser(db, userId) };
  });
}
