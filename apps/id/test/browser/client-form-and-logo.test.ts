import { describe, expect, it } from 'vitest';
import { createClient } from '../../src/clients/clients.js';
import { api, signedInUser } from '../support/server.js';
import { openPerson, useBrowserAndServer, watchForPageErrors } from './support.js';

const LOGO_SVG = '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 48 48"><rect width="48" height="48" fill="#2563eb"/></svg>';

describe('the admin client page: a logo upload between edits and Save', () => {
  const shared = useBrowserAndServer();

  it('keeps unsaved edits to the settings through a logo upload, and saves them', async () => {
    const { browser, server } = shared;
    const { client } = await createClient(server.ctx.database.db, { name: 'Photos', callbackUrls: ['http://localhost:4000/'], isPublic: true });
    const { cookie } = await signedInUser(server, { username: 'logo-admin', isAdmin: true });
    const person = await openPerson(browser, { viewport: { width: 1280, height: 800 } });
    const errors = watchForPageErrors(person.page);
    const [name, value] = cookie.split('=') as [string, string];
    await person.context.addCookies([{ name, value, url: server.url }]);
    await person.page.goto(`${server.url}/admin/clients/${client.id}`);

    await person.page.getByLabel('Name', { exact: true }).fill('Family photos');
    await person.page.getByLabel('Launch URL').fill('https://photos.example.com/');
    await person.page.getByLabel('Image file').setInputFiles({ name: 'logo.svg', mimeType: 'image/svg+xml', buffer: Buffer.from(LOGO_SVG) });
    await person.page.getByRole('button', { name: 'Upload logo' }).click();
    await person.page.getByRole('button', { name: 'Remove logo', exact: true }).waitFor();

    expect(await person.page.getByLabel('Name', { exact: true }).inputValue()).toBe('Family photos');
    expect(await person.page.getByLabel('Launch URL').inputValue()).toBe('https://photos.example.com/');
    await person.page.getByRole('button', { name: 'Save', exact: true }).click();
    await person.page.getByRole('status').getByText('Saved.').waitFor();
    const saved = (await api(server, 'GET', `/api/admin/clients/${client.id}`, { cookie })).body.client;
    expect(saved).toMatchObject({ name: 'Family photos', launchUrl: 'https://photos.example.com/', logoUrl: expect.stringMatching(/^\/client-logos\//) });
    expect(errors).toEqual([]);
    await person.context.close();
  }, 60_000);
});
