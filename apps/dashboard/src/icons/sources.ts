// What this server may fetch for a requester: exactly the icons (and the pages of the items,
// for favicons) named in the parts of the dashboard that requester can see. Anything else is
// refused, so the icon routes are never an open proxy into the network, and a hidden
// section's icon cannot be probed for.
import { localPageFileName } from '../config/page-path.js';
import { itemIconSegments } from './item-icons.js';
import type { DashyConfig, DashyItem } from '../config/schema.js';
import type { ConfigStore, LoadedConfig } from '../config/store.js';
import { isVisibleTo } from '../visibility/rules.js';
import type { Viewer } from '../visibility/rules.js';

export interface IconSources {
  /** Icons written as an http(s) URL (normalised), and the page logo. */
  imageUrls: Set<string>;
  /** http(s) URLs of visible items (normalised): their favicons may be fetched. */
  itemUrls: Set<string>;
  /** Names from `hl-<name>` icons, lower case. */
  dashboardIcons: Set<string>;
  /** `options.imagePath` of image widgets (normalised). */
  widgetImages: Set<string>;
  /** `appConfig.backgroundImg` and `pageInfo.logo`, as pageImageKey() gives them. */
  backgrounds: Set<string>;
  logos: Set<string>;
}

export function normaliseUrl(value: string): string | null {
  const trimmed = value.trim();
  if (!/^https?:\/\//i.test(trimmed) || !URL.canParse(trimmed)) return null;
  return new URL(trimmed).href;
}

/**
 * A logo or background names an http(s) URL, or (as in Dashy, which serves USER_DATA_DIR at
 * the root) a file: `wallpaper.jpg`, `/assets/logo.png`. The key is the normalised URL or
 * `local:<path inside USER_DATA_DIR>`; null for anything else (data: URLs need no server).
 */
export function pageImageKey(value: string): string | null {
  const trimmed = value.trim();
  if (/^[a-z][a-z0-9+.-]*:/i.test(trimmed) || trimmed.startsWith('//')) return normaliseUrl(trimmed);
  const segments = itemIconSegments(trimmed.replace(/^(?:\.?\/)+/, ''));
  return segments ? `local:${segments.join('/')}` : null;
}

/** `hl-Plex` → `plex`; null for anything that is not a dashboard-icons reference. */
export function dashboardIconName(icon: string): string | null {
  const match = /^hl-(.+)$/i.exec(icon.trim());
  return match ? match[1]!.toLowerCase() : null;
}

function emptySources(): IconSources {
  return { imageUrls: new Set(), itemUrls: new Set(), dashboardIcons: new Set(), widgetImages: new Set(), backgrounds: new Set(), logos: new Set() };
}

function addIcon(sources: IconSources, icon: unknown): void {
  if (typeof icon !== 'string') return;
  const url = normaliseUrl(icon);
  if (url) sources.imageUrls.add(url);
  const name = dashboardIconName(icon);
  if (name) sources.dashboardIcons.add(name);
}

/** Adds what `viewer` can see of one config file; a null viewer sees everything. */
export function collectIconSources(config: DashyConfig, viewer: Viewer | null, into: IconSources = emptySources()): IconSources {
  const visible = (displayData: DashyItem['displayData']) => viewer === null || isVisibleTo(displayData, viewer);
  const visit = (items: readonly DashyItem[] | undefined) => {
    for (const item of items ?? []) {
      if (!visible(item.displayData)) continue;
      addIcon(into, item.icon);
      const url = item.url ? normaliseUrl(item.url) : null;
      if (url) into.itemUrls.add(url);
      visit(item.subItems);
    }
  };
  const logo = config.pageInfo?.logo;
  if (typeof logo === 'string' && normaliseUrl(logo)) into.imageUrls.add(normaliseUrl(logo)!);
  const logoKey = typeof logo === 'string' ? pageImageKey(logo) : null;
  if (logoKey) into.logos.add(logoKey);
  const background = config.appConfig?.backgroundImg;
  const backgroundKey = typeof background === 'string' ? pageImageKey(background) : null;
  if (backgroundKey) into.backgrounds.add(backgroundKey);
  for (const section of config.sections ?? []) {
    if (!visible(section.displayData)) continue;
    addIcon(into, section.icon);
    visit(section.items);
    for (const widget of section.widgets ?? []) {
      const path = widget.type === 'image' ? (widget.options as { imagePath?: unknown } | undefined)?.imagePath : undefined;
      const url = typeof path === 'string' ? normaliseUrl(path) : null;
      if (url) into.widgetImages.add(url);
    }
  }
  return into;
}

/**
 * Most icon requests are answered from conf.yml alone, and a page load asks for one icon per
 * item, so what each kind of viewer may see of conf.yml is worked out once per version of
 * the file. Sub-pages are read only when conf.yml does not name the icon.
 */
const rootSources = new WeakMap<LoadedConfig, Map<string, IconSources>>();

function sourcesOfRoot(root: LoadedConfig, viewer: Viewer | null): IconSources {
  let perViewer = rootSources.get(root);
  if (!perViewer) {
    perViewer = new Map();
    rootSources.set(root, perViewer);
  }
  const key = JSON.stringify(viewer);
  let sources = perViewer.get(key);
  if (!sources) {
    sources = collectIconSources(root.config, viewer);
    if (perViewer.size >= 500) perViewer.clear();
    perViewer.set(key, sources);
  }
  return sources;
}

/**
 * What `pick` finds in conf.yml, or else in a local sub-page the viewer may open; null when
 * the viewer's dashboard does not name it.
 */
export async function findInVisibleConfig<T>(
  store: ConfigStore,
  viewer: Viewer | null,
  pick: (sources: IconSources) => T | null,
): Promise<T | null> {
  const root = await store.root();
  const inRoot = pick(sourcesOfRoot(root, viewer));
  if (inRoot !== null) return inRoot;
  for (const page of root.config.pages ?? []) {
    const fileName = localPageFileName(page.path);
    if (!fileName || (viewer && !isVisibleTo(page.displayData, viewer))) continue;
    const loaded = await store.file(fileName).catch(() => null);
    const found = loaded ? pick(collectIconSources(loaded.config, viewer)) : null;
    if (found !== null) return found;
  }
  return null;
}
