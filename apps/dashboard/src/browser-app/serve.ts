// Serves the browser app when it has been built, and otherwise a page that says so. Unknown
// paths that a browser navigates to get the app's index.html (it routes on the client);
// anything else gets a JSON 404.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import fastifyStatic from '@fastify/static';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';

const NOT_BUILT_PAGE = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Hearth Dashboard</title></head>
<body><h1>Hearth Dashboard</h1>
<p>The server is running, but the web app is not built. Run <code>npm run build</code> and restart.</p>
<p>The configuration is at <a href="/conf.yml">/conf.yml</a>.</p></body></html>
`;

function wantsPage(request: FastifyRequest): boolean {
  return (request.method === 'GET' || request.method === 'HEAD') && (request.headers.accept ?? '').includes('text/html');
}

export async function registerWebApp(app: FastifyInstance, webRoot: string): Promise<void> {
  const built = existsSync(join(webRoot, 'index.html'));
  if (built) {
    await app.register(fastifyStatic, { root: webRoot, index: ['index.html'] });
  } else {
    app.get('/', async (_request, reply) => reply.type('text/html; charset=utf-8').send(NOT_BUILT_PAGE));
  }
  app.setNotFoundHandler((request: FastifyRequest, reply: FastifyReply) => {
    if (built && wantsPage(request) && !/\.ya?ml$/.test(request.url.split('?')[0] ?? '')) {
      return reply.sendFile('index.html');
    }
    return reply.code(404).send({ error: 'not found', reason: `no route for ${request.method} ${request.url.split('?')[0]}` });
  });
}
