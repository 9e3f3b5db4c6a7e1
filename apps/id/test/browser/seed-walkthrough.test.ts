import { describe, expect, it } from 'vitest';
import { expectCallback, redeemCode, startAuthorization } from './oidc.js';
import { completeSetupWizard, fillPerson, openPerson, openSignInWithAutofillParked, screenshot, useBrowserAndServer, watchForPageErrors } from './support.js';

/**
 * The seed's "Configure Pocket ID" section, click by click: first admin, the Dashy OIDC
 * client, the admins group, a user in it with a login link, their passkey, their sign-in,
 * and finally Dashy's sign-in carrying `groups: ["admins"]` in the ID token.
 */
describe('the setup guide, through the web app', () => {
  const shared = useBrowserAndServer();

  it('configures Hearth ID for Dashy and signs a new user in to it', async () => {
    const { browser, server } = shared;
    const admin = await openPerson(browser);
    const adminErrors = watchForPageErrors(admin.page);
    const page = admin.page;
    await page.goto(server.url);
    await completeSetupWizard(page);

    // Create the OIDC client.
    await page.getByRole('link', { name: 'Add an OIDC client' }).click();
    await page.waitForURL(`${server.url}/admin/clients`);
    await page.getByRole('link', { name: 'Add OIDC client' }).click();
    await page.getByLabel('Name', { exact: true }).fill('Dashy');
    await page.getByLabel('Callback URLs 1', { exact: true }).fill('http://localhost:4000');
    await page.getByRole('button', { name: 'Add callback URL' }).click();
    await page.getByLabel('Callback URLs 2', { exact: true }).fill('http://localhost:4000/');
    await page.getByLabel('Logout callback URLs 1', { exact: true }).fill('http://localhost:4000');
    await page.getByLabel('Public client').check();
    await page.getByLabel('PKCE', { exact: true }).check();
    await page.getByRole('button', { name: 'Save' }).click();
    await page.getByText('OIDC client created').waitFor();
    const clientId = await page.getByRole('textbox', { name: 'Client ID' }).inputValue();
    expect(clientId).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
    expect(await page.getByTestId('conf-yml').textContent()).toBe(
      [
        'appConfig:',
        '  disableConfigurationForNonAdmin: true',
        '  auth:',
        '    enableOidc: true',
        '    oidc:',
        `      clientId: ${clientId}`,
        `      endpoint: ${server.url}`,
        '      adminGroup: admins',
        '      scope: openid profile email groups',
        '',
      ].join('\n'),
    );
    await screenshot(page, 'admin-oidc-client');

    // Create the admin group.
    await page.getByRole('link', { name: 'User groups', exact: true }).click();
    await page.getByRole('button', { name: 'Add group' }).click();
    await page.getByLabel('Name', { exact: true }).fill('Dashy admins');
    await page.getByLabel('Friendly name').fill('admins');
    await page.getByText('This is what goes into the OIDC groups claim').waitFor();
    await page.getByRole('button', { name: 'Save' }).click();
    await page.getByRole('heading', { name: 'Dashy admins', level: 1 }).waitFor();
    await screenshot(page, 'admin-group');

    // Create a user, put them in the group, make their login link.
    await page.getByRole('link', { name: 'Users', exact: true }).click();
    await page.getByRole('button', { name: 'Add user' }).click();
    await fillPerson(page, { username: 'alice', email: 'alice@example.com', firstName: 'Alice', lastName: 'Example' });
    await page.getByRole('button', { name: 'Save' }).click();
    await page.getByRole('heading', { name: 'Alice Example (alice)' }).waitFor();
    await page.getByRole('tab', { name: 'Groups' }).click();
    await page.getByLabel('Dashy admins').check();
    await page.getByRole('button', { name: 'Save groups' }).click();
    await page.getByText('Groups saved.').waitFor();
    await page.getByRole('tab', { name: 'Details' }).click();
    await page.getByRole('button', { name: 'Create login link' }).click();
    const loginLink = await page.getByLabel('Login link for alice').inputValue();
    expect(loginLink).toMatch(new RegExp(`^${server.url}/lc/[A-Za-z0-9_-]+$`));
    await screenshot(page, 'admin-user');

    await page.getByRole('link', { name: 'Users', exact: true }).click();
    await page.getByRole('link', { name: 'alice' }).waitFor();
    await screenshot(page, 'admin-users');
    expect(adminErrors).toEqual([]);

    // Alice opens the link in her own browser and adds her passkey.
    const alice = await openPerson(browser);
    const aliceErrors = watchForPageErrors(alice.page);
    await alice.page.goto(loginLink);
    await alice.page.waitForURL(`${server.url}/settings/account`);
    await alice.page.getByRole('heading', { name: 'Add a passkey' }).waitFor();
    await screenshot(alice.page, 'login-link-add-passkey');
    await alice.page.getByRole('button', { name: 'Add a passkey' }).first().click();
    await alice.page.getByText('added.').waitFor();
    expect(await alice.authenticator.credentialCount()).toBe(1);
    await alice.page.getByRole('list').getByText('Dashy admins').waitFor();

    // She signs out and back in with the passkey.
    await openSignInWithAutofillParked(alice.page, alice.authenticator, () => alice.page.getByRole('button', { name: 'Sign out' }).click());
    await alice.page.getByRole('button', { name: 'Sign in with a passkey' }).click();
    await alice.page.getByText('Signed in as alice').waitFor();

    // Dashy sends her to Hearth ID; she continues as herself, allows Dashy, and Dashy gets her groups.
    const pending = await startAuthorization(server, clientId);
    await alice.page.goto(pending.url.href);
    await alice.page.getByRole('heading', { name: 'Sign in to Dashy' }).waitFor();
    await alice.page.getByRole('button', { name: 'Continue as Alice Example' }).click();
    await alice.page.getByRole('heading', { name: 'Allow Dashy?' }).waitFor();
    await alice.page.getByText('See which groups you are in').waitFor();
    await screenshot(alice.page, 'consent');
    const callbackReached = expectCallback(alice.page);
    await alice.page.getByRole('button', { name: 'Allow' }).click();
    const callback = await callbackReached;
    expect(callback.searchParams.get('code')).toBeTruthy();
    const tokens = await redeemCode(pending, callback);
    expect(tokens.claims()).toMatchObject({ iss: server.url, aud: clientId, preferred_username: 'alice', groups: ['admins'] });
    expect(aliceErrors).toEqual([]);

    // The administrator sees it all in the audit log.
    await page.getByRole('link', { name: 'Audit log' }).click();
    await page.getByText('A token was issued to Dashy for alice', { exact: true }).waitFor();
    await page.getByText('alice signed in with a login link', { exact: true }).waitFor();
    await screenshot(page, 'admin-audit-log');
  });
});
