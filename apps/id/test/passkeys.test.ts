import type { PublicKeyCredentialRequestOptionsJSON, RegistrationResponseJSON } from '@simplewebauthn/server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { epochSeconds } from '../src/db/database.js';
import { EXPIRED_MESSAGE, NOT_VERIFIED_MESSAGE, UNKNOWN_PASSKEY_MESSAGE } from '../src/passkeys/passkeys.js';
import { SESSION_COOKIE } from '../src/sessions/sessions.js';
import { SoftwareAuthenticator } from './support/authenticator.js';
import { DB_PROVIDERS, api, signedInUser, startTestServer, type TestServer } from './support/server.js';

describe.each(DB_PROVIDERS)('passkeys on %s', (provider) => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer({ provider });
  });
  afterAll(async () => server?.stop());

  const device = () => new SoftwareAuthenticator({ origin: server.url });

  async function registrationOptions(cookie: string) {
    const res = await api(server, 'POST', '/api/me/passkeys/registration-options', { cookie });
    expect(res.status).toBe(200);
    return res.body;
  }

  async function addPasskey(cookie: string, authenticator: SoftwareAuthenticator, name?: string) {
    const response = authenticator.register(await registrationOptions(cookie));
    return api(server, 'POST', '/api/me/passkeys', { cookie, body: { response, ...(name !== undefined && { name }) } });
  }

  async function loginOptions(): Promise<PublicKeyCredentialRequestOptionsJSON> {
    const res = await api(server, 'POST', '/api/passkey-login/options');
    expect(res.status).toBe(200);
    return res.body;
  }

  async function passkeyLogin(authenticator: SoftwareAuthenticator) {
    const response = authenticator.authenticate(await loginOptions());
    return api(server, 'POST', '/api/passkey-login/verify', { body: { response } });
  }

  async function auditEvents(userId: string): Promise<string[]> {
    const rows = await server.ctx.database.db.selectFrom('audit_log').select('event').where('user_id', '=', userId).orderBy('id').execute();
    return rows.map((row) => row.event);
  }

  it('requires a session to register a passkey', async () => {
    expect((await api(server, 'POST', '/api/me/passkeys/registration-options')).status).toBe(401);
    expect((await api(server, 'GET', '/api/me/passkeys')).status).toBe(401);
    const { cookie } = await signedInUser(server);
    const response = device().register(await registrationOptions(cookie));
    expect((await api(server, 'POST', '/api/me/passkeys', { body: { response } })).status).toBe(401);
  });

  it('registers a passkey and signs in with it, without a username', async () => {
    const { user, cookie } = await signedInUser(server, { firstName: 'Ada', lastName: 'Lovelace' });
    const options = await registrationOptions(cookie);
    expect(options.rp).toEqual({ name: 'Hearth ID', id: 'localhost' });
    expect(options.user.name).toBe(user.username);
    expect(options.user.displayName).toBe('Ada Lovelace');
    expect(Buffer.from(options.user.id, 'base64url').toString('utf8')).toBe(user.id);
    expect(options.authenticatorSelection).toMatchObject({ residentKey: 'required', userVerification: 'required' });

    const phone = device();
    const added = await api(server, 'POST', '/api/me/passkeys', { cookie, body: { response: phone.register(options) } });
    expect(added.status).toBe(201);
    expect(added.body.passkey).toMatchObject({ name: 'Passkey 1', lastUsedAt: null, deviceType: 'singleDevice', backedUp: false });

    const login = await passkeyLogin(phone);
    expect(login.status).toBe(200);
    expect(login.body.user).toMatchObject({ id: user.id, username: user.username });
    const setCookie = login.headers.get('set-cookie') ?? '';
    expect(setCookie).toMatch(new RegExp(`^${SESSION_COOKIE}=`));
    expect(setCookie).toMatch(/;\s*HttpOnly/i);
    expect(setCookie).toMatch(/;\s*Secure/i);
    expect(setCookie).toMatch(/;\s*SameSite=Lax/i);

    const newCookie = setCookie.split(';')[0]!;
    const list = await api(server, 'GET', '/api/me/passkeys', { cookie: newCookie });
    expect(list.status).toBe(200);
    expect(list.body.passkeys).toHaveLength(1);
    expect(list.body.passkeys[0]).toMatchObject({ id: added.body.passkey.id, name: 'Passkey 1' });
    expect(list.body.passkeys[0].lastUsedAt).toEqual(expect.any(String));
    expect(Object.keys(list.body.passkeys[0]).sort()).toEqual(['backedUp', 'createdAt', 'deviceType', 'id', 'lastUsedAt', 'name']);

    // The signature counter moves on with every use, and the server follows it.
    expect((await passkeyLogin(phone)).status).toBe(200);
    expect(phone.credentials[0]!.signCount).toBe(2);
    expect(await auditEvents(user.id)).toEqual(['passkey_added', 'sign_in', 'sign_in']);
  });

  it('keeps several passkeys per user, each able to sign in', async () => {
    const { user, cookie } = await signedInUser(server);
    const phone = device();
    const laptop = device();
    expect((await addPasskey(cookie, phone)).body.passkey.name).toBe('Passkey 1');
    expect((await addPasskey(cookie, laptop, 'Work laptop')).body.passkey.name).toBe('Work laptop');

    const list = await api(server, 'GET', '/api/me/passkeys', { cookie });
    expect(list.body.passkeys.map((passkey: { name: string }) => passkey.name)).toEqual(['Passkey 1', 'Work laptop']);
    for (const authenticator of [phone, laptop]) {
      const login = await passkeyLogin(authenticator);
      expect(login.status).toBe(200);
      expect(login.body.user.id).toBe(user.id);
    }

    // The options exclude what the user already has, so a device cannot enrol twice.
    const options = await registrationOptions(cookie);
    expect(options.excludeCredentials.map((descriptor: { id: string }) => descriptor.id).sort()).toEqual(
      [phone.credentials[0]!.id, laptop.credentials[0]!.id].sort(),
    );
    expect(() => phone.register(options)).toThrow(/InvalidStateError/);
  });

  it('refuses to store the same credential twice', async () => {
    const { cookie } = await signedInUser(server);
    const first = device().register(await registrationOptions(cookie));
    expect((await api(server, 'POST', '/api/me/passkeys', { cookie, body: { response: first } })).status).toBe(201);

    // A client re-sending the same attestation under a fresh challenge ("none" attestations are unsigned).
    const { challenge } = await registrationOptions(cookie);
    const clientData = JSON.parse(Buffer.from(first.response.clientDataJSON, 'base64url').toString('utf8'));
    const resent: RegistrationResponseJSON = {
      ...first,
      response: { ...first.response, clientDataJSON: Buffer.from(JSON.stringify({ ...clientData, challenge })).toString('base64url') },
    };
    const again = await api(server, 'POST', '/api/me/passkeys', { cookie, body: { response: resent } });
    expect(again.status).toBe(409);
    expect(again.body.message).toBe('This passkey is already registered');
  });

  it('renames and deletes only your own passkeys', async () => {
    const alice = await signedInUser(server);
    const bob = await signedInUser(server);
    const aliceKey = (await addPasskey(alice.cookie, device())).body.passkey;

    const renamed = await api(server, 'PATCH', `/api/me/passkeys/${aliceKey.id}`, { cookie: alice.cookie, body: { name: '  YubiKey  ' } });
    expect(renamed.status).toBe(200);
    expect(renamed.body.passkey).toMatchObject({ id: aliceKey.id, name: 'YubiKey' });

    const blank = await api(server, 'PATCH', `/api/me/passkeys/${aliceKey.id}`, { cookie: alice.cookie, body: { name: ' ' } });
    expect(blank.status).toBe(400);
    expect(blank.body.field).toBe('name');

    expect((await api(server, 'PATCH', `/api/me/passkeys/${aliceKey.id}`, { cookie: bob.cookie, body: { name: 'mine' } })).status).toBe(404);
    expect((await api(server, 'DELETE', `/api/me/passkeys/${aliceKey.id}`, { cookie: bob.cookie })).status).toBe(404);
    expect((await api(server, 'DELETE', '/api/me/passkeys/no-such-id', { cookie: alice.cookie })).status).toBe(404);

    const deleted = await api(server, 'DELETE', `/api/me/passkeys/${aliceKey.id}`, { cookie: alice.cookie });
    expect(deleted.status).toBe(204);
    expect((await api(server, 'GET', '/api/me/passkeys', { cookie: alice.cookie })).body.passkeys).toEqual([]);
    expect(await auditEvents(alice.user.id)).toEqual(['passkey_added', 'passkey_removed']);
  });

  it('refuses a replayed assertion: challenges are single-use', async () => {
    const { cookie } = await signedInUser(server);
    const phone = device();
    await addPasskey(cookie, phone);
    const response = phone.authenticate(await loginOptions());
    expect((await api(server, 'POST', '/api/passkey-login/verify', { body: { response } })).status).toBe(200);
    const replay = await api(server, 'POST', '/api/passkey-login/verify', { body: { response } });
    expect(replay.status).toBe(400);
    expect(replay.body.message).toBe(EXPIRED_MESSAGE);
    expect(replay.headers.get('set-cookie')).toBeNull();
  });

  it('refuses an expired challenge', async () => {
    const { cookie } = await signedInUser(server);
    const phone = device();
    await addPasskey(cookie, phone);
    const options = await loginOptions();
    await server.ctx.database.db
      .updateTable('webauthn_challenges')
      .set({ expires_at: epochSeconds() - 1 })
      .where('challenge', '=', options.challenge)
      .execute();
    const res = await api(server, 'POST', '/api/passkey-login/verify', { body: { response: phone.authenticate(options) } });
    expect(res.status).toBe(400);
    expect(res.body.message).toBe(EXPIRED_MESSAGE);
  });

  it("does not let one user's registration challenge serve another", async () => {
    const alice = await signedInUser(server);
    const bob = await signedInUser(server);
    const response = device().register(await registrationOptions(alice.cookie));
    const res = await api(server, 'POST', '/api/me/passkeys', { cookie: bob.cookie, body: { response } });
    expect(res.status).toBe(400);
    expect(res.body.message).toBe(EXPIRED_MESSAGE);
  });

  it('requires user verification, for registration and sign-in', async () => {
    const { user, cookie } = await signedInUser(server);
    const phone = device();
    phone.userVerified = false;
    const refused = await addPasskey(cookie, phone);
    expect(refused.status).toBe(400);
    expect(refused.body.message).toBe(NOT_VERIFIED_MESSAGE);

    phone.userVerified = true;
    expect((await addPasskey(cookie, phone)).status).toBe(201);
    phone.userVerified = false;
    const login = await passkeyLogin(phone);
    expect(login.status).toBe(400);
    expect(login.body.message).toBe(NOT_VERIFIED_MESSAGE);
    expect(login.headers.get('set-cookie')).toBeNull();
    const failures = await server.ctx.database.db.selectFrom('audit_log').select('data').where('event', '=', 'sign_in_failed').execute();
    expect(failures.some((row) => row.data.includes(NOT_VERIFIED_MESSAGE))).toBe(true);
    expect(await auditEvents(user.id)).toEqual(['passkey_added']);
  });

  it('refuses responses made for another origin', async () => {
    const { cookie } = await signedInUser(server);
    const phone = device();
    phone.origin = 'http://localhost.evil.example:1411';
    const refused = await addPasskey(cookie, phone);
    expect(refused.status).toBe(400);
    expect(refused.body.message).toContain('came from http://localhost.evil.example:1411');

    phone.origin = server.url;
    expect((await addPasskey(cookie, phone)).status).toBe(201);
    phone.origin = 'http://localhost:1';
    const login = await passkeyLogin(phone);
    expect(login.status).toBe(400);
    expect(login.body.message).toContain(`but Hearth ID is at ${server.url}`);
  });

  it('refuses a passkey it does not know', async () => {
    const stranger = device();
    stranger.register({
      rp: { name: 'Hearth ID', id: 'localhost' },
      user: { id: Buffer.from('someone-else').toString('base64url'), name: 'someone', displayName: 'Someone' },
      challenge: Buffer.from('never-issued').toString('base64url'),
      pubKeyCredParams: [{ type: 'public-key', alg: -7 }],
    });
    const res = await passkeyLogin(stranger);
    expect(res.status).toBe(400);
    expect(res.body.message).toBe(UNKNOWN_PASSKEY_MESSAGE);
  });

  it('refuses an assertion whose user handle names someone else', async () => {
    const alice = await signedInUser(server);
    const bob = await signedInUser(server);
    const phone = device();
    await addPasskey(alice.cookie, phone);
    const response = phone.authenticate(await loginOptions());
    response.response.userHandle = Buffer.from(bob.user.id).toString('base64url');
    const res = await api(server, 'POST', '/api/passkey-login/verify', { body: { response } });
    expect(res.status).toBe(400);
    expect(res.body.message).toMatch(/does not belong to the account/);
  });

  it('refuses sign-in to a disabled account', async () => {
    const { user, cookie } = await signedInUser(server);
    const phone = device();
    await addPasskey(cookie, phone);
    await server.ctx.database.db.updateTable('users').set({ disabled: 1 }).where('id', '=', user.id).execute();
    const res = await passkeyLogin(phone);
    expect(res.status).toBe(403);
    expect(res.headers.get('set-cookie')).toBeNull();
  });

  it('validates bodies and names the field at fault', async () => {
    const { cookie } = await signedInUser(server);
    const missing = await api(server, 'POST', '/api/me/passkeys', { cookie, body: {} });
    expect(missing.status).toBe(400);
    expect(missing.body.field).toBe('response');

    const options = await loginOptions();
    const garbage = await api(server, 'POST', '/api/passkey-login/verify', {
      body: { response: { id: 'abc', rawId: 'abc', type: 'public-key', response: { clientDataJSON: 'x', authenticatorData: 'y' } } },
    });
    expect(garbage.status).toBe(400);
    expect(garbage.body.field).toBe('response.response.signature');

    const unreadable = await api(server, 'POST', '/api/passkey-login/verify', {
      body: { response: { id: 'abc', rawId: 'abc', type: 'public-key', response: { clientDataJSON: 'eA', authenticatorData: 'eQ', signature: 'eg' } } },
    });
    expect(unreadable.status).toBe(400);
    expect(unreadable.body.message).toMatch(/not a passkey response/);
    expect(options.allowCredentials).toEqual([]);
    expect(options.userVerification).toBe('required');
  });

  // Last: it uses up this address's allowance on the sign-in endpoints.
  it('rate-limits the sign-in options', async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 31; i++) statuses.push((await api(server, 'POST', '/api/passkey-login/options')).status);
    expect(statuses).toContain(429);
  });
});
