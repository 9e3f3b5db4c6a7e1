import type { AuditEntry } from '../../../lib/types';

const EVENTS: Record<string, string> = {
  sign_in: 'Signed in',
  sign_in_failed: 'Sign-in failed',
  sign_out: 'Signed out',
  token_issued: 'Token issued',
  passkey_added: 'Passkey added',
  passkey_removed: 'Passkey removed',
  one_time_access_created: 'Login link created',
  one_time_access_used: 'Signed in with a login link',
  admin_change: 'Admin change',
  grant_revoked: 'App access revoked',
  setup_completed: 'First administrator created',
};

/** One readable line per entry: what happened, plus the detail that matters for that kind of event. */
export function describeEvent(entry: AuditEntry): string {
  const label = EVENTS[entry.event] ?? entry.event;
  const data = entry.data ?? {};
  const detail = [data.action, data.method, data.reason, data.name, data.grantType]
    .filter((value): value is string => typeof value === 'string' && value !== '')
    .join(', ');
  return detail ? `${label} (${detail})` : label;
}
