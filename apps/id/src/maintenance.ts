import type { AppContext } from './app-context.js';
import { deleteExpiredPayloads } from './oidc/adapter.js';
import { pruneAudit } from './audit/audit.js';
import { deleteExpiredRateLimitHits } from './http/rate-limit.js';
import { deleteExpiredSessions } from './sessions/sessions.js';
import { deleteExpiredChallenges } from './passkeys/passkeys.js';
import { deleteExpiredOneTimeAccessTokens } from './one-time-access/one-time-access.js';

const INTERVAL_MS = 10 * 60 * 1000;

/**
 * Deletes expired sessions, challenges, login links, protocol state and rate-limit
 * counters, and audit entries past AUDIT_LOG_RETENTION_DAYS. Every replica may run it:
 * each statement only deletes what is past its time. Each table's own module deletes its rows.
 */
export async function sweepExpiredRecords(ctx: Pick<AppContext, 'config' | 'database'>, now = new Date()): Promise<void> {
  const { db } = ctx.database;
  await deleteExpiredSessions(db, now);
  await deleteExpiredChallenges(db, now);
  await deleteExpiredOneTimeAccessTokens(db, now);
  await deleteExpiredPayloads(db, now);
  await deleteExpiredRateLimitHits(db, now);
  await pruneAudit(db, ctx.config.auditLogRetentionDays, now.getTime());
}

/** Runs the sweep now and then, for as long as the server runs. */
export function startMaintenance(ctx: AppContext): { stop(): void } {
  const sweep = async () => {
    try {
      await sweepExpiredRecords(ctx);
    } catch (err) {
      ctx.logger.warn({ err }, 'cleaning up expired records failed; will try again');
    }
  };
  const timer = setInterval(() => void sweep(), INTERVAL_MS);
  timer.unref();
  return { stop: () => clearInterval(timer) };
}
