// Answers some requests before Fastify routes them: a handler in front of Fastify's own
// listener on the HTTP server, which passes on everything it does not answer, and everything
// once the app is closing. Both apps use it for answers already known (Hearth ID's discovery
// and JWKS, the dashboard's cached conf.yml views), whose routing cost as much as the bytes.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { FastifyInstance } from 'fastify';

/** Answers the request and says so, or returns false (having written nothing) to leave it to Fastify. */
export type AnswerAhead = (req: IncomingMessage, res: ServerResponse) => boolean;

export function answerAheadOfFastify(app: FastifyInstance, tryAnswer: AnswerAhead): void {
  const server = app.server;
  const [fastifyHandler, ...others] = server.listeners('request') as ((req: IncomingMessage, res: ServerResponse) => void)[];
  if (!fastifyHandler || others.length > 0) return; // not the server this was written for: Fastify serves everything
  let closing = false;
  app.addHook('onClose', (_instance, done) => {
    closing = true;
    done();
  });
  server.removeListener('request', fastifyHandler);
  server.on('request', (req: IncomingMessage, res: ServerResponse) => {
    if (closing || !tryAnswer(req, res)) fastifyHandler.call(server, req, res);
  });
}
