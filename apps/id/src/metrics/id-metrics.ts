// Hearth ID's metrics (docs/metrics.md): made only when METRICS_PORT is set. Routes and the
// provider report into it; what the database knows (sessions, the pool) is read at scrape
// time, so nothing is counted twice and nothing runs between scrapes.
import type { FastifyBaseLogger } from 'fastify';
import type Provider from 'oidc-provider';
import type { KoaContextWithOIDC } from 'oidc-provider';
import { MetricsRegistry, registerProcessMetrics, requestMetrics, serveAppMetrics } from '@hearth/server-kit';
import type { CounterChild, MetricsAddress, MetricsListener, RequestMetrics } from '@hearth/server-kit';
import { ConfigError } from '../config/config.js';
import type { Database } from '../db/database.js';
import { countActiveSessions } from '../sessions/sessions.js';

export type SignInMethod = 'passkey' | 'login_link';
export type SignInResult = 'success' | 'failure';

export interface IdMetrics {
  requests: RequestMetrics;
  /** A sign-in finished: a passkey or a login link, accepted or refused. */
  signIn(method: SignInMethod, result: SignInResult): void;
  /** Counts the tokens the provider issues, by client and grant type. */
  watchProvider(provider: Provider): void;
  /** Serves /metrics on its own address until the returned listener is closed. */
  listen(address: MetricsAddress): Promise<MetricsListener>;
}

export function createIdMetrics(database: Pick<Database, 'db' | 'poolStats'>, logger: FastifyBaseLogger): IdMetrics {
  const registry = new MetricsRegistry({ onCollectError: (metric, err) => logger.warn({ err, metric }, 'cannot collect a metric') });
  const requests = requestMetrics(registry, 'hearth_id');

  const signIns = registry.counter({
    name: 'hearth_id_sign_ins_total',
    help: 'Sign-ins by method (passkey, login_link) and result (success, failure).',
    labelNames: ['method', 'result'],
  });
  const signInSeries = new Map<string, CounterChild>();
  for (const method of ['passkey', 'login_link'] as const) {
    for (const result of ['success', 'failure'] as const) signInSeries.set(`${method} ${result}`, signIns.labels(method, result));
  }

  const tokens = registry.counter({
    name: 'hearth_id_tokens_issued_total',
    help: 'Successful token endpoint answers (tokens issued), by client ID and grant type.',
    labelNames: ['client', 'grant_type'],
  });

  // Read before the session count below takes a connection: the pool as the app left it.
  if (database.poolStats()) {
    const pool = () => database.poolStats() ?? { total: 0, idle: 0, waiting: 0, max: 0 };
    registry.gauge({ name: 'hearth_id_db_pool_connections', help: 'PostgreSQL connections open (idle or in use).', collect: (gauge) => gauge.set(pool().total) });
    registry.gauge({ name: 'hearth_id_db_pool_idle_connections', help: 'PostgreSQL connections open and idle.', collect: (gauge) => gauge.set(pool().idle) });
    registry.gauge({ name: 'hearth_id_db_pool_waiting_queries', help: 'Queries waiting for a free PostgreSQL connection.', collect: (gauge) => gauge.set(pool().waiting) });
    registry.gauge({ name: 'hearth_id_db_pool_max_connections', help: 'Most PostgreSQL connections the pool opens.', collect: (gauge) => gauge.set(pool().max) });
  }

  registry.gauge({
    name: 'hearth_id_active_sessions',
    help: 'Sign-in sessions that have not expired.',
    collect: async (gauge) => gauge.set(await countActiveSessions(database.db)),
  });

  const stopProcessMetrics = registerProcessMetrics(registry);

  return {
    requests,
    signIn(method, result) {
      signInSeries.get(`${method} ${result}`)?.inc();
    },
    watchProvider(provider) {
      provider.on('grant.success', (koa: KoaContextWithOIDC) => {
        tokens.labels(koa.oidc.client?.clientId ?? 'unknown', String(koa.oidc.params?.grant_type ?? 'unknown')).inc();
      });
    },
    async listen(address) {
      try {
        return await serveAppMetrics(registry, address, stopProcessMetrics, (err) => logger.error({ err }, 'cannot serve the metrics'));
      } catch (error) {
        // A taken or unknown address is the operator's to fix: one line, like a bad variable.
        throw new ConfigError((error as Error).message);
      }
    },
  };
}
