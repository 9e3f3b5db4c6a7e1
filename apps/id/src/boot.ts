import type { FastifyInstance } from 'fastify';
import type Provider from 'oidc-provider';
import pino from 'pino';
import type { Config } from './config/config.js';
import { deriveKeys } from './crypto/crypto.js';
import { openDatabase } from './db/database.js';
import { checkEncryptionKey, loadSigningKeys } from './keys/signing-keys.js';
import type { AppContext } from './http/context.js';
import { createIdServer } from './http/server.js';
import { startMaintenance } from './maintenance.js';

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
  const database = await openDatabase(config);
  try {
    const keys = deriveKeys(config.encryptionKey);
    await checkEncryptionKey(database, keys.dataKey);
    const jwks = await loadSigningKeys(database, keys.dataKey);
    const ctx: AppContext = { config, database, keys, logger };
    const { app, provider } = await createIdServer(ctx, jwks);
    await app.listen({ port: config.port, host: config.host });
    const maintenance = startMaintenance(ctx);
    return {
      app,
      provider,
      ctx,
      async close() {
        maintenance.stop();
        await app.close();
        await database.close();
      },
    };
  } catch (error) {
    await database.close().catch(() => {});
    throw error;
  }
}
