// Icons that live on other hosts: image URLs, favicons of services, and dashboard-icons
// from their CDN. Each is fetched once, checked to be an image, kept on disk and served from
// there. A failure is remembered for a few minutes, and a host that cannot be reached at all
// is left alone for as long, so that a dashboard without internet asks once, not on every
// page load, and the routes fall back (favicon, letter tile) at once.
import type { IconDiskCache } from './disk-cache.js';
import { decodeDataUrl, faviconCandidates } from './favicon.js';
import { fetchRemote, RemoteFetchError } from './fetch-remote.js';
import type { FetchLimits, RemoteResponse } from './fetch-remote.js';
import { acceptedImageType } from './image-type.js';

export type IconAnswer =
  | { ok: true; body: Buffer; contentType: string }
  | { ok: false; status: 404 | 502; reason: string };

export interface IconLog {
  info(details: object, message: string): void;
  warn(details: object, message: string): void;
}

export type RemoteIconKind = 'image' | 'favicon' | 'hl' | 'background';

/** What an image is fetched for: sizes and how long a copy is kept differ. */
export type ImagePurpose = 'icon' | 'widget' | 'background';

export interface RemoteIconOptions {
  cache: IconDiskCache;
  /** Where dashboard-icons lives: `<base>/svg/<name>.svg`, `<base>/png/<name>.png`. */
  dashboardIconsUrl: string;
  timeoutMs: number;
  maxBytes: number;
  log: IconLog;
  /** How long a stored icon is used before it is fetched again (it is kept if that fails). */
  freshForMs?: number;
  /** How long a failure is remembered before the source is asked again. */
  retryAfterMs?: number;
}

export const DEFAULT_DASHBOARD_ICONS_URL = 'https://cdn.jsdelivr.net/gh/homarr-labs/dashboard-icons';
const WEEK_MS = 7 * 24 * 3600 * 1000;
const MAX_PAGE_BYTES = 512 * 1024;
const MAX_FAVICON_CANDIDATES = 4;
export const MAX_WIDGET_IMAGE_BYTES = 5 * 1024 * 1024;
export const MAX_BACKGROUND_BYTES = 8 * 1024 * 1024;
const MAX_REMEMBERED = 1000;

export class RemoteIcons {
  private readonly inFlight = new Map<string, Promise<IconAnswer>>();
  private readonly failures = new Map<string, { until: number; answer: IconAnswer }>();
  private readonly unreachableHosts = new Map<string, { until: number; reason: string }>();
  private readonly freshForMs: number;
  private readonly retryAfterMs: number;

  constructor(private readonly options: RemoteIconOptions) {
    this.freshForMs = options.freshForMs ?? WEEK_MS;
    this.retryAfterMs = options.retryAfterMs ?? 5 * 60 * 1000;
  }

  /**
   * An icon is kept for a week. An image widget's picture may change at any time (a camera
   * snapshot, a graph), so it is fetched every time, may be larger, and the stored copy is
   * only what is shown while its source is down. A background may be a large photo.
   */
  image(url: URL, purpose: ImagePurpose = 'icon'): Promise<IconAnswer> {
    if (purpose === 'background') {
      return this.cached('background', url.href, () => this.fetchImage(url, this.deadline(), false, MAX_BACKGROUND_BYTES));
    }
    const widget = purpose === 'widget';
    const maxBytes = widget ? MAX_WIDGET_IMAGE_BYTES : this.options.maxBytes;
    return this.cached('image', url.href, () => this.fetchImage(url, this.deadline(), false, maxBytes), widget ? 0 : this.freshForMs);
  }

  favicon(pageUrl: URL): Promise<IconAnswer> {
    return this.cached('favicon', pageUrl.href, () => this.findFavicon(pageUrl));
  }

  dashboardIcon(name: string): Promise<IconAnswer> {
    return this.cached('hl', name, () => this.fetchDashboardIcon(name));
  }

  private async cached(kind: RemoteIconKind, key: string, load: () => Promise<IconAnswer>, freshForMs = this.freshForMs): Promise<IconAnswer> {
    const id = `${kind}\n${key}`;
    const stored = await this.options.cache.get(kind, key);
    if (stored && Date.now() - stored.fetchedAt < freshForMs) return { ok: true, body: stored.body, contentType: stored.contentType };
    const failed = this.failures.get(id);
    let answer: IconAnswer;
    if (failed && failed.until > Date.now()) {
      answer = failed.answer;
    } else {
      let pending = this.inFlight.get(id);
      if (!pending) {
        pending = this.refresh(kind, key, id, load).finally(() => this.inFlight.delete(id));
        this.inFlight.set(id, pending);
      }
      answer = await pending;
    }
    // An old copy beats a fallback: icons rarely change, and the source may just be offline.
    if (!answer.ok && stored) return { ok: true, body: stored.body, contentType: stored.contentType };
    return answer;
  }

  private async refresh(kind: RemoteIconKind, key: string, id: string, load: () => Promise<IconAnswer>): Promise<IconAnswer> {
    const answer = await load().catch((error: unknown): IconAnswer => ({ ok: false, status: 502, reason: reasonOf(error) }));
    if (answer.ok) {
      this.failures.delete(id);
      try {
        await this.options.cache.put(kind, key, { body: answer.body, contentType: answer.contentType, fetchedAt: Date.now() });
      } catch (error) {
        this.options.log.warn({ dir: this.options.cache.dir }, `cannot store icon in the cache: ${(error as Error).message}`);
      }
    } else {
      this.rememberFailure(id, answer);
      this.options.log.info({ kind, source: key, reason: answer.reason }, `icon not available: ${answer.reason}`);
    }
    return answer;
  }

  private rememberFailure(id: string, answer: IconAnswer): void {
    forgetExpired(this.failures);
    this.failures.set(id, { until: Date.now() + this.retryAfterMs, answer });
  }

  /** One GET, unless the host could not be reached a moment ago. */
  private async get(url: URL, limits: FetchLimits): Promise<RemoteResponse> {
    const down = this.unreachableHosts.get(url.host);
    if (down && down.until > Date.now()) throw new RemoteFetchError(down.reason);
    try {
      return await fetchRemote(url, limits);
    } catch (error) {
      if (error instanceof RemoteFetchError && error.unreachableHost) {
        forgetExpired(this.unreachableHosts);
        this.unreachableHosts.set(error.unreachableHost, { until: Date.now() + this.retryAfterMs, reason: error.message });
      }
      throw error;
    }
  }

  private deadline(): number {
    return Date.now() + this.options.timeoutMs;
  }

  private limits(deadline: number, overrides: Partial<FetchLimits>): FetchLimits {
    return {
      timeoutMs: Math.max(1, deadline - Date.now()),
      statedTimeoutMs: this.options.timeoutMs,
      maxBytes: this.options.maxBytes,
      maxRedirects: 3,
      overflow: 'fail',
      accept: 'image/*',
      ...overrides,
    };
  }

  private async fetchImage(url: URL, deadline: number, allowInsecure: boolean, maxBytes = this.options.maxBytes): Promise<IconAnswer> {
    if (deadline <= Date.now()) return { ok: false, status: 502, reason: `no answer within ${this.options.timeoutMs} ms` };
    const response = await this.get(url, this.limits(deadline, { allowInsecure, maxBytes }));
    if (response.status === 404 || response.status === 410) return { ok: false, status: 404, reason: `${url.host} answered HTTP ${response.status}` };
    if (response.status < 200 || response.status >= 300) return { ok: false, status: 502, reason: `${url.host} answered HTTP ${response.status}` };
    const type = acceptedImageType(response.contentType, response.body);
    if (!type) return { ok: false, status: 502, reason: `${url.host} did not answer with an image (${response.contentType || 'no content type'})` };
    return { ok: true, body: response.body, contentType: type };
  }

  private async fetchDashboardIcon(name: string): Promise<IconAnswer> {
    const base = this.options.dashboardIconsUrl.replace(/\/+$/, '');
    const deadline = this.deadline();
    const svg = await this.fetchImage(new URL(`${base}/svg/${name}.svg`), deadline, false);
    if (svg.ok || svg.status !== 404) return svg;
    // Some icons exist only as PNG; Dashy falls back the same way.
    const png = await this.fetchImage(new URL(`${base}/png/${name}.png`), deadline, false);
    if (png.ok || png.status !== 404) return png;
    return { ok: false, status: 404, reason: `dashboard-icons has no icon named "${name}"` };
  }

  /**
   * The icon the service's page names in its <head>, else its /favicon.ico. Homelab
   * services often use self-signed certificates; accepting them here is safe enough
   * because only a checked image ever comes back.
   */
  private async findFavicon(pageUrl: URL): Promise<IconAnswer> {
    const deadline = this.deadline();
    let candidates: string[] = [];
    try {
      const page = await this.get(pageUrl, this.limits(deadline, {
        accept: 'text/html,application/xhtml+xml',
        maxBytes: MAX_PAGE_BYTES,
        overflow: 'truncate',
        maxRedirects: 5,
        allowInsecure: true,
      }));
      // A page that sent us to a sign-in portal on another host would give the portal's icon.
      if (page.url.origin === pageUrl.origin && /html|xml/.test(page.contentType || 'html')) {
        candidates = faviconCandidates(page.body.toString('utf8'), page.url);
      }
    } catch (error) {
      return { ok: false, status: 502, reason: `cannot load ${pageUrl.host}: ${reasonOf(error)}` };
    }
    candidates.push(new URL('/favicon.ico', pageUrl).href);
    let lastFailure: IconAnswer | null = null;
    for (const candidate of [...new Set(candidates)].slice(0, MAX_FAVICON_CANDIDATES)) {
      if (candidate.startsWith('data:')) {
        const body = decodeDataUrl(candidate);
        const type = body ? acceptedImageType('', body) : null;
        if (body && type && body.length <= this.options.maxBytes) return { ok: true, body, contentType: type };
        continue;
      }
      lastFailure = await this.fetchImage(new URL(candidate), deadline, true).catch((error: unknown): IconAnswer => ({
        ok: false,
        status: 502,
        reason: reasonOf(error),
      }));
      if (lastFailure.ok) return lastFailure;
    }
    return { ok: false, status: 404, reason: `${pageUrl.host} has no icon that loads (${lastFailure && !lastFailure.ok ? lastFailure.reason : 'none found'})` };
  }
}

function forgetExpired(entries: Map<string, { until: number }>): void {
  if (entries.size < MAX_REMEMBERED) return;
  const now = Date.now();
  for (const [key, entry] of entries) if (entry.until <= now) entries.delete(key);
  // Still full of live entries (a config with thousands of dead hosts): start over.
  if (entries.size >= MAX_REMEMBERED) entries.clear();
}

function reasonOf(error: unknown): string {
  if (error instanceof RemoteFetchError) return error.message;
  return error instanceof Error ? error.message : String(error);
}
