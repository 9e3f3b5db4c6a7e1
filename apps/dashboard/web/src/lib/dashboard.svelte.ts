// The loaded dashboard: the server's view of conf.yml (and of the sub-page being shown), as
// rune state every component reads. The server decides what this person may see; this
// module only fetches and merges the way Dashy does for sub-pages.
import { fetchConfigView } from './api';
import { makePageName } from './routes';
import type { ConfigView, DashyConfig, Page, Viewer } from './types';

export const ROOT_FILE = 'conf.yml';

export interface PageProblem {
  message: string;
  /** Worth a "Retry" button (the server or the provider was unreachable). */
  retry: boolean;
}

/**
 * The views are the server's JSON, replaced whole and never changed in place, so they are
 * held raw: a deep proxy over every section and item would cost a signal per property read
 * while the page renders, for changes that never happen.
 */
class DashboardState {
  /** The view of conf.yml. */
  rootView = $state.raw<ConfigView | null>(null);
  /** The view of the file being shown: conf.yml or a sub-page's file. */
  view = $state.raw<ConfigView | null>(null);
  /** That file's name, for saving: 'conf.yml' or the sub-page's file. */
  file = $state(ROOT_FILE);
  /** What renders: the shown file, with the root's appConfig and pages, as Dashy merges them. */
  config = $state.raw<DashyConfig>({});
  viewer = $state.raw<Viewer | null>(null);
  canEdit = $state(false);
  /** The sub-page shown, or null on the main page. */
  page = $state.raw<Page | null>(null);
  /** The slug of the route being shown (null: main page). */
  pageSlug = $state<string | null>(null);
  pageProblem = $state.raw<PageProblem | null>(null);
  loading = $state(false);
}

export const dashboard = new DashboardState();

export type ViewResult = { ok: true; view: ConfigView } | { ok: false; status: number; reason: string };

/** Fetches one file's JSON view; a non-JSON or failed answer becomes a reason to show. */
export async function fetchView(file: string): Promise<ViewResult> {
  let response: Response;
  try {
    response = await fetchConfigView(file);
  } catch {
    return { ok: false, status: 0, reason: 'The dashboard server could not be reached.' };
  }
  const type = response.headers.get('content-type') ?? '';
  if (!type.includes('json')) {
    return { ok: false, status: response.status, reason: `The server answered ${response.status} without a JSON view of /${file}.` };
  }
  const body = (await response.json().catch(() => null)) as (ConfigView & { reason?: string }) | null;
  if (!response.ok || !body) {
    return { ok: false, status: response.status, reason: body?.reason ?? `The server answered ${response.status}.` };
  }
  return { ok: true, view: body };
}

/** Dashy's formatConfigPath: `./x.yml`, `x.yml` and `/x.yml` are the same file; http(s) is another host. */
export function pageFile(path: string): { local: string } | { external: string } {
  const trimmed = path.trim();
  if (/^https?:\/\//i.test(trimmed)) return { external: trimmed };
  return { local: trimmed.replace(/^\.\//, '').replace(/^\/+/, '') };
}

function merge(root: DashyConfig, own: DashyConfig): DashyConfig {
  const appConfig = { ...(root.appConfig ?? {}), ...(own.appConfig ?? {}) };
  if (root.appConfig?.auth !== undefined) appConfig.auth = root.appConfig.auth;
  else delete appConfig.auth;
  return {
    ...own,
    appConfig,
    pageInfo: { ...(root.pageInfo ?? {}), ...(own.pageInfo ?? {}) },
    sections: own.sections ?? [],
    pages: root.pages ?? [],
  };
}

function show(view: ConfigView, file: string, page: Page | null): void {
  const root = dashboard.rootView?.config ?? view.config;
  dashboard.view = view;
  dashboard.file = file;
  dashboard.page = page;
  dashboard.config = page ? merge(root, view.config) : view.config;
  dashboard.viewer = view.viewer;
  dashboard.canEdit = view.canEdit === true;
  dashboard.pageProblem = null;
}

export function setRootView(view: ConfigView): void {
  dashboard.rootView = view;
  if (dashboard.pageSlug === null) show(view, ROOT_FILE, null);
  else {
    dashboard.viewer = view.viewer;
    dashboard.canEdit = view.canEdit === true;
  }
}

let latest = 0;

/** Shows the main page (null) or the sub-page whose makePageName is `slug`. */
export async function showPage(slug: string | null): Promise<void> {
  const ticket = ++latest;
  dashboard.pageSlug = slug;
  const root = dashboard.rootView;
  if (!root) return;
  if (slug === null) {
    show(root, ROOT_FILE, null);
    return;
  }
  const page = (root.config.pages ?? []).find((candidate) => makePageName(candidate.name) === slug) ?? null;
  if (!page) {
    problem(root, `There is no page called "${slug}" on this dashboard.`, false);
    return;
  }
  const file = pageFile(String(page.path ?? ''));
  if ('external' in file) {
    problem(root, `The page "${page.name}" is read from ${file.external}. Hearth loads nothing from other hosts in the browser: copy that file next to conf.yml and set its path to the file name.`, false, page);
    return;
  }
  dashboard.loading = true;
  const result = await fetchView(file.local);
  if (ticket !== latest) return;
  dashboard.loading = false;
  if (result.ok) show(result.view, file.local, page);
  else problem(root, `The page "${page.name}" could not be loaded: ${result.reason}`, result.status === 0 || result.status >= 500, page);
}

function problem(root: ConfigView, message: string, retry: boolean, page: Page | null = null): void {
  show(root, ROOT_FILE, page);
  dashboard.config = { ...merge(root.config, {}), sections: [] };
  dashboard.canEdit = false;
  dashboard.pageProblem = { message, retry };
}

/** Loads conf.yml and the page being shown again (after a save, or to retry). */
export async function reload(): Promise<void> {
  const result = await fetchView(ROOT_FILE);
  if (!result.ok) {
    dashboard.pageProblem = { message: result.reason, retry: true };
    return;
  }
  dashboard.rootView = result.view;
  await showPage(dashboard.pageSlug);
}
