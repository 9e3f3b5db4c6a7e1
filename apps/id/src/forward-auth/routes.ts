import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import type { AppContext } from '../app-context.js';
import { auditFrom } from '../http/context.js';
import { noContent } from '../http/guards.js';
import { parseInput } from '../http/validation.js';
import { recordAudit } from '../audit/audit.js';
import { allowedReturnUrl, decideForwardAuth } from './check.js';
import { createForwardAuthRule, deleteForwardAuthRule, listForwardAuthRules, requireForwardAuthRule, updateForwardAuthRule } from './rules.js';

/** The two paths proxies call: `/api/forward-auth` (Caddy, Traefik) and `/api/forward-auth/nginx`. */
const CHECK_PATH = /^\/api\/forward-auth(\/nginx)?\/?(\?|$)/;

/**
 * Whether a request is a proxy's forward-auth check. It changes nothing, and it carries the
 * original request's method and Origin, so the cross-site request check does not apply.
 */
export function isForwardAuthCheck(url: string): boolean {
  return CHECK_PATH.test(url);
}

function text(reply: FastifyReply, status: number, body: string): FastifyReply {
  return reply.code(status).type('text/plain; charset=utf-8').send(`${body}\n`);
}

/** The forward-auth endpoints, and the check the sign-in page makes of a return address. */
export async function registerForwardAuthRoutes(app: FastifyInstance, ctx: AppContext): Promise<void> {
  const { db } = ctx.database;
  const { appUrl } = ctx.config;

  const check = (signedOut: (reply: FastifyReply, loginUrl: string) => FastifyReply) => async (request: FastifyRequest, reply: FastifyReply) => {
    const decision = await decideForwardAuth(db, appUrl, request.headers, request.session);
    if (decision.kind === 'sign-in') return signedOut(reply, decision.loginUrl);
    if (decision.kind === 'deny') return text(reply, 403, decision.message);
    return reply.code(200).headers(decision.headers).send();
  };

  await app.register(async (scope) => {
    // Proxies may pass the original method, and with it a body of any type: it is never read.
    scope.removeAllContentTypeParsers();
    scope.addContentTypeParser('*', { parseAs: 'buffer', bodyLimit: 64 * 1024 }, (_request, _body, done) => done(null, null));
    scope.all(
      '/api/forward-auth',
      check((reply, loginUrl) => reply.redirect(loginUrl, 302)),
    );
    // nginx's auth_request passes on only 2xx, 401 and 403; its configuration turns the 401
    // into a redirect to the Location given here, since nginx cannot encode the address itself.
    scope.all(
      '/api/forward-auth/nginx',
      check((reply, loginUrl) => text(reply.header('location', loginUrl), 401, 'Sign in to Hearth ID first.')),
    );
  });

  const returnQuery = z.object({ rd: z.string().max(4000, 'must be at most 4000 characters') });
  app.get('/api/forward-auth/return-url', async (request) => {
    const { rd } = parseInput(returnQuery, request.query);
    return { url: await allowedReturnUrl(db, appUrl, rd) };
  });
}

const idParams = z.object({ id: z.string().min(1).max(128) });
const ruleFields = z.object({
  host: z.string().trim().min(1, 'is required').max(300, 'must be at most 300 characters'),
  pathPrefix: z.string().max(500, 'must be at most 500 characters').nullable().optional(),
  allowedGroupIds: z.array(z.string().max(128)).max(1000, 'must name at most 1000 groups'),
});

/** /api/admin/forward-auth: which signed-in people reverse proxies let through to which hosts. */
export async function registerForwardAuthAdminRoutes(app: FastifyInstance, ctx: AppContext): Promise<void> {
  const { db } = ctx.database;

  app.get('/forward-auth', async () => ({ rules: await listForwardAuthRules(db) }));

  app.post('/forward-auth', async (request, reply) => {
    const rule = await createForwardAuthRule(db, parseInput(ruleFields, request.body));
    await recordAudit(db, auditFrom(request, { event: 'admin_change', data: { action: 'forward_auth.create', target: rule.id, host: rule.host } }));
    return reply.code(201).send({ rule });
  });

  app.get('/forward-auth/:id', async (request) => {
    const { id } = parseInput(idParams, request.params);
    return { rule: await requireForwardAuthRule(db, id) };
  });

  app.patch('/forward-auth/:id', async (request) => {
    const { id } = parseInput(idParams, request.params);
    const input = parseInput(ruleFields.partial(), request.body);
    const rule = await updateForwardAuthRule(db, id, input);
    await recordAudit(
      db,
      auditFrom(request, { event: 'admin_change', data: { action: 'forward_auth.update', target: id, host: rule.host, fields: Object.keys(input) } }),
    );
    return { rule };
  });

  app.delete('/forward-auth/:id', async (request, reply) => {
    const { id } = parseInput(idParams, request.params);
    await deleteForwardAuthRule(db, id);
    await recordAudit(db, auditFrom(request, { event: 'admin_change', data: { action: 'forward_auth.delete', target: id } }));
    return noContent(reply);
  });
}
