import { describe, expect, it } from 'vitest';
import { deriveIsAdmin, identityFromClaims } from './claims.js';
import { loadOidcSettings } from './settings.js';

const settings = { issuer: 'http://id.test', clientId: 'dash', adminGroup: 'admins', adminRole: 'dash-admin' };

describe('deriveIsAdmin', () => {
  it('grants admin by group, realm role or client role, and nothing else', () => {
    expect(deriveIsAdmin({ groups: ['admins'] }, settings)).toBe(true);
    expect(deriveIsAdmin({ realm_access: { roles: ['dash-admin'] } }, settings)).toBe(true);
    expect(deriveIsAdmin({ resource_access: { dash: { roles: ['dash-admin'] } } }, settings)).toBe(true);
    expect(deriveIsAdmin({ resource_access: { other: { roles: ['dash-admin'] } } }, settings)).toBe(false);
    expect(deriveIsAdmin({ groups: ['Admins', 'dash-admin'] }, settings)).toBe(false);
    expect(deriveIsAdmin({ roles: ['dash-admin'] }, settings)).toBe(false);
    expect(deriveIsAdmin({ groups: 'admins' }, settings)).toBe(true);
  });

  it('grants nothing when neither adminGroup nor adminRole is set', () => {
    expect(deriveIsAdmin({ groups: ['admins'] }, { issuer: 'x', clientId: 'dash' })).toBe(false);
  });
});

describe('identityFromClaims', () => {
  it('names the user by preferred_username, then email, then sub', () => {
    expect(identityFromClaims({ sub: 's', email: 'e@x', preferred_username: 'p' }, settings).user).toBe('p');
    expect(identityFromClaims({ sub: 's', email: 'e@x' }, settings).user).toBe('e@x');
    expect(identityFromClaims({ sub: 's' }, settings).user).toBe('s');
  });

  it('compares only preferred_username in user rules', () => {
    expect(identityFromClaims({ sub: 's', email: 'e@x', preferred_username: 'p' }, settings).username).toBe('p');
    expect(identityFromClaims({ sub: 's', email: 'e@x', email_verified: true }, settings).username).toBeNull();
  });

  it('tells a missing groups or roles claim from an empty one', () => {
    expect(identityFromClaims({ sub: 's' }, settings)).toMatchObject({ groups: null, roles: null });
    expect(identityFromClaims({ sub: 's', groups: [] }, settings)).toMatchObject({ groups: [], roles: null });
    expect(identityFromClaims({ sub: 's', groups: 7 }, settings).groups).toBeNull();
    expect(identityFromClaims({ sub: 's', realm_access: { roles: ['a'] } }, settings).roles).toEqual(['a']);
    expect(identityFromClaims({ sub: 's', resource_access: { other: { roles: ['b'] } } }, settings).roles).toEqual([]);
  });
});

describe('loadOidcSettings', () => {
  it('takes the oidc endpoint verbatim as the issuer', () => {
    expect(
      loadOidcSettings({ appConfig: { auth: { enableOidc: true, oidc: { clientId: 'c', endpoint: 'http://localhost:1411', adminGroup: 'admins' } } } }),
    ).toEqual({ issuer: 'http://localhost:1411', clientId: 'c', adminGroup: 'admins' });
  });

  it('builds the Keycloak issuer from serverUrl and realm', () => {
    expect(
      loadOidcSettings({ appConfig: { auth: { enableKeycloak: true, keycloak: { serverUrl: 'https://kc.test/', realm: 'home', clientId: 'c', adminRole: 'r' } } } }),
    ).toEqual({ issuer: 'https://kc.test/realms/home', clientId: 'c', adminRole: 'r' });
  });

  it('is null when no provider is switched on', () => {
    expect(loadOidcSettings({ appConfig: { auth: { oidc: { clientId: 'c', endpoint: 'http://x' } } } })).toBeNull();
    expect(loadOidcSettings({})).toBeNull();
  });
});
