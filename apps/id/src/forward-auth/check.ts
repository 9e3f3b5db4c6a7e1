import type { Kysely } from 'kysely';
import type { DB } from '../db/schema.js';
import type { Session } from '../sessions/sessions.js';
import { groupsOfUser } from '../groups/groups.js';
import { headerText, matchRule, originalRequest, ruleAllows, safeReturnUrl } from './matching.js';
import { cachedForwardAuthRules } from './rules.js';

/** What the proxy is told: let the request through with these headers, send the person to sign in, or refuse. */
export type ForwardAuthDecision =
  | { kind: 'allow'; headers: Record<'Remote-User' | 'Remote-Groups' | 'Remote-Email' | 'Remote-Name', string> }
  | { kind: 'sign-in'; loginUrl: string }
  | { kind: 'deny'; message: string };

/**
 * Decides one forward-auth request. Fails closed: a host no rule names, or a request the
 * proxy did not describe, is refused even for a signed-in administrator.
 */
export async function decideForwardAuth(
  db: Kysely<DB>,
  appUrl: string,
  headers: Record<string, string | string[] | undefined>,
  session: Session | null,
): Promise<ForwardAuthDecision> {
  const original = originalRequest(headers);
  if ('problem' in original) return { kind: 'deny', message: `Forward auth refused: ${original.problem}.` };
  const { rules } = await cachedForwardAuthRules(db);
  const rule = matchRule(rules, original.host, original.path);
  if (!rule) return { kind: 'deny', message: `No forward-auth rule in Hearth ID covers ${original.host}.` };
  if (!session) return { kind: 'sign-in', loginUrl: `${appUrl}/login?rd=${encodeURIComponent(original.url)}` };
  const { user } = session;
  const groups = await groupsOfUser(db, user.id);
  if (!ruleAllows(rule, groups.map((group) => group.id))) {
    return { kind: 'deny', message: `${user.username} may not use ${original.host}${rule.pathPrefix === '/' ? '' : rule.pathPrefix}.` };
  }
  return {
    kind: 'allow',
    headers: {
      'Remote-User': headerText(user.username),
      'Remote-Groups': groups.map((group) => group.friendlyName).join(','),
      'Remote-Email': headerText(user.email ?? ''),
      'Remote-Name': headerText(user.displayName),
    },
  };
}

/** Where the sign-in page sends a person with this `rd`: the address when it is allowed, else null. */
export async function allowedReturnUrl(db: Kysely<DB>, appUrl: string, rd: unknown): Promise<string | null> {
  const { hosts } = await cachedForwardAuthRules(db);
  return safeReturnUrl(rd, appUrl, hosts);
}
