import { describe, expect, it } from 'vitest';
import { loadAuthSettings } from '../auth/settings.js';
import { parseConfigText } from './parse.js';
import type { LoadedConfig } from './store.js';
import { configView } from './views.js';

function loaded(title: string): LoadedConfig {
  const text = `pageInfo:\n  title: ${title}\nappConfig:\n  auth:\n    enableOidc: true\n    oidc:\n      clientId: dash\n      endpoint: http://localhost:1411\nsections:\n  - name: Secret\n    items:\n      - title: Router\n        url: http://192.168.1.1\n`;
  const parsed = parseConfigText(text);
  if (!parsed.ok) throw new Error('bad test config');
  return { fileName: 'conf.yml', text, config: parsed.config };
}

describe('the signed-out bootstrap view', () => {
  it('is rendered once per version of conf.yml and follows a new version', () => {
    const first = loaded('Home Lab');
    const auth = loadAuthSettings(first.config)!;
    const view = (root: LoadedConfig) => configView({ fileName: 'conf.yml', file: root, root, auth, requester: { kind: 'signed-out' } });
    const a = view(first);
    expect(a.kind).toBe('bootstrap');
    expect(a.kind !== 'denied' && a.body).toContain('title: Login | Home Lab');
    expect(a.kind !== 'denied' && a.body).not.toContain('192.168.1.1');
    expect(view(first)).toEqual(a);

    const b = view(loaded('Our Lab'));
    expect(b.kind !== 'denied' && b.body).toContain('title: Login | Our Lab');
  });
});
