// A server for the benchmark, in its own process so load and server do not share a core's
// event loop: `node serve.mjs <hearth-id|dashboard|baseline> <dir>`. Prints its URL.
import { createServer } from 'node:http';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';

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
  const { startDashboard } = await import('../apps/dashboard/dist/index.js');
  const { default: pino } = await import('pino');
  const running = await startDashboard({ userDataDir: dir, logger: pino({ level: 'silent' }) });
  console.log(running.url);
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
