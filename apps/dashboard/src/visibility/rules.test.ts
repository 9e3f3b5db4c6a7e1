import { describe, expect, it } from 'vitest';
import { isVisibleTo } from './rules.js';
import type { Viewer } from './rules.js';

const guest: Viewer = { kind: 'guest' };
const user = (name: string | null, groups: string[] | null = [], roles: string[] | null = []): Viewer => ({ kind: 'user', username: name, groups, roles });

describe('isVisibleTo', () => {
  it('shows what has no rules to everyone', () => {
    expect(isVisibleTo(undefined, guest)).toBe(true);
    expect(isVisibleTo({}, user('a'))).toBe(true);
  });

  it('matches user names case-insensitively', () => {
    expect(isVisibleTo({ hideForUsers: ['Bob'] }, user('bob'))).toBe(false);
    expect(isVisibleTo({ showForUsers: ['BOB'] }, user('Bob'))).toBe(true);
    expect(isVisibleTo({ showForUsers: ['bob'] }, user('carol'))).toBe(false);
  });

  it('hides showForUsers sections from guests (stricter than Dashy)', () => {
    expect(isVisibleTo({ showForUsers: ['bob'] }, guest)).toBe(false);
    expect(isVisibleTo({ showForUsers: [] }, guest)).toBe(true);
  });

  it('applies groups and roles from showForKeycloakUsers and hideForKeycloakUsers', () => {
    const rule = { showForKeycloakUsers: { groups: ['admins'], roles: ['ops'] } };
    expect(isVisibleTo(rule, user('a', ['admins']))).toBe(true);
    expect(isVisibleTo(rule, user('a', [], ['ops']))).toBe(true);
    expect(isVisibleTo(rule, user('a', ['Admins']))).toBe(false);
    expect(isVisibleTo(rule, guest)).toBe(false);
    expect(isVisibleTo({ hideForKeycloakUsers: { roles: ['intern'] } }, user('a', [], ['intern']))).toBe(false);
    expect(isVisibleTo({ hideForKeycloakUsers: { groups: ['interns'] } }, guest)).toBe(true);
  });

  it('lets a hide rule win over a show rule', () => {
    const rule = { showForKeycloakUsers: { groups: ['admins'] }, hideForKeycloakUsers: { groups: ['guests'] } };
    expect(isVisibleTo(rule, user('a', ['admins', 'guests']))).toBe(false);
  });

  it('hides hideForGuests from guests only', () => {
    expect(isVisibleTo({ hideForGuests: true }, guest)).toBe(false);
    expect(isVisibleTo({ hideForGuests: true }, user('a'))).toBe(true);
  });

  it('hides an empty showForKeycloakUsers rule from everyone, as Dashy does', () => {
    expect(isVisibleTo({ showForKeycloakUsers: {} }, user('a', ['admins']))).toBe(false);
  });

  it('hides what a hide rule names from a token that does not carry the claim', () => {
    const groupsRule = { hideForKeycloakUsers: { groups: ['kids'] } };
    expect(isVisibleTo(groupsRule, user('a', null))).toBe(false);
    expect(isVisibleTo(groupsRule, user('a', []))).toBe(true);
    expect(isVisibleTo(groupsRule, user('a', ['adults'], null))).toBe(true);
    const rolesRule = { hideForKeycloakUsers: { roles: ['kid'] } };
    expect(isVisibleTo(rolesRule, user('a', ['adults'], null))).toBe(false);
    expect(isVisibleTo(rolesRule, user('a', null, []))).toBe(true);
    // A rule that lists nothing needs no claim.
    expect(isVisibleTo({ hideForKeycloakUsers: { groups: [] } }, user('a', null, null))).toBe(true);
    expect(isVisibleTo({ showForKeycloakUsers: { groups: ['adults'] } }, user('a', null))).toBe(false);
  });

  it('hides user-rule elements from a token without preferred_username', () => {
    expect(isVisibleTo({ showForUsers: ['carol@example.com'] }, user(null))).toBe(false);
    expect(isVisibleTo({ hideForUsers: ['bob'] }, user(null))).toBe(false);
    expect(isVisibleTo({ hideForUsers: [] }, user(null))).toBe(true);
  });
});
