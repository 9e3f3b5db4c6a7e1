// Serves the browser app when it has been built, and otherwise a page that says how to build
// it. Hashed files under /assets/ never change, so browsers keep them for a year; index.html
// is checked on every load so a new version shows at once. Text files go out as the .br or
// .gz copies the build wrote beside them, whichever the browser accepts. Unknown paths that a
// browser navigates to get the app's index.html (it routes on the client); anything else
// gets a JSON 404.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { staticFiles } from '@hearth/server-kit';

export const BUILD_COMMAND = 'npm run build --workspace apps/dashboard';

function notBuiltPage(webRoot: string): string {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Hearth Dashboard</title></head>
<body><h1>Hearth Dashboard</h1>
<p>The server is running, but the web app is not built: ${escapeHtml(join(webRoot, 'index.html'))} is missing.</p>
<p>From the repository, run <code>${BUILD_COMMAND}</code> (or <code>npm start</code>, which builds everything) and restart the server.</p>
<p>The configuration is at <a href="/conf.yml">/conf.yml</a>.</p></body></html>
`;
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (character) => `&#${character.charCodeAt(0)};`);
}

function wantsPage(request: FastifyRequest): boolean {
  return (request.method === 'GET' || request.method === 'HEAD') && (request.headers.accept ?? '').includes('text/html');
}

const IMMUTABLE = 'public, max-age=31536000, immutable';

export async function registerWebApp(app: FastifyInstance, webRoot: string): Promise<void> {
  const built = existsSync(join(webRoot, 'index.html'));
  const sendFile = staticFiles({ root: webRoot, cacheControl: (path) => (path.startsWith('assets/') ? IMMUTABLE : 'no-cache') });

  const notFound = async (request: FastifyRequest, reply: FastifyReply) => {
    if (built && wantsPage(request) && !/\.ya?ml$/.test(request.url.split('?')[0] ?? '')) {
      const sent = await sendFile(request, reply, 'index.html');
      if (sent !== null) return sent;
    }
    return reply.code(404).send({ error: 'not found', reason: `no route for ${request.method} ${request.url.split('?')[0]}` });
  };

  if (built) {
    app.get('/', async (request, reply) => (await sendFile(request, reply, 'index.html')) ?? notFound(request, reply));
    app.get<{ Params: { '*': string } }>('/*', async (request, reply) => (await sendFile(request, reply, request.params['*'])) ?? notFound(request, reply));
  } else {
    const page = notBuiltPage(webRoot);
    app.get('/', async (_request, reply) => reply.type('text/html; charset=utf-8').header('cache-control', 'no-cache').send(page));
  }
  app.setNotFoundHandler(notFound);
}
