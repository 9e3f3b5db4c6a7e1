// The pieces of the HTTP edge that Hearth ID and the dashboard share, so that one piece of
// code serves both: the security headers worked out once, the precompressed file sender, and
// the metrics (a registry, its text format and the listener that serves it), and where an
// app's own files are wherever its code was built to.
export { packageRoot } from './package-root.js';
export { answerAheadOfFastify } from './answer-ahead.js';
export type { AnswerAhead } from './answer-ahead.js';
export { addSecurityHeaders, securityHeaders } from './security-headers.js';
export { withoutRouteSchemas } from './route-schemas.js';
export { safeFilePath, staticFiles } from './static-files.js';
export type { SendStaticFile, StaticFilesOptions } from './static-files.js';
export {
  Counter,
  CounterChild,
  DEFAULT_LATENCY_BUCKETS,
  Gauge,
  GaugeChild,
  Histogram,
  HistogramChild,
  METRICS_CONTENT_TYPE,
  MetricsRegistry,
  escapeLabelValue,
  formatValue,
} from './metrics.js';
export type { CollectedMetricOptions, HistogramOptions, MetricOptions, RegistryOptions } from './metrics.js';
export { UNMATCHED_ROUTE, countFastifyRequests, registerProcessMetrics, requestMetrics, serveAppMetrics, startMetricsListener } from './metrics-http.js';
export type { MetricsAddress, MetricsListener, RequestMetrics } from './metrics-http.js';
export { parseMetricsText, sampleValue } from './metrics-text.js';
export type { MetricFamily, Sample } from './metrics-text.js';
