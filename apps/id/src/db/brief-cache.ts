// Records that every request reads (a client, the forward-auth rules, an account's custom
// claims) kept in memory for a moment, per database handle. A change made through this process clears them at once; another
// replica's change shows within the lifetime.
import type { Kysely } from 'kysely';
import type { DB } from './schema.js';

export interface BriefCache<K, V> {
  /** The value for this key: kept, or loaded now (and kept, unless a change came in between). */
  get(db: Kysely<DB>, key: K, load: () => Promise<V>): Promise<V>;
  /**
   * Forgets everything, for every database handle: a change may come through a transaction,
   * whose handle is not the one the readers use.
   */
  forget(): void;
}

interface Kept<K, V> {
  /** The generation the entries belong to; older ones are dropped on the next read. */
  generation: number;
  entries: Map<K, { value: V; expiresAt: number }>;
}

export function briefCache<K, V>(options: { ttlMs: number; maxEntries: number }): BriefCache<K, V> {
  const perDatabase = new WeakMap<Kysely<DB>, Kept<K, V>>();
  /** Bumped by every change, so a read that began before a change never stores its old result. */
  let generation = 0;
  return {
    async get(db, key, load) {
      // Inside a transaction, read what the transaction sees, never a kept value.
      if (db.isTransaction) return load();
      let kept = perDatabase.get(db);
      if (!kept || kept.generation !== generation) perDatabase.set(db, (kept = { generation, entries: new Map() }));
      const entry = kept.entries.get(key);
      if (entry && entry.expiresAt > Date.now()) return entry.value;
      const started = generation;
      const value = await load();
      if (generation === started) {
        // Bounded: rather than grow without end, start over.
        if (kept.entries.size >= options.maxEntries) kept.entries.clear();
        kept.entries.set(key, { value, expiresAt: Date.now() + options.ttlMs });
      }
      return value;
    },
    forget() {
      generation += 1;
    },
  };
}
