import type { FastifyInstance } from 'fastify';
import type Provider from 'oidc-provider';
import pino from 'pino';
import type { Config } from './config/config.js';
import { deriveKeys } from './crypto/crypto.js';
import { openDatabase } from './db/database.js';
import { checkEncryptionKey, loadSigningKeys } from './keys/signing-keys.js';
import type { AppContext } from './app-context.js';
import { startMaintenance } from './maintenance.js';
import { flushAudit } from './audit/audit.js';

export interface RunningIdServer {
  app: FastifyInstance;
  provider: Provider;
  ctx: AppContext;
  close(): Promise<void>;
}

export function createLogger(config: Pick<Config, 'logLevel'>): pino.Logger {
  return pino({ level: config.logLevel, base: { app: 'hearth-id' } });
}

/** Opens the database, checks ENCRYPTION_KEY, loads signing keys and starts listening. */
export async function startIdServer(config: Config, logger = createLogger(config)): Promise<RunningIdServer> {
  // The HTTP side (Fastify, oidc-provider, the routes) is most of the start: it loads while
  // the database opens and a first start makes its signing key on the thread pool.
  const serverModule = import('./http/server.js');
  serverModule.catch(() => {}); // awaited below; this only keeps an early failure from being "unhandled"
  // A bad PROVISIONING_FILE stops the start before the database is even opened.
  const provision = config.provisioning && (await (await import('./provisioning/at-boot.js')).prepareBootProvisioning(config.provisioning));
  const database = await openDatabase(config);
  try {
    const keys = deriveKeys(config.encryptionKey);
    await checkEncryptionKey(database, keys.dataKey);
    if (provision) await provision(database, logger);
    const jwks = await loadSigningKeys(database, keys.dataKey);
    // Loaded only when METRICS_PORT asks for it: with metrics off not even their code is in memory.
    const metrics = config.metrics && (await import('./metrics/id-metrics.js')).createIdMetrics(database, logger);
    const ctx: AppContext = { config, database, keys, logger, metrics };
    const { createIdServer } = await serverModule;
    const { app, provider } = await createIdServer(ctx, jwks);
    // Its own address first: a port already taken stops the start before the app listens.
    const metricsListener = metrics && config.metrics ? await metrics.listen(config.metrics) : null;
    try {
      await app.listen({ port: config.port, host: config.host });
    } catch (error) {
      await metricsListener?.close();
      throw error;
    }
    const maintenance = startMaintenance(ctx);
    return {
      app,
      provider,
      ctx,
      async close() {
        maintenance.stop();
        await metricsListener?.close();
        await app.close();
        await flushAudit(database.db);
        await database.close();
      },
    };
  } catch (error) {
    await database.close().catch(() => {});
    throw error;
  }
}
