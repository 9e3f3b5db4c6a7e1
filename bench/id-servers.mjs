// The servers of `id-endpoints.mjs`, each in its own process (started with an IPC channel):
//   node id-servers.mjs hearth <sqlite|postgres> <sqlite file|postgres URL>
//   node id-servers.mjs bare <memory|sqlite|postgres> [<sqlite file|postgres URL>]
// Each prints one JSON line { url, clientId, clientSecret, cookie? } and answers the IPC
// message 'statements' with the number of SQL statements it has run so far (and a tally by text).
import { createServer } from 'node:http';
import { generateKeyPairSync } from 'node:crypto';

const [kind, storage, location] = process.argv.slice(2);
const warn = console.warn;
// Node.js 20 draws oidc-provider's "unsupported runtime" notice; it says nothing about speed.
console.warn = (...args) => String(args[0]).includes('Unsupported runtime') || warn(...args);

let statements = 0;
const byText = new Map();
function count(sql) {
  statements += 1;
  const text = sql.replace(/\s+/g, ' ').slice(0, 90);
  byText.set(text, (byText.get(text) ?? 0) + 1);
}
// A clean exit, so that a --cpu-prof run writes its profile.
process.on('SIGTERM', () => process.exit(0));
process.on('message', (message) => {
  if (message === 'statements') process.send({ statements, byText: Object.fromEntries(byText) });
  if (message === 'reset') byText.clear();
});

const REDIRECT_URI = 'http://localhost:4000/';
const PROFILE = { preferred_username: 'bench', name: 'Bench User', given_name: 'Bench', family_name: 'User', email: 'bench@example.com', email_verified: true };

if (kind === 'hearth') {
  // Every statement Kysely runs passes the executor; counting there counts what Hearth ID sends.
  const { DefaultQueryExecutor } = await import('kysely');
  const execute = DefaultQueryExecutor.prototype.executeQuery;
  DefaultQueryExecutor.prototype.executeQuery = function counted(compiled, ...rest) {
    count(compiled.sql);
    return execute.call(this, compiled, ...rest);
  };
  const { loadConfig } = await import('../apps/id/dist/config/config.js');
  const { startIdServer } = await import('../apps/id/dist/boot.js');
  const { createUser } = await import('../apps/id/dist/users/users.js');
  const { createGroup, setUserGroups } = await import('../apps/id/dist/groups/groups.js');
  const { createClient } = await import('../apps/id/dist/clients/clients.js');
  const { createSession, SESSION_COOKIE } = await import('../apps/id/dist/sessions/sessions.js');
  const { default: pino } = await import('pino');
  // APP_URL must name the port it listens on; take a free one first.
  const port = await new Promise((resolve) => {
    const probe = createServer().listen(0, '127.0.0.1', () => {
      const { port: free } = probe.address();
      probe.close(() => resolve(free));
    });
  });
  const config = loadConfig({
    ENCRYPTION_KEY: 'bench-encryption-key-0123456789abcdef',
    DB_PROVIDER: storage,
    DB_CONNECTION_STRING: location,
    PORT: String(port),
    HOST: '127.0.0.1',
    APP_URL: `http://localhost:${port}`,
    // The load comes from one address; failed token requests are not what is measured.
    SIGN_IN_RATE_LIMIT: '100000',
  });
  const server = await startIdServer(config, pino({ level: 'silent' }));
  const { db } = server.ctx.database;
  const user = await createUser(db, { username: 'bench', email: PROFILE.email, firstName: 'Bench', lastName: 'User', emailVerified: true });
  const group = await createGroup(db, { name: 'Admins', friendlyName: 'admins' });
  await setUserGroups(db, user.id, [group.id]);
  const { client, secret } = await createClient(db, {
    name: 'Bench',
    callbackUrls: [REDIRECT_URI],
    pkceEnabled: true,
    trusted: true,
    allowedGroupIds: [group.id],
  });
  const { token } = await createSession(db, user.id, { lifetimeSeconds: 3600 });
  console.log(JSON.stringify({ url: `http://localhost:${port}`, clientId: client.id, clientSecret: secret, cookie: `${SESSION_COOKIE}=${token}` }));
} else {
  const { default: Provider } = await import('oidc-provider');
  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const jwk = { ...privateKey.export({ format: 'jwk' }), kid: 'bench', alg: 'RS256', use: 'sig' };
  const clientSecret = 'bench-secret-0123456789';
  const server = createServer();
  // Fastify's keep-alive (Hearth ID's): with Node's 5 s, the workers' idle connections to this
  // server closed while the other server's rows ran, and a request sent as one closed failed.
  server.keepAliveTimeout = 72_000;
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://localhost:${server.address().port}`;
  const provider = new Provider(url, {
    // The library's own memory adapter forgets the oldest of 1,000 entries, sessions included.
    adapter: storage === 'memory' ? memoryAdapter() : await sqlAdapter(storage, location),
    clients: [
      {
        client_id: 'bench',
        client_secret: clientSecret,
        redirect_uris: [REDIRECT_URI],
        grant_types: ['authorization_code', 'refresh_token'],
        response_types: ['code'],
        token_endpoint_auth_method: 'client_secret_basic',
        id_token_signed_response_alg: 'RS256',
      },
    ],
    jwks: { keys: [jwk] },
    cookies: { keys: ['bench-cookie-key'] },
    scopes: ['openid', 'profile', 'email', 'groups', 'offline_access'],
    claims: { openid: ['sub'], profile: ['name', 'given_name', 'family_name', 'preferred_username'], email: ['email', 'email_verified'], groups: ['groups'] },
    conformIdTokenClaims: false,
    async findAccount(_ctx, sub) {
      return { accountId: sub, claims: async () => ({ sub, ...PROFILE, groups: ['admins'] }) };
    },
    pkce: { required: () => true },
    routes: { authorization: '/authorize', token: '/token', userinfo: '/userinfo', jwks: '/.well-known/jwks.json', introspection: '/token/introspection', revocation: '/token/revocation' },
    rotateRefreshToken: true,
    ttl: { AccessToken: 3600, AuthorizationCode: 60, IdToken: 3600, RefreshToken: 30 * 86400, Grant: 30 * 86400, Interaction: 3600, Session: 86400 },
    features: { devInteractions: { enabled: false }, claimsParameter: { enabled: true }, revocation: { enabled: true }, introspection: { enabled: true }, userinfo: { enabled: true } },
    // As Hearth ID's trusted clients: the grant covers the scopes asked for.
    async loadExistingGrant(ctx) {
      const grantId = ctx.oidc.result?.consent?.grantId ?? ctx.oidc.session?.grantIdFor(ctx.oidc.client.clientId);
      let grant = grantId ? await ctx.oidc.provider.Grant.find(grantId) : undefined;
      if (!ctx.oidc.session?.accountId) return grant;
      grant ??= new ctx.oidc.provider.Grant({ clientId: ctx.oidc.client.clientId, accountId: ctx.oidc.session.accountId });
      grant.addOIDCScope([...ctx.oidc.requestParamScopes].join(' '));
      await grant.save();
      return grant;
    },
  });
  const callback = provider.callback();
  // The sign-in screen of this bare provider signs in one fixed account at once.
  server.on('request', async (req, res) => {
    if (!req.url.startsWith('/interaction/')) return callback(req, res);
    try {
      const details = await provider.interactionDetails(req, res);
      let result = { login: { accountId: 'bench-user' } };
      if (details.prompt.name === 'consent') {
        const grant = details.grantId ? await provider.Grant.find(details.grantId) : new provider.Grant({ accountId: details.session.accountId, clientId: details.params.client_id });
        grant.addOIDCScope(details.params.scope);
        result = { consent: { grantId: await grant.save() } };
      }
      await provider.interactionFinished(req, res, result, { mergeWithLastSubmission: true });
    } catch (error) {
      res.writeHead(500).end(String(error));
    }
  });
  console.log(JSON.stringify({ url, clientId: 'bench', clientSecret }));
}

/** A Map per model, nothing evicted (expiry is not needed for a bench run). */
function memoryAdapter() {
  const models = new Map();
  return class MemoryAdapter {
    constructor(model) {
      if (!models.has(model)) models.set(model, new Map());
      this.rows = models.get(model);
    }
    async upsert(id, payload) {
      this.rows.set(id, structuredClone(payload));
    }
    async find(id) {
      const payload = this.rows.get(id);
      return payload && structuredClone(payload);
    }
    async findByUid(uid) {
      for (const payload of this.rows.values()) if (payload.uid === uid) return structuredClone(payload);
      return undefined;
    }
    async findByUserCode() {
      return undefined;
    }
    async consume(id) {
      const payload = this.rows.get(id);
      if (payload) payload.consumed = Math.floor(Date.now() / 1000);
    }
    async destroy(id) {
      this.rows.delete(id);
    }
    async revokeByGrantId(grantId) {
      for (const [id, payload] of this.rows) if (payload.grantId === grantId) this.rows.delete(id);
    }
  };
}

/** A plain adapter on one table, as a project would write for the library: one statement per call. */
async function sqlAdapter(engine, where) {
  let run;
  if (engine === 'sqlite') {
    // The same driver as Hearth ID's (node:sqlite), with its statements prepared once.
    const { DatabaseSync } = await import('node:sqlite');
    const sqlite = new DatabaseSync(where);
    sqlite.exec('pragma journal_mode = WAL; pragma synchronous = NORMAL');
    sqlite.exec('create table if not exists payloads (model text, id text, payload text, grant_id text, uid text, expires_at integer, consumed_at integer, primary key (model, id))');
    sqlite.exec('create index if not exists payloads_grant on payloads (grant_id); create index if not exists payloads_uid on payloads (uid)');
    const statementsByText = new Map();
    run = async (text, params) => {
      count(text);
      let statement = statementsByText.get(text);
      if (!statement) statementsByText.set(text, (statement = sqlite.prepare(text.replace(/\$\d+/g, '?'))));
      return /^\s*select/i.test(text) ? statement.all(...params) : (statement.run(...params), []);
    };
  } else {
    const { default: pg } = await import('pg');
    const pool = new pg.Pool({ connectionString: where, max: 10 });
    await pool.query('create table if not exists payloads (model text, id text, payload text, grant_id text, uid text, expires_at bigint, consumed_at bigint, primary key (model, id))');
    await pool.query('create index if not exists payloads_grant on payloads (grant_id); create index if not exists payloads_uid on payloads (uid)');
    run = async (text, params) => {
      count(text);
      return (await pool.query(text, params)).rows;
    };
  }
  const now = () => Math.floor(Date.now() / 1000);
  return class SqlAdapter {
    constructor(model) {
      this.model = model;
    }
    async upsert(id, payload, expiresIn) {
      await run(
        'insert into payloads (model, id, payload, grant_id, uid, expires_at, consumed_at) values ($1, $2, $3, $4, $5, $6, null) on conflict (model, id) do update set payload = excluded.payload, grant_id = excluded.grant_id, uid = excluded.uid, expires_at = excluded.expires_at',
        [this.model, id, JSON.stringify(payload), payload.grantId ?? null, payload.uid ?? null, expiresIn ? now() + expiresIn : null],
      );
    }
    async find(id) {
      return this.findBy('select payload, consumed_at, expires_at from payloads where model = $1 and id = $2', id);
    }
    async findByUid(uid) {
      return this.findBy('select payload, consumed_at, expires_at from payloads where model = $1 and uid = $2', uid);
    }
    async findByUserCode() {
      return undefined;
    }
    async findBy(text, value) {
      const [row] = await run(text, [this.model, value]);
      if (!row || (row.expires_at !== null && Number(row.expires_at) <= now())) return undefined;
      const payload = JSON.parse(row.payload);
      return row.consumed_at === null ? payload : { ...payload, consumed: Number(row.consumed_at) };
    }
    async consume(id) {
      await run('update payloads set consumed_at = $1 where model = $2 and id = $3', [now(), this.model, id]);
    }
    async destroy(id) {
      await run('delete from payloads where model = $1 and id = $2', [this.model, id]);
    }
    async revokeByGrantId(grantId) {
      await run('delete from payloads where model = $1 and grant_id = $2', [this.model, grantId]);
    }
  };
}

