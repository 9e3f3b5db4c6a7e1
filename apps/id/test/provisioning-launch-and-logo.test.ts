import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findClient } from '../src/clients/clients.js';
import { findClientLogo, LOGO_MAX_BYTES } from '../src/clients/logos.js';
import { applyProvisioning, formatLine } from '../src/provisioning/apply.js';
import { loadProvisioningFile, ProvisioningError } from '../src/provisioning/load.js';
import { DB_PROVIDERS, startTestServer, type TestServer } from './support/server.js';

const dir = mkdtempSync(join(tmpdir(), 'hearth-id-provisioning-logo-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const SVG = '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 8 8"><rect width="8" height="8"/></svg>';
const PNG = Buffer.from('89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c4890000000d4944415478da63f8ffff3f0005fe02fe0dc744f50000000049454e44ae426082', 'hex');
writeFileSync(join(dir, 'photos.svg'), SVG);
writeFileSync(join(dir, 'photos.png'), PNG);
writeFileSync(join(dir, 'not-an-image.png'), 'hello, I am text');
writeFileSync(join(dir, 'huge.png'), Buffer.concat([PNG, Buffer.alloc(LOGO_MAX_BYTES)]));

let files = 0;
function provisioningFile(text: string): string {
  const file = join(dir, `provisioning-${(files += 1)}.yaml`);
  writeFileSync(file, text);
  return file;
}

const photos = (fields: string) => `clients:
  - clientId: photos
    name: Photos
    callbackUrls: ['https://photos.lan/callback']
    isPublic: true
${fields}`;

describe.each(DB_PROVIDERS)('a client’s launch URL and logo in the provisioning file on %s', (provider) => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer({ provider });
  });
  afterAll(async () => server?.stop());

  async function provision(text: string): Promise<string[]> {
    const plan = await loadProvisioningFile(provisioningFile(text), {});
    return (await applyProvisioning(server.ctx.database, plan)).lines.map(formatLine);
  }

  it('sets them on create, leaves them unchanged for the same bytes, and changes them when the file does', async () => {
    const { db } = server.ctx.database;
    expect(await provision(photos('    launchUrl: https://photos.lan/\n    logoFile: photos.svg\n'))).toEqual(['client "photos": created']);
    const created = (await findClient(db, 'photos'))!;
    expect(created.launchUrl).toBe('https://photos.lan/');
    expect(created.logoUrl).toMatch(/^\/client-logos\/photos\//);
    expect((await findClientLogo(db, 'photos'))?.contentType).toBe('image/svg+xml');

    expect(await provision(photos('    launchUrl: https://photos.lan/\n    logoFile: photos.svg\n'))).toEqual(['client "photos": unchanged']);
    expect((await findClient(db, 'photos'))!.updatedAt).toBe(created.updatedAt);

    expect(await provision(photos('    launchUrl: https://photos.lan/gallery\n    logoFile: photos.png\n'))).toEqual(['client "photos": changed (launchUrl, logo)']);
    expect((await findClientLogo(db, 'photos'))?.contentType).toBe('image/png');
    // Left out: left alone.
    expect(await provision(photos(''))).toEqual(['client "photos": unchanged']);
    expect((await findClient(db, 'photos'))!.launchUrl).toBe('https://photos.lan/gallery');
    // null: cleared.
    expect(await provision(photos('    launchUrl: null\n    logoFile: null\n'))).toEqual(['client "photos": changed (launchUrl, logo)']);
    expect(await findClient(db, 'photos')).toMatchObject({ launchUrl: null, logoUrl: null });
  });

  it('refuses a bad launch URL or logo file before changing anything, naming the entry and the field', async () => {
    const problemsOf = (file: string) =>
      loadProvisioningFile(file, {}).then(
        () => [],
        (failure: unknown) => {
          expect(failure).toBeInstanceOf(ProvisioningError);
          return (failure as ProvisioningError).problems;
        },
      );
    expect(
      await problemsOf(
        provisioningFile(`clients:
  - clientId: a
    name: A
    callbackUrls: ['https://a.lan/cb']
    launchUrl: 'javascript:alert(1)'
`),
      ),
    ).toEqual(['clients[0] "a": launchUrl "javascript:alert(1)" must start with https:// or http://']);

    const file = provisioningFile(`clients:
  - clientId: b
    name: B
    callbackUrls: ['https://b.lan/cb']
    logoFile: not-an-image.png
  - clientId: c
    name: C
    callbackUrls: ['https://c.lan/cb']
    logoFile: huge.png
  - clientId: d
    name: D
    callbackUrls: ['https://d.lan/cb']
    logoFile: missing.png
`);
    expect(await problemsOf(file)).toEqual([
      `clients[0] "b": logoFile ${join(dir, 'not-an-image.png')}: the logo must be a PNG, JPEG, WebP or SVG image; this file is none of them`,
      `clients[1] "c": logoFile ${join(dir, 'huge.png')}: the logo is 513 KB; a logo may be at most 512 KB`,
      `clients[2] "d": logoFile cannot be read: ${join(dir, 'missing.png')} (ENOENT)`,
    ]);
  });
});
