// The JSON view of a `.yml` file, for the browser app: the same decision as the YAML answer
// (views.ts), with who is asking and what they may do, so the app renders without parsing
// YAML or working out permissions itself:
//   { kind, config, viewer: { signedIn, user, isAdmin, groups, roles, method }, canEdit, warnings }
// `config` never holds the built-in users list, anything named like a secret, status-check
// headers or widget credentials, for admins neither: the editor works on the YAML text.
import { bootstrapConfig, publicAuth, publicAuthBlock } from '../auth/bootstrap.js';
import type { AuthSettings } from '../auth/settings.js';
import type { ViewerInfo } from '../auth/viewer.js';
import { withoutWidgetSecrets } from '../widgets/secrets.js';
import type { DashyConfig, DashyItem, DashySection } from './schema.js';
import { decideView, filteredConfig, RENDER_ONCE, viewerKey, withKind } from './views.js';
import type { ConfigView, Renderer, ViewInput } from './views.js';

/** `viewer` is the requester as auth/viewer.ts describes them (the same object as GET /auth/session). */
export function configJsonView(input: ViewInput, viewer: ViewerInfo): ConfigView;
/** With ALREADY_RENDERED: undefined unless the answer was rendered before. */
export function configJsonView(input: ViewInput, viewer: ViewerInfo, renderer: Renderer): ConfigView | undefined;
export function configJsonView(input: ViewInput, viewer: ViewerInfo, renderer = RENDER_ONCE): ConfigView | undefined {
  const decision = decideView(input);
  if (decision.kind === 'denied') return decision;
  const { root, auth } = input;
  const viewerJson = JSON.stringify(viewer);
  // Saving obeys the root file's switch, whichever page is open.
  const canEdit = viewer.isAdmin && root.config.appConfig?.disableConfiguration !== true;

  if (decision.kind === 'bootstrap') {
    return withKind('bootstrap', renderer.shared(root, 'json bootstrap', () => body('bootstrap', JSON.stringify(bootstrapConfig(root.config, auth as AuthSettings)), viewerJson, false, '[]')));
  }
  // Sub-pages are read fresh per request; only conf.yml itself lives long enough to reuse.
  const once = (key: string, render: () => string) => (decision.file === root ? renderer.shared(root, key, render) : renderer.single(render));
  if (decision.kind === 'source') {
    const { file } = decision;
    const render = () => body('source', JSON.stringify(forBrowser(file.config, auth)), viewerJson, canEdit, JSON.stringify(file.warnings));
    return withKind('source', once(`json source ${viewerJson}`, render));
  }
  const { file } = decision;
  const render = () => body('filtered', JSON.stringify(filteredConfig(file, decision.viewer, root, auth)), viewerJson, false, '[]');
  // The viewer object shows a missing claim as empty and names people by display name: the
  // key needs what the rules look at as well (viewerKey), or two claim sets could share a view.
  const identity = input.requester.kind === 'user' ? input.requester.identity : undefined;
  return withKind('filtered', once(`json filtered ${viewerKey(decision.viewer, identity)} ${viewerJson}`, render));
}

function body(kind: string, config: string, viewer: string, canEdit: boolean, warnings: string): string {
  return `{"kind":${JSON.stringify(kind)},"config":${config},"viewer":${viewer},"canEdit":${String(canEdit)},"warnings":${warnings}}`;
}

/** The whole file for an admin to look at: everything but what only the server may hold. */
export function forBrowser(config: DashyConfig, auth: AuthSettings | null): DashyConfig {
  const copy: DashyConfig = { ...config };
  if (config.appConfig) {
    const appConfig = { ...config.appConfig };
    // The block in effect is the one loaded at start (a change needs a restart).
    if (auth) appConfig.auth = publicAuth(auth);
    else if (appConfig.auth) appConfig.auth = publicAuthBlock(appConfig.auth);
    copy.appConfig = appConfig;
  }
  if (config.sections) copy.sections = config.sections.map(sectionForBrowser);
  return copy;
}

function sectionForBrowser(section: DashySection): DashySection {
  return withoutWidgetSecrets(section.items ? { ...section, items: section.items.map(itemForBrowser) } : section);
}

function itemForBrowser(item: DashyItem): DashyItem {
  // Status checks run on the server, so the headers they send (often API keys) stay here.
  const { statusCheckHeaders: _headers, subItems, ...rest } = item;
  return subItems ? { ...rest, subItems: subItems.map(itemForBrowser) } : rest;
}

/** Whether a request asks for the JSON view: `Accept` prefers application/json over YAML and text. */
export function prefersJson(accept: string | undefined): boolean {
  if (!accept) return false;
  let json = 0;
  let other = 0;
  for (const range of accept.toLowerCase().split(',')) {
    const [type = '', ...params] = range.split(';').map((part) => part.trim());
    const q = qualityOf(params);
    if (type === 'application/json') json = Math.max(json, q);
    // A Dashy browser (axios) sends `application/json, text/plain, */*` and reads YAML: a tie
    // goes to YAML, so only a client that asks for JSON above everything else gets it.
    else if (/^(\*\/\*|text\/\*|text\/plain|application\/\*|(application|text)\/(x-)?yaml)$/.test(type)) other = Math.max(other, q);
  }
  return json > other;
}

function qualityOf(params: string[]): number {
  const q = params.find((param) => param.startsWith('q='));
  if (!q) return 1;
  const value = Number(q.slice(2));
  return Number.isFinite(value) && value >= 0 && value <= 1 ? value : 0;
}
