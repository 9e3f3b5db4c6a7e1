import { describe, expect, it } from 'vitest';
import type { DashyConfig } from '../config/schema.js';
import { withoutWidgetSecrets } from './secrets.js';
import { collectSources, findSource, glancesBase, sourceOfWidget } from './sources.js';

describe('glancesBase', () => {
  it('accepts the ways people write a Glances hostname', () => {
    expect(glancesBase('http://192.168.8.250:61208')).toEqual({ origin: 'http://192.168.8.250:61208', path: '' });
    expect(glancesBase('https://glances-holmie.holmlab.org/')).toEqual({ origin: 'https://glances-holmie.holmlab.org', path: '' });
    expect(glancesBase('glances.lan:61208')).toEqual({ origin: 'http://glances.lan:61208', path: '' });
    expect(glancesBase('https://lab.example/glances//')).toEqual({ origin: 'https://lab.example', path: '/glances' });
  });

  it('rejects what cannot name an http(s) host', () => {
    for (const value of [undefined, '', '   ', 42, 'ftp://nas.lan', 'http://']) expect(glancesBase(value), String(value)).toBeNull();
  });
});

describe('sourceOfWidget', () => {
  it('reads Glances widgets, with basic auth and Dashy timeout', () => {
    expect(sourceOfWidget({ type: 'GL-Current-CPU', timeout: 100, options: { hostname: 'http://g.lan:61208/sub/', username: 'glances', password: 's3cret' } })).toEqual({
      origin: 'http://g.lan:61208',
      pathPrefix: '/sub/api/',
      headers: { authorization: `Basic ${Buffer.from('glances:s3cret').toString('base64')}` },
      timeoutMs: 250,
    });
    expect(sourceOfWidget({ type: 'gl-disk-space', options: { hostname: 'http://g.lan', username: 'only-user', timeout: 60_000 } })).toEqual({
      origin: 'http://g.lan',
      pathPrefix: '/api/',
      headers: {},
      timeoutMs: 30_000,
    });
  });

  it('ignores widgets that read nothing through the server', () => {
    expect(sourceOfWidget({ type: 'clock', options: { hostname: 'http://g.lan' } })).toBeNull();
    expect(sourceOfWidget({ type: 'iframe', options: { url: 'http://g.lan' } })).toBeNull();
    expect(sourceOfWidget({ type: 'gl-current-cpu' })).toBeNull();
  });
});

describe('collectSources and findSource', () => {
  const config: DashyConfig = {
    sections: [
      { name: 'Open', widgets: [{ type: 'gl-current-cpu', options: { hostname: 'http://g.lan:61208' } }] },
      {
        name: 'Admins',
        displayData: { showForKeycloakUsers: { groups: ['admins'] } },
        widgets: [{ type: 'gl-current-mem', options: { hostname: 'http://g.lan:61208/private', username: 'u', password: 'p' } }],
      },
    ],
  };
  const member = { kind: 'user', username: 'bob', groups: ['family'], roles: [] } as const;

  it('keeps only the widgets of sections the viewer sees', () => {
    expect(collectSources([config], member).map((source) => source.pathPrefix)).toEqual(['/api/']);
    expect(collectSources([config], null).map((source) => source.pathPrefix)).toEqual(['/api/', '/private/api/']);
  });

  it('matches origin and path prefix, preferring the longest prefix', () => {
    const all = collectSources([config], null);
    expect(findSource(all, new URL('http://g.lan:61208/api/4/cpu'))?.pathPrefix).toBe('/api/');
    expect(findSource(all, new URL('http://g.lan:61208/private/api/4/mem'))?.headers.authorization).toMatch(/^Basic /);
    for (const url of ['http://g.lan:61208/', 'http://g.lan:61208/apix', 'https://g.lan:61208/api/4/cpu', 'http://g.lan:61209/api/4/cpu', 'http://other.lan:61208/api/4/cpu']) {
      expect(findSource(all, new URL(url)), url).toBeNull();
    }
    expect(findSource(collectSources([config], member), new URL('http://g.lan:61208/private/api/4/mem'))).toBeNull();
  });

  it('prefers the widget with credentials when two name the same host', () => {
    const twice = collectSources(
      [{ sections: [{ name: 'S', widgets: [{ type: 'gl-current-cpu', options: { hostname: 'http://g.lan' } }, { type: 'gl-current-mem', options: { hostname: 'http://g.lan', username: 'a', password: 'b' } }] }] }],
      null,
    );
    expect(findSource(twice, new URL('http://g.lan/api/4/mem'))?.headers.authorization).toBeDefined();
  });
});

describe('withoutWidgetSecrets', () => {
  it('drops credentials at any depth and keeps everything else', () => {
    const section = {
      name: 'S',
      widgets: [
        { type: 'gl-current-cpu', label: 'CPU', options: { hostname: 'http://g.lan', username: 'glances', password: 's3cret' } },
        { type: 'weather', options: { apiKey: 'abc', city: 'St-Malo', nested: [{ token: 't', keep: 1 }], headers: { Authorization: 'Bearer x', Accept: 'json' } } },
      ],
    };
    expect(withoutWidgetSecrets(section)).toEqual({
      name: 'S',
      widgets: [
        { type: 'gl-current-cpu', label: 'CPU', options: { hostname: 'http://g.lan', username: 'glances' } },
        { type: 'weather', options: { city: 'St-Malo', nested: [{ keep: 1 }], headers: { Accept: 'json' } } },
      ],
    });
    expect(section.widgets[0]?.options.password).toBe('s3cret');
    const noWidgets: { name: string; widgets?: unknown[] } = { name: 'Plain' };
    expect(withoutWidgetSecrets(noWidgets)).toBe(noWidgets);
  });
});
