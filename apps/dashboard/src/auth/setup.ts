// Wires sign-in at start: the settings from conf.yml, the token verifier or the cookie
// sessions, the hook every protected route runs, and the /auth routes.
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import { describeIssues } from '../config/parse.js';
import { ConfigError, ROOT_CONFIG_FILE } from '../config/store.js';
import type { LoadedConfig } from '../config/store.js';
import { UserDirectory } from './built-in-users.js';
import { CookieSessions } from './cookie-sessions.js';
import { authFromMemory, createAuthHook } from './hook.js';
import { IssuerContexts } from './issuer.js';
import { FailureLimiter } from './login-limiter.js';
import { registerAuthRoutes } from './routes.js';
import { loadSessionKey } from './session-key.js';
import { DEFAULT_SESSION_SECONDS, SessionSigner } from './session.js';
import { AuthSettingsError, loadAuthSettings } from './settings.js';
import type { AuthSettings } from './settings.js';
import { locateProblems } from './user-hashes.js';
import { TokenVerifier } from './verify.js';

/** Like loadAuthSettings, with faulty built-in users reported as conf.yml errors with lines. */
export function loadAuthSettingsAtStart(root: LoadedConfig, userDataDir: string): AuthSettings | null {
  try {
    return loadAuthSettings(root.config);
  } catch (error) {
    if (!(error instanceof AuthSettingsError)) throw error;
    const file = join(userDataDir, ROOT_CONFIG_FILE);
    const issues = locateProblems(root.text, error.problems);
    throw new ConfigError(`invalid configuration: ${describeIssues(file, issues)}`, file, issues);
  }
}

export interface SignInOptions {
  auth: AuthSettings | null;
  userDataDir: string;
  root: () => Promise<LoadedConfig>;
  log: Logger;
  providerRetryAfterMs?: number;
  sessionLifetimeSeconds?: number;
}

export async function setUpSignIn(options: SignInOptions) {
  const { auth, log } = options;
  const verifier = auth?.oidc ? new TokenVerifier(auth.oidc, new IssuerContexts({ retryAfterMs: options.providerRetryAfterMs ?? 5_000 })) : null;
  const sessions =
    auth?.method === 'users'
      ? new CookieSessions(
          new SessionSigner(await loadSessionKey(options.userDataDir)),
          new UserDirectory(options.root, log),
          options.sessionLifetimeSeconds ?? DEFAULT_SESSION_SECONDS,
        )
      : null;
  const authenticate = createAuthHook({ verifier, sessions });
  const limiter = new FailureLimiter();
  logSignIn(auth, log);
  return {
    authenticate,
    /** What `authenticate` would conclude from memory alone (see authFromMemory). */
    authFromMemory: (authorization: string | undefined) => authFromMemory({ verifier, sessions }, authorization),
    registerRoutes: (app: FastifyInstance) => registerAuthRoutes(app, { auth, sessions, limiter, authenticate }),
  };
}

function logSignIn(auth: AuthSettings | null, log: Logger): void {
  if (!auth) {
    log.info('no sign-in configured: the dashboard is open to anyone who can reach it');
    return;
  }
  const guestAccess = auth.enableGuestAccess;
  if (auth.oidc) {
    const { issuer, clientId, adminGroup, adminRole } = auth.oidc;
    log.info({ issuer, clientId, adminGroup, adminRole, guestAccess }, `sign-in through ${issuer}`);
    if (auth.block.users?.length) log.warn('appConfig.auth.users is ignored: sign-in through OIDC or Keycloak takes precedence, as in Dashy');
    return;
  }
  const users = auth.users ?? [];
  const admins = users.filter((user) => user.type === 'admin').length;
  log.info({ users: users.length, admins, guestAccess }, `sign-in with the built-in users of appConfig.auth.users (${users.length})`);
}
