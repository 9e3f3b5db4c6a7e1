// An icon the dashboard names always comes back as an image: the icon itself, else the
// item's favicon, else a letter tile, with X-Hearth-Icon saying which. A failed image load is
// a console error in every browser, and most real configs name icons that a homelab without
// internet cannot fetch. Refusals stay refusals. The other hosts are local stand-ins.
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { letterColour } from '../src/icons/letter-tile.js';
import { startTestDashboard } from './support/dashboard.js';
import type { TestDashboard } from './support/dashboard.js';
import { closedBase, expectError, expectServed, PNG, send, standIn, SVG } from './support/icon-stand-ins.js';
import type { StandIn } from './support/icon-stand-ins.js';

let cdn: StandIn;
let site: StandIn;
let images: StandIn;
let downSite: string;

beforeAll(async () => {
  cdn = await standIn({ '/svg/plex.svg': send('image/svg+xml', SVG) });
  site = await standIn({
    '/': send('text/html', '<html><head><link rel="icon" href="/static/icon.png"></head></html>'),
    '/static/icon.png': send('image/png', PNG),
  });
  images = await standIn({ '/logo.png': send('image/png', PNG) });
  downSite = await closedBase();
});

afterAll(async () => {
  await Promise.all([cdn.close(), site.close(), images.close()]);
});

function config(extra = ''): string {
  return `sections:
  - name: Media
    items:
      - { title: Plex, icon: hl-plex, url: '${site.base}/' }
      - { title: Missing, icon: hl-nosuchicon, url: '${site.base}/' }
      - { title: Zulu, icon: hl-nosuchicon }
      - { title: Down, icon: hl-plex, url: '${downSite}/' }
      - { title: Image, icon: '${images.base}/gone.png', url: '${site.base}/' }
      - { title: Local, icon: missing.png, url: '${site.base}/' }
      - { title: Favicon, icon: favicon, url: '${downSite}/' }
${extra}`;
}

const q = encodeURIComponent;

async function timed(run: () => Promise<void>): Promise<number> {
  const started = performance.now();
  await run();
  return performance.now() - started;
}

async function repeatedTimes(rounds: number, run: () => Promise<void>): Promise<number[]> {
  const times: number[] = [];
  for (let round = 0; round < rounds; round += 1) times.push(await timed(run));
  return times;
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
const tileOf = (body: string) => ({ letter: />([^<]*)<\/text>/.exec(body)?.[1], fill: /<rect [^>]*fill="(#[0-9a-f]{6})"/.exec(body)?.[1] });

describe('falling back, with the icon sources online', () => {
  let dashboard: TestDashboard;
  beforeAll(async () => {
    dashboard = await startTestDashboard({ config: config(), dashboardIconsUrl: cdn.base, iconFetchTimeoutMs: 1_000 });
  });
  afterAll(async () => dashboard.stop());

  it('serves the dashboard-icon itself when the CDN has it, kept for a day', async () => {
    const response = await dashboard.get(`/icons/hl/plex?url=${q(`${site.base}/`)}&title=Plex`);
    expect(await expectServed(response, 'cdn')).toBe(SVG);
    expect(response.headers.get('cache-control')).toBe('public, max-age=86400');
    expect(response.headers.get('x-hearth-icon-reason')).toBeNull();
    expect(site.hits.get('/') ?? 0).toBe(0);
  });

  it("falls back on the item's favicon when the CDN has no such icon, kept only briefly", async () => {
    const response = await dashboard.get(`/icons/hl/nosuchicon?url=${q(`${site.base}/`)}&title=Missing`);
    await expectServed(response, 'favicon', 'dashboard-icons has no icon named "nosuchicon"');
    expect(response.headers.get('content-type')).toBe('image/png');
    expect(response.headers.get('cache-control')).toBe('public, max-age=300');
  });

  it('then on a letter tile coloured after the title when there is no favicon either', async () => {
    const down = await dashboard.get(`/icons/hl/nosuchicon?title=Zulu`);
    expect(tileOf(await expectServed(down, 'letter', 'dashboard-icons has no icon named "nosuchicon"'))).toEqual({ letter: 'Z', fill: letterColour('Zulu') });
    expect(down.headers.get('content-security-policy')).toBe("default-src 'none'; style-src 'unsafe-inline'");

    const favicon = await dashboard.get(`/icons/favicon?url=${q(`${downSite}/`)}&title=Favicon`);
    expect(tileOf(await expectServed(favicon, 'letter', /cannot load 127\.0\.0\.1:\d+.*ECONNREFUSED/))).toEqual({ letter: 'F', fill: letterColour('Favicon') });
    // Without a title the tile still draws.
    expect(tileOf(await expectServed(await dashboard.get(`/icons/favicon?url=${q(`${downSite}/`)}`), 'letter')).letter).toBe('?');
  });

  it('falls back the same way for an image URL and a missing item-icons file', async () => {
    const image = await dashboard.get(`/icons/image?url=${q(`${images.base}/gone.png`)}&item=${q(`${site.base}/`)}&title=Image`);
    await expectServed(image, 'favicon', /answered HTTP 404/);
    const file = await dashboard.get(`/item-icons/missing.png?url=${q(`${site.base}/`)}&title=Local`);
    await expectServed(file, 'favicon', 'no file missing.png in item-icons/');
    expect(tileOf(await expectServed(await dashboard.get('/item-icons/missing.png?title=Local'), 'letter')).letter).toBe('L');
    // Without anything to fall back on, a missing file stays a 404, as in Dashy.
    await expectError(await dashboard.get('/item-icons/missing.png'), 404, 'no file missing.png in item-icons/');
  });

  it('draws a letter cut out of a tile for an unknown Simple Icons or Material Design name', async () => {
    for (const path of ['/icons/si/nosuchbrand.svg?title=Brand', '/icons/mdi/no-such-icon.svg?title=Brand']) {
      const body = await expectServed(await dashboard.get(path), 'letter', /^no such /);
      expect(body).toContain('<mask id="m">');
      expect(tileOf(body).letter).toBe('B');
    }
    await expectServed(await dashboard.get('/icons/si/sonarr.svg?title=Sonarr'), 'package');
    await expectError(await dashboard.get('/icons/si/nosuchbrand.svg'), 404, 'no such Simple Icons icon');
  });

  it('escapes the title and draws nothing else', async () => {
    const body = await expectServed(await dashboard.get(`/icons/hl/nosuchicon?title=${q('<script>alert(1)</script>')}`), 'letter');
    expect(body).not.toContain('<script');
    expect(tileOf(body).letter).toBe('&#60;');
  });

  it('keeps refusing what is not in the dashboard or malformed, without fetching anything', async () => {
    const hits = site.hits.get('/') ?? 0;
    const notNamed = 'this icon is not named in your dashboard';
    await expectError(await dashboard.get(`/icons/hl/nosuchicon?url=${q(`${site.base}/other`)}&title=X`), 403, notNamed);
    await expectError(await dashboard.get(`/icons/hl/sonarr?title=X`), 403, notNamed);
    await expectError(await dashboard.get(`/icons/image?url=${q(`${images.base}/other.png`)}&title=X`), 403, notNamed);
    await expectError(await dashboard.get(`/item-icons/missing.png?url=${q('http://169.254.169.254/')}&title=X`), 403, notNamed);
    await expectError(await dashboard.get(`/icons/hl/nosuchicon?title=${'x'.repeat(257)}`), 400, /expected title=/);
    await expectError(await dashboard.get('/icons/hl/nosuchicon?title=a&title=b'), 400, /expected title=/);
    await expectError(await dashboard.get('/icons/hl/nosuchicon?url=file:///etc/passwd'), 400, /expected url=/);
    await expectError(await dashboard.get('/icons/hl/..%2Fplex?title=X'), 400, /expected \/icons\/hl\/<name>/);
    expect([400, 404]).toContain((await dashboard.get('/item-icons/..%2Fconf.yml?title=X')).status);
    expect(site.hits.get('/') ?? 0).toBe(hits);
  });
});

describe('falling back without internet', () => {
  let dashboard: TestDashboard;
  let cdnPort: number;
  beforeAll(async () => {
    const closedCdn = await closedBase();
    cdnPort = Number(new URL(closedCdn).port);
    dashboard = await startTestDashboard({ config: config(), dashboardIconsUrl: closedCdn, iconFetchTimeoutMs: 2_000 });
  });
  afterAll(async () => dashboard.stop());

  it("falls back from an unreachable CDN to the item's favicon", async () => {
    await expectServed(await dashboard.get(`/icons/hl/plex?url=${q(`${site.base}/`)}&title=Plex`), 'favicon', /ECONNREFUSED/);
    expect(existsSync(join(dashboard.userDataDir, '.icon-cache', 'hl'))).toBe(false);
  });

  it('answers a letter tile at once when the sources refuse connections', async () => {
    const path = `/icons/hl/plex?url=${q(`${downSite}/`)}&title=Down`;
    const first = await timed(async () => {
      expect(tileOf(await expectServed(await dashboard.get(path), 'letter', /ECONNREFUSED.*favicon: cannot load/)).letter).toBe('D');
    });
    const again = await repeatedTimes(20, async () => void (await expectServed(await dashboard.get(path), 'letter')));
    expect(first).toBeLessThan(1_000);
    expect(median(again)).toBeLessThan(50);
  });

  it('waits for a silent source once, then answers from memory without waiting', async () => {
    const silent = await standIn({ '/svg/plex.svg': () => undefined });
    const waiting = await startTestDashboard({ config: config(), dashboardIconsUrl: silent.base, iconFetchTimeoutMs: 1_500 });
    try {
      const path = '/icons/hl/plex?title=Plex';
      const first = await timed(async () => void (await expectServed(await waiting.get(path), 'letter', 'no answer within 1500 ms')));
      const again = await repeatedTimes(10, async () => void (await expectServed(await waiting.get(path), 'letter', 'no answer within 1500 ms')));
      expect(first).toBeGreaterThanOrEqual(1_400);
      expect(Math.max(...again)).toBeLessThan(750);
      expect(median(again)).toBeLessThan(50);
      expect(silent.hits.get('/svg/plex.svg')).toBe(1);
    } finally {
      await waiting.stop();
      await silent.close();
    }
  });

  it('leaves a host it could not reach alone for a while, for every icon on it', async () => {
    // The CDN comes back on the same port; the next icon is not asked of it yet.
    const back = await standIn({ '/svg/nosuchicon.svg': send('image/svg+xml', SVG) }, cdnPort);
    try {
      await expectServed(await dashboard.get('/icons/hl/nosuchicon?title=Zulu'), 'letter', /ECONNREFUSED/);
      expect(back.hits.size).toBe(0);
      // A fresh server (or five minutes) asks again.
      const restarted = await startTestDashboard({ config: config(), dashboardIconsUrl: back.base });
      try {
        await expectServed(await restarted.get('/icons/hl/nosuchicon?title=Zulu'), 'cdn');
        expect(back.hits.get('/svg/nosuchicon.svg')).toBe(1);
      } finally {
        await restarted.stop();
      }
    } finally {
      await back.close();
    }
  });
});

describe('falling back on a dashboard of built-in users', () => {
  let dashboard: TestDashboard;
  beforeAll(async () => {
    const hash = createHash('sha256').update('pw').digest('hex');
    dashboard = await startTestDashboard({
      config: `appConfig:\n  auth:\n    users:\n      - { user: alice, hash: ${hash}, type: admin }\n${config()}`,
      dashboardIconsUrl: cdn.base,
    });
  });
  afterAll(async () => dashboard.stop());

  it('answers signed-in users privately, varying on the session cookie, and refuses visitors', async () => {
    const path = '/icons/hl/nosuchicon?title=Zulu';
    const visitor = await dashboard.get(path);
    expect(visitor.status).toBe(401);
    expect(visitor.headers.get('cache-control')).toBe('no-store');
    const login = await fetch(`${dashboard.url}/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username: 'alice', password: 'pw' }),
    });
    expect(login.status).toBe(200);
    const cookie = login.headers.getSetCookie()[0]!.split(';')[0]!;
    const response = await fetch(`${dashboard.url}${path}`, { headers: { cookie } });
    await expectServed(response, 'letter');
    expect(response.headers.get('vary')).toBe('Authorization, Cookie');
    expect(response.headers.get('cache-control')).toBe('private, max-age=300');
    const plex = await fetch(`${dashboard.url}/icons/hl/plex`, { headers: { cookie } });
    await expectServed(plex, 'cdn');
    expect(plex.headers.get('vary')).toBe('Authorization, Cookie');
    expect(plex.headers.get('cache-control')).toBe('private, max-age=86400');
  });
});
