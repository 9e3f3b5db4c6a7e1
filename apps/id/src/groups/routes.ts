import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import type { AppContext } from '../app-context.js';
import { auditFrom } from '../http/context.js';
import { noContent } from '../http/guards.js';
import { parseInput, text } from '../http/validation.js';
import { auditTargetName, recordAudit } from '../audit/audit.js';
import {
  addGroupMember,
  removeGroupMember,
  createGroup,
  deleteGroup,
  listGroupsPage,
  membersOfGroup,
  requireGroup,
  setGroupMembers,
  updateGroup,
} from './groups.js';

const idParams = z.object({ id: z.string().min(1).max(128) });

const groupFields = z.object({
  name: text(100),
  // What a friendly name may be is the groups domain's rule, which the command line meets too.
  friendlyName: z.string().trim().min(1, 'is required'),
});

const membersBody = z.object({ userIds: z.array(z.string().max(128)).max(10_000) });
const memberBody = z.object({ userId: z.string().min(1).max(128) });
const memberParams = idParams.extend({ userId: z.string().min(1).max(128) });
const pageNumber = z.coerce.number().int('must be a whole number').min(1, 'must be at least 1');
const membersQuery = z.object({ page: pageNumber.optional(), pageSize: pageNumber.max(500, 'must be at most 500').optional() });
const listQuery = z.object({
  q: z.string().max(200, 'must be at most 200 characters').optional(),
  // The groups a picker holds, to show their names: group IDs separated by commas.
  ids: z
    .string()
    .max(4000)
    .transform((value) => value.split(',').map((id) => id.trim()).filter(Boolean))
    .pipe(z.array(z.string().max(128)).max(100, 'at most 100 IDs at a time'))
    .optional(),
  page: pageNumber.optional(),
  pageSize: pageNumber.max(200, 'must be at most 200').optional(),
});

/** /api/admin/groups: user groups (a page at a time, with a search), whose friendly names relying parties see in the groups claim. */
export async function registerGroupAdminRoutes(app: FastifyInstance, ctx: AppContext): Promise<void> {
  const db = ctx.database.db;

  app.get('/groups', async (request) => listGroupsPage(db, parseInput(listQuery, request.query)));

  app.post('/groups', async (request, reply) => {
    const group = await createGroup(db, parseInput(groupFields, request.body));
    await recordAudit(db, auditFrom(request, { event: 'admin_change', data: { action: 'group.create', target: group.id } }));
    return reply.code(201).send({ group });
  });

  app.get('/groups/:id', async (request) => {
    const { id } = parseInput(idParams, request.params);
    const group = await requireGroup(db, id);
    return { group, ...(await membersOfGroup(db, id, parseInput(membersQuery, request.query))) };
  });

  app.patch('/groups/:id', async (request) => {
    const { id } = parseInput(idParams, request.params);
    const input = parseInput(groupFields.partial(), request.body);
    const group = await updateGroup(db, id, input);
    await recordAudit(
      db,
      auditFrom(request, { event: 'admin_change', data: { action: 'group.update', target: id, fields: Object.keys(input) } }),
    );
    return { group };
  });

  app.delete('/groups/:id', async (request, reply) => {
    const { id } = parseInput(idParams, request.params);
    const targetName = await auditTargetName(db, 'group.delete', id);
    await deleteGroup(db, id);
    await recordAudit(db, auditFrom(request, { event: 'admin_change', data: { action: 'group.delete', target: id, targetName } }));
    return noContent(reply);
  });

  app.put('/groups/:id/members', async (request) => {
    const { id } = parseInput(idParams, request.params);
    const { userIds } = parseInput(membersBody, request.body);
    await setGroupMembers(db, id, userIds);
    await recordAudit(
      db,
      auditFrom(request, { event: 'admin_change', data: { action: 'group.members.set', target: id, memberCount: new Set(userIds).size } }),
    );
    return membersOfGroup(db, id);
  });

  // One member at a time: a group's page shows its members a page at a time, so it cannot send them all back.
  app.post('/groups/:id/members', async (request) => {
    const { id } = parseInput(idParams, request.params);
    const { userId } = parseInput(memberBody, request.body);
    await addGroupMember(db, id, userId);
    await recordAudit(db, auditFrom(request, { event: 'admin_change', userId, data: { action: 'group.members.add', target: id } }));
    return membersOfGroup(db, id);
  });

  app.delete('/groups/:id/members/:userId', async (request) => {
    const { id, userId } = parseInput(memberParams, request.params);
    await removeGroupMember(db, id, userId);
    await recordAudit(db, auditFrom(request, { event: 'admin_change', userId, data: { action: 'group.members.remove', target: id } }));
    return membersOfGroup(db, id);
  });
}
