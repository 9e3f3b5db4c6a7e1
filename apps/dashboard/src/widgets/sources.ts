// Where widgets may read their data from: exactly the hosts named in the options of the
// widgets the requester can see (a Glances `hostname`, ...). The proxy refuses everything
// else, so it can never be used to reach other machines of the network.
import { localPageFileName } from '../config/page-path.js';
import type { DashyConfig, DashySection } from '../config/schema.js';
import type { ConfigStore } from '../config/store.js';
import { isVisibleTo } from '../visibility/rules.js';
import type { Viewer } from '../visibility/rules.js';

export interface WidgetSource {
  /** `http://glances.lan:61208` */
  origin: string;
  /** Every path the widget reads starts with this, e.g. `/glances/api/`. */
  pathPrefix: string;
  /** Added by the server (basic auth); never seen by a browser. */
  headers: Record<string, string>;
  /** Dashy's per-widget `timeout` in milliseconds, when set. */
  timeoutMs: number | null;
}

type Widget = NonNullable<DashySection['widgets']>[number];
type Options = Record<string, unknown>;

/**
 * Dashy builds Glances URLs as `${hostname}/api/${apiVersion}/${path}`. People write the
 * hostname with or without a trailing slash, and sometimes without a scheme.
 */
export function glancesBase(hostname: unknown): { origin: string; path: string } | null {
  if (typeof hostname !== 'string' || hostname.trim() === '') return null;
  const trimmed = hostname.trim();
  const withScheme = /^[a-z][a-z0-9+.-]*:\/\//i.test(trimmed) ? trimmed : `http://${trimmed}`;
  if (!URL.canParse(withScheme)) return null;
  const url = new URL(withScheme);
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return null;
  return { origin: url.origin, path: url.pathname.replace(/\/+$/, '') };
}

function basicAuth(options: Options): Record<string, string> {
  const { username, password } = options;
  const present = (value: unknown) => (typeof value === 'string' && value !== '') || typeof value === 'number';
  if (!present(username) || !present(password)) return {};
  const credentials = Buffer.from(`${String(username)}:${String(password)}`, 'utf8').toString('base64');
  return { authorization: `Basic ${credentials}` };
}

const MIN_TIMEOUT_MS = 250;
const MAX_TIMEOUT_MS = 30_000;

function timeoutOf(widget: Widget, options: Options): number | null {
  const value = options.timeout ?? widget.timeout;
  if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0) return null;
  return Math.min(Math.max(Math.round(value), MIN_TIMEOUT_MS), MAX_TIMEOUT_MS);
}

/** Widget families whose browser component reads data through the proxy, and from where. */
const DATA_SOURCES: ReadonlyArray<{ matches(type: string): boolean; read(options: Options): Omit<WidgetSource, 'timeoutMs'> | null }> = [
  {
    matches: (type) => type.startsWith('gl-'),
    read: (options) => {
      const base = glancesBase(options.hostname);
      return base ? { origin: base.origin, pathPrefix: `${base.path}/api/`, headers: basicAuth(options) } : null;
    },
  },
];

export function sourceOfWidget(widget: Widget): WidgetSource | null {
  if (typeof widget.type !== 'string') return null;
  const type = widget.type.toLowerCase();
  const options = typeof widget.options === 'object' && widget.options !== null ? (widget.options as Options) : {};
  const family = DATA_SOURCES.find((candidate) => candidate.matches(type));
  const source = family?.read(options);
  return source ? { ...source, timeoutMs: timeoutOf(widget, options) } : null;
}

/** Sources of the widgets in sections `viewer` can see; a null viewer (an admin) sees all. */
export function collectSources(configs: readonly DashyConfig[], viewer: Viewer | null): WidgetSource[] {
  const sources: WidgetSource[] = [];
  for (const config of configs) {
    for (const section of config.sections ?? []) {
      if (viewer && !isVisibleTo(section.displayData, viewer)) continue;
      for (const widget of section.widgets ?? []) {
        const source = sourceOfWidget(widget);
        if (source) sources.push(source);
      }
    }
  }
  return sources;
}

/** The root config and every local sub-page the viewer may open, as status checks do. */
export async function sourcesFor(store: ConfigStore, viewer: Viewer | null): Promise<WidgetSource[]> {
  const root = await store.root();
  const configs: DashyConfig[] = [root.config];
  for (const page of root.config.pages ?? []) {
    const fileName = localPageFileName(page.path);
    if (!fileName || (viewer && !isVisibleTo(page.displayData, viewer))) continue;
    const loaded = await store.file(fileName).catch(() => null);
    if (loaded) configs.push(loaded.config);
  }
  return collectSources(configs, viewer);
}

/**
 * The source a URL belongs to: same origin, path under the widget's prefix. The longest
 * prefix wins, and among equals one that carries credentials, so two widgets naming the
 * same host (one with a password) both work.
 */
export function findSource(sources: readonly WidgetSource[], url: URL): WidgetSource | null {
  let best: WidgetSource | null = null;
  for (const source of sources) {
    if (source.origin !== url.origin || !url.pathname.startsWith(source.pathPrefix)) continue;
    const longer = !best || source.pathPrefix.length > best.pathPrefix.length;
    const sameButAuthenticated =
      best && source.pathPrefix.length === best.pathPrefix.length && !best.headers.authorization && source.headers.authorization;
    if (longer || sameButAuthenticated) best = source;
  }
  return best;
}
