// A strict reader of the Prometheus text format (0.0.4), as the servers write it: every family
// has HELP and TYPE before its samples, samples of a family stay together, no series repeats,
// and histograms are whole (ascending `le` ending in +Inf, cumulative counts, _count equal to
// the +Inf bucket, a _sum). The tests read scrapes with it; anything it refuses is a bug.

export interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

export interface MetricFamily {
  name: string;
  help: string;
  type: 'counter' | 'gauge' | 'histogram';
  samples: Sample[];
}

const NAME = '[a-zA-Z_:][a-zA-Z0-9_:]*';
const LABEL = '[a-zA-Z_][a-zA-Z0-9_]*';
const VALUE = /^(?:NaN|[+-]Inf|[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?)$/;

function fail(lineNumber: number, message: string): never {
  throw new Error(`metrics text, line ${lineNumber}: ${message}`);
}

function parseValue(text: string, lineNumber: number): number {
  if (!VALUE.test(text)) fail(lineNumber, `"${text}" is not a number`);
  if (text === 'NaN') return Number.NaN;
  if (text.endsWith('Inf')) return text.startsWith('-') ? -Infinity : Infinity;
  return Number(text);
}

/** Reads `{a="x",b="y"}` from the start of text; returns the labels and what follows. */
function parseLabels(text: string, lineNumber: number): { labels: Record<string, string>; rest: string } {
  const labels: Record<string, string> = {};
  let index = 1;
  const nameAt = new RegExp(`^(${LABEL})="`);
  while (text[index] !== '}') {
    const match = nameAt.exec(text.slice(index));
    if (!match) fail(lineNumber, 'malformed label');
    const name = match[1] as string;
    if (name in labels) fail(lineNumber, `label ${name} repeated`);
    index += match[0].length;
    let value = '';
    for (;;) {
      const char = text[index];
      if (char === undefined) fail(lineNumber, 'unterminated label value');
      index += 1;
      if (char === '"') break;
      if (char === '\n') fail(lineNumber, 'raw newline in a label value');
      if (char !== '\\') {
        value += char;
        continue;
      }
      const escaped = text[index];
      index += 1;
      if (escaped === '\\') value += '\\';
      else if (escaped === '"') value += '"';
      else if (escaped === 'n') value += '\n';
      else fail(lineNumber, `invalid escape \\${escaped ?? ''} in a label value`);
    }
    labels[name] = value;
    if (text[index] === ',') index += 1;
    else if (text[index] !== '}') fail(lineNumber, 'expected , or } after a label');
  }
  return { labels, rest: text.slice(index + 1) };
}

function seriesKey(name: string, labels: Record<string, string>, without?: string): string {
  return JSON.stringify([name, Object.entries(labels).filter(([label]) => label !== without).sort(([a], [b]) => (a < b ? -1 : 1))]);
}

function checkHistogram(family: MetricFamily): void {
  const groups = new Map<string, { buckets: Sample[]; sum?: Sample; count?: Sample }>();
  for (const sample of family.samples) {
    const key = seriesKey(family.name, sample.labels, 'le');
    let group = groups.get(key);
    if (!group) groups.set(key, (group = { buckets: [] }));
    if (sample.name === `${family.name}_bucket`) group.buckets.push(sample);
    else if (sample.name === `${family.name}_sum`) group.sum = sample;
    else group.count = sample;
  }
  for (const [key, { buckets, sum, count }] of groups) {
    const where = `histogram ${family.name} ${key}`;
    if (buckets.length === 0 || sum === undefined || count === undefined) throw new Error(`${where}: needs buckets, _sum and _count`);
    let previousBound = -Infinity;
    let previousCount = 0;
    for (const bucket of buckets) {
      const le = bucket.labels.le;
      if (le === undefined) throw new Error(`${where}: a bucket without le`);
      const bound = parseValue(le, 0);
      if (!(bound > previousBound)) throw new Error(`${where}: le not increasing at ${le}`);
      if (bucket.value < previousCount || !Number.isInteger(bucket.value)) throw new Error(`${where}: bucket counts not cumulative at le=${le}`);
      previousBound = bound;
      previousCount = bucket.value;
    }
    if (buckets.at(-1)?.labels.le !== '+Inf') throw new Error(`${where}: the last bucket must be le="+Inf"`);
    if (count.value !== previousCount) throw new Error(`${where}: _count ${count.value} differs from the +Inf bucket ${previousCount}`);
  }
}

/** Parses a scrape; throws an Error naming the line at fault when anything is off. */
export function parseMetricsText(text: string): Map<string, MetricFamily> {
  if (text !== '' && !text.endsWith('\n')) throw new Error('metrics text must end with a newline');
  const families = new Map<string, MetricFamily>();
  const pending = new Map<string, { help?: string; type?: MetricFamily['type'] }>();
  const seen = new Set<string>();
  let current: MetricFamily | null = null;
  const familyOf = (name: string): string => {
    for (const suffix of ['_bucket', '_sum', '_count']) {
      const base = name.slice(0, -suffix.length);
      if (name.endsWith(suffix) && pending.get(base)?.type === 'histogram') return base;
    }
    return name;
  };
  const lines = text.split('\n');
  lines.pop();
  lines.forEach((line, index) => {
    const lineNumber = index + 1;
    const comment = new RegExp(`^# (HELP|TYPE) (${NAME}) (.*)$`).exec(line);
    if (comment) {
      const [, kind, name, rest] = comment as unknown as [string, 'HELP' | 'TYPE', string, string];
      if (families.has(name)) fail(lineNumber, `${kind} for ${name} after its samples`);
      const entry = pending.get(name) ?? {};
      if (kind === 'HELP') {
        if (entry.help !== undefined) fail(lineNumber, `second HELP for ${name}`);
        if (!/^(?:[^\\]|\\[\\n])*$/.test(rest)) fail(lineNumber, 'invalid escape in HELP');
        entry.help = rest.replace(/\\(\\|n)/g, (_match, char: string) => (char === 'n' ? '\n' : '\\'));
      } else {
        if (entry.type !== undefined) fail(lineNumber, `second TYPE for ${name}`);
        if (rest !== 'counter' && rest !== 'gauge' && rest !== 'histogram') fail(lineNumber, `unexpected type "${rest}"`);
        entry.type = rest;
      }
      pending.set(name, entry);
      return;
    }
    if (line.startsWith('#') || line.trim() === '') fail(lineNumber, 'unexpected comment or blank line');
    const nameMatch = new RegExp(`^(${NAME})`).exec(line);
    if (!nameMatch) fail(lineNumber, 'a sample must start with a metric name');
    const name = nameMatch[1] as string;
    let rest = line.slice(name.length);
    let labels: Record<string, string> = {};
    if (rest.startsWith('{')) ({ labels, rest } = parseLabels(rest, lineNumber));
    const parts = rest.split(' ');
    if (parts[0] !== '' || parts.length < 2 || parts.length > 3) fail(lineNumber, 'expected one space, a value and an optional timestamp');
    const value = parseValue(parts[1] as string, lineNumber);
    if (parts[2] !== undefined && !/^-?\d+$/.test(parts[2])) fail(lineNumber, 'the timestamp must be whole milliseconds');

    const familyName = familyOf(name);
    if (!current || familyName !== current.name) {
      if (families.has(familyName)) fail(lineNumber, `samples of ${familyName} are not together`);
      const declared = pending.get(familyName);
      if (declared?.help === undefined || declared.type === undefined) fail(lineNumber, `${familyName} has no HELP and TYPE before its samples`);
      if (declared.type === 'histogram' && name === familyName) fail(lineNumber, `histogram ${familyName} has a sample without _bucket, _sum or _count`);
      current = { name: familyName, help: declared.help, type: declared.type, samples: [] };
      families.set(familyName, current);
    }
    const isBucket = current.type === 'histogram' && name === `${current.name}_bucket`;
    if (isBucket !== 'le' in labels) fail(lineNumber, 'le belongs to histogram buckets only, and every bucket has one');
    if (current.type === 'counter' && !(value >= 0)) fail(lineNumber, `counter ${name} is ${value}`);
    const key = seriesKey(name, labels);
    if (seen.has(key)) fail(lineNumber, `series ${name} ${JSON.stringify(labels)} repeated`);
    seen.add(key);
    current.samples.push({ name, labels, value });
  });
  for (const name of pending.keys()) {
    if (!families.has(name)) families.set(name, { name, help: pending.get(name)?.help ?? '', type: pending.get(name)?.type ?? 'gauge', samples: [] });
  }
  for (const family of families.values()) if (family.type === 'histogram') checkHistogram(family);
  return families;
}

/** The value of one series, matched by name and exactly these labels; undefined when absent. */
export function sampleValue(families: Map<string, MetricFamily>, name: string, labels: Record<string, string> = {}): number | undefined {
  const key = seriesKey(name, labels);
  for (const family of families.values()) {
    for (const sample of family.samples) if (seriesKey(sample.name, sample.labels) === key) return sample.value;
  }
  return undefined;
}
