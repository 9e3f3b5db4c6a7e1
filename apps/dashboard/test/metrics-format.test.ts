// The metrics registry of @hearth/server-kit, its text format (Prometheus 0.0.4), the strict
// reader the integration tests use, and the listener that serves /metrics.
import Fastify from 'fastify';
import { describe, expect, it } from 'vitest';
import {
  countFastifyRequests,
  MetricsRegistry,
  METRICS_CONTENT_TYPE,
  parseMetricsText,
  requestMetrics,
  sampleValue,
  startMetricsListener,
  UNMATCHED_ROUTE,
} from '@hearth/server-kit';

describe('metrics text format', () => {
  it('writes HELP and TYPE, then the samples, for counters, gauges and histograms', async () => {
    const registry = new MetricsRegistry();
    registry.counter({ name: 'jobs_total', help: 'Jobs done.' }).inc(3);
    const byKind = registry.gauge({ name: 'queue_length', help: 'Items waiting.', labelNames: ['kind'] });
    byKind.labels('mail').set(2);
    byKind.labels('sms').set(0.5);
    const latency = registry.histogram({ name: 'latency_seconds', help: 'Latency.', buckets: [0.1, 1] });
    latency.observe(0.1);
    latency.observe(0.5);
    latency.observe(7);
    expect(await registry.render()).toBe(
      [
        '# HELP jobs_total Jobs done.',
        '# TYPE jobs_total counter',
        'jobs_total 3',
        '# HELP queue_length Items waiting.',
        '# TYPE queue_length gauge',
        'queue_length{kind="mail"} 2',
        'queue_length{kind="sms"} 0.5',
        '# HELP latency_seconds Latency.',
        '# TYPE latency_seconds histogram',
        'latency_seconds_bucket{le="0.1"} 1',
        'latency_seconds_bucket{le="1"} 2',
        'latency_seconds_bucket{le="+Inf"} 3',
        'latency_seconds_sum 7.6',
        'latency_seconds_count 3',
        '',
      ].join('\n'),
    );
  });

  it('shows a metric without labels at 0 before anything happened, and a labelled one with no series as HELP and TYPE only', async () => {
    const registry = new MetricsRegistry();
    registry.counter({ name: 'a_total', help: 'A.' });
    registry.counter({ name: 'b_total', help: 'B.', labelNames: ['x'] });
    registry.histogram({ name: 'c_seconds', help: 'C.', buckets: [1] });
    const families = parseMetricsText(await registry.render());
    expect(sampleValue(families, 'a_total')).toBe(0);
    expect(families.get('b_total')?.samples).toEqual([]);
    expect(sampleValue(families, 'c_seconds_bucket', { le: '+Inf' })).toBe(0);
    expect(sampleValue(families, 'c_seconds_count')).toBe(0);
  });

  it('escapes label values and help text, and the reader gives back the original strings', async () => {
    const registry = new MetricsRegistry();
    const awkward = 'back\\slash "quoted"\nnew line, {braces}=';
    registry.counter({ name: 'odd_total', help: 'Help with \\ and\na second line.', labelNames: ['client', 'le_not'] }).labels(awkward, '').inc();
    const text = await registry.render();
    expect(text).toContain('# HELP odd_total Help with \\\\ and\\na second line.');
    expect(text).toContain('odd_total{client="back\\\\slash \\"quoted\\"\\nnew line, {braces}=",le_not=""} 1');
    const families = parseMetricsText(text);
    expect(families.get('odd_total')?.help).toBe('Help with \\ and\na second line.');
    expect(sampleValue(families, 'odd_total', { client: awkward, le_not: '' })).toBe(1);
  });

  it('writes NaN and infinities as the format spells them', async () => {
    const registry = new MetricsRegistry();
    const gauge = registry.gauge({ name: 'g', help: 'G.', labelNames: ['v'] });
    gauge.labels('nan').set(Number.NaN);
    gauge.labels('inf').set(Infinity);
    gauge.labels('-inf').set(-Infinity);
    const text = await registry.render();
    expect(text).toContain('g{v="nan"} NaN\ng{v="inf"} +Inf\ng{v="-inf"} -Inf\n');
    const families = parseMetricsText(text);
    expect(sampleValue(families, 'g', { v: 'nan' })).toBeNaN();
    expect(sampleValue(families, 'g', { v: '-inf' })).toBe(-Infinity);
  });

  it('puts a value equal to a bound in that bucket, and keeps label sets of a histogram apart', async () => {
    const registry = new MetricsRegistry();
    const histogram = registry.histogram({ name: 'h_seconds', help: 'H.', labelNames: ['route'], buckets: [0.005, 0.25] });
    histogram.labels('/a').observe(0.005);
    histogram.labels('/b').observe(0.3);
    const text = await registry.render();
    expect(text).toContain('h_seconds_bucket{route="/a",le="0.005"} 1\nh_seconds_bucket{route="/a",le="0.25"} 1\nh_seconds_bucket{route="/a",le="+Inf"} 1\n');
    expect(text).toContain('h_seconds_bucket{route="/b",le="0.25"} 0\nh_seconds_bucket{route="/b",le="+Inf"} 1\nh_seconds_sum{route="/b"} 0.3\nh_seconds_count{route="/b"} 1\n');
    parseMetricsText(text);
  });

  it('refuses what the format cannot carry', () => {
    const registry = new MetricsRegistry();
    expect(() => registry.counter({ name: 'bad-name', help: '' })).toThrow('invalid metric name');
    expect(() => registry.counter({ name: 'ok_total', help: '', labelNames: ['__reserved'] })).toThrow('invalid label name');
    expect(() => registry.histogram({ name: 'h', help: '', labelNames: ['le'], buckets: [1] })).toThrow('invalid label name "le"');
    expect(() => registry.histogram({ name: 'h', help: '', buckets: [1, 1] })).toThrow('increasing order');
    expect(() => registry.histogram({ name: 'h', help: '', buckets: [] })).toThrow('at least one bucket');
    const counter = registry.counter({ name: 'c_total', help: '', labelNames: ['a', 'b'] });
    expect(() => counter.labels('only one')).toThrow('takes 2 label values');
    expect(() => counter.inc()).toThrow('use labels');
    expect(() => counter.labels('x', 'y').inc(-1)).toThrow('only goes up');
    expect(() => registry.gauge({ name: 'c_total', help: '' })).toThrow('already registered');
  });

  it('runs collect callbacks at each scrape, and leaves out only a metric whose callback failed', async () => {
    const failures: string[] = [];
    const registry = new MetricsRegistry({ onCollectError: (name) => failures.push(name) });
    let reads = 0;
    registry.gauge({ name: 'reads', help: 'Reads.', collect: async (gauge) => gauge.set(++reads) });
    registry.gauge({ name: 'broken', help: 'Broken.', collect: () => Promise.reject(new Error('database down')) });
    expect(sampleValue(parseMetricsText(await registry.render()), 'reads')).toBe(1);
    const families = parseMetricsText(await registry.render());
    expect(sampleValue(families, 'reads')).toBe(2);
    expect(families.has('broken')).toBe(false);
    expect(failures).toEqual(['broken', 'broken']);
  });
});

describe('the strict reader', () => {
  const valid = '# HELP a A.\n# TYPE a counter\na 1\n';
  it.each([
    ['no final newline', valid.trimEnd(), 'end with a newline'],
    ['samples before HELP and TYPE', 'a 1\n', 'no HELP and TYPE'],
    ['an unknown escape', '# HELP a A.\n# TYPE a counter\na{x="\\t"} 1\n', 'invalid escape'],
    ['a repeated series', `${valid}a 2\n`.replace('a 1\na 2', 'a 1\na 1'), 'repeated'],
    ['families interleaved', '# HELP a A.\n# TYPE a gauge\n# HELP b B.\n# TYPE b gauge\na{x="1"} 1\nb 1\na{x="2"} 1\n', 'not together'],
    ['a negative counter', '# HELP a A.\n# TYPE a counter\na -1\n', 'counter a is -1'],
    ['a value that is no number', '# HELP a A.\n# TYPE a gauge\na one\n', 'not a number'],
    ['a histogram without +Inf', '# HELP h H.\n# TYPE h histogram\nh_bucket{le="1"} 1\nh_sum 1\nh_count 1\n', 'le="+Inf"'],
    ['buckets not cumulative', '# HELP h H.\n# TYPE h histogram\nh_bucket{le="1"} 2\nh_bucket{le="+Inf"} 1\nh_sum 1\nh_count 1\n', 'not cumulative'],
    ['_count off the +Inf bucket', '# HELP h H.\n# TYPE h histogram\nh_bucket{le="+Inf"} 2\nh_sum 1\nh_count 1\n', 'differs'],
    ['le outside a bucket', '# HELP a A.\n# TYPE a gauge\na{le="1"} 1\n', 'le belongs'],
  ])('refuses %s', (_case, text, message) => {
    expect(() => parseMetricsText(text)).toThrow(message);
  });
});

describe('request metrics', () => {
  it('label requests by route pattern and status class, never by the URL', async () => {
    const registry = new MetricsRegistry();
    const app = Fastify();
    countFastifyRequests(app, requestMetrics(registry, 'test'));
    app.get('/items/:id', async (request, reply) => reply.code((request.params as { id: string }).id === 'gone' ? 410 : 200).send('ok'));
    for (const id of ['1', '2', 'gone']) await app.inject(`/items/${id}`);
    await app.inject('/no/such/path/9f3c');
    const families = parseMetricsText(await registry.render());
    expect(sampleValue(families, 'test_http_requests_total', { method: 'GET', route: '/items/:id', status: '2xx' })).toBe(2);
    expect(sampleValue(families, 'test_http_requests_total', { method: 'GET', route: '/items/:id', status: '4xx' })).toBe(1);
    expect(sampleValue(families, 'test_http_requests_total', { method: 'GET', route: UNMATCHED_ROUTE, status: '4xx' })).toBe(1);
    expect(sampleValue(families, 'test_http_request_duration_seconds_count', { method: 'GET', route: '/items/:id', status: '2xx' })).toBe(2);
    expect(families.get('test_http_requests_total')?.samples.every((sample) => !/\d/.test(sample.labels.route ?? ''))).toBe(true);
    await app.close();
  });
});

describe('metrics listener', () => {
  it('serves GET /metrics and nothing else', async () => {
    const registry = new MetricsRegistry();
    registry.counter({ name: 'up_total', help: 'Up.' }).inc();
    const listener = await startMetricsListener(registry, { port: 0, host: '127.0.0.1' });
    try {
      const response = await fetch(listener.url);
      expect(response.status).toBe(200);
      expect(response.headers.get('content-type')).toBe(METRICS_CONTENT_TYPE);
      expect(sampleValue(parseMetricsText(await response.text()), 'up_total')).toBe(1);
      expect((await fetch(listener.url.replace('/metrics', '/'))).status).toBe(404);
      expect((await fetch(listener.url.replace('/metrics', '/metrics/x'))).status).toBe(404);
      const post = await fetch(listener.url, { method: 'POST' });
      expect(post.status).toBe(405);
      expect(post.headers.get('allow')).toBe('GET, HEAD');
    } finally {
      await listener.close();
    }
  });

  it('says which address it could not use', async () => {
    const registry = new MetricsRegistry();
    const first = await startMetricsListener(registry, { port: 0, host: '127.0.0.1' });
    const port = Number(new URL(first.url).port);
    try {
      await expect(startMetricsListener(registry, { port, host: '127.0.0.1' })).rejects.toThrow(
        `cannot serve metrics on 127.0.0.1:${port} (the address is in use); check METRICS_HOST and METRICS_PORT`,
      );
    } finally {
      await first.close();
    }
  });
});
