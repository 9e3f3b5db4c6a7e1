import { describe, expect, it } from 'vitest';
import { describeAuditEntry, type AuditNames, type DescribableEntry } from './describe.js';

const names: AuditNames = {
  users: new Map([['u-bob', 'bob'], ['u-admin', 'admin']]),
  groups: new Map([['g-family', 'Family']]),
  clients: new Map([['c-grafana', 'Grafana']]),
};
const entry = (event: string, fields: Partial<DescribableEntry> = {}): DescribableEntry => ({ event, userId: null, actorId: null, data: {}, ...fields });

describe('describeAuditEntry', () => {
  it('says who, what and to which app', () => {
    expect(describeAuditEntry(entry('sign_in', { userId: 'u-bob', data: { method: 'passkey' } }), names)).toBe('bob signed in with a passkey');
    expect(describeAuditEntry(entry('token_issued', { userId: 'u-bob', data: { client: 'c-grafana', grantType: 'refresh_token' } }), names)).toBe(
      'A token was issued to Grafana for bob (refreshed)',
    );
    expect(describeAuditEntry(entry('token_issued', { data: { client: 'c-gone' } }), names)).toBe('A token was issued to an app that no longer exists');
    expect(describeAuditEntry(entry('sign_in_failed', { data: { method: 'passkey', reason: 'unknown passkey.' } }), names)).toBe(
      'A sign-in with a passkey failed: unknown passkey',
    );
    expect(describeAuditEntry(entry('grant_revoked', { userId: 'u-bob', data: { client: 'c-grafana' } }), names)).toBe(
      "bob removed Grafana's access to their account",
    );
  });

  it('names changes made without a signed-in person by where they came from, without capitalising a username', () => {
    const cli = { via: 'cli' };
    expect(describeAuditEntry(entry('admin_change', { data: { action: 'group.update', target: 'g-family', fields: ['name', 'members'], ...cli } }), names)).toBe(
      'The group Family changed: name, members (command line)',
    );
    expect(describeAuditEntry(entry('admin_change', { userId: 'u-bob', data: { action: 'group.members.add', target: 'g-family', ...cli } }), names)).toBe(
      'bob was added to the group Family (command line)',
    );
    expect(
      describeAuditEntry(entry('admin_change', { userId: 'u-x', data: { action: 'user.delete', target: 'u-x', targetName: 'carol', source: 'provisioning', file: '/etc/hearth/id.yaml' } }), names),
    ).toBe('The user carol was deleted (provisioning file id.yaml)');
  });

  it('names custom claims and forward-auth rules', () => {
    const admin = { actorId: 'u-admin' };
    expect(describeAuditEntry(entry('admin_change', { ...admin, data: { action: 'user.claims.set', target: 'u-bob', keys: ['role'] } }), names)).toBe(
      'admin changed the custom claims of the user bob',
    );
    expect(describeAuditEntry(entry('admin_change', { ...admin, data: { action: 'forward_auth.update', target: 'r1', host: 'wiki.home', fields: ['pathPrefix'] } }), names)).toBe(
      'admin changed the forward-auth rule for wiki.home: path',
    );
  });

  it('reads an action it does not know as words, never as its code', () => {
    const sentence = describeAuditEntry(entry('admin_change', { actorId: 'u-admin', data: { action: 'group.colour_scheme.reset', target: 'g-family' } }), names);
    expect(sentence).toBe('admin made a change (reset colour scheme) to the group Family');
    expect(describeAuditEntry(entry('brand_new_event'), names)).not.toContain('brand_new_event');
  });
});
