// appConfig.backgroundImg and pageInfo.logo come through the dashboard server too: an http(s)
// URL fetched and kept on disk, or a file in USER_DATA_DIR (Dashy serves that folder at its
// root). Only the values the requester's config names; nothing else in the folder.
import { mkdir, readdir, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestDashboard } from './support/dashboard.js';
import type { TestDashboard } from './support/dashboard.js';
import { closedBase, expectError, expectServed, PNG, send, standIn } from './support/icon-stand-ins.js';
import type { StandIn } from './support/icon-stand-ins.js';
import { startTestProvider } from './support/oidc-provider.js';
import type { TestProvider } from './support/oidc-provider.js';
import { signIn } from './support/sign-in.js';

// Larger than an icon may be (1 MB), well within a background's 8 MB.
const PHOTO = Buffer.concat([Buffer.from([0xff, 0xd8, 0xff, 0xe0]), Buffer.alloc(3 * 1024 * 1024, 1)]);
const HUGE = Buffer.concat([PHOTO, Buffer.alloc(6 * 1024 * 1024, 2)]);

let images: StandIn;
let down: string;

beforeAll(async () => {
  images = await standIn({ '/wallpaper.jpg': send('image/jpeg', PHOTO), '/huge.jpg': send('image/jpeg', HUGE), '/logo.png': send('image/png', PNG) });
  down = await closedBase();
});
afterAll(async () => images.close());

const background = (value: string) => `/icons/background?url=${encodeURIComponent(value)}`;
const logo = (value: string) => `/icons/logo?url=${encodeURIComponent(value)}`;

async function dashboardWith(appConfig: string, pageInfo: string): Promise<TestDashboard> {
  return startTestDashboard({ config: `pageInfo:\n  title: Home\n${pageInfo}appConfig:\n${appConfig}sections: []\n` });
}

describe('a background and a logo on other hosts', () => {
  let dashboard: TestDashboard;
  beforeAll(async () => {
    dashboard = await dashboardWith(`  backgroundImg: ${images.base}/wallpaper.jpg\n`, `  logo: ${images.base}/logo.png\n`);
  });
  afterAll(async () => dashboard.stop());

  it('fetches the background once, up to 8 MB, and keeps it on disk', async () => {
    const first = await dashboard.get(background(`${images.base}/wallpaper.jpg`));
    await expectServed(first, 'image');
    expect(first.headers.get('content-type')).toBe('image/jpeg');
    expect(first.headers.get('cache-control')).toBe('public, max-age=86400');
    const second = await dashboard.get(background(`${images.base}/wallpaper.jpg`));
    expect(Buffer.from(await second.arrayBuffer()).equals(PHOTO)).toBe(true);
    expect(images.hits.get('/wallpaper.jpg')).toBe(1);
    expect((await readdir(join(dashboard.userDataDir, '.icon-cache', 'background'))).filter((name) => name.endsWith('.bin'))).toHaveLength(1);
  });

  it('fetches the logo', async () => {
    await expectServed(await dashboard.get(logo(`${images.base}/logo.png`)), 'image');
  });

  it('refuses any other URL, and says so when the dashboard has none', async () => {
    await expectError(await dashboard.get(background(`${images.base}/logo.png`)), 403, 'this is not the appConfig.backgroundImg of your dashboard');
    await expectError(await dashboard.get(logo(`${images.base}/wallpaper.jpg`)), 403, 'this is not the pageInfo.logo of your dashboard');
    await expectError(await dashboard.get('/icons/background'), 400, /expected \?url=<appConfig.backgroundImg/);
    await expectError(await dashboard.get(background('javascript:alert(1)')), 400, /expected \?url=/);
    const bare = await dashboardWith('  theme: dark\n', '');
    try {
      await expectError(await bare.get(background('wallpaper.jpg')), 404, 'your dashboard sets no appConfig.backgroundImg');
      await expectError(await bare.get(logo('logo.png')), 404, 'your dashboard sets no pageInfo.logo');
    } finally {
      await bare.stop();
    }
  });
});

describe('a background and a logo that cannot be shown', () => {
  it('answers a blank image, saying why, rather than a failed load', async () => {
    const dashboard = await dashboardWith(`  backgroundImg: ${images.base}/huge.jpg\n`, `  logo: ${down}/logo.png\n`);
    try {
      const huge = await dashboard.get(background(`${images.base}/huge.jpg`));
      expect(await expectServed(huge, 'none', 'larger than 8388608 bytes')).toBe('<svg xmlns="http://www.w3.org/2000/svg" width="1" height="1"/>');
      expect(huge.headers.get('cache-control')).toBe('public, max-age=300');
      await expectServed(await dashboard.get(logo(`${down}/logo.png`)), 'none', /ECONNREFUSED/);
    } finally {
      await dashboard.stop();
    }
  });
});

describe('a background and a logo in the user data folder', () => {
  let dashboard: TestDashboard;
  beforeAll(async () => {
    dashboard = await dashboardWith('  backgroundImg: ./wallpaper.png\n', '  logo: /assets/logo.png\n');
    await writeFile(join(dashboard.userDataDir, 'wallpaper.png'), PNG);
    await mkdir(join(dashboard.userDataDir, 'assets'));
    await writeFile(join(dashboard.userDataDir, 'assets', 'logo.png'), PNG);
  });
  afterAll(async () => dashboard.stop());

  it('serves the files the config names, as Dashy does from its root', async () => {
    const wallpaper = await dashboard.get(background('./wallpaper.png'));
    expect(Buffer.from(await wallpaper.clone().arrayBuffer()).equals(PNG)).toBe(true);
    await expectServed(wallpaper, 'file');
    const etag = wallpaper.headers.get('etag')!;
    expect((await fetch(`${dashboard.url}${background('./wallpaper.png')}`, { headers: { 'if-none-match': etag } })).status).toBe(304);
    await expectServed(await dashboard.get(logo('/assets/logo.png')), 'file');
  });

  it('serves nothing else from the folder, and never the config', async () => {
    for (const value of ['../conf.yml', 'conf.yml', '.backups/conf.yml', '/etc/passwd', 'assets/../conf.yml', '%2e%2e/x.png']) {
      const response = await dashboard.get(background(value));
      expect([400, 403], value).toContain(response.status);
    }
    await expectError(await dashboard.get(background('assets/logo.png')), 403, 'this is not the appConfig.backgroundImg of your dashboard');
  });

  it('does not follow a link from a named file to the config', async () => {
    const linked = await dashboardWith('  backgroundImg: secret.png\n', '');
    try {
      await symlink(join(linked.userDataDir, 'conf.yml'), join(linked.userDataDir, 'secret.png'));
      const body = await expectServed(await linked.get(background('secret.png')), 'none', 'no image file secret.png in the user data folder');
      expect(body).not.toContain('backgroundImg');
    } finally {
      await linked.stop();
    }
  });
});

describe('a background behind sign-in', () => {
  let provider: TestProvider;
  let dashboard: TestDashboard;
  beforeAll(async () => {
    provider = await startTestProvider({ shape: 'pocket-id', clientId: 'bg-client', accounts: [{ id: 'bob', claims: { preferred_username: 'bob', groups: [] } }] });
    dashboard = await dashboardWith(
      `  backgroundImg: ${images.base}/wallpaper.jpg\n  auth:\n    enableOidc: true\n    oidc:\n      clientId: bg-client\n      endpoint: ${provider.issuer}\n`,
      '',
    );
  });
  afterAll(async () => {
    await dashboard.stop();
    await provider.close();
  });

  it('is for signed-in people only, privately', async () => {
    expect((await dashboard.get(background(`${images.base}/wallpaper.jpg`))).status).toBe(401);
    const response = await dashboard.get(background(`${images.base}/wallpaper.jpg`), (await signIn(provider, 'bob')).idToken);
    await expectServed(response, 'image');
    expect(response.headers.get('cache-control')).toBe('private, max-age=86400');
    expect(response.headers.get('vary')).toBe('Authorization, Cookie');
  });
});
