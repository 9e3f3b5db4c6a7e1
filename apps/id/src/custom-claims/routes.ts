import type { FastifyInstance, FastifyRequest } from 'fastify';
import { z } from 'zod';
import type { AppContext } from '../app-context.js';
import { auditFrom } from '../http/context.js';
import { parseInput } from '../http/validation.js';
import { recordAudit } from '../audit/audit.js';
import { requireUser } from '../users/users.js';
import { requireGroup } from '../groups/groups.js';
import { MAX_CLAIMS, claimsOf, setClaims, type ClaimOwner } from './custom-claims.js';

const idParams = z.object({ id: z.string().min(1).max(128) });

// Only the shape here; the rules (names, reserved names, lengths) are the domain's, in words.
const claimsBody = z.object({
  claims: z
    .array(z.object({ key: z.string().max(200, 'must be at most 200 characters'), value: z.string().max(10_000, 'must be at most 10000 characters') }))
    .max(MAX_CLAIMS, `must list at most ${MAX_CLAIMS} claims`),
});

/**
 * /api/admin/users/:id/claims and /api/admin/groups/:id/claims: the custom claims of one user
 * or group, read and replaced as a whole (the screens edit them as one list).
 */
export async function registerCustomClaimRoutes(app: FastifyInstance, ctx: AppContext): Promise<void> {
  const db = ctx.database.db;

  const routes = (path: string, ownerOf: (id: string) => Promise<ClaimOwner>, action: string) => {
    app.get(`${path}/:id/claims`, async (request) => {
      const { id } = parseInput(idParams, request.params);
      return { claims: await claimsOf(db, await ownerOf(id)) };
    });

    app.put(`${path}/:id/claims`, async (request: FastifyRequest) => {
      const { id } = parseInput(idParams, request.params);
      const { claims } = parseInput(claimsBody, request.body);
      const owner = await ownerOf(id);
      const saved = await setClaims(db, owner, claims);
      // Names only: a value may be something an admin would not want copied into the log.
      const userId = 'userId' in owner ? owner.userId : undefined;
      await recordAudit(db, auditFrom(request, { event: 'admin_change', userId, data: { action, target: id, keys: saved.map((claim) => claim.key) } }));
      return { claims: saved };
    });
  };

  routes('/users', async (id) => ({ userId: (await requireUser(db, id)).id }), 'user.claims.set');
  routes('/groups', async (id) => ({ groupId: (await requireGroup(db, id)).id }), 'group.claims.set');
}
