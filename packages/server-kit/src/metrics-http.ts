// What both servers measure the same way, and where Prometheus reads it: requests by route
// (a Fastify hook), the process and its event loop, and a listener of its own for GET
// /metrics, apart from the public port so that the numbers never reach the internet by
// accident.
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import type { FastifyInstance, FastifyReply, FastifyRequest, HookHandlerDoneFunction } from 'fastify';
import { DEFAULT_LATENCY_BUCKETS, METRICS_CONTENT_TYPE } from './metrics.js';
import type { CounterChild, HistogramChild, MetricsRegistry } from './metrics.js';

export interface MetricsAddress {
  port: number;
  host: string;
}

export interface MetricsListener {
  /** `http://host:port/metrics` as it listens. */
  url: string;
  close(): Promise<void>;
}

/**
 * Serves GET (and HEAD) /metrics on its own address; every other path is a 404. Nothing of the
 * app's edge runs here: it is meant for a scraper on a private network, not for browsers.
 */
export async function startMetricsListener(
  registry: MetricsRegistry,
  { port, host }: MetricsAddress,
  onError: (error: unknown) => void = () => {},
): Promise<MetricsListener> {
  const server = createServer((req, res) => {
    const path = (req.url ?? '').split('?')[0];
    if (path !== '/metrics') {
      res.writeHead(404, { 'content-type': 'text/plain; charset=utf-8' }).end('not found: metrics are at /metrics\n');
      return;
    }
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, { allow: 'GET, HEAD', 'content-type': 'text/plain; charset=utf-8' }).end('only GET reads the metrics\n');
      return;
    }
    registry.render().then(
      (text) => res.writeHead(200, { 'content-type': METRICS_CONTENT_TYPE, 'cache-control': 'no-store' }).end(text),
      (error: unknown) => {
        onError(error);
        res.writeHead(500, { 'content-type': 'text/plain; charset=utf-8' }).end('cannot collect the metrics; see the server log\n');
      },
    );
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', (error: NodeJS.ErrnoException) => {
      const reason = error.code === 'EADDRINUSE' ? 'the address is in use' : error.code === 'EADDRNOTAVAIL' ? 'no such address on this machine' : (error.code ?? error.message);
      reject(new Error(`cannot serve metrics on ${host}:${port} (${reason}); check METRICS_HOST and METRICS_PORT`));
    });
    server.listen(port, host, () => resolve());
  });
  const address = server.address() as AddressInfo;
  const shownHost = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  return {
    url: `http://${shownHost}:${address.port}/metrics`,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        // A scraper keeps its connection open between scrapes.
        server.closeAllConnections();
      }),
  };
}

/**
 * An app's metrics listener: the registry served on its own address, and the process metrics
 * (whose timers `stopProcessMetrics` ends) stopped when it closes, or when it cannot listen.
 */
export async function serveAppMetrics(
  registry: MetricsRegistry,
  address: MetricsAddress,
  stopProcessMetrics: () => void,
  onError: (error: unknown) => void,
): Promise<MetricsListener> {
  let listener: MetricsListener;
  try {
    listener = await startMetricsListener(registry, address, onError);
  } catch (error) {
    stopProcessMetrics();
    throw error;
  }
  return {
    url: listener.url,
    async close() {
      stopProcessMetrics();
      await listener.close();
    },
  };
}

/**
 * Memory, CPU time and event-loop delay of this process, read at scrape time. The event-loop
 * figures cover the time since the previous scrape. Returns a function that stops sampling.
 */
export function registerProcessMetrics(registry: MetricsRegistry): () => void {
  registry.gauge({
    name: 'process_resident_memory_bytes',
    help: 'Resident memory size in bytes.',
    collect: (gauge) => gauge.set(process.memoryUsage.rss()),
  });
  const heap = registry.gauge({ name: 'nodejs_heap_size_total_bytes', help: 'V8 heap size in bytes.' });
  registry.gauge({
    name: 'nodejs_heap_size_used_bytes',
    help: 'V8 heap in use, in bytes.',
    collect: (gauge) => {
      const usage = process.memoryUsage();
      gauge.set(usage.heapUsed);
      heap.set(usage.heapTotal);
    },
  });
  registry.counter({
    name: 'process_cpu_seconds_total',
    help: 'User and system CPU time spent, in seconds.',
    collect: (counter) => {
      const { user, system } = process.cpuUsage();
      counter.setTotal((user + system) / 1e6);
    },
  });
  const startTime = Math.round(Date.now() / 1000 - process.uptime());
  registry.gauge({ name: 'process_start_time_seconds', help: 'Start time of the process since the Unix epoch, in seconds.' }).set(startTime);

  const delay = monitorEventLoopDelay({ resolution: 10 });
  delay.enable();
  const lag = {
    mean: registry.gauge({ name: 'nodejs_eventloop_lag_mean_seconds', help: 'Mean event-loop delay since the previous scrape, in seconds.' }),
    p50: registry.gauge({ name: 'nodejs_eventloop_lag_p50_seconds', help: 'Median event-loop delay since the previous scrape, in seconds.' }),
    p99: registry.gauge({ name: 'nodejs_eventloop_lag_p99_seconds', help: '99th percentile of the event-loop delay since the previous scrape, in seconds.' }),
  };
  registry.gauge({
    name: 'nodejs_eventloop_lag_max_seconds',
    help: 'Longest event-loop delay since the previous scrape, in seconds.',
    collect: (max) => {
      const sampled = delay.count > 0;
      lag.mean.set(sampled ? delay.mean / 1e9 : 0);
      lag.p50.set(sampled ? delay.percentile(50) / 1e9 : 0);
      lag.p99.set(sampled ? delay.percentile(99) / 1e9 : 0);
      max.set(sampled ? delay.max / 1e9 : 0);
      delay.reset();
    },
  });
  return () => delay.disable();
}

/** Records one answered request; for answers written before Fastify routes them. */
export interface RequestMetrics {
  observe(method: string, route: string, statusCode: number, seconds: number): void;
}

const STATUS_CLASSES = ['1xx', '2xx', '3xx', '4xx', '5xx'] as const;
/** The route label of requests that matched no route (404s): raw URLs would make a series each. */
export const UNMATCHED_ROUTE = 'unmatched';

interface Series {
  requests: CounterChild;
  duration: HistogramChild;
}

/**
 * Counts requests and their durations by method, route pattern and status class, under
 * `<prefix>_http_requests_total` and `<prefix>_http_request_duration_seconds`. The series of
 * each (method, route, class) is looked up in nested maps, so a request allocates nothing.
 */
export function requestMetrics(registry: MetricsRegistry, prefix: string): RequestMetrics {
  const labelNames = ['method', 'route', 'status'];
  const requests = registry.counter({ name: `${prefix}_http_requests_total`, help: 'HTTP requests answered, by method, route pattern and status class.', labelNames });
  const duration = registry.histogram({
    name: `${prefix}_http_request_duration_seconds`,
    help: 'Time from the request to its answer, in seconds, by method, route pattern and status class.',
    labelNames,
    buckets: DEFAULT_LATENCY_BUCKETS,
  });
  const byMethod = new Map<string, Map<string, (Series | undefined)[]>>();
  return {
    observe(method, route, statusCode, seconds) {
      let byRoute = byMethod.get(method);
      if (!byRoute) byMethod.set(method, (byRoute = new Map()));
      let byClass = byRoute.get(route);
      if (!byClass) byRoute.set(route, (byClass = []));
      const index = Math.min(Math.max(Math.floor(statusCode / 100), 1), 5) - 1;
      let series = byClass[index];
      if (!series) {
        const status = STATUS_CLASSES[index] as string;
        series = byClass[index] = { requests: requests.labels(method, route, status), duration: duration.labels(method, route, status) };
      }
      series.requests.inc();
      series.duration.observe(seconds);
    },
  };
}

/**
 * Adds an onResponse hook that records every request Fastify answers, labelled by its route
 * pattern (`/api/users/:id`), never its URL. Install it before the routes.
 */
export function countFastifyRequests(app: FastifyInstance, metrics: RequestMetrics): void {
  app.addHook('onResponse', (request: FastifyRequest, reply: FastifyReply, done: HookHandlerDoneFunction) => {
    metrics.observe(request.method, request.routeOptions.url ?? UNMATCHED_ROUTE, reply.statusCode, reply.elapsedTime / 1000);
    done();
  });
}
