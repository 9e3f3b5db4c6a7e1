import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import type { AppContext } from '../app-context.js';
import { auditFrom } from '../http/context.js';
import { noContent, requireSignedIn, sessionOf } from '../http/guards.js';
import { email, optionalText, parseInput } from '../http/validation.js';
import { recordAudit } from '../audit/audit.js';
import { groupsOfUser } from '../groups/groups.js';
import { updateUser } from './users.js';

const profileBody = z
  .object({
    email,
    firstName: optionalText(100),
    lastName: optionalText(100),
    displayName: optionalText(200),
  })
  .partial()
  .strict();

/** The signed-in person's own account: who am I, edit my profile, sign out. */
export async function registerAccountRoutes(app: FastifyInstance, ctx: AppContext): Promise<void> {
  const { db } = ctx.database;

  app.get('/api/me', { preHandler: requireSignedIn }, async (request) => {
    const { user } = sessionOf(request);
    const groups = await groupsOfUser(db, user.id);
    return { user, groups: groups.map(({ id, name, friendlyName }) => ({ id, name, friendlyName })) };
  });

  app.patch('/api/me', { preHandler: requireSignedIn }, async (request) => {
    const { user } = sessionOf(request);
    return { user: await updateUser(db, user.id, parseInput(profileBody, request.body)) };
  });

  app.post('/api/logout', async (request, reply) => {
    const userId = request.session?.user.id;
    await reply.signOut();
    if (userId) await recordAudit(db, auditFrom(request, { event: 'sign_out', userId, actorId: userId }));
    return noContent(reply);
  });
}
