import { describe, expect, it } from 'vitest';
import { createOneTimeAccessToken } from '../../src/one-time-access/one-time-access.js';
import { signedInUser } from '../support/server.js';
import { addPasskeyThroughAccountPage, openPerson, openSignInWithAutofillParked, screenshot, useBrowserAndServer } from './support.js';

describe('sign-in refusals a person can act on', () => {
  const shared = useBrowserAndServer();

  it('says so clearly when the authenticator does not verify the person (PIN, fingerprint or face)', async () => {
    const { server, browser } = shared;
    const person = await openPerson(browser);
    const { cookie } = await signedInUser(server, { username: 'carol' });
    await addPasskeyThroughAccountPage(person, server, cookie);

    await person.authenticator.setUserVerified(false);
    await person.page.getByRole('button', { name: 'Sign in with a passkey' }).click();
    // Chrome refuses the request itself when user verification is required and fails.
    await person.page.getByRole('alert').getByText('could not confirm it is you (PIN, fingerprint or face)').waitFor();
    expect(person.page.url()).toBe(`${server.url}/login`);
    await screenshot(person.page, 'sign-in-not-verified');

    // With verification back, the same button works, reached and pressed with the keyboard alone.
    await person.authenticator.setUserVerified(true);
    await openSignInWithAutofillParked(person.page, person.authenticator, () => person.page.reload());
    await person.page.keyboard.press('Tab');
    expect(await person.page.evaluate<string>('document.activeElement.textContent.trim()')).toBe('Sign in with a passkey');
    await person.page.keyboard.press('Enter');
    await person.page.waitForURL(`${server.url}/apps`);
  });

  it('answers a used login link with "Token is invalid or expired"', async () => {
    const { server, browser } = shared;
    const { user } = await signedInUser(server, { username: 'dave' });
    const { token } = await createOneTimeAccessToken(server.ctx.database.db, user.id);
    const link = `${server.url}/lc/${token}`;

    const first = await openPerson(browser);
    await first.page.goto(link);
    await first.page.waitForURL(`${server.url}/settings/account`);
    await first.page.getByText('Signed in as dave').waitFor();

    const second = await openPerson(browser);
    await second.page.goto(link);
    await second.page.getByRole('heading', { name: 'Token is invalid or expired' }).waitFor();
    expect(await second.context.cookies()).toEqual([]);
    await screenshot(second.page, 'login-link-invalid');
  });

  it('explains that passkeys only work at APP_URL when opened at 127.0.0.1', async () => {
    const { server, browser } = shared;
    const wrongOrigin = server.url.replace('//localhost:', '//127.0.0.1:');
    const person = await openPerson(browser);
    await person.page.goto(`${wrongOrigin}/login`);
    await person.page.getByText(`Passkeys only work at ${server.url}; this page was opened at ${wrongOrigin}`).waitFor();
    await expect(person.page.getByRole('button', { name: 'Sign in with a passkey' }).count()).resolves.toBe(0);
    const link = person.page.getByRole('link', { name: `Open ${server.url}` });
    expect(await link.getAttribute('href')).toBe(`${server.url}/login`);
    await screenshot(person.page, 'wrong-address');

    await link.click();
    await person.page.waitForURL(`${server.url}/login`);
    await person.page.getByRole('button', { name: 'Sign in with a passkey' }).waitFor();
  });

  it('follows the system dark theme and fits a phone screen', async () => {
    const { server, browser } = shared;
    const person = await openPerson(browser, { colorScheme: 'dark', viewport: { width: 390, height: 844 } });
    await openSignInWithAutofillParked(person.page, person.authenticator, () => person.page.goto(`${server.url}/login`));
    const button = person.page.getByRole('button', { name: 'Sign in with a passkey' });
    const background = await person.page.evaluate<string>('getComputedStyle(document.body).backgroundColor');
    expect(background).toBe('rgb(23, 21, 19)');
    const box = await button.boundingBox();
    expect(box!.x).toBeGreaterThanOrEqual(0);
    expect(box!.x + box!.width).toBeLessThanOrEqual(390);
    const scrollWidth = await person.page.evaluate<number>('document.documentElement.scrollWidth');
    expect(scrollWidth).toBeLessThanOrEqual(390);
    await screenshot(person.page, 'sign-in-phone-dark');
  });
});
