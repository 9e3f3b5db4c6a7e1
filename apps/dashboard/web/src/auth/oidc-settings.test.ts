import { describe, expect, it } from 'vitest';
import { DEFAULT_SCOPE, oidcClientConfig, safeReturnPath, usesBuiltInUsers } from './oidc-settings';

describe('oidcClientConfig', () => {
  it('reads the generic OIDC block as Dashy does', () => {
    expect(oidcClientConfig({ enableOidc: true, oidc: { clientId: 'abc', endpoint: 'http://localhost:1411' } })).toEqual({
      authority: 'http://localhost:1411',
      clientId: 'abc',
      scope: DEFAULT_SCOPE,
      extraQueryParams: {},
      kind: 'oidc',
    });
    expect(oidcClientConfig({ enableOidc: true, oidc: { clientId: 'abc', endpoint: 'http://id', scope: 'openid groups' } })?.scope).toBe('openid groups');
  });

  it("builds Keycloak's realm issuer and passes idpHint on", () => {
    expect(
      oidcClientConfig({ enableKeycloak: true, keycloak: { serverUrl: 'https://kc.example/', realm: 'home lab', clientId: 'dash', idpHint: 'github' } }),
    ).toEqual({ authority: 'https://kc.example/realms/home%20lab', clientId: 'dash', scope: DEFAULT_SCOPE, extraQueryParams: { kc_idp_hint: 'github' }, kind: 'keycloak' });
  });

  it('prefers OIDC when both are on, and needs the switch as well as the block', () => {
    const both = {
      enableOidc: true,
      oidc: { clientId: 'a', endpoint: 'http://a' },
      enableKeycloak: true,
      keycloak: { serverUrl: 'http://k', realm: 'r', clientId: 'k' },
    };
    expect(oidcClientConfig(both)?.kind).toBe('oidc');
    expect(oidcClientConfig({ oidc: { clientId: 'a', endpoint: 'http://a' } })).toBeNull();
    expect(oidcClientConfig(undefined)).toBeNull();
  });
});

describe('usesBuiltInUsers', () => {
  it("follows the server's marker, or a bootstrap without OIDC", () => {
    expect(usesBuiltInUsers({ hearthSignIn: 'users' }, 'filtered')).toBe(true);
    expect(usesBuiltInUsers({}, 'bootstrap')).toBe(true);
    expect(usesBuiltInUsers({}, 'source')).toBe(false);
    expect(usesBuiltInUsers({ enableOidc: true, oidc: { clientId: 'a', endpoint: 'http://a' } }, 'bootstrap')).toBe(false);
  });
});

describe('safeReturnPath', () => {
  it('keeps paths on this site and drops the callback parameters', () => {
    expect(safeReturnPath('/home/media?x=1#top')).toBe('/home/media?x=1#top');
    expect(safeReturnPath('/?code=abc&state=def&iss=x')).toBe('/');
  });

  it('never sends the browser to another host', () => {
    for (const value of ['//evil.example/', '/\\evil.example', 'https://evil.example/', 'javascript:alert(1)', 42, undefined]) {
      expect(safeReturnPath(value)).toBe('/');
    }
  });
});
