import { describe, expect, it } from 'vitest';
import { loadAuthSettings } from '../auth/settings.js';
import type { ViewerInfo } from '../auth/viewer.js';
import { configJsonView, prefersJson } from './json-view.js';
import { parseConfigText } from './parse.js';
import type { LoadedConfig } from './store.js';
import { configView } from './views.js';
import type { ConfigView, Requester } from './views.js';

function loaded(title: string, extra = ''): LoadedConfig {
  const text = `pageInfo:\n  title: ${title}\nappConfig:\n  auth:\n    enableOidc: true\n    oidc:\n      clientId: dash\n      endpoint: http://localhost:1411\n      adminGroup: admins\n${extra}sections:\n  - name: Secret\n    items:\n      - title: Router\n        url: http://192.168.1.1\n        statusCheckHeaders: { X-Api-Key: k3y }\n        description:\n`;
  const parsed = parseConfigText(text);
  if (!parsed.ok) throw new Error('bad test config');
  return { fileName: 'conf.yml', text, config: parsed.config, warnings: parsed.warnings };
}

const signedOut: ViewerInfo = { signedIn: false, user: null, isAdmin: false, groups: [], roles: [], method: null };
const alice = { user: 'alice', username: 'alice', groups: ['admins'], roles: [], isAdmin: true, method: 'oidc' as const };
const bob = { user: 'bob', username: 'bob', groups: ['family'], roles: [], isAdmin: false, method: 'oidc' as const };
const info = ({ user, groups, roles, isAdmin, method }: typeof alice | typeof bob): ViewerInfo => ({ signedIn: true, user, groups, roles, isAdmin, method });

describe('the signed-out bootstrap view', () => {
  it('is rendered once per version of conf.yml and follows a new version', () => {
    const first = loaded('Home Lab');
    const auth = loadAuthSettings(first.config)!;
    const view = (root: LoadedConfig) => configView({ fileName: 'conf.yml', file: root, root, auth, requester: { kind: 'signed-out' } });
    const a = view(first);
    expect(a.kind).toBe('bootstrap');
    expect(a.kind !== 'denied' && a.body.toString()).toContain('title: Login | Home Lab');
    expect(a.kind !== 'denied' && a.body.toString()).not.toContain('192.168.1.1');
    // The very same bytes, not bytes rendered again alike.
    const again = view(first);
    expect(again).toEqual(a);
    expect(again.kind !== 'denied' && again.body).toBe(a.kind !== 'denied' && a.body);

    const b = view(loaded('Our Lab'));
    expect(b.kind !== 'denied' && b.body.toString()).toContain('title: Login | Our Lab');
  });
});

describe('the YAML views of signed-in people', () => {
  const bodyOf = (view: ConfigView): string => {
    if (view.kind === 'denied') throw new Error(view.reason);
    return view.body.toString();
  };

  it('renders the admin\'s file and each claim set\'s filtered view once per version', () => {
    const version = loaded('Cached');
    const auth = loadAuthSettings(version.config)!;
    const view = (identity: typeof alice | typeof bob, file = version) => configView({ fileName: 'conf.yml', file, root: file, auth, requester: { kind: 'user', identity } });
    const admin = bodyOf(view(alice));
    const member = bodyOf(view(bob));
    expect(admin).toContain('title: Cached');
    expect(member).toContain('title: Cached');
    // A version never changes in place, so a change made behind the cache's back shows
    // whether an answer was rendered again.
    version.config.pageInfo = { title: 'Changed in place' };
    (version as { text: string }).text = version.text.replace('title: Cached', 'title: Changed in place');
    expect(bodyOf(view(alice))).toBe(admin);
    expect(bodyOf(view(bob))).toBe(member);
    // Another claim set has its own view; a new version, new views for everyone.
    expect(bodyOf(view({ ...bob, groups: ['kids'] }))).toContain('Changed in place');
    const next = loaded('Next');
    expect(bodyOf(view(alice, next))).toContain('title: Next');
    expect(bodyOf(view(bob, next))).toContain('title: Next');
  });
});

describe('the JSON view', () => {
  const root = loaded('Lab');
  const auth = loadAuthSettings(root.config)!;
  const json = (requester: Requester, viewer: ViewerInfo, file = root) => {
    const view = configJsonView({ fileName: file.fileName, file, root: file, auth, requester }, viewer);
    if (view.kind === 'denied') throw new Error(view.reason);
    return { view, parsed: JSON.parse(view.body.toString()) as Record<string, unknown> };
  };

  it('gives an admin the whole file without server-only values, with the warnings and canEdit', () => {
    const { parsed } = json({ kind: 'user', identity: alice }, info(alice));
    expect(parsed).toEqual({
      kind: 'source',
      config: {
        pageInfo: { title: 'Lab' },
        appConfig: { auth: { enableOidc: true, oidc: { clientId: 'dash', endpoint: 'http://localhost:1411', adminGroup: 'admins' } } },
        sections: [{ name: 'Secret', items: [{ title: 'Router', url: 'http://192.168.1.1' }] }],
      },
      viewer: { signedIn: true, user: 'alice', isAdmin: true, groups: ['admins'], roles: [], method: 'oidc' },
      canEdit: true,
      warnings: [{ path: 'sections[0].items[0].description', line: 16, column: 21, message: 'Invalid input: expected string, received null; ignored' }],
    });
  });

  it('gives a non-admin the filtered view, no warnings and no editing', () => {
    const { parsed } = json({ kind: 'user', identity: bob }, info(bob));
    expect(parsed).toMatchObject({ kind: 'filtered', canEdit: false, warnings: [], viewer: { user: 'bob', isAdmin: false } });
    expect(JSON.stringify(parsed)).not.toContain('k3y');
  });

  it('says an admin cannot edit when saving is turned off', () => {
    const locked = loaded('Lab', '  disableConfiguration: true\n');
    const view = configJsonView({ fileName: 'conf.yml', file: locked, root: locked, auth, requester: { kind: 'user', identity: alice } }, info(alice));
    expect(view.kind !== 'denied' && (JSON.parse(view.body.toString()) as { canEdit: boolean }).canEdit).toBe(false);
  });

  it('renders the bootstrap and a person\'s filtered view once per version', () => {
    const first = json({ kind: 'signed-out' }, signedOut).view;
    expect(json({ kind: 'signed-out' }, signedOut).view.body).toBe(first.body);
    expect(JSON.parse(first.body.toString())).toEqual({
      kind: 'bootstrap',
      config: { pageInfo: { title: 'Login | Lab' }, appConfig: { auth: { enableOidc: true, oidc: { clientId: 'dash', endpoint: 'http://localhost:1411', adminGroup: 'admins' } } } },
      viewer: signedOut,
      canEdit: false,
      warnings: [],
    });
    // A version never changes in place, so a change made behind the cache's back shows
    // whether an answer was serialised again.
    const version = loaded('Cached');
    const before = json({ kind: 'user', identity: bob }, info(bob), version).view.body;
    version.config.pageInfo = { title: 'Changed in place' };
    expect(json({ kind: 'user', identity: bob }, info(bob), version).view.body).toBe(before);
    expect(json({ kind: 'user', identity: { ...bob, user: 'carol', username: 'carol' } }, { ...info(bob), user: 'carol' }, version).view.body.toString()).toContain('Changed in place');
  });
});

describe('prefersJson', () => {
  it('answers JSON only to a client that prefers it over YAML and text', () => {
    expect(prefersJson('application/json')).toBe(true);
    expect(prefersJson('application/json; charset=utf-8')).toBe(true);
    expect(prefersJson('application/json, application/yaml;q=0.5')).toBe(true);
    // What Dashy's browser code (axios) sends: it reads YAML.
    expect(prefersJson('application/json, text/plain, */*')).toBe(false);
    expect(prefersJson(undefined)).toBe(false);
    expect(prefersJson('*/*')).toBe(false);
    expect(prefersJson('application/yaml')).toBe(false);
    expect(prefersJson('application/json;q=0, */*')).toBe(false);
    expect(prefersJson('text/html')).toBe(false);
  });
});
