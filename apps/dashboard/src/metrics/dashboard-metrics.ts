// The dashboard's metrics (docs/metrics.md): made only when METRICS_PORT is set. Routes
// report saves and status checks into it; how conf.yml views were had (from the cache or
// rendered) is read from views.ts at scrape time, so serving a view counts nothing extra.
import type { FastifyBaseLogger } from 'fastify';
import { MetricsRegistry, registerProcessMetrics, requestMetrics, serveAppMetrics } from '@hearth/server-kit';
import type { CounterChild, MetricsAddress, MetricsListener, RequestMetrics } from '@hearth/server-kit';
import { viewBodies } from '../config/views.js';

export type SaveResult = 'saved' | 'invalid' | 'refused' | 'failed';
export type StatusCheckResult = 'up' | 'down' | 'refused' | 'invalid';

export interface DashboardMetrics {
  requests: RequestMetrics;
  /** A `GET /conf.yml` answered from memory ahead of the router (config/cached-answers.ts). */
  answeredAhead(method: string, route: string, statusCode: number, seconds: number): void;
  /** A save answered with this status. */
  save(statusCode: number): void;
  statusCheck(result: StatusCheckResult): void;
  /** Serves /metrics on its own address until the returned listener is closed. */
  listen(address: MetricsAddress): Promise<MetricsListener>;
}

/** What a save's answer says happened: written, refused for its content, refused for its sender, or broken. */
export function saveResult(statusCode: number): SaveResult {
  if (statusCode < 300) return 'saved';
  if (statusCode === 401 || statusCode === 403) return 'refused';
  if (statusCode < 500) return 'invalid';
  return 'failed';
}

function seriesByResult<R extends string>(results: readonly R[], labels: (result: R) => CounterChild): Record<R, CounterChild> {
  return Object.fromEntries(results.map((result) => [result, labels(result)])) as Record<R, CounterChild>;
}

export function createDashboardMetrics(logger: FastifyBaseLogger): DashboardMetrics {
  const registry = new MetricsRegistry({ onCollectError: (metric, err) => logger.warn({ err, metric }, 'cannot collect a metric') });
  const requests = requestMetrics(registry, 'hearth_dashboard');

  const saves = registry.counter({ name: 'hearth_dashboard_saves_total', help: 'Configuration saves by result (saved, invalid, refused, failed).', labelNames: ['result'] });
  const saveSeries = seriesByResult(['saved', 'invalid', 'refused', 'failed'] as const, (result) => saves.labels(result));
  const checks = registry.counter({ name: 'hearth_dashboard_status_checks_total', help: 'Status checks by result (up, down, refused, invalid).', labelNames: ['result'] });
  const checkSeries = seriesByResult(['up', 'down', 'refused', 'invalid'] as const, (result) => checks.labels(result));

  // Answers given ahead of the router come from the cache by definition.
  let answeredAhead = 0;
  registry.counter({
    name: 'hearth_dashboard_config_views_total',
    help: 'Configuration views (conf.yml and pages, YAML or JSON) by how their body was had: from the cache, or rendered.',
    labelNames: ['source'],
    collect: (counter) => {
      counter.setTotal(viewBodies.cached + answeredAhead, 'cache');
      counter.setTotal(viewBodies.rendered, 'rendered');
    },
  });

  const stopProcessMetrics = registerProcessMetrics(registry);

  return {
    requests,
    answeredAhead(method, route, statusCode, seconds) {
      answeredAhead += 1;
      requests.observe(method, route, statusCode, seconds);
    },
    save(statusCode) {
      saveSeries[saveResult(statusCode)].inc();
    },
    statusCheck(result) {
      checkSeries[result].inc();
    },
    listen(address) {
      return serveAppMetrics(registry, address, stopProcessMetrics, (err) => logger.error({ err }, 'cannot serve the metrics'));
    },
  };
}
