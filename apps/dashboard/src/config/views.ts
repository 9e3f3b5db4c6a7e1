// Decides what a request for a `.yml` file receives. The rules are in docs/dashboard-server.md:
//   no sign-in configured      → the file as written
//   admin                      → the file as written (comments included), to edit
//   signed-in non-admin, guest → the filtered view, re-serialised
//   signed out, no guest access → conf.yml: the sign-in bootstrap; sub-pages: 401
import { stringify } from 'yaml';
import { bootstrapConfig, publicAuthBlock } from '../auth/bootstrap.js';
import type { Identity } from '../auth/claims.js';
import type { AuthSettings } from '../auth/settings.js';
import { filterConfigForViewer } from '../visibility/filter.js';
import { isVisibleTo } from '../visibility/rules.js';
import type { Viewer } from '../visibility/rules.js';
import { localPageFileName } from './page-path.js';
import type { DashyConfig } from './schema.js';
import { ROOT_CONFIG_FILE } from './store.js';
import type { LoadedConfig } from './store.js';

export type Requester = { kind: 'signed-out' } | { kind: 'user'; identity: Identity };

export type ConfigView =
  | { kind: 'source' | 'filtered' | 'bootstrap'; body: string }
  | { kind: 'denied'; status: 401 | 403 | 404; reason: string };

export interface ViewInput {
  fileName: string;
  /** The requested file, or null when it does not exist. */
  file: LoadedConfig | null;
  /** The root conf.yml now: its `pages` decide which sub-pages exist for whom. */
  root: LoadedConfig;
  /** Null when no sign-in is configured. */
  auth: AuthSettings | null;
  requester: Requester;
}

const NOT_FOUND = { kind: 'denied', status: 404, reason: 'no such configuration file' } as const;

export function viewerOf(requester: Requester): Viewer {
  if (requester.kind === 'signed-out') return { kind: 'guest' };
  return { kind: 'user', user: requester.identity.user, groups: requester.identity.groups, roles: requester.identity.roles };
}

export function isAdminRequester(requester: Requester, auth: AuthSettings | null): boolean {
  return auth === null || (requester.kind === 'user' && requester.identity.isAdmin);
}

export function configView({ fileName, file, root, auth, requester }: ViewInput): ConfigView {
  const isRoot = fileName === ROOT_CONFIG_FILE;
  if (isAdminRequester(requester, auth)) {
    return file ? { kind: 'source', body: file.text } : NOT_FOUND;
  }
  // From here on sign-in is configured and the requester is not an admin.
  if (requester.kind === 'signed-out' && !auth?.enableGuestAccess) {
    if (isRoot && auth) return { kind: 'bootstrap', body: bootstrapBody(root, auth) };
    return { kind: 'denied', status: 401, reason: 'sign-in required' };
  }
  const viewer = viewerOf(requester);
  if (!isRoot) {
    const page = root.config.pages?.find((candidate) => localPageFileName(candidate.path) === fileName);
    // Only files that the root config lists as pages are served to non-admins.
    if (!page) return NOT_FOUND;
    if (!isVisibleTo(page.displayData, viewer)) return { kind: 'denied', status: 403, reason: 'this page is not visible to you' };
  }
  if (!file) return NOT_FOUND;
  const filtered = filterConfigForViewer(file.config, viewer);
  return { kind: 'filtered', body: toYaml(forNonAdmin(filtered, root.config, auth)) };
}

/** Drops auth secrets, and marks the view read-only when the owner asked non-admins not to edit. */
function forNonAdmin(view: DashyConfig, root: DashyConfig, auth: AuthSettings | null): DashyConfig {
  if (!view.appConfig) return view;
  const appConfig = { ...view.appConfig };
  if (appConfig.auth) appConfig.auth = auth ? publicAuthBlock(auth.block) : publicAuthBlock(appConfig.auth);
  if (root.appConfig?.disableConfigurationForNonAdmin) appConfig.disableConfiguration = true;
  return { ...view, appConfig };
}

/**
 * Every signed-out visitor gets the same bootstrap until conf.yml changes (a change makes a
 * new LoadedConfig), so it is rendered once per version: it is the page behind every
 * first visit, and the most requested answer of all.
 */
const bootstrapBodies = new WeakMap<LoadedConfig, string>();
function bootstrapBody(root: LoadedConfig, auth: AuthSettings): string {
  let body = bootstrapBodies.get(root);
  if (body === undefined) {
    body = toYaml(bootstrapConfig(root.config, auth));
    bootstrapBodies.set(root, body);
  }
  return body;
}

function toYaml(config: DashyConfig): string {
  return stringify(config, { lineWidth: 0 });
}
