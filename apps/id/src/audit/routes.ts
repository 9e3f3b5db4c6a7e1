import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import type { AppContext } from '../http/context.js';
import { parseInput } from '../http/validation.js';
import { listAudit } from './audit.js';

const pageNumber = z.coerce.number().int('must be a whole number').min(1, 'must be at least 1');

const auditQuery = z.object({
  page: pageNumber.optional(),
  pageSize: pageNumber.max(200, 'must be at most 200').optional(),
  userId: z.string().min(1).max(128).optional(),
});

/** /api/admin/audit-log: newest first; `userId` keeps the entries about one user. */
export async function registerAuditRoutes(app: FastifyInstance, ctx: AppContext): Promise<void> {
  app.get('/audit-log', async (request) => listAudit(ctx.database.db, parseInput(auditQuery, request.query)));
}
