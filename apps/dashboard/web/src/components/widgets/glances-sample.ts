// What a Glances 4 on a small 4-core Linux box answers, endpoint by endpoint: the stand-in
// Glances of the tests serves it, and the unit tests read it.
const now = Date.parse('2025-05-01T12:00:00Z');
// Glances 4 writes history times as ISO dates with microseconds and a zone.
const history = (values: number[]) => values.map((value, index) => [new Date(now - (values.length - 1 - index) * 3_000).toISOString().replace('Z', '123+00:00'), value]);

export const GLANCES_SAMPLE: Record<string, unknown> = {
  cpu: {
    total: 23.4, user: 15.2, nice: 0.0, system: 6.1, idle: 76.6, iowait: 1.3, irq: 0.0, steal: 0.0, guest: 0.0,
    ctx_switches: 21345, interrupts: 9821, soft_interrupts: 5012, syscalls: 0, cpucore: 4, time_since_update: 2.01,
  },
  mem: {
    total: 8_243_654_656, available: 4_912_332_800, percent: 40.4, used: 3_331_321_856, free: 1_202_339_840,
    active: 3_900_000_000, inactive: 2_400_000_000, buffers: 180_224_000, cached: 3_530_000_000, shared: 120_000_000,
  },
  fs: [
    { device_name: '/dev/sda2', fs_type: 'ext4', mnt_point: '/', size: 250_790_436_864, used: 98_234_023_936, free: 139_741_659_136, percent: 41.3, key: 'mnt_point' },
    { device_name: '/dev/sdb1', fs_type: 'btrfs', mnt_point: '/srv/media', size: 3_999_688_294_400, used: 3_519_725_699_072, free: 479_962_595_328, percent: 88.0, key: 'mnt_point' },
  ],
  load: { min1: 0.82, min5: 0.64, min15: 0.51, cpucore: 4 },
  quicklook: {
    cpu: 23.4, mem: 40.4, swap: 2.1, load: 20.5, cpu_name: 'Intel(R) Celeron(R) J4125 CPU @ 2.00GHz', cpu_hz_current: 2_600_000_000, cpu_hz: 2_000_000_000,
    percpu: [0, 1, 2, 3].map((cpu) => ({
      key: 'cpu_number', cpu_number: cpu, total: 20 + cpu * 3, user: 12 + cpu * 2, system: 6 + cpu, idle: 80 - cpu * 3,
      nice: 0, iowait: 1.5, irq: 0, softirq: 0.5, steal: 0, guest: 0, guest_nice: 0,
    })),
  },
  'cpu/history/100': { system: history([5.1, 6.3, 4.8, 7.7]), user: history([12.0, 15.5, 11.2, 18.9]) },
  'load/history/500': { min1: history([0.5, 0.7, 0.9]), min5: history([0.5, 0.55, 0.6]), min15: history([0.45, 0.47, 0.5]) },
  'mem/history/100': { percent: history([39.8, 40.1, 40.4]) },
  'network/history/100': {
    'eth0.bytes_recv_rate_per_sec': history([62_500, 80_000, 70_000]),
    'eth0.bytes_sent_rate_per_sec': history([24_000, 30_000, 26_000]),
  },
  sensors: [
    { label: 'Package id 0', unit: 'C', value: 48, warning: 80, critical: 100, type: 'temperature_core', key: 'label' },
    { label: 'acpitz 1', unit: 'C', value: 77, warning: null, critical: null, type: 'temperature_core', key: 'label' },
    { label: 'cpu_fan', unit: 'R', value: 1850, warning: null, critical: null, type: 'fan_speed', key: 'label' },
  ],
  diskio: [{ disk_name: 'sda', read_bytes: 40960, write_bytes: 1_228_800, read_count: 10, write_count: 120, time_since_update: 2.0, key: 'disk_name' }],
  network: [
    {
      interface_name: 'eth0', alias: null, key: 'interface_name', is_up: true, speed: 1_073_741_824,
      bytes_recv: 125_000, bytes_sent: 48_000, bytes_recv_gauge: 91_234_567_890, bytes_sent_gauge: 12_345_678_901,
      bytes_recv_rate_per_sec: 62_500, bytes_sent_rate_per_sec: 24_000, time_since_update: 2.0,
    },
  ],
  alert: [{ begin: now / 1000 - 600, end: -1, state: 'WARNING', type: 'MEM', min: 70.1, avg: 74.0, max: 78.3, sum: 740, count: 10, top: [], desc: '', sort: 'memory_percent', global_msg: 'High memory consumption' }],
  ip: { address: '192.168.1.20', mask: '255.255.255.0', mask_cidr: 24, gateway: '192.168.1.1', public_address: '203.0.113.7' },
  uptime: '12 days, 3:04:05',
};

