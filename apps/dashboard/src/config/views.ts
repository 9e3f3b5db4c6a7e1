// Decides what a request for a `.yml` file receives. The rules are in docs/dashboard-server.md:
//   no sign-in configured      → the file as written
//   admin                      → the file as written (comments included), to edit
//   signed-in non-admin, guest → the filtered view, re-serialised
//   signed out, no guest access → conf.yml: the sign-in bootstrap; sub-pages: 401
// The same decision is sent as YAML (what Dashy's browser code reads) or, on request, as the
// JSON view of json-view.ts.
import { createHash } from 'node:crypto';
import { stringify } from 'yaml';
import { bootstrapConfig, publicAuth, publicAuthBlock } from '../auth/bootstrap.js';
import type { Identity } from '../auth/claims.js';
import type { AuthSettings } from '../auth/settings.js';
import { adminSource } from '../auth/user-hashes.js';
import { filterConfigForViewer } from '../visibility/filter.js';
import { isVisibleTo } from '../visibility/rules.js';
import type { Viewer } from '../visibility/rules.js';
import { localPageFileName } from './page-path.js';
import type { DashyConfig } from './schema.js';
import { ROOT_CONFIG_FILE } from './store.js';
import type { LoadedConfig } from './store.js';

export type Requester = { kind: 'signed-out' } | { kind: 'user'; identity: Identity };

export type ViewKind = 'source' | 'filtered' | 'bootstrap';

export type Denied = { kind: 'denied'; status: 401 | 403 | 404; reason: string };

/** An answer as it goes on the wire, with its entity tag (the same bytes, the same tag). */
export interface Rendered {
  body: Buffer;
  etag: string;
}

export type ConfigView = ({ kind: ViewKind } & Rendered) | Denied;

/** What a requester receives, before it is written out as YAML or JSON. */
export type ViewDecision =
  | { kind: 'source'; file: LoadedConfig }
  | { kind: 'filtered'; file: LoadedConfig; viewer: Viewer }
  | { kind: 'bootstrap' }
  | Denied;

export interface ViewInput {
  /** Relative to USER_DATA_DIR: `conf.yml`, `work.yml`, `sub/work.yml`. */
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
  const { username, groups, roles } = requester.identity;
  return { kind: 'user', username, groups, roles };
}

const viewerKeys = new WeakMap<Identity, string>();

/**
 * Everything the visibility rules look at, and nothing else: two requesters with the same
 * key receive the same filtered view. A claim the token lacks (null) and an empty one ([])
 * give different keys, because the rules treat them differently. Identities of verified
 * tokens are reused across requests, so the key is worked out once per token.
 */
export function viewerKey(viewer: Viewer, identity?: Identity): string {
  if (viewer.kind === 'guest') return 'guest';
  const known = identity && viewerKeys.get(identity);
  if (known !== undefined) return known;
  const key = JSON.stringify([viewer.username, viewer.groups, viewer.roles]);
  if (identity) viewerKeys.set(identity, key);
  return key;
}

export function isAdminRequester(requester: Requester, auth: AuthSettings | null): boolean {
  return auth === null || (requester.kind === 'user' && requester.identity.isAdmin);
}

export function decideView({ fileName, file, root, auth, requester }: ViewInput): ViewDecision {
  const isRoot = fileName === ROOT_CONFIG_FILE;
  if (isAdminRequester(requester, auth)) return file ? { kind: 'source', file } : NOT_FOUND;
  // From here on sign-in is configured and the requester is not an admin.
  if (requester.kind === 'signed-out' && !auth?.enableGuestAccess) {
    if (isRoot && auth) return { kind: 'bootstrap' };
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
  return { kind: 'filtered', file, viewer };
}

/**
 * How a view's body is had: `shared` for bodies that many requests share (conf.yml's, kept
 * per version), `single` for one request's (a sub-page, read fresh each time).
 */
export interface Renderer {
  shared(file: LoadedConfig, key: string, render: () => string): Rendered | undefined;
  single(render: () => string): Rendered | undefined;
}

/** Renders what is missing: every request gets its answer. */
export const RENDER_ONCE: Renderer = { shared: (file, key, render) => renderOnce(file, key, render), single: (render) => rendered(render()) };

/** Renders nothing: only what an earlier request rendered, for answers given ahead of the router. */
export const ALREADY_RENDERED: Renderer = { shared: (file, key) => cached.get(file)?.bodies.get(key), single: () => undefined };

export function withKind(kind: ViewKind, body: Rendered | undefined): ConfigView | undefined {
  return body && { kind, ...body };
}

/** The YAML answer: what Dashy's own browser code would read. */
export function configView(input: ViewInput): ConfigView;
/** With ALREADY_RENDERED: undefined unless the answer was rendered before. */
export function configView(input: ViewInput, renderer: Renderer): ConfigView | undefined;
export function configView(input: ViewInput, renderer = RENDER_ONCE): ConfigView | undefined {
  const decision = decideView(input);
  switch (decision.kind) {
    case 'denied':
      return decision;
    case 'source':
      return withKind('source', sourceYaml(decision.file, input.root, renderer));
    case 'bootstrap':
      return withKind('bootstrap', bootstrapYaml(input.root, input.auth as AuthSettings, renderer));
    case 'filtered':
      return withKind('filtered', filteredYaml(decision.file, decision.viewer, input, renderer));
  }
}

/** The filtered view of `file` for a non-admin, as the browser may see it. */
export function filteredConfig(file: LoadedConfig, viewer: Viewer, root: LoadedConfig, auth: AuthSettings | null): DashyConfig {
  return forNonAdmin(filterConfigForViewer(file.config, viewer), root.config, auth);
}

/** Drops auth secrets, and marks the view read-only when the owner asked non-admins not to edit. */
function forNonAdmin(view: DashyConfig, root: DashyConfig, auth: AuthSettings | null): DashyConfig {
  if (!view.appConfig) return view;
  const appConfig = { ...view.appConfig };
  if (appConfig.auth) appConfig.auth = auth ? publicAuth(auth) : publicAuthBlock(appConfig.auth);
  if (root.appConfig?.disableConfigurationForNonAdmin) appConfig.disableConfiguration = true;
  return { ...view, appConfig };
}

/** The bytes and entity tag of a body rendered for one answer. */
export function rendered(text: string): Rendered {
  viewBodies.rendered += 1;
  const body = Buffer.from(text, 'utf8');
  return { body, etag: `"${createHash('sha256').update(body).digest('base64url').slice(0, 32)}"` };
}

/**
 * Bodies that many requests share are rendered once per version of the file: a change makes
 * a new LoadedConfig, so a WeakMap keyed by it forgets old versions by itself. The key inside
 * names the format and, for filtered views, who they are for (see viewerKey).
 */
const cached = new WeakMap<LoadedConfig, { bodies: Map<string, Rendered>; bytes: number }>();
/** Bodies rendered and bodies the cache above gave back, since the start: read by the metrics at scrape time. */
export const viewBodies = { rendered: 0, cached: 0 };
/**
 * Different people with different groups: plenty for a household or a team. Bounded in count
 * and in size (a large file times many people), after which the cache starts over.
 */
const MAX_BODIES_PER_VERSION = 256;
const MAX_BYTES_PER_VERSION = 16 * 1024 * 1024;

export function renderOnce(file: LoadedConfig, key: string, render: () => string): Rendered {
  let cache = cached.get(file);
  if (!cache) {
    cache = { bodies: new Map(), bytes: 0 };
    cached.set(file, cache);
  }
  let answer = cache.bodies.get(key);
  if (answer === undefined) {
    answer = rendered(render());
    if (cache.bodies.size >= MAX_BODIES_PER_VERSION || cache.bytes + answer.body.length > MAX_BYTES_PER_VERSION) {
      cache.bodies.clear();
      cache.bytes = 0;
    }
    cache.bodies.set(key, answer);
    cache.bytes += answer.body.length;
  } else {
    viewBodies.cached += 1;
  }
  return answer;
}

/** The file as an admin edits it; sub-pages are read fresh per request, so only conf.yml is kept. */
function sourceYaml(file: LoadedConfig, root: LoadedConfig, renderer: Renderer): Rendered | undefined {
  const render = () => adminSource(file);
  return file === root ? renderer.shared(file, 'yaml source', render) : renderer.single(render);
}

/**
 * Every signed-out visitor gets the same bootstrap until conf.yml changes: it is the page
 * behind every first visit, and the most requested answer of all.
 */
function bootstrapYaml(root: LoadedConfig, auth: AuthSettings, renderer: Renderer): Rendered | undefined {
  return renderer.shared(root, 'yaml bootstrap', () => toYaml(bootstrapConfig(root.config, auth)));
}

function filteredYaml(file: LoadedConfig, viewer: Viewer, { root, auth, requester }: ViewInput, renderer: Renderer): Rendered | undefined {
  const render = () => toYaml(filteredConfig(file, viewer, root, auth));
  const identity = requester.kind === 'user' ? requester.identity : undefined;
  return file === root ? renderer.shared(file, `yaml filtered ${viewerKey(viewer, identity)}`, render) : renderer.single(render);
}

function toYaml(config: DashyConfig): string {
  return stringify(config, { lineWidth: 0 });
}
