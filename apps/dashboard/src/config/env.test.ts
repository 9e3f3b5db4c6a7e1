import { describe, expect, it } from 'vitest';
import { readDashboardEnv } from './env.js';

describe('readDashboardEnv', () => {
  it('uses the documented defaults', () => {
    expect(readDashboardEnv({}, '/srv/hearth')).toEqual({
      userDataDir: '/srv/hearth/user-data',
      port: 4000,
      host: '0.0.0.0',
      logLevel: 'info',
      trustProxy: false,
    });
  });

  it('reads every variable, and treats empty ones as unset', () => {
    expect(readDashboardEnv({ USER_DATA_DIR: '/data', PORT: '8080', HOST: '::', LOG_LEVEL: 'debug', TRUST_PROXY: 'true' }, '/x')).toEqual({
      userDataDir: '/data',
      port: 8080,
      host: '::',
      logLevel: 'debug',
      trustProxy: true,
    });
    expect(readDashboardEnv({ PORT: '' }, '/x').port).toBe(4000);
  });

  it('names the variable and value it cannot use', () => {
    expect(() => readDashboardEnv({ PORT: '70000' }, '/x')).toThrow('invalid PORT="70000"');
    expect(() => readDashboardEnv({ PORT: '40.5' }, '/x')).toThrow('invalid PORT="40.5": expected a port number');
    expect(() => readDashboardEnv({ TRUST_PROXY: 'yes' }, '/x')).toThrow('invalid TRUST_PROXY="yes"');
  });

  it('reads DASHBOARD_ICONS_URL, an http(s) URL', () => {
    expect(readDashboardEnv({ DASHBOARD_ICONS_URL: 'http://mirror.lan/dashboard-icons' }, '/x').dashboardIconsUrl).toBe('http://mirror.lan/dashboard-icons');
    expect(() => readDashboardEnv({ DASHBOARD_ICONS_URL: 'ftp://mirror.lan/' }, '/x')).toThrow('invalid DASHBOARD_ICONS_URL="ftp://mirror.lan/": expected an http(s) URL');
  });
});
