// Turns Glances REST answers (API v4, and v3 where it differs) into the few numbers each
// widget shows. Glances adds and renames fields between versions, so every reader is
// defensive: a missing field gives no number, never an exception.
import { stringOption } from './options';
import type { WidgetOptions } from './options';

type Json = Record<string, unknown>;

const isObject = (value: unknown): value is Json => typeof value === 'object' && value !== null && !Array.isArray(value);
const num = (value: unknown): number | null => (typeof value === 'number' && Number.isFinite(value) ? value : null);
const list = (value: unknown): Json[] => (Array.isArray(value) ? value.filter(isObject) : []);

function expectObject(raw: unknown, what: string): Json {
  if (!isObject(raw)) throw new Error(`Glances did not answer the ${what} figures`);
  return raw;
}

/** `${hostname}/api/${apiVersion}/${path}`, with the hostname written any of the ways people do. */
export function glancesUrl(options: WidgetOptions, path: string): string {
  const hostname = stringOption(options, 'hostname');
  if (!hostname) throw new Error("You must specify a 'hostname' for Glances");
  const withScheme = /^[a-z][a-z0-9+.-]*:\/\//i.test(hostname) ? hostname : `http://${hostname}`;
  if (!URL.canParse(withScheme)) throw new Error(`'${hostname}' is not a valid Glances hostname`);
  const base = new URL(withScheme);
  const version = stringOption(options, 'apiVersion') ?? '4';
  return `${base.origin}${base.pathname.replace(/\/+$/, '')}/api/${encodeURIComponent(version)}/${path}`;
}

export function historyLimit(options: WidgetOptions, fallback: number): number {
  const limit = num(options.limit);
  return limit !== null && limit >= 1 ? Math.min(Math.round(limit), 10_000) : fallback;
}

export interface Figure {
  label: string;
  value: number;
}

function capitalize(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1).replace(/_/g, ' ');
}

const CPU_COUNTERS = new Set(['total', 'cpucore', 'time_since_update', 'interrupts', 'soft_interrupts', 'ctx_switches', 'syscalls']);

export function currentCpu(raw: unknown): { total: number; details: Figure[] } {
  const cpu = expectObject(raw, 'CPU');
  const total = num(cpu.total);
  if (total === null) throw new Error('Glances did not answer the CPU total');
  const details = Object.entries(cpu)
    .filter(([key, value]) => !CPU_COUNTERS.has(key) && num(value))
    .map(([key, value]) => ({ label: capitalize(key), value: value as number }));
  return { total, details };
}

export function currentMemory(raw: unknown): { percent: number; used: number | null; total: number | null; available: number | null } {
  const mem = expectObject(raw, 'memory');
  const percent = num(mem.percent);
  if (percent === null) throw new Error('Glances did not answer the memory percentage');
  return { percent, used: num(mem.used), total: num(mem.total), available: num(mem.available) };
}

export interface Disk {
  device: string;
  mount: string;
  fsType: string;
  percent: number;
  size: number | null;
  free: number | null;
}

export function diskSpace(raw: unknown): Disk[] {
  if (!Array.isArray(raw)) throw new Error('Glances did not answer a list of file systems');
  return list(raw).map((disk) => {
    const size = num(disk.size);
    const used = num(disk.used);
    const free = num(disk.free) ?? (size !== null && used !== null ? size - used : null);
    const percent = num(disk.percent) ?? (size && used !== null ? (used / size) * 100 : 0);
    return { device: String(disk.device_name ?? ''), mount: String(disk.mnt_point ?? ''), fsType: String(disk.fs_type ?? ''), percent, size, free };
  });
}

export function loadAverages(raw: unknown): { min1: number; min5: number; min15: number; cores: number | null } {
  const load = expectObject(raw, 'load');
  return { min1: num(load.min1) ?? 0, min5: num(load.min5) ?? 0, min15: num(load.min15) ?? 0, cores: num(load.cpucore) };
}

export interface Core {
  core: number;
  total: number;
  user: number;
  system: number;
  idle: number;
}

export function cpuCores(raw: unknown): Core[] {
  const quicklook = expectObject(raw, 'per-core CPU');
  return list(quicklook.percpu).map((cpu, index) => {
    const idle = num(cpu.idle) ?? 0;
    return { core: (num(cpu.cpu_number) ?? index) + 1, total: num(cpu.total) ?? 100 - idle, user: num(cpu.user) ?? 0, system: num(cpu.system) ?? 0, idle };
  });
}

export interface Series {
  name: string;
  points: Array<{ time: number; value: number }>;
}

/** Glances writes history times as ISO dates without a zone (v4) or as epoch numbers (v3). */
export function pointTime(value: unknown): number | null {
  if (typeof value === 'number' && Number.isFinite(value)) return value < 1e12 ? value * 1000 : value;
  if (typeof value !== 'string') return null;
  const time = Date.parse(value.replace(/(\.\d{3})\d+/, '$1'));
  return Number.isNaN(time) ? null : time;
}

function points(raw: unknown): Series['points'] {
  if (!Array.isArray(raw)) return [];
  const result: Series['points'] = [];
  for (const entry of raw) {
    if (!Array.isArray(entry)) continue;
    const time = pointTime(entry[0]);
    const value = num(entry[1]);
    if (time !== null && value !== null) result.push({ time, value });
  }
  return result;
}

/** History keys by name, e.g. `{ System: 'system', User: 'user' }` for cpu/history. */
export function historySeries(raw: unknown, names: Record<string, string>): Series[] {
  const history = expectObject(raw, 'history');
  const series = Object.entries(names).map(([name, key]) => ({ name, points: points(history[key]) }));
  if (series.every((one) => one.points.length === 0)) throw new Error('Glances has no history yet');
  return series;
}

/** network/history: every interface's `…_sent…` and `…_recv…` series, added up per second (one update). */
export function networkHistory(raw: unknown): Series[] {
  const history = expectObject(raw, 'network history');
  const sums = { Upload: new Map<number, number>(), Download: new Map<number, number>() };
  // Interfaces of one update differ by microseconds; whole seconds join them.
  for (const [key, values] of Object.entries(history)) {
    const target = key.includes('_sent') || key.endsWith('tx') ? sums.Upload : key.includes('_recv') || key.endsWith('rx') ? sums.Download : null;
    if (!target) continue;
    for (const { time, value } of points(values)) {
      const second = Math.round(time / 1000) * 1000;
      target.set(second, (target.get(second) ?? 0) + value);
    }
  }
  const series = Object.entries(sums).map(([name, bySecond]) => ({
    name,
    points: [...bySecond].sort(([a], [b]) => a - b).map(([time, value]) => ({ time, value })),
  }));
  if (series.every((one) => one.points.length === 0)) throw new Error('Glances has no network history yet');
  return series;
}

export interface Sensor {
  label: string;
  text: string;
  level: 'ok' | 'warm' | 'hot' | 'low' | 'neutral';
}

const toCelsius = (fahrenheit: number) => ((fahrenheit - 32) * 5) / 9;
const toFahrenheit = (celsius: number) => (celsius * 9) / 5 + 32;

/** Temperatures in the unit asked for (`units: C|F`, Dashy's option), fans in rpm, batteries in %. */
export function sensors(raw: unknown, units: unknown): Sensor[] {
  if (!Array.isArray(raw)) throw new Error('Glances did not answer a list of sensors');
  const wanted = units === 'F' ? 'F' : 'C';
  const result: Sensor[] = [];
  for (const sensor of list(raw)) {
    const value = num(sensor.value);
    const label = String(sensor.label ?? '');
    if (value === null) continue;
    if (sensor.unit === 'C' || sensor.unit === 'F') {
      const celsius = sensor.unit === 'C' ? value : toCelsius(value);
      const shown = wanted === 'C' ? celsius : toFahrenheit(celsius);
      result.push({ label, text: `${Math.round(shown)}°${wanted}`, level: celsius >= 75 ? 'hot' : celsius > 50 ? 'warm' : 'ok' });
    } else if (sensor.unit === 'R') {
      result.push({ label, text: `${Math.round(value)} rpm`, level: 'neutral' });
    } else if (sensor.unit === '%') {
      result.push({ label, text: `${Math.round(value)}%`, level: value < 20 ? 'low' : 'ok' });
    }
  }
  return result;
}

/** Bytes per second from a v4 `…_rate_per_sec` field, else the v3 delta over the update period. */
function rate(entry: Json, field: string): number | null {
  const perSecond = num(entry[`${field}_rate_per_sec`]);
  if (perSecond !== null) return perSecond;
  // Without a period the field may be a running total (Glances 4's first answer): no rate.
  const delta = num(entry[field]);
  const period = num(entry.time_since_update);
  return delta === null || !period || period <= 0 ? null : delta / period;
}

export function diskIo(raw: unknown): Array<{ name: string; read: number | null; write: number | null }> {
  if (!Array.isArray(raw)) throw new Error('Glances did not answer a list of disks');
  return list(raw).map((disk) => ({ name: String(disk.disk_name ?? ''), read: rate(disk, 'read_bytes'), write: rate(disk, 'write_bytes') }));
}

export interface NetworkInterface {
  name: string;
  up: boolean;
  speed: number | null;
  receiving: number | null;
  sending: number | null;
  received: number | null;
  sent: number | null;
}

export function networkInterfaces(raw: unknown): NetworkInterface[] {
  if (!Array.isArray(raw)) throw new Error('Glances did not answer a list of network interfaces');
  return list(raw).map((network) => {
    const speed = num(network.speed);
    return {
      name: String(network.interface_name ?? ''),
      up: typeof network.is_up === 'boolean' ? network.is_up : Boolean(speed),
      speed: speed || null,
      receiving: rate(network, 'bytes_recv') ?? rate(network, 'rx'),
      sending: rate(network, 'bytes_sent') ?? rate(network, 'tx'),
      received: num(network.bytes_recv_gauge) ?? num(network.cumulative_rx),
      sent: num(network.bytes_sent_gauge) ?? num(network.cumulative_tx),
    };
  });
}

export interface Alert {
  begin: number;
  end: number | null;
  state: string;
  type: string;
  max: number | null;
  avg: number | null;
}

export function alerts(raw: unknown): Alert[] {
  if (!Array.isArray(raw)) throw new Error('Glances did not answer a list of alerts');
  return list(raw).map((alert) => {
    const end = num(alert.end);
    return {
      begin: (num(alert.begin) ?? 0) * 1000,
      end: end === null || end < 0 ? null : end * 1000,
      state: String(alert.state ?? ''),
      type: String(alert.type ?? ''),
      max: num(alert.max),
      avg: num(alert.avg),
    };
  });
}

export function ipAddresses(raw: unknown): Array<{ label: string; value: string }> {
  const ip = expectObject(raw, 'IP address');
  const fields: Array<[string, string]> = [['public_address', 'Public IP'], ['address', 'Local address'], ['gateway', 'Gateway'], ['mask', 'Mask']];
  const rows = fields.filter(([key]) => typeof ip[key] === 'string' && ip[key] !== '').map(([key, label]) => ({ label, value: ip[key] as string }));
  if (rows.length === 0) throw new Error('The IP plugin is not enabled in this Glances');
  return rows;
}

export function uptime(raw: unknown): string {
  if (typeof raw === 'string') return raw;
  const seconds = num(raw);
  if (seconds === null) throw new Error('Glances did not answer the uptime');
  const days = Math.floor(seconds / 86_400);
  const pad = (value: number) => String(Math.floor(value)).padStart(2, '0');
  const clock = `${pad((seconds % 86_400) / 3600)}:${pad((seconds % 3600) / 60)}:${pad(seconds % 60)}`;
  return days > 0 ? `${days} days, ${clock}` : clock;
}

const UNITS = ['B', 'KB', 'MB', 'GB', 'TB', 'PB'];

/** 1 KB = 1024 B, as Glances and Dashy count. */
export function formatBytes(bytes: number | null): string {
  if (bytes === null) return '–';
  let value = Math.abs(bytes);
  let unit = 0;
  while (value >= 1024 && unit < UNITS.length - 1) {
    value /= 1024;
    unit += 1;
  }
  const digits = unit === 0 || value >= 100 ? 0 : 1;
  return `${bytes < 0 ? '-' : ''}${value.toFixed(digits)} ${UNITS[unit]}`;
}

export function formatPercent(value: number): string {
  return `${Math.round(value * 10) / 10}%`;
}
