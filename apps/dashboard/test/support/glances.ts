// A stand-in Glances (v4 REST API) on 127.0.0.1, answering with JSON shaped like a real
// Glances 4 on a small 4-core Linux box. Extra paths misbehave on purpose:
//   /locked/api/...  needs basic auth glances:s3cret-glances
//   /slow/...        answers after 3 s;  /broken/... invalid JSON;  /html/... an HTML page
//   /huge/...        3 MB of JSON;       /moved/... a redirect;     /fail/... HTTP 500
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { GLANCES_SAMPLE } from '../../web/src/components/widgets/glances-sample.js';

export const GLANCES_USER = 'glances';
export const GLANCES_PASSWORD = 's3cret-glances';

export const GLANCES_DATA = GLANCES_SAMPLE;

export interface StandInGlances {
  base: string;
  /** Headers of every request received, oldest first. */
  seen: Array<{ path: string; headers: http.IncomingHttpHeaders }>;
  close(): Promise<void>;
}

export async function startStandInGlances(): Promise<StandInGlances> {
  const seen: StandInGlances['seen'] = [];
  const json = (res: http.ServerResponse, body: unknown) => res.writeHead(200, { 'content-type': 'application/json; charset=utf-8' }).end(JSON.stringify(body));
  const server = http.createServer((req, res) => {
    const path = new URL(req.url ?? '/', 'http://glances').pathname;
    seen.push({ path, headers: req.headers });
    const [, first = '', ...rest] = path.split('/');
    const tail = `/${rest.join('/')}`;
    switch (first) {
      case 'locked': {
        const expected = `Basic ${Buffer.from(`${GLANCES_USER}:${GLANCES_PASSWORD}`).toString('base64')}`;
        if (req.headers.authorization !== expected) {
          res.writeHead(401, { 'www-authenticate': 'Basic realm="glances"' }).end();
          return;
        }
        return answer(tail);
      }
      case 'slow': setTimeout(() => answer(tail), 3_000); return;
      case 'broken': res.writeHead(200, { 'content-type': 'application/json' }).end('{"total": 23.4,'); return;
      case 'html': res.writeHead(200, { 'content-type': 'text/html' }).end('<!doctype html><title>Login</title>'); return;
      case 'huge': json(res, { blob: 'x'.repeat(3 * 1024 * 1024) }); return;
      case 'moved': res.writeHead(302, { location: '/api/4/cpu' }).end(); return;
      case 'fail': res.writeHead(500, { 'content-type': 'application/json' }).end('{"error":"boom"}'); return;
      default: answer(path);
    }

    function answer(apiPath: string) {
      const match = /^\/api\/4\/(.+)$/.exec(apiPath);
      const data = match ? GLANCES_DATA[match[1] ?? ''] : undefined;
      if (data === undefined) res.writeHead(404, { 'content-type': 'application/json' }).end('{"detail":"Unknown plugin"}');
      else json(res, data);
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    base: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    seen,
    close: async () => {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}
