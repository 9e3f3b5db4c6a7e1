// POST /config-manager/save: who may save, then one call into the saver.
import type { FastifyInstance, preHandlerAsyncHookHandler } from 'fastify';
import { z } from 'zod';
import { unauthorized } from '../auth/hook.js';
import { authSettingsChanged } from '../auth/settings.js';
import type { AuthSettings } from '../auth/settings.js';
import { errorName } from '../config/routes.js';
import { groupsFromClaims, rolesFromClaims } from '../auth/claims.js';
import type { OidcSettings } from '../auth/settings.js';
import type { JWTPayload } from 'jose';
import { ROOT_CONFIG_FILE } from '../config/store.js';
import type { ConfigStore } from '../config/store.js';
import type { ConfigSaver } from './save.js';

export interface SaveRouteDeps {
  store: ConfigStore;
  saver: ConfigSaver;
  auth: AuthSettings | null;
  authenticate: preHandlerAsyncHookHandler;
}

const saveBody = z.object({ config: z.string(), filename: z.string().optional() });

export function registerSaveRoute(app: FastifyInstance, { store, saver, auth, authenticate }: SaveRouteDeps): void {
  app.post(
    '/config-manager/save',
    // JSON escaping can double the size of the YAML inside it; the saver enforces the real limit.
    { preHandler: authenticate, bodyLimit: saver.maxBytes * 2 + 4096 },
    async (request, reply) => {
      if (auth && !request.auth) return unauthorized(reply, 'sign-in required');
      if (auth && !request.auth?.isAdmin) {
        const reason = notAdminReason(auth.oidc, request.auth?.claims ?? {});
        request.log.warn({ user: request.auth?.user }, `save refused: ${reason}`);
        return reply.code(403).send({ error: 'forbidden', reason });
      }
      if ((await store.root()).config.appConfig?.disableConfiguration) {
        return reply.code(403).send({ error: 'forbidden', reason: 'saving is turned off (appConfig.disableConfiguration)' });
      }
      const body = saveBody.safeParse(request.body);
      if (!body.success) {
        return reply.code(400).send({ error: 'bad request', reason: 'expected a JSON body {"config": "<yaml>", "filename": "conf.yml"}' });
      }
      const result = await saver.save(body.data.config, body.data.filename ?? ROOT_CONFIG_FILE);
      if (!result.ok) {
        if (result.status === 500) request.log.error(`save failed: ${result.reason}`);
        return reply.code(result.status).send({ error: errorName(result.status), reason: result.reason, ...(result.errors ? { errors: result.errors } : {}) });
      }
      store.changed();
      request.log.info({ user: request.auth?.user, file: result.fileName, backup: result.backup }, 'configuration saved');
      return reply.send({
        success: true,
        message: `${result.fileName} saved`,
        file: result.fileName,
        backup: result.backup,
        // Auth settings are read at start only; say so instead of silently ignoring them.
        restartRequired: result.fileName === ROOT_CONFIG_FILE && authSettingsChanged(auth, result.config),
      });
    },
  );
}

/**
 * Why a signed-in user is not an admin, in terms they can check: the most common cause is an
 * adminGroup set to a group's display name instead of its friendly name (the claim's value).
 */
export function notAdminReason(settings: OidcSettings, claims: JWTPayload): string {
  const wanted = [
    settings.adminGroup && `the group "${settings.adminGroup}"`,
    settings.adminRole && `the role "${settings.adminRole}"`,
  ].filter(Boolean);
  if (wanted.length === 0) return 'only admins can save the configuration, and no adminGroup or adminRole is configured';
  const groups = groupsFromClaims(claims);
  const roles = rolesFromClaims(claims, settings.clientId);
  const seen = [`groups ${JSON.stringify(groups)}`, ...(settings.adminRole ? [`roles ${JSON.stringify(roles)}`] : [])].join(' and ');
  return `only admins can save the configuration: admins need ${wanted.join(' or ')} in their token, which has ${seen}`;
}
