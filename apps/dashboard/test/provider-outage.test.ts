// The identity provider is down when the dashboard starts, then comes back: the dashboard
// boots anyway, answers 503 with a clear reason meanwhile, and recovers by itself.
import { afterAll, describe, expect, it } from 'vitest';
import { startTestDashboard } from './support/dashboard.js';
import type { TestDashboard } from './support/dashboard.js';
import { startTestProvider } from './support/oidc-provider.js';
import type { TestProvider, TestProviderOptions } from './support/oidc-provider.js';
import { signIn } from './support/sign-in.js';

const cleanup: Array<() => Promise<void>> = [];
afterAll(async () => {
  for (const step of cleanup.reverse()) await step();
});

const options: TestProviderOptions = {
  shape: 'pocket-id',
  clientId: 'outage-client',
  accounts: [{ id: 'alice', claims: { preferred_username: 'alice', groups: ['admins'] } }],
};

async function dashboardFor(provider: TestProvider): Promise<TestDashboard> {
  const dashboard = await startTestDashboard({
    config: `pageInfo:
  title: Outage
appConfig:
  auth:
    enableOidc: true
    oidc:
      clientId: outage-client
      endpoint: ${provider.issuer}
      adminGroup: admins
sections:
  - name: Home
`,
  });
  cleanup.push(() => dashboard.stop());
  return dashboard;
}

describe('an unreachable identity provider', () => {
  it('gives 503 while it is down and recovers when it is back', async () => {
    const first = await startTestProvider(options);
    const { idToken } = await signIn(first, 'alice');
    await first.close();

    const dashboard = await dashboardFor(first);
    // Signed-out browsers still get the bootstrap: it needs no provider.
    expect((await dashboard.get('/conf.yml')).status).toBe(200);

    for (let attempt = 0; attempt < 2; attempt += 1) {
      const response = await dashboard.get('/conf.yml', idToken);
      expect(response.status).toBe(503);
      expect(response.headers.get('retry-after')).toBe('5');
      expect(await response.json()).toEqual({
        error: 'identity provider unavailable',
        reason: `cannot reach the identity provider at ${first.issuer}`,
      });
    }
    expect(dashboard.logs.some((line) => line.level === 50 && String(line.msg).startsWith(`cannot reach the identity provider at ${first.issuer}`))).toBe(true);

    const again = await startTestProvider({ ...options, port: first.port, signingKey: first.signingKey });
    cleanup.push(() => again.close());
    // Until its short pause after a failure is over, the server does not ask the provider again.
    await expect.poll(async () => (await dashboard.get('/conf.yml', idToken)).status, { timeout: 5_000 }).toBe(200);
    const recovered = await dashboard.get('/conf.yml', idToken);
    expect(recovered.status).toBe(200);
    expect(recovered.headers.get('x-hearth-config-view')).toBe('source');
  });

  it('keeps verifying with cached keys when the provider goes away after the first check', async () => {
    const provider = await startTestProvider(options);
    const { idToken } = await signIn(provider, 'alice');
    const dashboard = await dashboardFor(provider);
    expect((await dashboard.get('/conf.yml', idToken)).status).toBe(200);
    await provider.close();
    expect((await dashboard.get('/conf.yml', idToken)).status).toBe(200);
  });
});
