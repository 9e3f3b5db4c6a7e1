import type { AppContext } from './http/context.js';
import { epochSeconds } from './db/database.js';
import { deleteExpiredPayloads } from './oidc/adapter.js';
import { pruneAudit } from './audit/audit.js';
import { deleteExpiredRateLimitHits } from './http/rate-limit.js';

const INTERVAL_MS = 10 * 60 * 1000;

/**
 * Deletes expired sessions, challenges, login links, protocol state and rate-limit
 * counters, and audit entries past AUDIT_LOG_RETENTION_DAYS. Every replica may run it:
 * each statement only deletes what is past its time.
 */
export async function sweepExpiredRecords(ctx: Pick<AppContext, 'config' | 'database'>): Promise<void> {
  const { db } = ctx.database;
  const now = epochSeconds();
  await db.deleteFrom('sessions').where('expires_at', '<', now).execute();
  await db.deleteFrom('webauthn_challenges').where('expires_at', '<', now).execute();
  await db.deleteFrom('one_time_access_tokens').where('expires_at', '<', now).execute();
  await deleteExpiredPayloads(db);
  await deleteExpiredRateLimitHits(db);
  await pruneAudit(db, ctx.config.auditLogRetentionDays);
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
