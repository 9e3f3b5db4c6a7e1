// GET /conf.yml and GET /<page>.yml|.yaml: parse the request, ask views.ts what this
// requester receives, send it.
import type { FastifyInstance, FastifyReply, FastifyRequest, preHandlerAsyncHookHandler } from 'fastify';
import type { AuthSettings } from '../auth/settings.js';
import { dashboardJsonSchema } from './json-schema.js';
import { isPlainYamlFileName } from './page-path.js';
import type { ConfigStore } from './store.js';
import { configView } from './views.js';
import type { Requester } from './views.js';

export interface ConfigRouteDeps {
  store: ConfigStore;
  auth: AuthSettings | null;
  authenticate: preHandlerAsyncHookHandler;
}

export function requesterOf(request: FastifyRequest): Requester {
  return request.auth ? { kind: 'user', identity: request.auth.identity } : { kind: 'signed-out' };
}

export function registerConfigRoutes(app: FastifyInstance, { store, auth, authenticate }: ConfigRouteDeps): void {
  // Set before authentication runs, so that a 401 is not cached either.
  const noSharedCaching = async (_request: FastifyRequest, reply: FastifyReply) => {
    if (auth) reply.header('cache-control', 'private, no-store').header('vary', 'Authorization');
    else reply.header('cache-control', 'no-cache');
  };

  // Public: it describes the format, not anyone's dashboard.
  const jsonSchema = dashboardJsonSchema();
  app.get('/conf.schema.json', async () => jsonSchema);

  app.get<{ Params: { file: string } }>(
    '/:file(^[^/]+\\.ya?ml$)',
    { onRequest: noSharedCaching, preHandler: authenticate },
    async (request, reply) => {
      const fileName = request.params.file;
      if (!isPlainYamlFileName(fileName)) {
        return reply.code(404).send({ error: 'not found', reason: 'no such configuration file' });
      }
      let file;
      try {
        file = await store.file(fileName);
      } catch (error) {
        request.log.error(`cannot serve ${fileName}: ${(error as Error).message}`);
        return reply.code(500).send({ error: 'internal error', reason: `${fileName} is not a valid configuration file (details in the server log)` });
      }
      const view = configView({ fileName, file, root: await store.root(), auth, requester: requesterOf(request) });
      if (view.kind === 'denied') {
        return reply.code(view.status).send({ error: errorName(view.status), reason: view.reason });
      }
      return reply.header('content-type', 'application/yaml; charset=utf-8').header('x-hearth-config-view', view.kind).send(view.body);
    },
  );
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
