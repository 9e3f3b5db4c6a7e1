// node:https is loaded by the first https URL a status check (or icon, or widget) asks for,
// not at start: the first check of an https service still works, and still checks its certificate.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkUrl } from '../src/status-check/check.js';

describe('a status check of an https URL', () => {
  const dir = mkdtempSync(join(tmpdir(), 'hearth-https-'));
  let server: Server;
  let url: string;
  beforeAll(async () => {
    execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-subj', '/CN=localhost', '-days', '1', '-keyout', join(dir, 'key.pem'), '-out', join(dir, 'cert.pem')], { stdio: 'ignore' });
    server = createServer({ key: readFileSync(join(dir, 'key.pem')), cert: readFileSync(join(dir, 'cert.pem')) }, (_request, response) => response.end('ok'));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `https://127.0.0.1:${(server.address() as AddressInfo).port}/`;
  });
  afterAll(async () => {
    await new Promise((resolve) => server.close(resolve));
    rmSync(dir, { recursive: true, force: true });
  });

  const options = { timeoutMs: 5000, maxRedirects: 3, acceptCodes: [], headers: {}, allowOffOriginRedirects: false };

  it('reaches the service when its self-signed certificate is allowed', async () => {
    expect(await checkUrl(url, { ...options, allowInsecure: true })).toMatchObject({ successStatus: true, statusCode: 200 });
  });

  it('refuses the self-signed certificate otherwise', async () => {
    expect(await checkUrl(url, { ...options, allowInsecure: false })).toMatchObject({ successStatus: false, statusCode: null });
  });
});
