import type { GroupRef } from '../../../lib/types';

/** A forward-auth rule (GET /api/admin/forward-auth). */
export interface ForwardAuthRule {
  id: string;
  createdAt: string;
  updatedAt: string;
  host: string;
  pathPrefix: string;
  /** True when the rule names no groups: every signed-in person gets through. */
  allowAnyUser: boolean;
  allowedGroupIds: string[];
  allowedGroups: GroupRef[];
}

/** Who gets through, in words: a rule whose groups were all deleted lets nobody through. */
export function whoMayPass(rule: ForwardAuthRule): string {
  if (rule.allowedGroups.length > 0) return rule.allowedGroups.map((group) => group.name).join(', ');
  return rule.allowAnyUser ? 'Everyone signed in' : 'Nobody (its groups were deleted)';
}
