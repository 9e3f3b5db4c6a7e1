import type { Kysely } from 'kysely';
import { z } from 'zod';
import type { DB } from '../db/schema.js';
import { FRIENDLY_NAME_PATTERN } from '../groups/groups.js';
import { normaliseRuleHost, normaliseRulePathPrefix } from './matching.js';
import { createForwardAuthRule, deleteForwardAuthRule, findForwardAuthRuleAt, listForwardAuthRules, updateForwardAuthRule } from './rules.js';

/** A `forwardAuth:` entry of the provisioning file: one rule, found by its host and path prefix. */
export const forwardAuthEntrySchema = z
  .strictObject({
    host: z
      .string()
      .superRefine((value, check) => {
        const result = normaliseRuleHost(value);
        if ('problem' in result) check.addIssue({ code: 'custom', message: result.problem });
      })
      .describe('The host the proxy protects, e.g. `app.example.com` (a port only when not 80 or 443). With pathPrefix, identifies the rule.'),
    pathPrefix: z
      .string()
      .superRefine((value, check) => {
        const result = normaliseRulePathPrefix(value);
        if ('problem' in result) check.addIssue({ code: 'custom', message: result.problem });
      })
      .optional()
      .describe('Only paths under this one, e.g. `/admin` (whole segments). Default `/`: the whole host. The longest matching prefix decides.'),
    allowedGroups: z
      .array(
        z
          .string()
          .regex(FRIENDLY_NAME_PATTERN, 'must be 1 to 64 letters, digits or _ . : -, starting with a letter or digit'),
      )
      .max(1000)
      .describe('Who may pass: members of any of these groups (friendly names). An empty list lets every signed-in person pass.'),
    ifMissing: z
      .boolean()
      .optional()
      .describe('Create the rule when it does not exist, and otherwise leave it exactly as it is (changes made in the admin screen stay).'),
  })
  .describe('A forward-auth rule: who a reverse proxy lets through to a host (and path).');

export type ForwardAuthEntry = z.infer<typeof forwardAuthEntrySchema>;

/** How an entry is named in reports and duplicates: `app.example.com/admin`. */
export function forwardAuthEntryKey(entry: Pick<ForwardAuthEntry, 'host' | 'pathPrefix'>): string {
  const host = normaliseRuleHost(entry.host);
  const path = normaliseRulePathPrefix(entry.pathPrefix);
  const hostText = 'host' in host ? host.host : entry.host;
  const pathText = 'pathPrefix' in path ? path.pathPrefix : (entry.pathPrefix ?? '/');
  return pathText === '/' ? hostText : `${hostText}${pathText}`;
}

export interface ForwardAuthOutcome {
  id: string;
  key: string;
  outcome: 'created' | 'changed' | 'unchanged';
  fields: string[];
}

const sameSet = (a: readonly string[], b: readonly string[]) => new Set(a).size === new Set(b).size && a.every((value) => b.includes(value));

/** Creates or updates the rule an entry describes; groupIdByName maps lower-case friendly names to IDs. */
export async function provisionForwardAuthRule(
  trx: Kysely<DB>,
  entry: ForwardAuthEntry,
  groupIdByName: ReadonlyMap<string, string>,
): Promise<ForwardAuthOutcome> {
  const key = forwardAuthEntryKey(entry);
  const allowedGroupIds = entry.allowedGroups.map((name) => groupIdByName.get(name.toLowerCase())!);
  const host = normaliseRuleHost(entry.host);
  const path = normaliseRulePathPrefix(entry.pathPrefix);
  const existing = 'host' in host && 'pathPrefix' in path ? await findForwardAuthRuleAt(trx, host.host, path.pathPrefix) : null;
  if (!existing) {
    const rule = await createForwardAuthRule(trx, { host: entry.host, pathPrefix: entry.pathPrefix ?? '/', allowedGroupIds });
    return { id: rule.id, key, outcome: 'created', fields: [] };
  }
  // A rule whose groups were all deleted lets nobody in; the file naming none means everyone.
  const differs = !sameSet(existing.allowedGroupIds, allowedGroupIds) || existing.allowAnyUser !== (allowedGroupIds.length === 0);
  if (entry.ifMissing || !differs) return { id: existing.id, key, outcome: 'unchanged', fields: [] };
  await updateForwardAuthRule(trx, existing.id, { allowedGroupIds });
  return { id: existing.id, key, outcome: 'changed', fields: ['allowedGroups'] };
}

/** prune: deletes the rules no entry names; returns them as `{ id, key }`. */
export async function pruneForwardAuthRules(trx: Kysely<DB>, entries: readonly ForwardAuthEntry[]): Promise<{ id: string; key: string }[]> {
  const kept = new Set(entries.map(forwardAuthEntryKey));
  const deleted: { id: string; key: string }[] = [];
  for (const rule of await listForwardAuthRules(trx)) {
    const key = forwardAuthEntryKey(rule);
    if (kept.has(key)) continue;
    await deleteForwardAuthRule(trx, rule.id);
    deleted.push({ id: rule.id, key });
  }
  return deleted;
}
