import { describe, expect, it } from 'vitest';
import { itemIconSegments } from './item-icons.js';
import { collectIconSources, dashboardIconName, normaliseUrl, pageImageKey } from './sources.js';
import type { DashyConfig } from '../config/schema.js';

const config: DashyConfig = {
  pageInfo: { title: 'Home', logo: 'https://example.org/logo.png' },
  sections: [
    {
      name: 'Media',
      icon: 'https://example.org/media.svg',
      items: [
        { title: 'Plex', icon: 'hl-Plex', url: 'http://plex.lan:32400/web' },
        { title: 'Jellyfin', icon: ' https://example.org/jellyfin.png ', url: 'https://jf.lan' },
        { title: 'Clipboard', icon: 'favicon', url: 'nas.lan' },
        { title: 'Group', icon: 'fas fa-folder', subItems: [{ title: 'Sub', icon: 'hl-sonarr', url: 'http://sonarr.lan' }] },
      ],
    },
    {
      name: 'Admin',
      icon: 'hl-proxmox',
      displayData: { showForKeycloakUsers: { groups: ['admins'] } },
      items: [{ title: 'Router', icon: 'https://example.org/router.png', url: 'http://router.lan' }],
      widgets: [{ type: 'image', options: { imagePath: 'http://cam.lan/snapshot.jpg' } }],
    },
    {
      name: 'Widgets',
      widgets: [
        { type: 'image', options: { imagePath: 'http://graphs.lan/load.png' } },
        { type: 'iframe', options: { url: 'http://graphs.lan/page' } },
        { type: 'image', options: { imagePath: '/local.png' } },
      ],
    },
  ],
};

describe('collectIconSources', () => {
  it('collects image URLs, item URLs and dashboard-icons names of everything for admins', () => {
    const sources = collectIconSources(config, null);
    expect([...sources.imageUrls].sort()).toEqual([
      'https://example.org/jellyfin.png',
      'https://example.org/logo.png',
      'https://example.org/media.svg',
      'https://example.org/router.png',
    ]);
    expect([...sources.itemUrls].sort()).toEqual(['http://plex.lan:32400/web', 'http://router.lan/', 'http://sonarr.lan/', 'https://jf.lan/']);
    expect([...sources.dashboardIcons].sort()).toEqual(['plex', 'proxmox', 'sonarr']);
    expect([...sources.widgetImages].sort()).toEqual(['http://cam.lan/snapshot.jpg', 'http://graphs.lan/load.png']);
  });

  it('leaves out what the viewer cannot see', () => {
    const sources = collectIconSources(config, { kind: 'user', username: 'bob', groups: ['family'], roles: [] });
    expect(sources.imageUrls.has('https://example.org/router.png')).toBe(false);
    expect(sources.itemUrls.has('http://router.lan/')).toBe(false);
    expect(sources.dashboardIcons.has('proxmox')).toBe(false);
    expect(sources.dashboardIcons.has('plex')).toBe(true);
    expect([...sources.widgetImages]).toEqual(['http://graphs.lan/load.png']);
  });
});

describe('names', () => {
  it('normalises only http(s) URLs', () => {
    expect(normaliseUrl('HTTP://Example.org')).toBe('http://example.org/');
    expect(normaliseUrl('file:///etc/passwd')).toBeNull();
    expect(normaliseUrl('favicon-https://app.fing.com/')).toBeNull();
  });

  it('keys a logo or background by its URL, or by its path in USER_DATA_DIR', () => {
    expect(pageImageKey(' HTTPS://Example.org/bg.jpg ')).toBe('https://example.org/bg.jpg');
    expect(pageImageKey('/assets/logo.png')).toBe('local:assets/logo.png');
    expect(pageImageKey('./wallpaper.jpg')).toBe('local:wallpaper.jpg');
    for (const bad of ['../conf.yml', '.backups/x.png', 'conf.yml', '//cdn.example/x.png', 'data:image/png;base64,AAAA', 'javascript:x.png', 'a/../../x.png']) {
      expect(pageImageKey(bad), bad).toBeNull();
    }
    const sources = collectIconSources({ pageInfo: { logo: '/assets/logo.png' }, appConfig: { backgroundImg: 'https://example.org/bg.jpg' } }, null);
    expect([...sources.logos]).toEqual(['local:assets/logo.png']);
    expect([...sources.backgrounds]).toEqual(['https://example.org/bg.jpg']);
  });

  it('reads dashboard-icons names', () => {
    expect(dashboardIconName('hl-Home-Assistant')).toBe('home-assistant');
    expect(dashboardIconName('si-plex')).toBeNull();
  });

  it('accepts item-icons paths inside the folder only', () => {
    expect(itemIconSegments('jellyfin.png')).toEqual(['jellyfin.png']);
    expect(itemIconSegments('apps/Uptime Kuma (dark).svg')).toEqual(['apps', 'Uptime Kuma (dark).svg']);
    for (const bad of ['../conf.yml', '..', 'a/../../b.png', '.hidden.png', 'x.png/', '/etc/x.png', 'conf.yml', 'a\\b.png', 'x.png\0', 'a/b/c/d/e.png']) {
      expect(itemIconSegments(bad), bad).toBeNull();
    }
  });
});
