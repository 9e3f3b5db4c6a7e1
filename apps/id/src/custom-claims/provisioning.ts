import type { Kysely } from 'kysely';
import { z } from 'zod';
import type { DB } from '../db/schema.js';
import {
  MAX_CLAIMS,
  MAX_CLAIM_VALUE_LENGTH,
  claimNameProblem,
  claimsOf,
  sameClaims,
  setClaims,
  storedClaimValue,
  type ClaimOwner,
} from './custom-claims.js';

/**
 * `claims:` on a user or group in the provisioning file: a mapping of claim name to value.
 * YAML numbers, booleans, lists and mappings become JSON values in the tokens; text stays text.
 */
export const claimsEntrySchema = z
  .record(z.string(), z.union([z.string(), z.number(), z.boolean(), z.array(z.any()), z.record(z.string(), z.any())]))
  .superRefine((claims, check) => {
    const entries = Object.entries(claims);
    if (entries.length > MAX_CLAIMS) check.addIssue({ code: 'custom', message: `must hold at most ${MAX_CLAIMS} claims` });
    for (const [key, value] of entries) {
      const problem = claimNameProblem(key);
      if (problem) check.addIssue({ code: 'custom', path: [key], message: problem });
      const stored = storedClaimValue(value).trim();
      if (!stored) check.addIssue({ code: 'custom', path: [key], message: 'must not be empty' });
      if (stored.length > MAX_CLAIM_VALUE_LENGTH) check.addIssue({ code: 'custom', path: [key], message: `must be at most ${MAX_CLAIM_VALUE_LENGTH} characters` });
    }
  })
  .describe(
    'Exactly the custom claims, released with the profile scope in the ID token and userinfo, e.g. `immich_role: admin`. ' +
      'Text that is JSON (100, true) becomes that JSON value. A user\'s claim overrides a group\'s. Leave it out to leave them alone.',
  );

/** Makes an owner's claims exactly those of the file; true when that changed anything. */
export async function provisionClaims(db: Kysely<DB>, owner: ClaimOwner, wanted: Record<string, unknown>): Promise<boolean> {
  const claims = Object.entries(wanted).map(([key, value]) => ({ key, value: storedClaimValue(value).trim() }));
  if (sameClaims(await claimsOf(db, owner), claims)) return false;
  await setClaims(db, owner, claims);
  return true;
}
