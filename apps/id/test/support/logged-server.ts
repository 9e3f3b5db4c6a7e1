import { Writable } from 'node:stream';
import pino from 'pino';
import { loadConfig } from '../../src/config/config.js';
import { startIdServer } from '../../src/boot.js';
import { TEST_ENCRYPTION_KEY, createTestDatabase, freePort, type TestDbProvider, type TestServer } from './server.js';

export interface LoggedServer extends TestServer {
  /** Every line the server has logged so far, as written (JSON). */
  logText(): string;
  /** The parsed log lines. */
  logLines(): Array<Record<string, unknown>>;
}

/**
 * A test server like startTestServer, whose pino output (level info) is kept in memory
 * so that tests can read exactly what an operator's log would hold.
 */
export async function startLoggedServer(options: { provider?: TestDbProvider; env?: Record<string, string> } = {}): Promise<LoggedServer> {
  const port = await freePort();
  const database = await createTestDatabase(options.provider ?? 'sqlite');
  const env = {
    APP_URL: `http://localhost:${port}`,
    ENCRYPTION_KEY: TEST_ENCRYPTION_KEY,
    PORT: String(port),
    HOST: '127.0.0.1',
    LOG_LEVEL: 'info',
    ...database.env,
    ...options.env,
  };
  const config = loadConfig(env);
  const chunks: string[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      chunks.push(chunk.toString());
      done();
    },
  });
  const running = await startIdServer(config, pino({ level: 'info', base: { app: 'hearth-id' } }, sink));
  const logText = () => chunks.join('');
  return {
    ...running,
    url: config.appUrl,
    config,
    env,
    logText,
    logLines: () =>
      logText()
        .split('\n')
        .filter((line) => line.trim() !== '')
        .map((line) => JSON.parse(line) as Record<string, unknown>),
    async stop() {
      await running.close();
      await database.drop();
    },
  };
}
