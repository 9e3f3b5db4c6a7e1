import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import type { AppContext } from '../app-context.js';
import { parseInput } from '../http/validation.js';
import { listAudit } from './audit.js';
import { AUDIT_KINDS, type AuditKind } from './describe.js';

const pageNumber = z.coerce.number().int('must be a whole number').min(1, 'must be at least 1');
const kinds = Object.keys(AUDIT_KINDS) as [AuditKind, ...AuditKind[]];

const auditQuery = z.object({
  page: pageNumber.optional(),
  pageSize: pageNumber.max(200, 'must be at most 200').optional(),
  userId: z.string().min(1).max(128).optional(),
  q: z.string().max(200, 'must be at most 200 characters').optional(),
  // An empty value (the screen's "every event") is no filter.
  kind: z
    .enum(['', ...kinds], { error: `must be one of: ${kinds.join(', ')}` })
    .transform((kind) => kind || undefined)
    .optional(),
});

/**
 * /api/admin/audit-log: newest first, each entry with its sentence (`summary`) and device in
 * words; `userId` or `q` (a username, or part of a name) keep the entries about or by those
 * people, `kind` one kind of event.
 */
export async function registerAuditRoutes(app: FastifyInstance, ctx: AppContext): Promise<void> {
  app.get('/audit-log', async (request) => listAudit(ctx.database.db, parseInput(auditQuery, request.query)));
}
