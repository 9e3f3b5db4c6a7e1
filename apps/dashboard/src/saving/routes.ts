// POST /config-manager/save: who may save, the built-in users' hashes put back, then one
// call into the saver.
import { readFile } from 'node:fs/promises';
import type { FastifyInstance, FastifyReply, FastifyRequest, HookHandlerDoneFunction, preHandlerAsyncHookHandler } from 'fastify';
import type { JWTPayload } from 'jose';
import { z } from 'zod';
import { groupsFromClaims, rolesFromClaims } from '../auth/claims.js';
import { unauthorized } from '../auth/hook.js';
import type { RequestAuth } from '../auth/hook.js';
import { AuthSettingsError, authSettingsChanged, loadAuthSettings } from '../auth/settings.js';
import type { AuthSettings, OidcSettings } from '../auth/settings.js';
import { locateProblems, restoreUserHashes } from '../auth/user-hashes.js';
import type { RestoreResult } from '../auth/user-hashes.js';
import { isLocalYamlPath } from '../config/page-path.js';
import { resolveInside } from '../config/resolve-inside.js';
import { parseConfigText } from '../config/parse.js';
import { errorName } from '../config/routes.js';
import { ROOT_CONFIG_FILE } from '../config/store.js';
import type { ConfigStore } from '../config/store.js';
import type { ConfigSaver } from './save.js';

export interface SaveRouteDeps {
  store: ConfigStore;
  saver: ConfigSaver;
  auth: AuthSettings | null;
  authenticate: preHandlerAsyncHookHandler;
  /** Told the status of every save's answer (metrics); absent when metrics are off. */
  onSaveAnswered?: (statusCode: number) => void;
}

const saveBody = z.object({ config: z.string(), filename: z.string().optional() });

export function registerSaveRoute(app: FastifyInstance, { store, saver, auth, authenticate, onSaveAnswered }: SaveRouteDeps): void {
  // On the answer rather than in the handler: a body over the limit is refused before it runs.
  const onResponse = onSaveAnswered && ((_request: FastifyRequest, reply: FastifyReply, done: HookHandlerDoneFunction) => {
    onSaveAnswered(reply.statusCode);
    done();
  });
  app.post(
    '/config-manager/save',
    // JSON escaping can double the size of the YAML inside it; the saver enforces the real limit.
    { preHandler: authenticate, bodyLimit: saver.maxBytes * 2 + 4096, ...(onResponse && { onResponse }) },
    async (request, reply) => {
      if (auth && !request.auth) return unauthorized(reply, 'sign-in required');
      if (auth && !request.auth?.isAdmin) {
        const reason = notAdminReason(auth, request.auth);
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
      const fileName = body.data.filename ?? ROOT_CONFIG_FILE;
      const prepared = await withUserHashes(saver.userDataDir, fileName, body.data.config);
      if (!prepared.ok) return reply.code(400).send({ error: 'bad request', reason: 'invalid configuration', errors: prepared.errors });
      const result = await saver.save(prepared.text, fileName);
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
 * The text to write: hashes the admin saw as placeholders put back from the file on disk,
 * and, for conf.yml, built-in users the server can use (a bad entry would stop the next start).
 */
async function withUserHashes(userDataDir: string, fileName: string, text: string): Promise<RestoreResult> {
  if (!isLocalYamlPath(fileName)) return { ok: true, text };
  const path = await resolveInside(userDataDir, fileName);
  const onDisk = path === null ? null : await readFile(path, 'utf8').catch(() => null);
  const restored = restoreUserHashes(text, onDisk);
  if (!restored.ok || fileName !== ROOT_CONFIG_FILE || !/\busers\s*:/.test(restored.text)) return restored;
  const parsed = parseConfigText(restored.text);
  if (!parsed.ok) return restored;
  try {
    loadAuthSettings(parsed.config);
  } catch (error) {
    if (error instanceof AuthSettingsError) return { ok: false, errors: locateProblems(restored.text, error.problems) };
    throw error;
  }
  return restored;
}

/** Why a signed-in user is not an admin, in terms they can check in conf.yml or their token. */
export function notAdminReason(auth: AuthSettings, requester: RequestAuth | null): string {
  if (requester?.method === 'users' || !auth.oidc) {
    return `only admins can save the configuration: "${requester?.user ?? ''}" is a normal user (type: admin in appConfig.auth.users makes an admin)`;
  }
  return oidcNotAdminReason(auth.oidc, requester?.claims ?? {});
}

/**
 * The most common cause is an adminGroup set to a group's display name instead of its
 * friendly name (the claim's value).
 */
export function oidcNotAdminReason(settings: OidcSettings, claims: JWTPayload): string {
  const wanted = [
    settings.adminGroup && `the group "${settings.adminGroup}"`,
    settings.adminRole && `the role "${settings.adminRole}"`,
  ].filter(Boolean);
  if (wanted.length === 0) return 'only admins can save the configuration, and no adminGroup or adminRole is configured';
  const groups = groupsFromClaims(claims);
  const roles = rolesFromClaims(claims, settings.clientId);
  // A missing claim usually means the sign-in did not ask for its scope.
  const describe = (name: string, held: string[] | null, scope: string) => (held === null ? `no ${name} claim (is "${scope}" in the scope?)` : `${name} ${JSON.stringify(held)}`);
  const seen = [describe('groups', groups, 'groups'), ...(settings.adminRole ? [describe('roles', roles, 'roles')] : [])].join(' and ');
  return `only admins can save the configuration: admins need ${wanted.join(' or ')} in their token, which has ${seen}`;
}
