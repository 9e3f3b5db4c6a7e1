import { expect } from 'vitest';
import { createClient, type OidcClientInput } from '../../src/clients/clients.js';
import { createGroup, setUserGroups } from '../../src/groups/groups.js';
import { SoftwareAuthenticator } from './authenticator.js';
import { api, signedInUser, type TestServer } from './server.js';

/** Registers a passkey for a signed-in user through the real routes; returns their authenticator. */
export async function registerPasskey(server: TestServer, cookie: string): Promise<SoftwareAuthenticator> {
  const authenticator = new SoftwareAuthenticator({ origin: server.url });
  const options = await api(server, 'POST', '/api/me/passkeys/registration-options', { cookie, body: {} });
  expect(options.status).toBe(200);
  const created = await api(server, 'POST', '/api/me/passkeys', { cookie, body: { response: authenticator.register(options.body) } });
  expect(created.status).toBe(201);
  return authenticator;
}

/** The seed's setup: an admin in a group whose friendly name is `admins`, with a passkey, and a Dashy-like public client. */
export async function seedScenario(server: TestServer, clientInput: Partial<OidcClientInput> = {}) {
  const { db } = server.ctx.database;
  const admins = await createGroup(db, { name: 'Dashy admins', friendlyName: 'admins' });
  const { user, cookie } = await signedInUser(server, {
    username: 'pocketid-admin',
    email: 'admin@example.com',
    firstName: 'Pocket ID',
    lastName: 'Admin',
    emailVerified: true,
    isAdmin: true,
  });
  await setUserGroups(db, user.id, [admins.id]);
  const authenticator = await registerPasskey(server, cookie);
  const { client } = await createClient(db, {
    name: 'Dashy',
    callbackUrls: ['http://localhost:4000', 'http://localhost:4000/'],
    logoutCallbackUrls: ['http://localhost:4000'],
    isPublic: true,
    pkceEnabled: true,
    ...clientInput,
  });
  return { user, cookie, authenticator, client, admins };
}
