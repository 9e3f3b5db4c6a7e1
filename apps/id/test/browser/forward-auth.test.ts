import { describe, expect, it } from 'vitest';
import { createGroup } from '../../src/groups/groups.js';
import { createForwardAuthRule, listForwardAuthRules } from '../../src/forward-auth/rules.js';
import { signedInUser } from '../support/server.js';
import { addPasskeyThroughAccountPage, openPerson, openSignInWithAutofillParked, screenshot, useBrowserAndServer, watchForPageErrors } from './support.js';

describe('forward auth in the web app', () => {
  const shared = useBrowserAndServer();

  it('the admin screen adds a rule for a group, edits it and deletes it', async () => {
    const { browser, server } = shared;
    const db = server.ctx.database.db;
    const family = await createGroup(db, { name: 'Family', friendlyName: 'family' });
    const { cookie } = await signedInUser(server, { username: 'fa-screen-admin', isAdmin: true });
    const { context, page } = await openPerson(browser);
    const errors = watchForPageErrors(page);
    const [name, value] = cookie.split('=') as [string, string];
    await context.addCookies([{ name, value, url: server.url }]);

    await page.goto(`${server.url}/admin/users`);
    await page.getByRole('link', { name: 'Forward auth' }).click();
    await page.getByRole('heading', { name: 'Forward auth' }).waitFor();
    await page.getByText('No rules yet.').waitFor();

    await page.getByRole('button', { name: 'Add rule' }).click();
    const form = page.getByRole('form', { name: 'Add rule' });
    await form.getByLabel('Host').fill('https://photos.example.com');
    await form.getByRole('button', { name: 'Save rule' }).click();
    await form.getByText('Host must be a host name like app.example.com').waitFor();

    await form.getByLabel('Host').fill('Photos.Example.com');
    await form.getByLabel('Path prefix').fill('/albums');
    await form.getByLabel(/^Family/).check();
    await screenshot(page, 'admin-forward-auth-add');
    await form.getByRole('button', { name: 'Save rule' }).click();
    await page.getByText('Rule for photos.example.com/albums added.').waitFor();
    const row = page.locator('tbody tr').filter({ hasText: 'photos.example.com/albums' });
    await row.getByText('Family').waitFor();
    expect(await listForwardAuthRules(db)).toMatchObject([{ host: 'photos.example.com', pathPrefix: '/albums', allowedGroupIds: [family.id] }]);
    await screenshot(page, 'admin-forward-auth');

    await row.getByRole('button', { name: 'Edit the rule for photos.example.com/albums' }).click();
    const edit = page.getByRole('form', { name: 'Edit rule for photos.example.com/albums' });
    await edit.getByLabel(/^Family/).uncheck();
    await edit.getByRole('button', { name: 'Save rule' }).click();
    await page.getByText('Rule for photos.example.com/albums saved.').waitFor();
    await row.getByText('Everyone signed in').waitFor();

    await row.getByRole('button', { name: 'Edit the rule for photos.example.com/albums' }).click();
    await page.getByRole('button', { name: 'Delete rule' }).click();
    await page.getByRole('button', { name: 'Yes, delete' }).click();
    await page.getByText('No rules yet.').waitFor();
    expect(await listForwardAuthRules(db)).toEqual([]);
    expect(errors).toEqual([]);
    await context.close();
  });

  it('sends a person back to the protected app after a passkey sign-in, and never to another site', async () => {
    const { browser, server } = shared;
    const db = server.ctx.database.db;
    await createForwardAuthRule(db, { host: 'wiki.example.com', allowedGroupIds: [] });
    const person = await openPerson(browser);
    const { page, authenticator } = person;
    // Stand-ins for the sites, so that arriving there is something to see.
    await page.context().route(/^https:\/\/(wiki|evil)\.example\.(com|org)\//, (route) =>
      route.fulfill({ contentType: 'text/html', body: `<h1>${new URL(route.request().url()).host}</h1>` }),
    );
    const { cookie } = await signedInUser(server, { username: 'fa-reader' });
    await addPasskeyThroughAccountPage(person, server, cookie);

    const target = 'https://wiki.example.com/pages/home?tab=recent';
    await openSignInWithAutofillParked(page, authenticator, () => page.goto(`${server.url}/login?rd=${encodeURIComponent(target)}`));
    await page.getByRole('button', { name: 'Sign in with a passkey' }).click();
    await page.waitForURL(target);
    await page.getByRole('heading', { name: 'wiki.example.com' }).waitFor();

    // Signed in already: the sign-in page still shows, since the app did not receive the session.
    await openSignInWithAutofillParked(page, authenticator, () => page.goto(`${server.url}/login?rd=${encodeURIComponent(target)}`));
    await page.getByText('You are signed in as fa-reader, but the app you came from did not receive it.').waitFor();

    // Another site is not followed: the person lands on Hearth ID's home.
    await openSignInWithAutofillParked(page, authenticator, () => page.goto(`${server.url}/login?rd=${encodeURIComponent('https://evil.example.org/')}`));
    await page.getByRole('button', { name: 'Sign in with a passkey' }).click();
    await page.waitForURL(`${server.url}/apps`);
    await page.getByText('Signed in as fa-reader').waitFor();
    await person.context.close();
  });
});
