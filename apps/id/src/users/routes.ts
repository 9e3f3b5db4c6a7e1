import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import type { AppContext } from '../app-context.js';
import { auditFrom } from '../http/context.js';
import { noContent } from '../http/guards.js';
import { email, optionalText, parseInput } from '../http/validation.js';
import { auditTargetName, recordAudit } from '../audit/audit.js';
import { groupsOfUser, setUserGroups } from '../groups/groups.js';
import {
  ONE_TIME_ACCESS_MAX_TTL_SECONDS,
  ONE_TIME_ACCESS_MIN_TTL_SECONDS,
  createOneTimeAccessToken,
  oneTimeAccessUrl,
} from '../one-time-access/one-time-access.js';
import { createUser, deleteUser, listUsers, requireUser, updateUser, withAdminLock } from './users.js';

const idParams = z.object({ id: z.string().min(1).max(128) });
const pageNumber = z.coerce.number().int('must be a whole number').min(1, 'must be at least 1');

const userFields = z.object({
  // What a username may be is the users domain's rule, which the command line meets too.
  username: z.string().trim().min(1, 'is required'),
  email,
  firstName: optionalText(100),
  lastName: optionalText(100),
  displayName: optionalText(200),
  isAdmin: z.boolean().optional(),
  emailVerified: z.boolean().optional(),
});

// A missing field leaves the stored value alone; null or "" clears an optional one.
const userPatch = userFields.extend({ disabled: z.boolean().optional() }).partial();

const listQuery = z.object({
  search: z.string().max(200).optional(),
  // The same as search, named as the groups and clients lists name it.
  q: z.string().max(200).optional(),
  // Keyset paging: the last (or first) username of the page on screen, for the next (or previous) page.
  after: z.string().max(200).optional(),
  before: z.string().max(200).optional(),
  page: pageNumber.optional(),
  pageSize: pageNumber.max(100, 'must be at most 100').optional(),
});

const groupIdsBody = z.object({ groupIds: z.array(z.string().max(128)).max(1000) });

const tokenBody = z.object({
  // Up to a week: a link handed to someone who is not at their desk today.
  ttlSeconds: z
    .number()
    .int('must be a whole number of seconds')
    .min(ONE_TIME_ACCESS_MIN_TTL_SECONDS, 'a login link must live at least 1 minute')
    .max(ONE_TIME_ACCESS_MAX_TTL_SECONDS, 'a login link may live at most 7 days')
    .optional(),
});

/** /api/admin/users: the people who can sign in, their groups, and login links for them. */
export async function registerUserAdminRoutes(app: FastifyInstance, ctx: AppContext): Promise<void> {
  const db = ctx.database.db;

  app.get('/users', async (request) => {
    const { q, search, ...paging } = parseInput(listQuery, request.query);
    return listUsers(db, { ...paging, search: search || q });
  });

  app.post('/users', async (request, reply) => {
    const user = await createUser(db, parseInput(userFields, request.body));
    await recordAudit(db, auditFrom(request, { event: 'admin_change', userId: user.id, data: { action: 'user.create', target: user.id } }));
    return reply.code(201).send({ user });
  });

  app.get('/users/:id', async (request) => {
    const { id } = parseInput(idParams, request.params);
    const user = await requireUser(db, id);
    return { user, groups: await groupsOfUser(db, id) };
  });

  app.patch('/users/:id', async (request) => {
    const { id } = parseInput(idParams, request.params);
    const input = parseInput(userPatch, request.body);
    const user = await withAdminLock(ctx.database, (trx) => updateUser(trx, id, input));
    await recordAudit(
      db,
      auditFrom(request, { event: 'admin_change', userId: id, data: { action: 'user.update', target: id, fields: Object.keys(input) } }),
    );
    return { user };
  });

  app.delete('/users/:id', async (request, reply) => {
    const { id } = parseInput(idParams, request.params);
    const targetName = await auditTargetName(db, 'user.delete', id);
    await withAdminLock(ctx.database, (trx) => deleteUser(trx, id));
    await recordAudit(db, auditFrom(request, { event: 'admin_change', userId: id, data: { action: 'user.delete', target: id, targetName } }));
    return noContent(reply);
  });

  app.put('/users/:id/groups', async (request) => {
    const { id } = parseInput(idParams, request.params);
    const { groupIds } = parseInput(groupIdsBody, request.body);
    await setUserGroups(db, id, groupIds);
    await recordAudit(
      db,
      auditFrom(request, { event: 'admin_change', userId: id, data: { action: 'user.groups.set', target: id, groupIds } }),
    );
    return { groups: await groupsOfUser(db, id) };
  });

  app.post('/users/:id/one-time-access-token', async (request, reply) => {
    const { id } = parseInput(idParams, request.params);
    const { ttlSeconds } = parseInput(tokenBody, request.body);
    const { token, expiresAt } = await createOneTimeAccessToken(db, id, { ttlSeconds });
    // The token itself is a credential: the log says only that one was made, and until when.
    await recordAudit(
      db,
      auditFrom(request, { event: 'one_time_access_created', userId: id, data: { action: 'user.one_time_access_token.create', target: id, expiresAt } }),
    );
    return reply.code(201).send({ url: oneTimeAccessUrl(ctx.config.appUrl, token), expiresAt });
  });
}
