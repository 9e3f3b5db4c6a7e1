// Icons fetched from other hosts (image URLs, favicons of services, dashboard-icons) are
// cached on disk and fetched only for what the requester's view of the config names; one
// that cannot be fetched is answered with a stand-in (icons-fallback.test.ts has the whole
// chain). The other hosts are local stand-ins; nothing reaches the internet.
import { mkdir, readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestDashboard } from './support/dashboard.js';
import type { TestDashboard } from './support/dashboard.js';
import { closedBase, expectError, expectServed, ICO, PNG, send, standIn, SVG } from './support/icon-stand-ins.js';
import type { StandIn } from './support/icon-stand-ins.js';
import { startTestProvider } from './support/oidc-provider.js';
import type { TestProvider } from './support/oidc-provider.js';
import { signIn } from './support/sign-in.js';

let cdn: StandIn;
let site: StandIn;
let images: StandIn;
let closedCdn: string;
let cameraShots = 0;
let cameraDown = false;

beforeAll(async () => {
  cdn = await standIn({
    '/svg/plex.svg': send('image/svg+xml', SVG),
    '/png/onlypng.png': send('image/png', PNG),
    '/svg/liar.svg': send('image/svg+xml', '<html><body>not an icon</body></html>'),
    // No SVG (after a while), and a PNG that takes longer than the time left.
    '/svg/slowpng.svg': (res) => void setTimeout(() => res.writeHead(404).end(), 200),
    '/png/slowpng.png': (res) => void setTimeout(() => res.writeHead(200, { 'content-type': 'image/png' }).end(PNG), 3_000),
  });
  site = await standIn({
    '/': send('text/html', '<html><head><title>App</title><link rel="icon" type="image/png" href="/static/icon.png"></head><body></body></html>'),
    '/static/icon.png': send('image/png', PNG),
    '/plain': send('text/html; charset=utf-8', '<html><head><title>Plain</title></head></html>'),
    '/favicon.ico': send('image/vnd.microsoft.icon', ICO),
  });
  images = await standIn({
    '/logo.png': send('image/png', PNG),
    '/logo.svg': send('image/svg+xml', SVG),
    '/octet.ico': send('application/octet-stream', ICO),
    '/page.png': send('image/png', '<!doctype html><html><script>alert(1)</script></html>'),
    '/big.png': send('image/png', Buffer.concat([PNG, Buffer.alloc(2 * 1024 * 1024)])),
    '/camera.png': (res) => {
      if (cameraDown) return void res.socket?.destroy();
      cameraShots += 1;
      res.writeHead(200, { 'content-type': 'image/png' }).end(Buffer.concat([PNG, Buffer.from([cameraShots])]));
    },
    '/slow.png': (res) => void setTimeout(() => res.writeHead(200, { 'content-type': 'image/png' }).end(PNG), 3_000),
  });
  closedCdn = await closedBase();
});

afterAll(async () => {
  await Promise.all([cdn.close(), site.close(), images.close()]);
});

function config(extra = ''): string {
  return `pageInfo:
  title: Icons
sections:
  - name: Media
    icon: ${images.base}/logo.svg
    items:
      - title: Plex
        icon: hl-Plex
        url: ${site.base}/
      - title: Only PNG
        icon: hl-onlypng
        url: ${site.base}/plain
      - title: Missing
        icon: hl-nosuchicon
      - title: Liar
        icon: hl-liar
      - title: Logo
        icon: ${images.base}/logo.png
      - title: Octet
        icon: ${images.base}/octet.ico
      - title: Page
        icon: ${images.base}/page.png
      - title: Big
        icon: ${images.base}/big.png
      - title: Slow
        icon: ${images.base}/slow.png
      - title: Gone
        icon: ${images.base}/gone.png
      - title: Slow PNG
        icon: hl-slowpng
  - name: Widgets
    widgets:
      - type: image
        options:
          imagePath: ${images.base}/camera.png
      - type: image
        options:
          imagePath: ${images.base}/big.png?widget
      - type: image
        options:
          imagePath: ${images.base}/gone.png?widget
${extra}`;
}

const image = (url: string) => `/icons/image?url=${encodeURIComponent(url)}`;
const favicon = (url: string) => `/icons/favicon?url=${encodeURIComponent(url)}`;

describe('icons fetched from other hosts', () => {
  let dashboard: TestDashboard;
  beforeAll(async () => {
    dashboard = await startTestDashboard({ config: config(), dashboardIconsUrl: `${cdn.base}/`, iconFetchTimeoutMs: 500 });
  });
  afterAll(async () => dashboard.stop());

  it('fetches an image URL named in the config once, then serves it from the disk cache', async () => {
    const url = `${images.base}/logo.png`;
    const first = await dashboard.get(image(url));
    expect(first.status).toBe(200);
    expect(first.headers.get('x-hearth-icon')).toBe('image');
    expect(first.headers.get('content-type')).toBe('image/png');
    expect(first.headers.get('cache-control')).toBe('public, max-age=86400');
    expect(Buffer.from(await first.arrayBuffer())).toEqual(PNG);
    expect(images.hits.get('/logo.png')).toBe(1);
    expect((await readdir(join(dashboard.userDataDir, '.icon-cache', 'image'))).filter((name) => name.endsWith('.bin'))).toHaveLength(1);

    const second = await dashboard.get(image(url));
    expect(Buffer.from(await second.arrayBuffer())).toEqual(PNG);
    expect(images.hits.get('/logo.png')).toBe(1);
  });

  it('serves a fetched SVG with a policy that keeps its script from running', async () => {
    const response = await dashboard.get(image(`${images.base}/logo.svg`));
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('image/svg+xml');
    expect(response.headers.get('content-security-policy')).toBe("default-src 'none'; style-src 'unsafe-inline'");
    expect(response.headers.get('x-content-type-options')).toBe('nosniff');
  });

  it('takes an icon sent as application/octet-stream when the bytes are an image', async () => {
    const response = await dashboard.get(image(`${images.base}/octet.ico`));
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('image/x-icon');
  });

  it('answers what is not an image, too large, too slow or missing with a letter tile, saying why, never a 500', async () => {
    const tile = async (path: string, title: string, reason: RegExp) => {
      const response = await dashboard.get(`${image(`${images.base}${path}`)}&title=${encodeURIComponent(title)}`);
      expect(await expectServed(response, 'letter', reason)).toContain(`>${title[0]}</text>`);
      expect(response.headers.get('cache-control')).toBe('public, max-age=300');
    };
    await tile('/page.png', 'Page', /did not answer with an image/);
    await tile('/big.png', 'Big', /larger than 1048576 bytes/);
    const started = Date.now();
    await tile('/slow.png', 'Slow', /no answer within 500 ms/);
    expect(Date.now() - started).toBeLessThan(2_500);
    await tile('/gone.png', 'Gone', /answered HTTP 404/);
  });

  it('names the whole time allowed when the second of two lookups runs out of it, not what was left after the first', async () => {
    await expectServed(await dashboard.get('/icons/hl/slowpng?title=Slow'), 'letter', 'no answer within 500 ms');
  });

  it('remembers a failure for a while instead of asking again on every page load', async () => {
    const before = images.hits.get('/page.png') ?? 0;
    await expectServed(await dashboard.get(image(`${images.base}/page.png`)), 'letter', /did not answer with an image/);
    expect(images.hits.get('/page.png')).toBe(before);
  });

  it("fetches an image widget's picture on every request, larger ones too, and keeps the last copy for when its source is down", async () => {
    const camera = image(`${images.base}/camera.png`);
    const first = await dashboard.get(camera);
    expect(first.status).toBe(200);
    expect(first.headers.get('cache-control')).toBe('no-cache');
    const firstShot = Buffer.from(await first.arrayBuffer()).at(-1);
    const second = Buffer.from(await (await dashboard.get(camera)).arrayBuffer()).at(-1);
    expect(second).toBe(firstShot! + 1);
    expect((await dashboard.get(image(`${images.base}/big.png?widget`))).status).toBe(200);

    cameraDown = true;
    try {
      const stale = await dashboard.get(camera);
      expect(stale.status).toBe(200);
      expect(Buffer.from(await stale.arrayBuffer()).at(-1)).toBe(second);
      expect(cameraShots).toBe(firstShot! + 1);
    } finally {
      cameraDown = false;
    }
    // No letter tile stands in for a picture that never arrived.
    await expectError(await dashboard.get(image(`${images.base}/gone.png?widget`)), 404, /answered HTTP 404/);
  });

  it('refuses URLs that are not icons of the dashboard', async () => {
    const reason = 'this icon is not named in your dashboard';
    await expectError(await dashboard.get(image(`${images.base}/logo.png?other`)), 403, reason);
    await expectError(await dashboard.get(image('http://169.254.169.254/latest/meta-data/')), 403, reason);
    // An item's page is not an icon.
    await expectError(await dashboard.get(image(`${site.base}/`)), 403, reason);
    await expectError(await dashboard.get(image('file:///etc/passwd')), 400, /expected \?url=/);
    await expectError(await dashboard.get('/icons/image'), 400, /expected \?url=/);
    await expectError(await dashboard.get(`/icons/image?url=${'x'.repeat(3000)}`), 400, /expected \?url=/);
  });

  it("finds an item's favicon from its page, else /favicon.ico, and caches it", async () => {
    const linked = await dashboard.get(favicon(`${site.base}/`));
    await expectServed(linked, 'favicon');
    expect(linked.headers.get('cache-control')).toBe('public, max-age=86400');
    expect(linked.headers.get('content-type')).toBe('image/png');
    expect(site.hits.get('/static/icon.png')).toBe(1);
    const plain = await dashboard.get(favicon(`${site.base}/plain`));
    expect(plain.status).toBe(200);
    expect(plain.headers.get('content-type')).toBe('image/x-icon');
    expect(Buffer.from(await plain.arrayBuffer())).toEqual(ICO);

    const pageHits = site.hits.get('/') ?? 0;
    expect((await dashboard.get(favicon(`${site.base}/`))).status).toBe(200);
    expect(site.hits.get('/')).toBe(pageHits);
    await expectError(await dashboard.get(favicon(`${site.base}/admin`)), 403, 'this icon is not named in your dashboard');
    await expectError(await dashboard.get(favicon(`${images.base}/logo.png`)), 403, 'this icon is not named in your dashboard');
  });

  it('fetches dashboard-icons from the configured CDN, SVG first and PNG as Dashy does, and caches them', async () => {
    const plex = await dashboard.get('/icons/hl/plex');
    await expectServed(plex, 'cdn');
    expect(plex.headers.get('content-type')).toBe('image/svg+xml');
    expect(plex.headers.get('content-security-policy')).toBe("default-src 'none'; style-src 'unsafe-inline'");
    expect((await dashboard.get('/icons/hl/plex')).status).toBe(200);
    expect(cdn.hits.get('/svg/plex.svg')).toBe(1);

    const png = await dashboard.get('/icons/hl/onlypng');
    expect(png.status).toBe(200);
    expect(png.headers.get('content-type')).toBe('image/png');
    expect(cdn.hits.get('/svg/onlypng.svg')).toBe(1);

    await expectServed(await dashboard.get('/icons/hl/nosuchicon?title=Missing'), 'letter', 'dashboard-icons has no icon named "nosuchicon"');
    await expectServed(await dashboard.get('/icons/hl/liar?title=Liar'), 'letter', /did not answer with an image/);
    await expectError(await dashboard.get('/icons/hl/sonarr'), 403, 'this icon is not named in your dashboard');
    expect(cdn.hits.has('/svg/sonarr.svg')).toBe(false);
    for (const name of ['..%2F..%2Fetc', 'Plex', 'plex.svg%00', '.plex', 'a'.repeat(65)]) {
      expect((await dashboard.get(`/icons/hl/${name}`)).status, name).toBe(400);
    }
    // Longer than the router takes a parameter: no route at all.
    expect((await dashboard.get(`/icons/hl/${'a'.repeat(101)}`)).status).toBe(404);
  });

  it('keeps serving from the disk cache after a restart, without asking the source again', async () => {
    const restarted = await startTestDashboard({ userDataDir: dashboard.userDataDir, dashboardIconsUrl: closedCdn });
    try {
      const hits = cdn.hits.get('/svg/plex.svg');
      const response = await restarted.get('/icons/hl/plex');
      expect(response.status).toBe(200);
      expect(await response.text()).toBe(SVG);
      expect(cdn.hits.get('/svg/plex.svg')).toBe(hits);
      expect((await restarted.get(image(`${images.base}/logo.png`))).status).toBe(200);
      expect(images.hits.get('/logo.png')).toBe(1);
    } finally {
      await restarted.close();
    }
  });
});

describe('icons with sign-in configured', () => {
  let provider: TestProvider;
  let dashboard: TestDashboard;
  let member: string;
  let admin: string;

  beforeAll(async () => {
    provider = await startTestProvider({
      shape: 'pocket-id',
      clientId: 'icons-client',
      accounts: [
        { id: 'bob', claims: { preferred_username: 'bob', groups: ['family'] } },
        { id: 'alice', claims: { preferred_username: 'alice', groups: ['admins'] } },
      ],
    });
    const hidden = `  - name: Admins only
    icon: hl-proxmox
    displayData:
      showForKeycloakUsers:
        groups: ['admins']
    items:
      - title: Router
        icon: ${images.base}/logo.svg?router
        url: ${site.base}/router
`;
    dashboard = await startTestDashboard({
      config: `appConfig:\n  auth:\n    enableOidc: true\n    oidc:\n      clientId: icons-client\n      endpoint: ${provider.issuer}\n      adminGroup: admins\n${config(hidden)}`,
      dashboardIconsUrl: cdn.base,
    });
    await mkdir(join(dashboard.userDataDir, 'item-icons'), { recursive: true });
    await writeFile(join(dashboard.userDataDir, 'item-icons', 'nas.png'), PNG);
    member = (await signIn(provider, 'bob')).idToken;
    admin = (await signIn(provider, 'alice')).idToken;
  });
  afterAll(async () => {
    await dashboard.stop();
    await provider.close();
  });

  it('answers 401 to signed-out visitors for every icon the config names', async () => {
    for (const path of [image(`${images.base}/logo.png`), favicon(`${site.base}/`), '/icons/hl/plex', image(`${images.base}/not-in-config.png`)]) {
      const response = await dashboard.get(path);
      expect(response.status, path).toBe(401);
      expect(response.headers.get('cache-control')).toBe('no-store');
    }
  });

  it('serves package icons and item-icons files to anyone', async () => {
    expect((await dashboard.get('/vendor/fontawesome/css/all.min.css')).status).toBe(200);
    expect((await dashboard.get('/icons/si/plex.svg')).status).toBe(200);
    expect((await dashboard.get('/item-icons/nas.png')).status).toBe(200);
  });

  it('serves a signed-in user the icons of what they can see, privately', async () => {
    const response = await dashboard.get(image(`${images.base}/logo.png`), member);
    expect(response.status).toBe(200);
    expect(response.headers.get('cache-control')).toBe('private, max-age=86400');
    expect(response.headers.get('vary')).toBe('Authorization, Cookie');
    expect((await dashboard.get('/icons/hl/plex', member)).status).toBe(200);
    expect((await dashboard.get(favicon(`${site.base}/plain`), member)).status).toBe(200);
  });

  it('refuses a user the icons of sections hidden from them, and serves them to an admin', async () => {
    const routerIcon = image(`${images.base}/logo.svg?router`);
    const hits = images.hits.get('/logo.svg') ?? 0;
    await expectError(await dashboard.get(routerIcon, member), 403, 'this icon is not named in your dashboard');
    await expectError(await dashboard.get('/icons/hl/proxmox', member), 403, 'this icon is not named in your dashboard');
    // Falling back on a hidden item's favicon is refused too.
    await expectError(await dashboard.get(`/icons/hl/plex?url=${encodeURIComponent(`${site.base}/router`)}`, member), 403, 'this icon is not named in your dashboard');
    expect(images.hits.get('/logo.svg') ?? 0).toBe(hits);
    expect((await dashboard.get(routerIcon, admin)).status).toBe(200);
    expect(images.hits.get('/logo.svg')).toBe(hits + 1);
  });

  it('refuses a forged token with 401', async () => {
    const response = await dashboard.get('/icons/hl/plex', `${member.slice(0, -4)}AAAA`);
    expect(response.status).toBe(401);
  });
});
