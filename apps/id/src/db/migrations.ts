import { sql } from 'kysely';
import type { Kysely } from 'kysely';
import { Migrator, type Migration, type MigrationProvider } from 'kysely/migration';
import { ConfigError, type DbProvider } from '../config/config.js';

type AnyDb = Kysely<any>; // eslint-disable-line @typescript-eslint/no-explicit-any

/**
 * Migrations are code, applied at boot on SQLite and PostgreSQL alike. Column types
 * differ only where the databases do: timestamps are text on SQLite, timestamptz on PostgreSQL.
 */
function migrations(provider: DbProvider): Record<string, Migration> {
  const timestamp = provider === 'postgres' ? 'timestamptz' : 'text';
  const epoch = provider === 'postgres' ? 'bigint' : 'integer';

  return {
    '0001_initial': {
      async up(db: AnyDb) {
        await db.schema
          .createTable('users')
          .addColumn('id', 'text', (c) => c.primaryKey())
          .addColumn('created_at', timestamp, (c) => c.notNull())
          .addColumn('updated_at', timestamp, (c) => c.notNull())
          .addColumn('username', 'text', (c) => c.notNull())
          .addColumn('email', 'text')
          .addColumn('first_name', 'text')
          .addColumn('last_name', 'text')
          .addColumn('display_name', 'text')
          .addColumn('is_admin', 'integer', (c) => c.notNull().defaultTo(0))
          .addColumn('email_verified', 'integer', (c) => c.notNull().defaultTo(0))
          .addColumn('disabled', 'integer', (c) => c.notNull().defaultTo(0))
          .execute();
        await db.schema.createIndex('users_username_unique').on('users').unique().expression(sql`lower(username)`).execute();
        await db.schema.createIndex('users_email').on('users').expression(sql`lower(email)`).execute();

        await db.schema
          .createTable('user_groups')
          .addColumn('id', 'text', (c) => c.primaryKey())
          .addColumn('created_at', timestamp, (c) => c.notNull())
          .addColumn('updated_at', timestamp, (c) => c.notNull())
          .addColumn('name', 'text', (c) => c.notNull())
          .addColumn('friendly_name', 'text', (c) => c.notNull())
          .execute();
        await db.schema.createIndex('user_groups_friendly_name_unique').on('user_groups').column('friendly_name').unique().execute();

        await db.schema
          .createTable('user_group_members')
          .addColumn('user_id', 'text', (c) => c.notNull().references('users.id').onDelete('cascade'))
          .addColumn('group_id', 'text', (c) => c.notNull().references('user_groups.id').onDelete('cascade'))
          .addPrimaryKeyConstraint('user_group_members_pk', ['user_id', 'group_id'])
          .execute();
        await db.schema.createIndex('user_group_members_group').on('user_group_members').column('group_id').execute();

        await db.schema
          .createTable('oidc_clients')
          .addColumn('id', 'text', (c) => c.primaryKey())
          .addColumn('created_at', timestamp, (c) => c.notNull())
          .addColumn('updated_at', timestamp, (c) => c.notNull())
          .addColumn('name', 'text', (c) => c.notNull())
          .addColumn('callback_urls', 'text', (c) => c.notNull().defaultTo('[]'))
          .addColumn('logout_callback_urls', 'text', (c) => c.notNull().defaultTo('[]'))
          .addColumn('is_public', 'integer', (c) => c.notNull().defaultTo(0))
          .addColumn('pkce_enabled', 'integer', (c) => c.notNull().defaultTo(0))
          .addColumn('trusted', 'integer', (c) => c.notNull().defaultTo(0))
          .addColumn('secret_hash', 'text')
          .execute();

        await db.schema
          .createTable('oidc_client_allowed_groups')
          .addColumn('client_id', 'text', (c) => c.notNull().references('oidc_clients.id').onDelete('cascade'))
          .addColumn('group_id', 'text', (c) => c.notNull().references('user_groups.id').onDelete('cascade'))
          .addPrimaryKeyConstraint('oidc_client_allowed_groups_pk', ['client_id', 'group_id'])
          .execute();

        await db.schema
          .createTable('passkeys')
          .addColumn('id', 'text', (c) => c.primaryKey())
          .addColumn('user_id', 'text', (c) => c.notNull().references('users.id').onDelete('cascade'))
          .addColumn('credential_id', 'text', (c) => c.notNull().unique())
          .addColumn('public_key', 'text', (c) => c.notNull())
          .addColumn('counter', epoch, (c) => c.notNull().defaultTo(0))
          .addColumn('transports', 'text', (c) => c.notNull().defaultTo('[]'))
          .addColumn('name', 'text', (c) => c.notNull())
          .addColumn('device_type', 'text', (c) => c.notNull())
          .addColumn('backed_up', 'integer', (c) => c.notNull().defaultTo(0))
          .addColumn('aaguid', 'text', (c) => c.notNull())
          .addColumn('created_at', timestamp, (c) => c.notNull())
          .addColumn('last_used_at', timestamp)
          .execute();
        await db.schema.createIndex('passkeys_user').on('passkeys').column('user_id').execute();

        await db.schema
          .createTable('webauthn_challenges')
          .addColumn('challenge', 'text', (c) => c.primaryKey())
          .addColumn('purpose', 'text', (c) => c.notNull())
          .addColumn('user_id', 'text', (c) => c.references('users.id').onDelete('cascade'))
          .addColumn('expires_at', epoch, (c) => c.notNull())
          .execute();

        await db.schema
          .createTable('sessions')
          .addColumn('id', 'text', (c) => c.primaryKey())
          .addColumn('user_id', 'text', (c) => c.notNull().references('users.id').onDelete('cascade'))
          .addColumn('created_at', timestamp, (c) => c.notNull())
          .addColumn('expires_at', epoch, (c) => c.notNull())
          .addColumn('last_seen_at', timestamp, (c) => c.notNull())
          .addColumn('ip', 'text')
          .addColumn('user_agent', 'text')
          .execute();
        await db.schema.createIndex('sessions_user').on('sessions').column('user_id').execute();

        await db.schema
          .createTable('one_time_access_tokens')
          .addColumn('token_hash', 'text', (c) => c.primaryKey())
          .addColumn('user_id', 'text', (c) => c.notNull().references('users.id').onDelete('cascade'))
          .addColumn('created_at', timestamp, (c) => c.notNull())
          .addColumn('expires_at', epoch, (c) => c.notNull())
          .execute();

        await db.schema
          .createTable('oidc_payloads')
          .addColumn('model', 'text', (c) => c.notNull())
          .addColumn('id', 'text', (c) => c.notNull())
          .addColumn('payload', 'text', (c) => c.notNull())
          .addColumn('grant_id', 'text')
          .addColumn('user_code', 'text')
          .addColumn('uid', 'text')
          .addColumn('expires_at', epoch)
          .addColumn('consumed_at', epoch)
          .addPrimaryKeyConstraint('oidc_payloads_pk', ['model', 'id'])
          .execute();
        await db.schema.createIndex('oidc_payloads_grant').on('oidc_payloads').column('grant_id').execute();
        await db.schema.createIndex('oidc_payloads_uid').on('oidc_payloads').column('uid').execute();
        await db.schema.createIndex('oidc_payloads_expires').on('oidc_payloads').column('expires_at').execute();

        await db.schema
          .createTable('signing_keys')
          .addColumn('id', 'text', (c) => c.primaryKey())
          .addColumn('created_at', timestamp, (c) => c.notNull())
          .addColumn('alg', 'text', (c) => c.notNull())
          .addColumn('encrypted_jwk', 'text', (c) => c.notNull())
          .addColumn('retired_at', epoch)
          .execute();

        await db.schema
          .createTable('settings')
          .addColumn('key', 'text', (c) => c.primaryKey())
          .addColumn('value', 'text', (c) => c.notNull())
          .execute();

        await db.schema
          .createTable('audit_log')
          .addColumn('id', provider === 'postgres' ? 'bigserial' : 'integer', (c) =>
            provider === 'postgres' ? c.primaryKey() : c.primaryKey().autoIncrement(),
          )
          .addColumn('created_at', timestamp, (c) => c.notNull())
          .addColumn('event', 'text', (c) => c.notNull())
          .addColumn('user_id', 'text')
          .addColumn('actor_id', 'text')
          .addColumn('ip', 'text')
          .addColumn('user_agent', 'text')
          .addColumn('data', 'text', (c) => c.notNull().defaultTo('{}'))
          .execute();
        await db.schema.createIndex('audit_log_created').on('audit_log').column('created_at').execute();
      },
    },
    '0002_client_auth_method': {
      // How a confidential client sends its secret to the token endpoint; apps differ.
      async up(db: AnyDb) {
        await db.schema
          .alterTable('oidc_clients')
          .addColumn('token_endpoint_auth_method', 'text', (c) => c.notNull().defaultTo('client_secret_basic'))
          .execute();
      },
    },
    '0003_oidc_payload_owners': {
      // Whose grant or token a row is, and for which client, so that losing access revokes it.
      async up(db: AnyDb) {
        await db.schema.alterTable('oidc_payloads').addColumn('account_id', 'text').execute();
        await db.schema.alterTable('oidc_payloads').addColumn('client_id', 'text').execute();
        const field = (name: string) =>
          provider === 'postgres' ? sql`(payload::jsonb ->> ${name})` : sql`json_extract(payload, ${`$.${name}`})`;
        await sql`update oidc_payloads set account_id = ${field('accountId')}, client_id = ${field('clientId')}`.execute(db);
        await db.schema.createIndex('oidc_payloads_account').on('oidc_payloads').columns(['account_id', 'client_id']).execute();
        await db.schema.createIndex('oidc_payloads_client').on('oidc_payloads').column('client_id').execute();
      },
    },
    '0004_rate_limit_hits': {
      // Rate-limit counters shared by every replica on one database (epoch milliseconds).
      async up(db: AnyDb) {
        await db.schema
          .createTable('rate_limit_hits')
          .addColumn('key', 'text', (c) => c.primaryKey())
          .addColumn('hits', 'integer', (c) => c.notNull())
          .addColumn('reset_at', epoch, (c) => c.notNull())
          .execute();
        await db.schema.createIndex('rate_limit_hits_reset').on('rate_limit_hits').column('reset_at').execute();
      },
    },
    '0005_admin_lists': {
      // The admin lists page through groups and clients by name, from an index rather than a sort.
      async up(db: AnyDb) {
        // With the id, so that the order is total (pages never share or skip a row) and needs no sort.
        await sql`create index user_groups_name on user_groups (lower(name), id)`.execute(db);
        await sql`create index oidc_clients_name on oidc_clients (lower(name), id)`.execute(db);
        if (provider !== 'postgres') return;
        // A user search is `%term%` over five columns: a trigram index answers it without reading
        // every user, where the server offers pg_trgm (a contrib module; trusted since PostgreSQL 13,
        // so a database owner may create it). Without it, the search reads every user, as before.
        const available = await sql`select 1 from pg_available_extensions where name = 'pg_trgm'`.execute(db);
        if (available.rows.length === 0) return;
        await sql`savepoint pg_trgm`.execute(db);
        try {
          await sql`create extension if not exists pg_trgm`.execute(db);
          // The same expression as the search in users/users.ts (userSearchText), or it goes unused.
          await sql`create index users_search_trgm on users using gin ((lower(coalesce(username, '') || chr(10) || coalesce(email, '') || chr(10) || coalesce(first_name, '') || chr(10) || coalesce(last_name, '') || chr(10) || coalesce(display_name, ''))) gin_trgm_ops)`.execute(db);
          await sql`release savepoint pg_trgm`.execute(db);
        } catch {
          // Not allowed to create the extension here: searches stay scans, and migrations go on.
          await sql`rollback to savepoint pg_trgm`.execute(db);
        }
      },
    },
    '0006_client_launch': {
      // "My apps": where a client's app opens, and its logo (bytes apart, so reading a client stays small).
      async up(db: AnyDb) {
        await db.schema.alterTable('oidc_clients').addColumn('launch_url', 'text').execute();
        await db.schema.alterTable('oidc_clients').addColumn('logo_hash', 'text').execute();
        await db.schema
          .createTable('oidc_client_logos')
          .addColumn('client_id', 'text', (c) => c.primaryKey().references('oidc_clients.id').onDelete('cascade'))
          .addColumn('content_type', 'text', (c) => c.notNull())
          .addColumn('hash', 'text', (c) => c.notNull())
          .addColumn('data_base64', 'text', (c) => c.notNull())
          .addColumn('updated_at', timestamp, (c) => c.notNull())
          .execute();
      },
    },
    '0007_forward_auth': {
      // Forward-auth rules: which signed-in people a reverse proxy may let through to a host (and path).
      async up(db: AnyDb) {
        await db.schema
          .createTable('forward_auth_rules')
          .addColumn('id', 'text', (c) => c.primaryKey())
          .addColumn('created_at', timestamp, (c) => c.notNull())
          .addColumn('updated_at', timestamp, (c) => c.notNull())
          .addColumn('host', 'text', (c) => c.notNull())
          .addColumn('path_prefix', 'text', (c) => c.notNull().defaultTo('/'))
          // Set when the rule was saved with no groups; a rule whose groups were all deleted lets nobody in.
          .addColumn('allow_any_user', 'integer', (c) => c.notNull().defaultTo(0))
          .execute();
        await db.schema.createIndex('forward_auth_rules_host_path').on('forward_auth_rules').columns(['host', 'path_prefix']).unique().execute();
        await db.schema
          .createTable('forward_auth_rule_groups')
          .addColumn('rule_id', 'text', (c) => c.notNull().references('forward_auth_rules.id').onDelete('cascade'))
          .addColumn('group_id', 'text', (c) => c.notNull().references('user_groups.id').onDelete('cascade'))
          .addPrimaryKeyConstraint('forward_auth_rule_groups_pk', ['rule_id', 'group_id'])
          .execute();
        await db.schema.createIndex('forward_auth_rule_groups_group').on('forward_auth_rule_groups').column('group_id').execute();
      },
    },
    '0008_custom_claims': {
      // Extra claims an admin sets on a user or a group (custom-claims/). One table for both
      // owners, so that a token request reads a user's and their groups' claims in one statement.
      async up(db: AnyDb) {
        await db.schema
          .createTable('custom_claims')
          .addColumn('user_id', 'text', (c) => c.references('users.id').onDelete('cascade'))
          .addColumn('group_id', 'text', (c) => c.references('user_groups.id').onDelete('cascade'))
          .addColumn('key', 'text', (c) => c.notNull())
          .addColumn('value', 'text', (c) => c.notNull())
          .addColumn('position', 'integer', (c) => c.notNull())
          .addCheckConstraint('custom_claims_one_owner', sql`(user_id is null) <> (group_id is null)`)
          .execute();
        // Unique per owner; NULLs are distinct in both databases, so each index holds one owner kind.
        await db.schema.createIndex('custom_claims_user_key').on('custom_claims').columns(['user_id', 'key']).unique().execute();
        await db.schema.createIndex('custom_claims_group_key').on('custom_claims').columns(['group_id', 'key']).unique().execute();
      },
    },
    '0009_audit_filters': {
      // The audit log filters by person (about them or by them) and by event, newest first:
      // each index answers one filter in id order, without reading the whole log.
      async up(db: AnyDb) {
        await db.schema.createIndex('audit_log_user').on('audit_log').columns(['user_id', 'id']).execute();
        await db.schema.createIndex('audit_log_actor').on('audit_log').columns(['actor_id', 'id']).execute();
        await db.schema.createIndex('audit_log_event').on('audit_log').columns(['event', 'id']).execute();
      },
    },
    '0010_user_search_index': {
      // SQLite's answer to 0005's pg_trgm index: a user search (`%term%` over five columns) read
      // every user. An FTS5 trigram index finds the rows holding a term of three or more
      // characters; users/users.ts (sqliteUserSearch) reads it. PostgreSQL has its own.
      async up(db: AnyDb) {
        if (provider === 'postgres') return;
        // FTS5 keys its rows by integer rowid, and the users table has none that is stable (VACUUM
        // may renumber an implicit rowid): this copy of the searched columns gives each user one,
        // and a unique user_id so that the triggers find a user's row without a scan.
        await sql`create table users_search (row integer primary key, user_id text not null unique, username text not null, email text, first_name text, last_name text, display_name text)`.execute(db);
        await sql`create virtual table users_search_fts using fts5(username, email, first_name, last_name, display_name, content='users_search', content_rowid='row', tokenize='trigram')`.execute(db);
        await sql`insert into users_search (user_id, username, email, first_name, last_name, display_name) select id, username, email, first_name, last_name, display_name from users`.execute(db);
        await sql`insert into users_search_fts (users_search_fts) values ('rebuild')`.execute(db);
        // Triggers, not domain code, keep both in step: a write by any path (admin API, CLI,
        // provisioning, plain SQL) cannot forget them.
        await sql`create trigger users_search_fts_insert after insert on users_search begin
          insert into users_search_fts (rowid, username, email, first_name, last_name, display_name) values (new.row, new.username, new.email, new.first_name, new.last_name, new.display_name);
        end`.execute(db);
        await sql`create trigger users_search_fts_delete after delete on users_search begin
          insert into users_search_fts (users_search_fts, rowid, username, email, first_name, last_name, display_name) values ('delete', old.row, old.username, old.email, old.first_name, old.last_name, old.display_name);
        end`.execute(db);
        await sql`create trigger users_search_fts_update after update on users_search begin
          insert into users_search_fts (users_search_fts, rowid, username, email, first_name, last_name, display_name) values ('delete', old.row, old.username, old.email, old.first_name, old.last_name, old.display_name);
          insert into users_search_fts (rowid, username, email, first_name, last_name, display_name) values (new.row, new.username, new.email, new.first_name, new.last_name, new.display_name);
        end`.execute(db);
        await sql`create trigger users_search_insert after insert on users begin
          insert into users_search (user_id, username, email, first_name, last_name, display_name) values (new.id, new.username, new.email, new.first_name, new.last_name, new.display_name);
        end`.execute(db);
        // Only a change to a searched column: other user writes (admin flags, timestamps) cost nothing more.
        await sql`create trigger users_search_update after update of id, username, email, first_name, last_name, display_name on users begin
          update users_search set user_id = new.id, username = new.username, email = new.email, first_name = new.first_name, last_name = new.last_name, display_name = new.display_name where user_id = old.id;
        end`.execute(db);
        await sql`create trigger users_search_delete after delete on users begin
          delete from users_search where user_id = old.id;
        end`.execute(db);
      },
    },
  };
}

/** The names of the migrations this program knows, oldest first. */
export function knownMigrations(provider: DbProvider): string[] {
  return Object.keys(migrations(provider)).sort();
}

/**
 * A database that a newer Hearth ID has migrated would be read with the wrong idea of its
 * tables: refuse it with what to do, before anything runs.
 */
async function refuseNewerDatabase(db: AnyDb, known: Set<string>): Promise<void> {
  let applied: string[];
  try {
    applied = (await db.selectFrom('schema_migrations').select('name').execute()).map((row: { name: string }) => row.name);
  } catch {
    return; // a new database: no migrations table yet
  }
  const unknown = applied.filter((name) => !known.has(name)).sort();
  if (unknown.length > 0) {
    throw new ConfigError(
      `this database was upgraded by a newer Hearth ID (it has ${unknown.join(', ')}, which this version does not know); ` +
        'run that version or newer, or restore the backup made before the upgrade (see docs/operations.md)',
    );
  }
}

export async function migrateToLatest(db: AnyDb, provider: DbProvider): Promise<void> {
  const all = migrations(provider);
  await refuseNewerDatabase(db, new Set(Object.keys(all)));
  const migrationProvider: MigrationProvider = { getMigrations: async () => all };
  const migrator = new Migrator({ db, provider: migrationProvider, migrationTableName: 'schema_migrations', migrationLockTableName: 'schema_migrations_lock' });
  const { error } = await migrator.migrateToLatest();
  if (error) throw error instanceof Error ? error : new Error(String(error));
}
