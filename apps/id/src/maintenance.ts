import type { AppContext } from './http/context.js';
import { epochSeconds } from './db/database.js';
import { deleteExpiredPayloads } from './oidc/adapter.js';

const INTERVAL_MS = 10 * 60 * 1000;

/** Deletes expired sessions, challenges, login links and protocol state now and then. */
export function startMaintenance(ctx: AppContext): { stop(): void } {
  const { db } = ctx.database;
  const sweep = async () => {
    const now = epochSeconds();
    try {
      await db.deleteFrom('sessions').where('expires_at', '<', now).execute();
      await db.deleteFrom('webauthn_challenges').where('expires_at', '<', now).execute();
      await db.deleteFrom('one_time_access_tokens').where('expires_at', '<', now).execute();
      await deleteExpiredPayloads(db);
    } catch (err) {
      ctx.logger.warn({ err }, 'cleaning up expired records failed; will try again');
    }
  };
  const timer = setInterval(() => void sweep(), INTERVAL_MS);
  timer.unref();
  return { stop: () => clearInterval(timer) };
}
