import type { FastifyInstance } from 'fastify';
import type { AppContext } from '../app-context.js';
import { requireAdmin } from './guards.js';
import { registerUserAdminRoutes } from '../users/routes.js';
import { registerGroupAdminRoutes } from '../groups/routes.js';
import { registerClientAdminRoutes } from '../clients/routes.js';
import { registerAuditRoutes } from '../audit/routes.js';
import { registerForwardAuthAdminRoutes } from '../forward-auth/routes.js';
import { registerCustomClaimRoutes } from '../custom-claims/routes.js';

/** Everything under /api/admin: 401 without a session, 403 for anyone but an administrator. */
export async function registerAdminRoutes(app: FastifyInstance, ctx: AppContext): Promise<void> {
  await app.register(
    async (admin) => {
      admin.addHook('preHandler', requireAdmin);
      await registerUserAdminRoutes(admin, ctx);
      await registerGroupAdminRoutes(admin, ctx);
      await registerClientAdminRoutes(admin, ctx);
      await registerAuditRoutes(admin, ctx);
      await registerForwardAuthAdminRoutes(admin, ctx);
      await registerCustomClaimRoutes(admin, ctx);
    },
    { prefix: '/api/admin' },
  );
}
