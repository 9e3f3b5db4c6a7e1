import { describe, expect, it } from 'vitest';
import { GLANCES_SAMPLE as GLANCES_DATA } from './glances-sample';
import {
  alerts,
  cpuCores,
  currentCpu,
  currentMemory,
  diskIo,
  diskSpace,
  formatBytes,
  glancesUrl,
  historySeries,
  ipAddresses,
  loadAverages,
  networkHistory,
  networkInterfaces,
  pointTime,
  sensors,
  uptime,
} from './glances';
import { cssLength, updateIntervalMs, widgetOptions } from './options';

describe('glancesUrl', () => {
  it("builds Dashy's URL from the hostname however it is written", () => {
    expect(glancesUrl({ hostname: 'http://192.168.8.250:61208' }, 'cpu')).toBe('http://192.168.8.250:61208/api/4/cpu');
    expect(glancesUrl({ hostname: 'https://glances-holmie.holmlab.org/', apiVersion: 4 }, 'cpu/history/100')).toBe('https://glances-holmie.holmlab.org/api/4/cpu/history/100');
    expect(glancesUrl({ hostname: 'nas.lan:61208', apiVersion: 3 }, 'mem')).toBe('http://nas.lan:61208/api/3/mem');
    expect(glancesUrl({ hostname: 'https://lab.example/glances/' }, 'fs')).toBe('https://lab.example/glances/api/4/fs');
  });

  it('names the missing option', () => {
    expect(() => glancesUrl({}, 'cpu')).toThrow("You must specify a 'hostname' for Glances");
    expect(() => glancesUrl({ hostname: 'http://exa mple' }, 'cpu')).toThrow('not a valid Glances hostname');
  });
});

describe('Glances answers', () => {
  it('reads current CPU and memory', () => {
    const cpu = currentCpu(GLANCES_DATA.cpu);
    expect(cpu.total).toBe(23.4);
    expect(cpu.details).toEqual([
      { label: 'User', value: 15.2 },
      { label: 'System', value: 6.1 },
      { label: 'Idle', value: 76.6 },
      { label: 'Iowait', value: 1.3 },
    ]);
    expect(currentMemory(GLANCES_DATA.mem)).toEqual({ percent: 40.4, used: 3_331_321_856, total: 8_243_654_656, available: 4_912_332_800 });
    expect(() => currentCpu({ user: 1 })).toThrow('CPU total');
    expect(() => currentMemory([])).toThrow('memory');
  });

  it('reads file systems, load and cores', () => {
    expect(diskSpace(GLANCES_DATA.fs)[1]).toEqual({ device: '/dev/sdb1', mount: '/srv/media', fsType: 'btrfs', percent: 88, size: 3_999_688_294_400, free: 479_962_595_328 });
    expect(diskSpace([{ device_name: 'x', size: 200, used: 50 }])[0]).toMatchObject({ percent: 25, free: 150 });
    expect(loadAverages(GLANCES_DATA.load)).toEqual({ min1: 0.82, min5: 0.64, min15: 0.51, cores: 4 });
    const cores = cpuCores(GLANCES_DATA.quicklook);
    expect(cores).toHaveLength(4);
    expect(cores[3]).toEqual({ core: 4, total: 29, user: 18, system: 9, idle: 71 });
  });

  it('reads history series with Glances timestamps', () => {
    expect(pointTime('2025-09-28T12:59:33.343814+00:00')).toBe(Date.parse('2025-09-28T12:59:33.343Z'));
    expect(pointTime('2025-05-01T12:00:00.123456')).toBe(Date.parse('2025-05-01T12:00:00.123'));
    expect(pointTime(1_700_000_000)).toBe(1_700_000_000_000);
    expect(pointTime('yesterday')).toBeNull();
    const [system, user] = historySeries(GLANCES_DATA['cpu/history/100'], { System: 'system', User: 'user' });
    expect(system?.points.map((point) => point.value)).toEqual([5.1, 6.3, 4.8, 7.7]);
    expect(user?.points.at(-1)?.value).toBe(18.9);
    expect((user?.points[1]?.time ?? 0) - (user?.points[0]?.time ?? 0)).toBe(3_000);
    expect(() => historySeries({}, { Memory: 'percent' })).toThrow('no history yet');
  });

  it('adds up network history per update across interfaces', () => {
    expect(networkHistory(GLANCES_DATA['network/history/100']).map((one) => one.points.length)).toEqual([3, 3]);
    const series = networkHistory({
      'eth0.bytes_sent_rate_per_sec': [['2025-05-01T12:00:00', 100], ['2025-05-01T12:01:00', 50]],
      'wlan0.bytes_sent_rate_per_sec': [['2025-05-01T12:00:00.400', 20]],
      'eth0.bytes_recv_rate_per_sec': [['2025-05-01T12:00:00', 1000]],
    });
    expect(series.map((one) => [one.name, one.points.map((point) => point.value)])).toEqual([['Upload', [120, 50]], ['Download', [1000]]]);
  });

  it('reads sensors in the unit asked for', () => {
    expect(sensors(GLANCES_DATA.sensors, 'C')).toEqual([
      { label: 'Package id 0', text: '48°C', level: 'ok' },
      { label: 'acpitz 1', text: '77°C', level: 'hot' },
      { label: 'cpu_fan', text: '1850 rpm', level: 'neutral' },
    ]);
    expect(sensors(GLANCES_DATA.sensors, 'F')[0]).toEqual({ label: 'Package id 0', text: '118°F', level: 'ok' });
    expect(sensors([{ label: 'BAT', unit: '%', value: 12 }, { label: 'odd', unit: 'V', value: 3 }], undefined)).toEqual([{ label: 'BAT', text: '12%', level: 'low' }]);
  });

  it('reads disk and network rates from v4 and v3 fields', () => {
    expect(diskIo(GLANCES_DATA.diskio)).toEqual([{ name: 'sda', read: 20480, write: 614_400 }]);
    expect(diskIo([{ disk_name: 'nvme0n1', read_bytes: 10, write_bytes: 0, read_bytes_rate_per_sec: 5, write_bytes_rate_per_sec: 0 }])).toEqual([{ name: 'nvme0n1', read: 5, write: 0 }]);
    // Glances 4's first answer: running totals, no period, no rate yet.
    expect(diskIo([{ disk_name: 'nvme0n1', read_bytes: 12_423_002_624, write_bytes: 19_454_694_400 }])).toEqual([{ name: 'nvme0n1', read: null, write: null }]);
    expect(networkInterfaces(GLANCES_DATA.network)).toEqual([
      { name: 'eth0', up: true, speed: 1_073_741_824, receiving: 62_500, sending: 24_000, received: 91_234_567_890, sent: 12_345_678_901 },
    ]);
    expect(networkInterfaces([{ interface_name: 'lo', rx: 100, tx: 50, time_since_update: 2, cumulative_rx: 9, cumulative_tx: 8, speed: 0 }])[0]).toEqual({
      name: 'lo', up: false, speed: null, receiving: 50, sending: 25, received: 9, sent: 8,
    });
  });

  it('reads alerts, addresses and uptime', () => {
    const [alert] = alerts(GLANCES_DATA.alert);
    expect(alert).toMatchObject({ end: null, state: 'WARNING', type: 'MEM', max: 78.3, avg: 74 });
    expect(alerts([{ begin: 10, end: 20, state: 'CRITICAL', type: 'LOAD' }])[0]).toMatchObject({ begin: 10_000, end: 20_000 });
    expect(ipAddresses(GLANCES_DATA.ip).map((row) => row.label)).toEqual(['Public IP', 'Local address', 'Gateway', 'Mask']);
    expect(() => ipAddresses({})).toThrow('IP plugin');
    expect(uptime(GLANCES_DATA.uptime)).toBe('12 days, 3:04:05');
    expect(uptime(90_061)).toBe('1 days, 01:01:01');
    expect(uptime(59)).toBe('00:00:59');
  });

  it('formats bytes the way Glances counts them', () => {
    expect(formatBytes(512)).toBe('512 B');
    expect(formatBytes(1536)).toBe('1.5 KB');
    expect(formatBytes(479_962_595_328)).toBe('447 GB');
    expect(formatBytes(null)).toBe('–');
  });
});

describe('widget options', () => {
  it("folds widget-level keys under options, as Dashy does", () => {
    expect(widgetOptions({ type: 'clock', label: 'Paris', updateInterval: 5, options: { timeZone: 'Europe/Paris', updateInterval: 10 } })).toEqual({
      timeout: null, ignoreErrors: false, label: 'Paris', updateInterval: 10, timeZone: 'Europe/Paris',
    });
    expect(widgetOptions({ type: 'clock', options: ['not', 'an', 'object'] as unknown as Record<string, unknown> })).toMatchObject({ updateInterval: null });
  });

  it("follows Dashy's updateInterval rules", () => {
    expect(updateIntervalMs(null, 2)).toBe(2_000);
    expect(updateIntervalMs(undefined, 0)).toBe(0);
    expect(updateIntervalMs(true, 2)).toBe(30_000);
    expect(updateIntervalMs(15, 2)).toBe(15_000);
    for (const off of [0, false, 1, 7201, '10']) expect(updateIntervalMs(off, 2), String(off)).toBe(0);
  });

  it('reads image sizes as Dashy does', () => {
    expect(cssLength(200)).toBe('200px');
    expect(cssLength('120')).toBe('120px');
    expect(cssLength('50%')).toBe('50%');
    expect(cssLength('red; background: url(x)')).toBeNull();
  });
});
