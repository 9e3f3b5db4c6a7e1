import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import type { AppContext } from '../app-context.js';
import { auditFrom } from '../http/context.js';
import { noContent } from '../http/guards.js';
import { parseInput, text } from '../http/validation.js';
import { auditTargetName, recordAudit } from '../audit/audit.js';
import {
  createClient,
  deleteClient,
  listClientsPage,
  regenerateClientSecret,
  requireClient,
  updateClient,
  CLIENT_AUTH_METHODS,
} from './clients.js';

const idParams = z.object({ id: z.string().min(1).max(128) });
const pageNumber = z.coerce.number().int('must be a whole number').min(1, 'must be at least 1');
const listQuery = z.object({
  q: z.string().max(200, 'must be at most 200 characters').optional(),
  page: pageNumber.optional(),
  pageSize: pageNumber.max(200, 'must be at most 200').optional(),
});

/** A callback URL's shape; what makes it a usable URL is checked once, by the clients domain. */
const callbackUrl = z.string().max(2000, 'must be at most 2000 characters');

const clientFields = z.object({
  name: text(100),
  callbackUrls: z.array(callbackUrl).max(50, 'must be at most 50 URLs'),
  logoutCallbackUrls: z.array(callbackUrl).max(50, 'must be at most 50 URLs').optional(),
  isPublic: z.boolean().optional(),
  pkceEnabled: z.boolean().optional(),
  trusted: z.boolean().optional(),
  authMethod: z.enum(CLIENT_AUTH_METHODS).optional(),
  allowedGroupIds: z.array(z.string().max(128)).max(1000).optional(),
  // Checked in the domain (clients/launch.ts), where the CLI and provisioning pass too.
  launchUrl: z.string().max(2000, 'must be at most 2000 characters').nullable().optional(),
});

/** /api/admin/clients: the OIDC relying parties allowed to sign people in through Hearth ID. */
export async function registerClientAdminRoutes(app: FastifyInstance, ctx: AppContext): Promise<void> {
  const db = ctx.database.db;

  app.get('/clients', async (request) => listClientsPage(db, parseInput(listQuery, request.query)));

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
    const targetName = await auditTargetName(db, 'client.delete', id);
    await deleteClient(db, id);
    await recordAudit(db, auditFrom(request, { event: 'admin_change', data: { action: 'client.delete', target: id, targetName } }));
    return noContent(reply);
  });

  app.post('/clients/:id/secret', async (request) => {
    const { id } = parseInput(idParams, request.params);
    const secret = await regenerateClientSecret(db, id);
    await recordAudit(db, auditFrom(request, { event: 'admin_change', data: { action: 'client.secret.regenerate', target: id } }));
    return { secret };
  });
}
