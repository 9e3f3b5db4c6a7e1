import { beforeAll, describe, expect, it } from 'vitest';
import { createClient, type OidcClient } from '../../src/clients/clients.js';
import { createGroup, setUserGroups } from '../../src/groups/groups.js';
import { signedInUser } from '../support/server.js';
import { CALLBACK, expectCallback, redeemCode, startAuthorization } from './oidc.js';
import { addPasskeyThroughAccountPage, openPerson, screenshot, useBrowserAndServer, watchForPageErrors } from './support.js';

describe('an app signs people in through the Hearth ID sign-in screen', () => {
  const shared = useBrowserAndServer();
  let trustedApp: OidcClient;
  let adminsOnlyApp: OidcClient;
  let alice: Awaited<ReturnType<typeof signedInUser>>;
  let bob: Awaited<ReturnType<typeof signedInUser>>;

  beforeAll(async () => {
    const { db } = shared.server.ctx.database;
    const admins = await createGroup(db, { name: 'Dashy admins', friendlyName: 'admins' });
    alice = await signedInUser(shared.server, { username: 'alice', firstName: 'Alice', lastName: 'Example' });
    await setUserGroups(db, alice.user.id, [admins.id]);
    bob = await signedInUser(shared.server, { username: 'bob', firstName: 'Bob', lastName: 'Outsider' });
    const common = { callbackUrls: ['http://localhost:4000', CALLBACK], isPublic: true, pkceEnabled: true };
    ({ client: trustedApp } = await createClient(db, { ...common, name: 'Dashy', trusted: true }));
    ({ client: adminsOnlyApp } = await createClient(db, { ...common, name: 'Admin tools', allowedGroupIds: [admins.id] }));
  });

  it('signs in with a passkey and returns to the app with a code (trusted app: no consent)', async () => {
    const person = await openPerson(shared.browser);
    const errors = watchForPageErrors(person.page);
    await addPasskeyThroughAccountPage(person, shared.server, alice.cookie);

    const pending = await startAuthorization(shared.server, trustedApp.id);
    await person.page.goto(pending.url.href);
    await person.page.getByRole('heading', { name: 'Sign in to Dashy' }).waitFor();
    await screenshot(person.page, 'oidc-sign-in');
    const callbackReached = expectCallback(person.page);
    await person.page.getByRole('button', { name: 'Sign in with a passkey' }).click();
    const callback = await callbackReached;
    expect(callback.origin + callback.pathname).toBe(CALLBACK);
    expect(callback.searchParams.get('code')).toBeTruthy();
    const tokens = await redeemCode(pending, callback);
    expect(tokens.claims()).toMatchObject({ preferred_username: 'alice', name: 'Alice Example', groups: ['admins'] });
    expect(errors).toEqual([]);
  });

  it('tells a user outside the allowed groups why they are refused, and the app receives access_denied', async () => {
    const person = await openPerson(shared.browser);
    await addPasskeyThroughAccountPage(person, shared.server, bob.cookie);

    const pending = await startAuthorization(shared.server, adminsOnlyApp.id);
    await person.page.goto(pending.url.href);
    await person.page.getByRole('button', { name: 'Sign in with a passkey' }).click();
    await person.page.getByRole('heading', { name: 'Admin tools refused the sign-in' }).waitFor();
    await person.page.getByText('You are not in a group that may use Admin tools').waitFor();
    await screenshot(person.page, 'oidc-refused');

    const callbackReached = expectCallback(person.page);
    await person.page.getByRole('link', { name: 'Back to Admin tools' }).click();
    const callback = await callbackReached;
    expect(callback.searchParams.get('error')).toBe('access_denied');
    expect(callback.searchParams.get('state')).toBe(pending.state);
  });
});
