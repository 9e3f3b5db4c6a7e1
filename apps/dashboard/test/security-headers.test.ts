// Every answer of the dashboard carries the same security headers (one edge for all paths),
// the policy allows what the app needs (the identity provider for sign-in, services in
// frames) and nothing from other hosts otherwise; a route can still set its own policy.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestDashboard } from './support/dashboard.js';
import type { TestDashboard } from './support/dashboard.js';

describe('security headers', () => {
  let dashboard: TestDashboard;
  beforeAll(async () => {
    dashboard = await startTestDashboard({ config: 'pageInfo:\n  title: Headers\nsections:\n  - name: One\n    items:\n      - title: A\n        icon: fas fa-house\n' });
  });
  afterAll(async () => dashboard.stop());

  it('sends them on the app, the config, the health check, an error and an icon alike', async () => {
    for (const path of ['/', '/conf.yml', '/healthz', '/no-such-file.js', '/icons/fa/solid/house']) {
      const response = await dashboard.get(path);
      expect(response.headers.get('x-content-type-options'), path).toBe('nosniff');
      expect(response.headers.get('x-frame-options'), path).toBe('SAMEORIGIN');
      expect(response.headers.get('referrer-policy'), path).toBe('no-referrer');
      expect(response.headers.get('content-security-policy'), path).toMatch(/default-src 'self'|default-src 'none'/);
      expect(response.headers.get('strict-transport-security'), path).toBeNull();
    }
    const policy = (await dashboard.get('/')).headers.get('content-security-policy')!;
    expect(policy).toContain("img-src 'self' data: blob:");
    expect(policy).toContain('frame-src http: https:');
    expect(policy).not.toContain('upgrade-insecure-requests');
  });
});
