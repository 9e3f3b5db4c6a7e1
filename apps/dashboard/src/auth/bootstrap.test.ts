import { describe, expect, it } from 'vitest';
import { bootstrapConfig } from './bootstrap.js';
import { loadAuthSettings } from './settings.js';
import type { DashyConfig } from '../config/schema.js';

describe('bootstrapConfig', () => {
  it('keeps only the auth block, the service-worker switch and a login title', () => {
    const config: DashyConfig = {
      pageInfo: { title: 'Lab', description: 'secret description', navLinks: [{ title: 'NAS', path: 'http://nas.lan' }] },
      appConfig: {
        theme: 'nord',
        enableServiceWorker: true,
        auth: {
          enableOidc: true,
          oidc: { clientId: 'c', endpoint: 'http://id.test', clientSecret: 'shh' },
          users: [{ user: 'admin', hash: 'abc' }],
        },
      },
      sections: [{ name: 'Media', items: [{ title: 'Jellyfin', url: 'http://jellyfin.lan' }] }],
    };
    const auth = loadAuthSettings(config);
    if (!auth) throw new Error('auth expected');
    expect(bootstrapConfig(config, auth)).toEqual({
      pageInfo: { title: 'Login | Lab' },
      appConfig: { auth: { enableOidc: true, oidc: { clientId: 'c', endpoint: 'http://id.test' } }, enableServiceWorker: true },
    });
  });
});
