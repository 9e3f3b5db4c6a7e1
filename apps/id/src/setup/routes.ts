import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import type { AppContext } from '../app-context.js';
import { auditFrom } from '../http/context.js';
import { email, optionalText, parseInput, text } from '../http/validation.js';
import { signInRateLimit } from '../http/rate-limit.js';
import { recordAudit } from '../audit/audit.js';
import { DomainError } from '../errors.js';
import { SETUP_DONE_MESSAGE, createFirstAdmin, isSetupRequired } from './setup.js';

const setupBody = z.object({
  username: text(64),
  email,
  firstName: optionalText(100),
  lastName: optionalText(100),
});

/**
 * First-run setup: GET says whether it is needed, POST creates the first admin and signs them in.
 * POST also names the dashboard wired to this Hearth ID (DASHBOARD_URL), which the wizard
 * offers once the passkey is registered.
 */
export async function registerSetupRoutes(app: FastifyInstance, ctx: AppContext): Promise<void> {
  app.get('/api/setup', async () => {
    if (!(await isSetupRequired(ctx.database))) throw new DomainError('not_found', SETUP_DONE_MESSAGE);
    return { setupRequired: true };
  });

  app.post('/api/setup', { config: signInRateLimit(ctx.config) }, async (request, reply) => {
    const input = parseInput(setupBody, request.body);
    const user = await createFirstAdmin(ctx.database, input);
    await reply.signIn(user.id);
    await recordAudit(ctx.database.db, auditFrom(request, { event: 'setup_completed', userId: user.id, actorId: user.id }));
    // Next step for the wizard: register a passkey with /api/me/passkeys.
    return reply.code(201).send({ user, dashboardUrl: ctx.config.dashboardUrl });
  });
}
