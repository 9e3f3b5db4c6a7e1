import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import type { AppContext } from '../http/context.js';
import { auditFrom } from '../http/context.js';
import { noContent } from '../http/guards.js';
import { parseInput, text } from '../http/validation.js';
import { recordAudit } from '../audit/audit.js';
import { DomainError } from '../errors.js';
import {
  checkCallbackUrl,
  createClient,
  deleteClient,
  listClients,
  regenerateClientSecret,
  requireClient,
  updateClient,
  CLIENT_AUTH_METHODS,
} from './clients.js';

const idParams = z.object({ id: z.string().min(1).max(128) });

/**
 * A callback URL, trimmed (a pasted space would never match) but otherwise kept exactly:
 * `http://localhost:4000` and `http://localhost:4000/` stay two different URLs.
 */
const callbackUrl = z
  .string()
  .trim()
  .max(2000)
  .superRefine((value, check) => {
    try {
      checkCallbackUrl(value, '');
    } catch (error) {
      check.addIssue({ code: 'custom', message: error instanceof DomainError ? error.message : 'is not a valid URL' });
    }
  });

const clientFields = z.object({
  name: text(100),
  callbackUrls: z.array(callbackUrl).min(1, 'at least one callback URL is required').max(50),
  logoutCallbackUrls: z.array(callbackUrl).max(50).optional(),
  isPublic: z.boolean().optional(),
  pkceEnabled: z.boolean().optional(),
  trusted: z.boolean().optional(),
  authMethod: z.enum(CLIENT_AUTH_METHODS).optional(),
  allowedGroupIds: z.array(z.string().max(128)).max(1000).optional(),
});

/** /api/admin/clients: the OIDC relying parties allowed to sign people in through Hearth ID. */
export async function registerClientAdminRoutes(app: FastifyInstance, ctx: AppContext): Promise<void> {
  const db = ctx.database.db;

  app.get('/clients', async () => ({ clients: await listClients(db) }));

  // The secret of a confidential client is in this answer once; only its hash is kept.
  app.post('/clients', async (request, reply) => {
    const { client, secret } = await createClient(db, parseInput(clientFields, request.body));
    await recordAudit(db, auditFrom(request, { event: 'admin_change', data: { action: 'client.create', target: client.id } }));
    return reply.code(201).send({ client, secret });
  });

  app.get('/clients/:id', async (request) => {
    const { id } = parseInput(idParams, request.params);
    return { client: await requireClient(db, id) };
  });

  // Turning a public client confidential makes a secret, returned here once; otherwise secret is null.
  app.patch('/clients/:id', async (request) => {
    const { id } = parseInput(idParams, request.params);
    const input = parseInput(clientFields.partial(), request.body);
    const { client, secret } = await updateClient(db, id, input);
    await recordAudit(
      db,
      auditFrom(request, { event: 'admin_change', data: { action: 'client.update', target: id, fields: Object.keys(input) } }),
    );
    return { client, secret };
  });

  app.delete('/clients/:id', async (request, reply) => {
    const { id } = parseInput(idParams, request.params);
    await deleteClient(db, id);
    await recordAudit(db, auditFrom(request, { event: 'admin_change', data: { action: 'client.delete', target: id } }));
    return noContent(reply);
  });

  app.post('/clients/:id/secret', async (request) => {
    const { id } = parseInput(idParams, request.params);
    const secret = await regenerateClientSecret(db, id);
    await recordAudit(db, auditFrom(request, { event: 'admin_change', data: { action: 'client.secret.regenerate', target: id } }));
    return { secret };
  });
}
