// Small HTTP servers on 127.0.0.1 that stand in for the hosts icons come from (a CDN, a
// service with a favicon, an image host), and the bytes they serve.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { expect } from 'vitest';

export const PNG = Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), Buffer.alloc(32, 7)]);
export const ICO = Buffer.concat([Buffer.from([0, 0, 1, 0, 1, 0]), Buffer.alloc(32, 3)]);
export const SVG = '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 24 24"><script>alert(1)</script><path d="M0 0h24v24H0z"/></svg>';

export interface StandIn {
  base: string;
  hits: Map<string, number>;
  close(): Promise<void>;
}

export type Handler = (res: http.ServerResponse) => void;

/** `port` 0 picks a free one; a given port brings a closed host back. */
export async function standIn(routes: Record<string, Handler>, port = 0): Promise<StandIn> {
  const hits = new Map<string, number>();
  const server = http.createServer((req, res) => {
    const path = new URL(req.url ?? '/', 'http://stand-in').pathname;
    hits.set(path, (hits.get(path) ?? 0) + 1);
    const handler = routes[path];
    if (handler) handler(res);
    else res.writeHead(404, { 'content-type': 'text/plain' }).end('not found');
  });
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  return {
    base: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    hits,
    close: async () => {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}

/** The base URL of a port nobody listens on (it was free a moment ago). */
export async function closedBase(): Promise<string> {
  const closed = await standIn({});
  await closed.close();
  return closed.base;
}

export const send = (type: string, body: string | Buffer): Handler => (res) => res.writeHead(200, { 'content-type': type }).end(body);

/** A request with the path exactly as written: fetch() would resolve the dot segments first. */
export function rawGet(base: string, path: string): Promise<{ status: number; body: string }> {
  const { hostname, port } = new URL(base);
  return new Promise((resolve, reject) => {
    http.get({ hostname, port, path }, (res) => {
      let body = '';
      res.on('data', (chunk: Buffer) => (body += chunk.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    }).on('error', reject);
  });
}

/** A JSON error with the status and reason expected. */
export async function expectError(response: Response, status: number, reason: RegExp | string): Promise<void> {
  expect(response.status).toBe(status);
  const body = (await response.json()) as { error: string; reason: string };
  expect(typeof body.error).toBe('string');
  if (typeof reason === 'string') expect(body.reason).toBe(reason);
  else expect(body.reason).toMatch(reason);
}

/**
 * An image answer served from `origin` (the X-Hearth-Icon header), with the reason earlier
 * steps were passed over; resolves to the body as text.
 */
export async function expectServed(response: Response, origin: string, reason?: RegExp | string): Promise<string> {
  expect(response.status).toBe(200);
  expect(response.headers.get('x-hearth-icon')).toBe(origin);
  expect(response.headers.get('content-type')).toMatch(/^image\//);
  const given = response.headers.get('x-hearth-icon-reason');
  if (typeof reason === 'string') expect(given).toBe(reason);
  else if (reason) expect(given).toMatch(reason);
  return response.text();
}
