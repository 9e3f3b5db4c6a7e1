// GET /conf.yml and GET /<page>.yml|.yaml (also in sub-folders: /sub/page.yml): parse the
// request, ask views.ts what this requester receives, send it as YAML or, when asked for, as
// JSON.
import type { FastifyInstance, FastifyReply, FastifyRequest, HookHandlerDoneFunction, preHandlerAsyncHookHandler } from 'fastify';
import type { RequestAuth } from '../auth/hook.js';
import type { AuthSettings } from '../auth/settings.js';
import { viewerInfo } from '../auth/viewer.js';
import { configJsonView, prefersJson } from './json-view.js';
import { dashboardJsonSchema } from './json-schema.js';
import { isLocalYamlPath, MAX_PAGE_FOLDERS } from './page-path.js';
import { ROOT_CONFIG_FILE } from './store.js';
import type { ConfigStore } from './store.js';
import { configView } from './views.js';
import type { Requester, ViewInput } from './views.js';

export interface ConfigRouteDeps {
  store: ConfigStore;
  auth: AuthSettings | null;
  authenticate: preHandlerAsyncHookHandler;
}

export function requesterOf(request: { auth: RequestAuth | null }): Requester {
  return request.auth ? { kind: 'user', identity: request.auth.identity } : { kind: 'signed-out' };
}

export const YAML_CONTENT_TYPE = 'application/yaml; charset=utf-8';
export const JSON_CONTENT_TYPE = 'application/json; charset=utf-8';

/** Cache-Control and Vary of every answer for a `.yml` file. */
export function configCaching(auth: AuthSettings | null): { cacheControl: string; vary: string } {
  return {
    // The answer depends on who asks (token or session cookie) and on the format asked for.
    vary: auth ? ['Authorization', ...(auth.method === 'users' ? ['Cookie'] : []), 'Accept'].join(', ') : 'Accept',
    // Set before authentication runs, so that a 401 is not cached either.
    cacheControl: auth ? 'private, no-store' : 'no-cache',
  };
}

/** `/:d0/:d1/:file`: the folders and the file name of a page in a sub-folder. */
function fileNameOf(params: Record<string, string>, folders: number): string {
  if (folders === 0) return params.file ?? ROOT_CONFIG_FILE;
  return [...Array.from({ length: folders }, (_, index) => params[`d${index}`] ?? ''), params.file ?? ''].join('/');
}

export function registerConfigRoutes(app: FastifyInstance, { store, auth, authenticate }: ConfigRouteDeps): void {
  const { cacheControl, vary } = configCaching(auth);
  const noSharedCaching = (_request: FastifyRequest, reply: FastifyReply, done: HookHandlerDoneFunction) => {
    reply.header('cache-control', cacheControl).header('vary', vary);
    done();
  };

  // Public: it describes the format, not anyone's dashboard.
  const jsonSchema = dashboardJsonSchema();
  app.get('/conf.schema.json', async () => jsonSchema);

  const serve = (folders: number) => async (request: FastifyRequest<{ Params: Record<string, string> }>, reply: FastifyReply) => {
    // Parameters arrive decoded: `%2e%2e` is `..` here, and refused with everything else
    // that could leave the folder or reach a hidden one (.backups).
    const fileName = fileNameOf(request.params, folders);
    const isRoot = fileName === ROOT_CONFIG_FILE;
    if (!isRoot && !isLocalYamlPath(fileName)) {
      return reply.code(404).send({ error: 'not found', reason: 'no such configuration file' });
    }
    const root = await store.root();
    let file;
    try {
      file = isRoot ? root : await store.file(fileName);
    } catch (error) {
      request.log.error(`cannot serve ${fileName}: ${(error as Error).message}`);
      return reply.code(500).send({ error: 'internal error', reason: `${fileName} is not a valid configuration file (details in the server log)` });
    }
    const input: ViewInput = { fileName, file, root, auth, requester: requesterOf(request) };
    const json = prefersJson(request.headers.accept);
    const view = json ? configJsonView(input, viewerInfo(request.auth, auth)) : configView(input);
    if (view.kind === 'denied') {
      return reply.code(view.status).send({ error: errorName(view.status), reason: view.reason });
    }
    reply.header('x-hearth-config-view', view.kind).header('etag', view.etag);
    // The same requester asking again for the same version of the file: nothing to send.
    if (etagMatches(request.headers['if-none-match'], view.etag)) return reply.code(304).send();
    return reply.header('content-type', json ? JSON_CONTENT_TYPE : YAML_CONTENT_TYPE).send(view.body);
  };

  const options = { onRequest: noSharedCaching, preHandler: authenticate };
  // The most requested path of all, also as a static route: found without a pattern.
  app.get<{ Params: Record<string, string> }>(`/${ROOT_CONFIG_FILE}`, options, serve(0));
  for (let folders = 0; folders <= MAX_PAGE_FOLDERS; folders += 1) {
    const prefix = Array.from({ length: folders }, (_, index) => `/:d${index}`).join('');
    app.get<{ Params: Record<string, string> }>(`${prefix}/:file(^[^/]+\\.ya?ml$)`, options, serve(folders));
  }
}

/** If-None-Match: `*` or a list of tags, weak ones (W/) compared weakly as RFC 9110 asks. */
export function etagMatches(header: string | undefined, etag: string): boolean {
  if (header === undefined) return false;
  if (header.trim() === '*') return true;
  return header.split(',').some((candidate) => candidate.trim().replace(/^W\//, '') === etag);
}

export function errorName(status: number): string {
  switch (status) {
    case 400: return 'bad request';
    case 401: return 'unauthorized';
    case 403: return 'forbidden';
    case 404: return 'not found';
    case 413: return 'payload too large';
    case 415: return 'unsupported media type';
    case 503: return 'service unavailable';
    default: return status >= 500 ? 'internal error' : 'bad request';
  }
}
