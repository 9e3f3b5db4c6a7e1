import type { FastifyBaseLogger } from 'fastify';
import type { Config } from './config/config.js';
import type { DerivedKeys } from './crypto/crypto.js';
import type { Database } from './db/database.js';
import type { IdMetrics } from './metrics/id-metrics.js';

/** What the running program hands its parts (the HTTP routes, the maintenance job): the parsed config, the open database and what was derived at start. */
export interface AppContext {
  config: Config;
  database: Database;
  keys: DerivedKeys;
  /** The process's pino logger; typed as Fastify's, which the HTTP server is built on. */
  logger: FastifyBaseLogger;
  /** Present only when METRICS_PORT is set: with metrics off, nothing is counted. */
  metrics?: IdMetrics | null;
}
