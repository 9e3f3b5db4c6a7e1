import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encodeQr, penalty, qrCapacity, qrSvg, QR_MAX_VERSION } from '../web/src/lib/qr.js';
import { launchBrowser } from './browser/support.js';

/** zbarimg (Debian's zbar-tools) reads the codes as a phone's camera would; without it the decoding tests are skipped, not passed. */
const zbarimg = spawnSync('zbarimg', ['--version'], { encoding: 'utf8' }).status === 0;
if (!zbarimg) console.warn('skipped: the QR decoding tests need zbarimg (apt-get install -y zbar-tools)');

function urlOfLength(length: number): string {
  const base = 'https://id.example.com/lc/';
  let tail = '';
  for (let i = 0; tail.length < length - base.length; i++) tail += 'AbCdEfGhIjKlMnOpQrStUvWxYz0123456789_-'[(i * 7) % 38];
  return (base + tail).slice(0, length);
}

describe('the login link QR code', () => {
  it('picks the smallest version at level M and refuses what does not fit', () => {
    expect(qrCapacity(1)).toBe(14);
    expect(qrCapacity(10)).toBe(213);
    expect(encodeQr('a'.repeat(14)).version).toBe(1);
    expect(encodeQr('a'.repeat(15)).version).toBe(2);
    expect(encodeQr(urlOfLength(200)).version).toBe(10);
    expect(encodeQr(urlOfLength(200)).size).toBe(57);
    expect(() => encodeQr('a'.repeat(qrCapacity(QR_MAX_VERSION) + 1))).toThrow(/too long for a QR code/);
  });

  it('uses the mask with the lowest penalty', () => {
    const text = urlOfLength(80);
    const chosen = encodeQr(text);
    for (let mask = 0; mask < 8; mask++) expect(penalty(chosen.modules)).toBeLessThanOrEqual(penalty(encodeQr(text, { mask }).modules));
  });

  describe.skipIf(!zbarimg)('decoded by zbarimg from a Chromium rendering', () => {
    let browser: Browser;
    const dir = mkdtempSync(join(tmpdir(), 'hearth-qr-'));
    beforeAll(async () => {
      browser = await launchBrowser();
    });
    afterAll(async () => {
      await browser?.close();
      rmSync(dir, { recursive: true, force: true });
    });

    async function decode(svg: string, name: string): Promise<string> {
      const page = await browser.newPage({ viewport: { width: 480, height: 480 } });
      await page.setContent(`<body style="margin:0;background:#fff">${svg.replace('<svg ', '<svg width="456" height="456" ')}</body>`);
      const file = join(dir, `${name}.png`);
      writeFileSync(file, await page.locator('svg').screenshot());
      await page.close();
      return execFileSync('zbarimg', ['--raw', '--quiet', file], { encoding: 'utf8' }).replace(/\n$/, '');
    }

    it.each([1, 14, 15, 40, 61, 100, 154, 200, 213, 260])('a URL of %i characters', async (length) => {
      const url = urlOfLength(length);
      expect(await decode(qrSvg(url), `len-${length}`)).toBe(url);
    });

    it.each([0, 1, 2, 3, 4, 5, 6, 7])('with mask %i forced', async (mask) => {
      // Version 7 (with version information) and several error correction blocks.
      const url = urlOfLength(120);
      const code = encodeQr(url, { mask });
      expect(code.version).toBe(7);
      const path = code.modules.flatMap((row, y) => row.map((dark, x) => (dark ? `M${x + 4} ${y + 4}h1v1h-1z` : ''))).join('');
      const svg = `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${code.size + 8} ${code.size + 8}" shape-rendering="crispEdges"><rect width="100%" height="100%" fill="#fff"/><path d="${path}"/></svg>`;
      expect(await decode(svg, `mask-${mask}`)).toBe(url);
    });

    it('text beyond ASCII, as UTF-8', async () => {
      const text = 'https://id.example.com/lc/héllo-wörld';
      expect(await decode(qrSvg(text), 'utf8')).toBe(text);
    });
  });
});
