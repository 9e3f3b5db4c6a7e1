// A small metrics registry and the Prometheus text exposition format (version 0.0.4):
// counters, gauges and histograms with fixed buckets, with or without labels. Both servers
// need only this much, and a few dozen lines cost less than a dependency on their hot path.

const METRIC_NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;

export interface MetricOptions {
  name: string;
  help: string;
  labelNames?: readonly string[];
}

export interface CollectedMetricOptions<M> extends MetricOptions {
  /** Called at each scrape, before the metric is written: for values read from elsewhere. */
  collect?: (metric: M) => void | Promise<void>;
}

export interface HistogramOptions extends MetricOptions {
  /** Upper bounds, ascending; the +Inf bucket is added. */
  buckets: readonly number[];
}

/** Seconds from a millisecond to ten: what a web request takes, from a cached answer to a slow database. */
export const DEFAULT_LATENCY_BUCKETS: readonly number[] = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

/** A number as the format writes it: Go's ParseFloat reads all of these. */
export function formatValue(value: number): string {
  if (Number.isNaN(value)) return 'NaN';
  if (value === Infinity) return '+Inf';
  if (value === -Infinity) return '-Inf';
  return String(value);
}

export function escapeLabelValue(value: string): string {
  return value.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');
}

function escapeHelp(help: string): string {
  return help.replace(/\\/g, '\\\\').replace(/\n/g, '\\n');
}

/** `{a="x",b="y"}` for these names and values, or '' when there are none. */
function labelText(names: readonly string[], values: readonly string[], extra = ''): string {
  const parts = names.map((name, index) => `${name}="${escapeLabelValue(values[index] ?? '')}"`);
  if (extra) parts.push(extra);
  return parts.length === 0 ? '' : `{${parts.join(',')}}`;
}

abstract class Metric<Child> {
  readonly name: string;
  readonly help: string;
  readonly labelNames: readonly string[];
  /** Children by their label values (JSON of the list: no two lists share a key), in creation order. */
  protected readonly children = new Map<string, { values: readonly string[]; child: Child }>();

  constructor(options: MetricOptions, reserved: readonly string[] = []) {
    if (!METRIC_NAME.test(options.name)) throw new Error(`invalid metric name "${options.name}"`);
    const labelNames = options.labelNames ?? [];
    for (const label of labelNames) {
      if (!LABEL_NAME.test(label) || label.startsWith('__') || reserved.includes(label)) {
        throw new Error(`invalid label name "${label}" for metric ${options.name}`);
      }
    }
    if (new Set(labelNames).size !== labelNames.length) throw new Error(`repeated label name in metric ${options.name}`);
    this.name = options.name;
    this.help = options.help;
    this.labelNames = labelNames;
  }

  abstract readonly type: 'counter' | 'gauge' | 'histogram';
  protected abstract newChild(): Child;
  protected abstract samples(labels: readonly string[], child: Child, lines: string[]): void;

  /**
   * The series for these label values, one per label name, created on first use. Keep what it
   * returns where a request would otherwise look it up again.
   */
  labels(...values: string[]): Child {
    if (values.length !== this.labelNames.length) {
      throw new Error(`metric ${this.name} takes ${this.labelNames.length} label values (${this.labelNames.join(', ')}), got ${values.length}`);
    }
    const key = JSON.stringify(values);
    let entry = this.children.get(key);
    if (!entry) {
      entry = { values, child: this.newChild() };
      this.children.set(key, entry);
    }
    return entry.child;
  }

  /** Forgets every series: for label sets that come and go between scrapes. */
  reset(): void {
    this.children.clear();
    this.single = undefined;
  }

  private single: Child | undefined;

  /** The series without labels; a metric without labels always has it, at 0 until changed. */
  protected unlabelled(): Child {
    if (this.labelNames.length > 0) throw new Error(`metric ${this.name} has labels (${this.labelNames.join(', ')}); use labels(...)`);
    return (this.single ??= this.labels());
  }

  write(lines: string[]): void {
    lines.push(`# HELP ${this.name} ${escapeHelp(this.help)}`, `# TYPE ${this.name} ${this.type}`);
    if (this.labelNames.length === 0) this.unlabelled();
    for (const { values, child } of this.children.values()) this.samples(values, child, lines);
  }
}

export class CounterChild {
  value = 0;
  inc(amount = 1): void {
    if (!(amount >= 0)) throw new Error('a counter only goes up');
    this.value += amount;
  }
}

export class Counter extends Metric<CounterChild> {
  readonly type = 'counter';
  protected newChild(): CounterChild {
    return new CounterChild();
  }
  inc(amount = 1): void {
    this.unlabelled().inc(amount);
  }
  /** Sets the total from a count kept elsewhere (a process's CPU time), at scrape time. */
  setTotal(value: number, ...labelValues: string[]): void {
    this.labels(...labelValues).value = value;
  }
  protected samples(labels: readonly string[], child: CounterChild, lines: string[]): void {
    lines.push(`${this.name}${labelText(this.labelNames, labels)} ${formatValue(child.value)}`);
  }
}

export class GaugeChild {
  value = 0;
  set(value: number): void {
    this.value = value;
  }
  inc(amount = 1): void {
    this.value += amount;
  }
  dec(amount = 1): void {
    this.value -= amount;
  }
}

export class Gauge extends Metric<GaugeChild> {
  readonly type = 'gauge';
  protected newChild(): GaugeChild {
    return new GaugeChild();
  }
  set(value: number): void {
    this.unlabelled().set(value);
  }
  inc(amount = 1): void {
    this.unlabelled().inc(amount);
  }
  dec(amount = 1): void {
    this.unlabelled().dec(amount);
  }
  protected samples(labels: readonly string[], child: GaugeChild, lines: string[]): void {
    lines.push(`${this.name}${labelText(this.labelNames, labels)} ${formatValue(child.value)}`);
  }
}

export class HistogramChild {
  /** Observations per bucket, not cumulative; the last is above the highest bound. */
  readonly counts: number[];
  sum = 0;
  count = 0;
  constructor(private readonly bounds: readonly number[]) {
    this.counts = new Array<number>(bounds.length + 1).fill(0);
  }
  observe(value: number): void {
    let index = 0;
    while (index < this.bounds.length && value > (this.bounds[index] as number)) index += 1;
    this.counts[index] = (this.counts[index] as number) + 1;
    this.sum += value;
    this.count += 1;
  }
}

export class Histogram extends Metric<HistogramChild> {
  readonly type = 'histogram';
  readonly buckets: readonly number[];
  private readonly bucketLabels: string[];

  constructor(options: HistogramOptions) {
    super(options, ['le']);
    const buckets = [...options.buckets];
    if (buckets.length === 0) throw new Error(`histogram ${options.name} needs at least one bucket`);
    buckets.forEach((bound, index) => {
      if (!Number.isFinite(bound) || (index > 0 && bound <= (buckets[index - 1] as number))) {
        throw new Error(`histogram ${options.name}: buckets must be finite numbers in increasing order`);
      }
    });
    this.buckets = buckets;
    this.bucketLabels = [...buckets.map((bound) => `le="${formatValue(bound)}"`), 'le="+Inf"'];
  }
  protected newChild(): HistogramChild {
    return new HistogramChild(this.buckets);
  }
  observe(value: number): void {
    this.unlabelled().observe(value);
  }
  protected samples(labels: readonly string[], child: HistogramChild, lines: string[]): void {
    let cumulative = 0;
    child.counts.forEach((count, index) => {
      cumulative += count;
      lines.push(`${this.name}_bucket${labelText(this.labelNames, labels, this.bucketLabels[index])} ${cumulative}`);
    });
    const plain = labelText(this.labelNames, labels);
    lines.push(`${this.name}_sum${plain} ${formatValue(child.sum)}`, `${this.name}_count${plain} ${child.count}`);
  }
}

type AnyMetric = Counter | Gauge | Histogram;

export interface RegistryOptions {
  /** Told when a collect callback fails; that metric is left out of the scrape, the rest is served. */
  onCollectError?: (metric: string, error: unknown) => void;
}

/** The content type of the text format, for the Content-Type header of a scrape. */
export const METRICS_CONTENT_TYPE = 'text/plain; version=0.0.4; charset=utf-8';

export class MetricsRegistry {
  private readonly metrics = new Map<string, { metric: AnyMetric; collect?: (metric: never) => void | Promise<void> }>();

  constructor(private readonly options: RegistryOptions = {}) {}

  private add<M extends AnyMetric>(metric: M, collect?: (metric: M) => void | Promise<void>): M {
    if (this.metrics.has(metric.name)) throw new Error(`metric ${metric.name} is already registered`);
    this.metrics.set(metric.name, { metric, collect: collect as ((metric: never) => void | Promise<void>) | undefined });
    return metric;
  }

  counter(options: CollectedMetricOptions<Counter>): Counter {
    return this.add(new Counter(options), options.collect);
  }

  gauge(options: CollectedMetricOptions<Gauge>): Gauge {
    return this.add(new Gauge(options), options.collect);
  }

  histogram(options: HistogramOptions): Histogram {
    return this.add(new Histogram(options));
  }

  /** Runs the collect callbacks (together) and writes every metric in the text format. */
  async render(): Promise<string> {
    const entries = [...this.metrics.values()];
    const collected = await Promise.all(
      entries.map(async ({ metric, collect }) => {
        if (!collect) return true;
        try {
          await (collect as (metric: AnyMetric) => void | Promise<void>)(metric);
          return true;
        } catch (error) {
          this.options.onCollectError?.(metric.name, error);
          return false;
        }
      }),
    );
    const lines: string[] = [];
    entries.forEach(({ metric }, index) => {
      if (collected[index]) metric.write(lines);
    });
    return `${lines.join('\n')}\n`;
  }
}
