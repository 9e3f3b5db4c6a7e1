// A server for the benchmark, in its own process so load and server do not share a core's
// event loop: `node serve.mjs <hearth-id|dashboard|baseline> <dir>`. Prints its URL.
import { createServer } from 'node:http';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

const [kind, dir] = process.argv.slice(2);

if (kind === 'hearth-id') {
  const { loadConfig } = await import('../apps/id/dist/config/config.js');
  const { startIdServer } = await import('../apps/id/dist/boot.js');
  const { default: pino } = await import('pino');
  const config = loadConfig({
    ENCRYPTION_KEY: 'bench-encryption-key-0123456789abcdef',
    DB_CONNECTION_STRING: join(dir, 'hearth-id.db'),
    PORT: '0',
    HOST: '127.0.0.1',
  });
  const server = await startIdServer(config, pino({ level: 'silent' }));
  console.log(`http://127.0.0.1:${server.app.server.address().port}`);
} else if (kind === 'dashboard') {
  // BENCH_DASHBOARD_DIST: another compiled dashboard (an older version, to compare in one run).
  const dist = process.env.BENCH_DASHBOARD_DIST ? pathToFileURL(join(process.env.BENCH_DASHBOARD_DIST, 'index.js')).href : '../apps/dashboard/dist/index.js';
  const { startDashboard } = await import(dist);
  const { default: pino } = await import('pino');
  const running = await startDashboard({ userDataDir: dir, logger: pino({ level: 'silent' }) });
  console.log(running.url);
} else if (kind === 'issuer') {
  // A minimal OpenID provider for the protected rows: discovery, an RS256 key set, and
  // /bench/id-token?claims=<JSON>, which signs an ID token with those claims (an hour long).
  const { createSign, generateKeyPairSync } = await import('node:crypto');
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const kid = 'bench-key';
  const jwks = JSON.stringify({ keys: [{ ...publicKey.export({ format: 'jwk' }), kid, alg: 'RS256', use: 'sig' }] });
  const b64 = (value) => Buffer.from(JSON.stringify(value)).toString('base64url');
  let issuer = '';
  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', issuer);
    const json = (body) => res.writeHead(200, { 'content-type': 'application/json' }).end(body);
    if (url.pathname === '/.well-known/openid-configuration') {
      return json(JSON.stringify({ issuer, jwks_uri: `${issuer}/jwks`, id_token_signing_alg_values_supported: ['RS256'] }));
    }
    if (url.pathname === '/jwks') return json(jwks);
    if (url.pathname === '/bench/id-token') {
      const now = Math.floor(Date.now() / 1000);
      const claims = { iss: issuer, iat: now, exp: now + 3600, ...JSON.parse(url.searchParams.get('claims') ?? '{}') };
      const input = `${b64({ alg: 'RS256', typ: 'JWT', kid })}.${b64(claims)}`;
      return res.writeHead(200, { 'content-type': 'text/plain' }).end(`${input}.${createSign('RSA-SHA256').update(input).sign(privateKey, 'base64url')}`);
    }
    res.writeHead(404).end();
  });
  server.listen(0, '127.0.0.1', () => {
    issuer = `http://127.0.0.1:${server.address().port}`;
    console.log(issuer);
  });
} else {
  // The floor: Node's bare HTTP server answering fixed bytes, what no framework can beat.
  const body = Buffer.from(process.argv[4] ?? 'ok');
  const type = process.argv[5] ?? 'text/plain';
  const server = createServer((_req, res) => {
    res.writeHead(200, { 'content-type': type, 'content-length': body.length });
    res.end(body);
  });
  server.listen(0, '127.0.0.1', () => console.log(`http://127.0.0.1:${server.address().port}`));
}
writeFileSync(join(dir, `${kind}.pid`), String(process.pid));
