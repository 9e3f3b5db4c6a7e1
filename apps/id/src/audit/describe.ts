/**
 * The audit log in words: one sentence per entry, the same for the admin screen and any other
 * reader of the API. Entries keep their codes (event, data.action) for filtering; the
 * sentence never shows them. Names are today's (an app renamed since shows its new name),
 * else the name stored with the entry, else a plain "that no longer exists".
 */

export type AuditEventCode =
  | 'sign_in'
  | 'sign_in_failed'
  | 'sign_out'
  | 'one_time_access_used'
  | 'one_time_access_created'
  | 'token_issued'
  | 'passkey_added'
  | 'passkey_removed'
  | 'setup_completed'
  | 'admin_change'
  | 'grant_revoked';

/** The event kinds the log filters by, each a set of events. */
export const AUDIT_KINDS = {
  'sign-ins': ['sign_in', 'sign_out', 'one_time_access_used'],
  'failed-sign-ins': ['sign_in_failed'],
  tokens: ['token_issued', 'grant_revoked'],
  passkeys: ['passkey_added', 'passkey_removed'],
  'admin-changes': ['admin_change', 'one_time_access_created', 'setup_completed'],
} as const satisfies Record<string, readonly AuditEventCode[]>;

export type AuditKind = keyof typeof AUDIT_KINDS;

export function kindOf(event: string): AuditKind | null {
  const kinds = Object.keys(AUDIT_KINDS) as AuditKind[];
  return kinds.find((kind) => (AUDIT_KINDS[kind] as readonly string[]).includes(event)) ?? null;
}

export interface AuditNames {
  users: Map<string, string>;
  groups: Map<string, string>;
  clients: Map<string, string>;
}

export interface DescribableEntry {
  event: string;
  userId: string | null;
  actorId: string | null;
  data: Record<string, unknown>;
}

const text = (value: unknown): string | undefined => (typeof value === 'string' && value !== '' ? value : undefined);

/** Which kind of record an action's target is, from the action's first word. */
export function targetKindOf(action: string | undefined): keyof AuditNames | null {
  const head = action?.split('.')[0];
  return head === 'user' ? 'users' : head === 'group' ? 'groups' : head === 'client' ? 'clients' : null;
}

const FIELD_WORDS: Record<string, string> = {
  username: 'user name',
  email: 'email',
  emailVerified: 'email verified',
  firstName: 'first name',
  lastName: 'last name',
  displayName: 'display name',
  isAdmin: 'administrator',
  disabled: 'disabled',
  name: 'name',
  friendlyName: 'friendly name',
  callbackUrls: 'callback URLs',
  logoutCallbackUrls: 'sign-out callback URLs',
  isPublic: 'public client',
  pkceEnabled: 'PKCE',
  trusted: 'trusted',
  authMethod: 'secret method',
  allowedGroupIds: 'allowed groups',
  allowedGroups: 'allowed groups',
  launchUrl: 'launch URL',
  secret: 'secret',
  claims: 'custom claims',
  groups: 'groups',
  members: 'members',
  host: 'host',
  pathPrefix: 'path',
  groupIds: 'groups',
  allowAnyUser: 'who may pass',
};

/** "firstName" → "first name": a field the table above does not know still reads as words. */
function fieldWords(field: string): string {
  return FIELD_WORDS[field] ?? field.replace(/([a-z])([A-Z])/g, '$1 $2').replace(/[._]/g, ' ').toLowerCase();
}

function changedFields(data: Record<string, unknown>): string {
  const fields = Array.isArray(data.fields) ? data.fields.filter((field): field is string => typeof field === 'string') : [];
  return fields.length > 0 ? `: ${[...new Set(fields.map(fieldWords))].join(', ')}` : '';
}

/** "the group Family was created" starts a sentence with a capital; "bob was added" keeps the username as it is. */
const capitalise = (sentence: string) => (/^(the|a|an) /.test(sentence) ? sentence.charAt(0).toUpperCase() + sentence.slice(1) : sentence);

/** The same action said two ways: with who did it ("created the group Family") and without. */
interface Phrase {
  active: string;
  passive: string;
}

function adminPhrase(action: string, data: Record<string, unknown>, target: string, member: string): Phrase {
  const fields = changedFields(data);
  const verb = action.split('.').slice(1).join('.');
  switch (verb) {
    case 'create':
      return { active: `created ${target}`, passive: `${target} was created` };
    case 'update':
      return { active: `changed ${target}${fields}`, passive: `${target} changed${fields}` };
    case 'delete':
      return { active: `deleted ${target}`, passive: `${target} was deleted` };
    case 'secret.regenerate':
      return { active: `made a new secret for ${target}`, passive: `a new secret was made for ${target}` };
    case 'logo.update':
      return { active: `changed the logo of ${target}`, passive: `the logo of ${target} was changed` };
    case 'logo.remove':
      return { active: `removed the logo of ${target}`, passive: `the logo of ${target} was removed` };
    case 'groups.set':
      return { active: `changed the groups of ${target}`, passive: `the groups of ${target} were changed` };
    case 'claims.set':
      return { active: `changed the custom claims of ${target}`, passive: `the custom claims of ${target} were changed` };
    case 'members.set': {
      const count = typeof data.memberCount === 'number' ? ` (${data.memberCount} ${data.memberCount === 1 ? 'member' : 'members'})` : '';
      return { active: `set the members of ${target}${count}`, passive: `the members of ${target} were set${count}` };
    }
    case 'members.add':
      return { active: `added ${member} to ${target}`, passive: `${member} was added to ${target}` };
    case 'members.remove':
      return { active: `removed ${member} from ${target}`, passive: `${member} was removed from ${target}` };
    case 'one_time_access_token.create':
      return { active: `created a login link for ${target}`, passive: `a login link was created for ${target}` };
    default: {
      // An action this table does not know yet still reads as words, never as its code.
      const words = verb.split('.').map((word) => word.replace(/_/g, ' ')).reverse().join(' ');
      return { active: `made a change (${words}) to ${target}`, passive: `${target} changed (${words})` };
    }
  }
}

const TARGETS: Record<keyof AuditNames, [string, string]> = {
  users: ['the user', 'a user who no longer exists'],
  groups: ['the group', 'a group that no longer exists'],
  clients: ['the app', 'an app that no longer exists'],
};

function targetPhrase(kind: keyof AuditNames, name: string | undefined): string {
  const [named, gone] = TARGETS[kind];
  return name ? `${named} ${name}` : gone;
}

/** Where a change came from when no signed-in person made it. */
function origin(data: Record<string, unknown>): string {
  if (data.via === 'cli') return ' (command line)';
  if (data.source === 'provisioning') {
    const file = text(data.file)?.split(/[\\/]/).pop();
    return file ? ` (provisioning file ${file})` : ' (provisioning file)';
  }
  return '';
}

export function describeAuditEntry(entry: DescribableEntry, names: AuditNames): string {
  const { data } = entry;
  const person = (id: string | null, stored?: unknown) =>
    (id && names.users.get(id)) || text(stored) || (id ? 'a user who no longer exists' : 'someone');
  const app = () => {
    const id = text(data.client);
    return (id && names.clients.get(id)) || text(data.clientName) || (id ? 'an app that no longer exists' : 'an app');
  };
  const user = person(entry.userId, data.username);
  const toApp = text(data.client) ? ` to ${app()}` : '';

  switch (entry.event) {
    case 'sign_in':
      if (data.method === 'session') return `${user} signed in${toApp}, continuing their session`;
      return `${user} signed in${toApp}${data.method === 'passkey' ? ' with a passkey' : ''}`;
    case 'one_time_access_used':
      return `${user} signed in with a login link`;
    case 'sign_out':
      return `${user} signed out`;
    case 'sign_in_failed': {
      const who = entry.userId ? `${user} could not sign in${toApp}` : `A sign-in${toApp}${data.method === 'passkey' ? ' with a passkey' : data.method === 'one_time_access' ? ' with a login link' : ''} failed`;
      const reason = text(data.reason);
      return reason ? `${who}: ${reason.replace(/\.$/, '')}` : who;
    }
    case 'token_issued': {
      const refreshed = data.grantType === 'refresh_token' ? ' (refreshed)' : '';
      return `A token was issued to ${app()}${entry.userId ? ` for ${user}` : ''}${refreshed}`;
    }
    case 'grant_revoked':
      return `${user} removed ${app()}'s access to their account`;
    case 'passkey_added':
    case 'passkey_removed': {
      const name = text(data.name);
      const verb = entry.event === 'passkey_added' ? 'added' : 'removed';
      return `${user} ${verb} ${name ? `the passkey "${name}"` : 'a passkey'}`;
    }
    case 'setup_completed':
      return `${user} set up Hearth ID and became its first administrator`;
    case 'admin_change':
    case 'one_time_access_created': {
      const action = text(data.action) ?? '';
      const kind = targetKindOf(action);
      const targetId = text(data.target) ?? null;
      const stored = text(data.targetName);
      const target = kind
        ? targetPhrase(kind, (targetId && names[kind].get(targetId)) || stored)
        : action.startsWith('forward_auth.')
          ? `the forward-auth rule${text(data.host) ? ` for ${text(data.host)}` : ''}`
          : 'the settings';
      const phrase = adminPhrase(action, data, target, person(entry.userId));
      const actor = entry.actorId ? person(entry.actorId) : null;
      return actor ? `${actor} ${phrase.active}${origin(data)}` : `${capitalise(phrase.passive)}${origin(data)}`;
    }
    default:
      return 'Something happened that this version of Hearth ID cannot describe';
  }
}
