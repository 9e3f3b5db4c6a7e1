import { Command, CommanderError } from 'commander';
import type * as Boot from '../boot.js';
import { ConfigError, DOCUMENTED_EXAMPLE_KEYS, loadConfig, type Config } from '../config/config.js';
import { deriveKeys } from '../crypto/crypto.js';
import { openDatabase, type Database } from '../db/database.js';
import { DomainError } from '../errors.js';
import { checkEncryptionKey, rotateSigningKey } from '../keys/signing-keys.js';
import { createOneTimeAccessToken, describeTtl, oneTimeAccessUrl, parseTtl } from '../one-time-access/one-time-access.js';
import { recordCliAudit, registerDirectoryCommands, requireUserNamed } from './directory.js';
import { registerProvisionCommand } from '../provisioning/command.js';
import { isSetupRequired, joinDefaultAdminGroup } from '../setup/setup.js';
import { createGroup, findGroupByFriendlyName } from '../groups/groups.js';
import { createClient, findClient } from '../clients/clients.js';
import { createUser } from '../users/users.js';
import { registerOperationsCommands } from './operations.js';

/** Runs fn with the configured database open; every command shares the server's configuration. */
async function withDatabase<T>(fn: (database: Database, config: Config) => Promise<T>): Promise<T> {
  const config = loadConfig(process.env);
  const database = await openDatabase(config);
  try {
    await checkEncryptionKey(database, deriveKeys(config.encryptionKey).dataKey);
    return await fn(database, config);
  } finally {
    await database.close();
  }
}

/** Loads the server only when serving, after the configuration is known to be good. */
async function importServer(): Promise<typeof Boot> {
  return import('../boot.js');
}

async function serve(): Promise<void> {
  const config = loadConfig(process.env);
  const { createLogger, startIdServer } = await importServer();
  const logger = createLogger(config);
  const server = await startIdServer(config, logger).catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'EADDRINUSE') throw new ConfigError(`port ${config.port} is already in use on ${config.host}; stop the other program or set PORT`);
    if (error.code === 'EACCES') throw new ConfigError(`not allowed to listen on port ${config.port}; choose a PORT above 1023 or run with the needed privileges`);
    throw error;
  });
  logger.info({ url: config.appUrl, port: config.port, db: config.db.provider }, `Hearth ID is listening on port ${config.port}`);
  if (DOCUMENTED_EXAMPLE_KEYS.includes(config.encryptionKey.toString('utf8'))) {
    logger.warn(
      'ENCRYPTION_KEY is the example value from the documentation, which anyone can read: replace it before this install holds anything that matters ' +
        '(a new install: a key from `openssl rand -hex 32`, or leave it unset in Docker to have one generated; an install in use: hearth-id rotate-encryption-key, see docs/operations.md)',
    );
  }
  if (await isSetupRequired(server.ctx.database)) {
    logger.info(`No account exists yet: open ${config.appUrl}/setup to create the first admin, or run: hearth-id create-admin --username <name> --email <email>`);
  }
  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info(`${signal} received: finishing requests and shutting down`);
    const force = setTimeout(() => process.exit(1), 10_000);
    force.unref();
    await server.close();
    process.exit(0);
  };
  process.on('SIGTERM', () => void stop('SIGTERM'));
  process.on('SIGINT', () => void stop('SIGINT'));
}

const program = new Command()
  .name('hearth-id')
  .description('Hearth ID: a passkey-first OpenID Connect provider. With no command, runs the server.')
  .showHelpAfterError()
  // Usage mistakes exit 2 and refused requests 1 (see the catch at the end), so scripts can tell them apart.
  .exitOverride()
  .addHelpText('after', '\nExit codes: 0 done; 1 refused (bad input, not found, a conflict, bad configuration), with one line saying why; 2 a usage mistake.')
  .action(serve);

program
  .command('one-time-access-token')
  .description('print a one-time login link for a user (works once, expires after 1 hour unless --ttl says otherwise)')
  .argument('<username>', 'the user to sign in')
  .option('--ttl <duration>', 'how long the link works: minutes, hours or days, e.g. 30m, 24h, 7d (at most 7d)', '1h')
  .action(async (username: string, options: { ttl: string }) => {
    const ttlSeconds = parseTtl(options.ttl);
    await withDatabase(async (database, config) => {
      const user = await requireUserNamed(database.db, username);
      const { token, expiresAt } = await createOneTimeAccessToken(database.db, user.id, { ttlSeconds });
      await recordCliAudit(database.db, {
        event: 'one_time_access_created',
        userId: user.id,
        data: { action: 'user.one_time_access_token.create', target: user.id, expiresAt },
      });
      console.error(`Login link for ${user.username}: works once, within ${describeTtl(ttlSeconds)} (until ${new Date(expiresAt * 1000).toISOString()}).`);
      console.log(oneTimeAccessUrl(config.appUrl, token));
    });
  });

program
  .command('create-admin')
  .description('create an administrator without a browser and print a one-time login link for them')
  .requiredOption('--username <username>', 'their user name')
  .requiredOption('--email <email>', 'their email address')
  .option('--first-name <name>', 'their first name')
  .option('--last-name <name>', 'their last name')
  .action(async (options: { username: string; email: string; firstName?: string; lastName?: string }) => {
    if (!/^[^\s@]+@[^\s@]+$/.test(options.email)) throw new DomainError('invalid', `--email: "${options.email}" is not an email address`);
    await withDatabase(async (database, config) => {
      const user = await createUser(database.db, {
        username: options.username,
        email: options.email,
        firstName: options.firstName ?? null,
        lastName: options.lastName ?? null,
        isAdmin: true,
      });
      await joinDefaultAdminGroup(database.db, user.id);
      const { token, expiresAt } = await createOneTimeAccessToken(database.db, user.id);
      await recordCliAudit(database.db, { event: 'admin_change', userId: user.id, data: { action: 'user.create', target: user.id } });
      await recordCliAudit(database.db, {
        event: 'one_time_access_created',
        userId: user.id,
        data: { action: 'user.one_time_access_token.create', target: user.id, expiresAt },
      });
      console.error(`Created administrator "${user.username}". Open this link to sign in and add a passkey (works once, within 1 hour):`);
      console.log(oneTimeAccessUrl(config.appUrl, token));
    });
  });

const collect = (value: string, previous: string[] = []) => [...previous, value];

program
  .command('create-group')
  .description('create a user group; its friendly name is what the groups claim carries')
  .requiredOption('--name <name>', 'the name people read, e.g. "Dashy admins"')
  .requiredOption('--friendly-name <name>', 'the value in the groups claim, e.g. admins')
  .option('--if-missing', 'do nothing when a group with this friendly name exists')
  .action(async (options: { name: string; friendlyName: string; ifMissing?: boolean }) => {
    await withDatabase(async (database) => {
      const existing = options.ifMissing ? await findGroupByFriendlyName(database.db, options.friendlyName) : null;
      const group = existing ?? (await createGroup(database.db, { name: options.name, friendlyName: options.friendlyName }));
      if (!existing) await recordCliAudit(database.db, { event: 'admin_change', data: { action: 'group.create', target: group.id } });
      console.log(group.id);
    });
  });

program
  .command('create-client')
  .description('create an OIDC client and print its client ID (and, for a confidential client, its secret on the next line)')
  .requiredOption('--name <name>', 'the app name people see when signing in')
  .requiredOption('--callback-url <url>', 'an exact callback URL (repeat for more)', collect)
  .option('--logout-callback-url <url>', 'an exact post-logout URL (repeat for more)', collect)
  .option('--public', 'a public client: no secret, PKCE required')
  .option('--pkce', 'require PKCE of a confidential client too')
  .option('--trusted', 'skip the consent screen for this app')
  .option('--secret-in-body', 'the app sends its secret in the form body (client_secret_post), not a Basic header')
  .option('--id <clientId>', 'use this client ID instead of a new UUID')
  .option('--if-missing', 'with --id: do nothing when that client exists')
  .action(
    async (options: {
      name: string;
      callbackUrl: string[];
      logoutCallbackUrl?: string[];
      public?: boolean;
      pkce?: boolean;
      trusted?: boolean;
      secretInBody?: boolean;
      id?: string;
      ifMissing?: boolean;
    }) => {
      await withDatabase(async (database) => {
        if (options.ifMissing && options.id && (await findClient(database.db, options.id))) {
          console.log(options.id);
          return;
        }
        const { client, secret } = await createClient(database.db, {
          ...(options.id && { id: options.id }),
          name: options.name,
          callbackUrls: options.callbackUrl,
          logoutCallbackUrls: options.logoutCallbackUrl ?? [],
          isPublic: options.public ?? false,
          pkceEnabled: options.pkce ?? false,
          trusted: options.trusted ?? false,
          authMethod: options.secretInBody ? 'client_secret_post' : 'client_secret_basic',
        });
        await recordCliAudit(database.db, { event: 'admin_change', data: { action: 'client.create', target: client.id } });
        console.log(client.id);
        if (secret) console.log(secret);
      });
    },
  );

program
  .command('key-rotate')
  .description('add a new token signing key; the old one stays published until tokens signed with it expire')
  .action(async () => {
    await withDatabase(async (database, config) => {
      const { kid, retired } = await rotateSigningKey(database, deriveKeys(config.encryptionKey).dataKey);
      console.log(`New signing key ${kid}${retired.length ? `; retired ${retired.join(', ')}` : ''}.`);
      console.error('Restart every Hearth ID process to start signing with it.');
    });
  });

registerDirectoryCommands(program, withDatabase);
registerProvisionCommand(program, withDatabase);
registerOperationsCommands(program, withDatabase);

try {
  await program.parseAsync(process.argv);
} catch (error) {
  // Commander has already printed its message (and the help) for usage mistakes.
  if (error instanceof CommanderError) process.exit(error.exitCode === 0 ? 0 : 2);
  if (error instanceof ConfigError || error instanceof DomainError) {
    console.error(`hearth-id: ${error.message}`);
  } else {
    console.error(`hearth-id: ${(error as Error).message ?? String(error)}`);
    if (process.env.LOG_LEVEL === 'debug') console.error(error);
  }
  process.exit(1);
}
