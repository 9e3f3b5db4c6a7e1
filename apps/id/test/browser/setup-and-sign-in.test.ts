import { describe, expect, it } from 'vitest';
import { completeSetupWizard, openPerson, openSignInWithAutofillParked, screenshot, useBrowserAndServer, watchForPageErrors } from './support.js';

describe('first run in a browser: setup wizard, passkey, sign out, sign in', () => {
  const shared = useBrowserAndServer();

  it('creates the first admin, registers their passkey, and signs in with it after signing out', async () => {
    const { browser, server } = shared;
    const { page, authenticator, context } = await openPerson(browser);
    const errors = watchForPageErrors(page);

    await page.goto(server.url);
    await page.waitForURL(`${server.url}/setup`);
    await page.getByRole('heading', { name: 'Set up Hearth ID' }).waitFor();
    await screenshot(page, 'setup');

    await completeSetupWizard(page);
    expect(await authenticator.credentialCount()).toBe(1);

    await page.getByRole('link', { name: 'Go to your account' }).click();
    await page.waitForURL(`${server.url}/settings/account`);
    const passkeys = page.getByRole('region', { name: 'Passkeys' });
    await passkeys.getByRole('listitem').first().waitFor();
    await expect(passkeys.getByRole('listitem').count()).resolves.toBe(1);
    await screenshot(page, 'account-passkeys');

    await openSignInWithAutofillParked(page, authenticator, () => page.getByRole('button', { name: 'Sign out' }).click());
    await page.waitForURL(`${server.url}/login`);
    expect((await context.cookies()).some((cookie) => cookie.name === 'hearth_session')).toBe(false);

    // Setup is gone for good: it now leads to the sign-in page.
    await openSignInWithAutofillParked(page, authenticator, () => page.goto(`${server.url}/setup`));
    await page.waitForURL(`${server.url}/login`);
    await page.getByRole('button', { name: 'Sign in with a passkey' }).waitFor();
    await screenshot(page, 'sign-in');

    await page.getByRole('button', { name: 'Sign in with a passkey' }).click();
    await page.waitForURL(`${server.url}/settings/account`);
    await page.getByText('Signed in as pocketid-admin (administrator)').waitFor();

    // Passkey autofill: the sign-in page also offers the passkey in the browser's autofill,
    // which Chrome's virtual authenticator picks at once.
    const verified = page.waitForResponse((response) => response.url().endsWith('/api/passkey-login/verify') && response.status() === 200);
    await page.getByRole('button', { name: 'Sign out' }).click();
    await verified;
    await page.waitForURL(`${server.url}/settings/account`);
    await page.getByText('Signed in as pocketid-admin (administrator)').waitFor();
    expect(errors).toEqual([]);
  });
});
