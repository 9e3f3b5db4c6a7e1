// How the icon routes answer. An icon the requester's dashboard names always gets an image:
// the icon itself, else the item's favicon, else a letter tile, with `X-Hearth-Icon` saying
// which. A browser logs every failed image load as an error, and a homelab without internet
// would otherwise fill the console on every page load. Refusals (signed out, not named in the
// dashboard, malformed) stay JSON errors: they are not icons that could not be found.
import { createReadStream } from 'node:fs';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { unauthorized } from '../auth/hook.js';
import type { AuthSettings } from '../auth/settings.js';
import { requesterOf } from '../config/routes.js';
import type { ConfigStore } from '../config/store.js';
import { isAdminRequester, viewerOf } from '../config/views.js';
import type { Viewer } from '../visibility/rules.js';
import { imageHeaders } from './image-type.js';
import type { ItemIconFile } from './item-icons.js';
import { BLANK_SVG, letterTileSvg } from './letter-tile.js';
import type { LetterStyle } from './letter-tile.js';
import type { IconAnswer, RemoteIcons } from './remote-icons.js';
import { findInVisibleConfig, normaliseUrl } from './sources.js';
import type { IconSources } from './sources.js';

/**
 * What was served: `cdn` (dashboard-icons), `image` (an image URL), `file` (USER_DATA_DIR),
 * `package`, `favicon`, `letter` (a generated tile), `none` (a blank logo or background).
 */
export type IconOrigin = 'cdn' | 'image' | 'file' | 'package' | 'favicon' | 'letter' | 'none';

export interface ServedIcon {
  body: Buffer;
  contentType: string;
  origin: IconOrigin;
  /** Why the steps before this one were passed over. */
  reason?: string;
}

/**
 * `lasting`: the icon that was asked for, kept a day. `stand-in`: a fallback, kept only as
 * long as this server remembers the failure, so the real icon shows once it can be fetched.
 */
export type Freshness = 'lasting' | 'stand-in' | 'no-cache';

export const DAY = 'max-age=86400';
const STAND_IN = 'max-age=300';
const MAX_URL_LENGTH = 2048;
const MAX_TITLE_LENGTH = 256;
const NOT_NAMED = 'this icon is not named in your dashboard';

export type ErrorStatus = 400 | 403 | 404 | 502;
const ERROR_NAMES: Record<ErrorStatus, string> = { 400: 'bad request', 403: 'forbidden', 404: 'not found', 502: 'bad gateway' };

export function failure(reply: FastifyReply, status: ErrorStatus, reason: string): FastifyReply {
  return reply.code(status).header('cache-control', 'no-store').send({ error: ERROR_NAMES[status], reason });
}

export function urlParameter(value: unknown): string | null {
  if (typeof value !== 'string' || value.length > MAX_URL_LENGTH) return null;
  return normaliseUrl(value);
}

/** What a route falls back on: the item's page (for its favicon) and its title (for a tile). */
export interface Fallback {
  item: string | null;
  title: string;
}

/** The fallback a query asks for, or the reason it is malformed. */
export function fallbackOf(query: Record<string, unknown>, itemParameter: 'url' | 'item'): Fallback | string {
  const { title } = query;
  if (title !== undefined && (typeof title !== 'string' || title.length > MAX_TITLE_LENGTH)) {
    return `expected title=<the item's title>, at most ${MAX_TITLE_LENGTH} characters`;
  }
  const raw = query[itemParameter];
  const item = raw === undefined ? null : urlParameter(raw);
  if (raw !== undefined && item === null) return `expected ${itemParameter}=<the http(s) URL of the item>`;
  return { item, title: title ?? '' };
}

export function letterIcon(title: string, style: LetterStyle, reason?: string): ServedIcon {
  return { body: letterTileSvg(title, style), contentType: 'image/svg+xml', origin: 'letter', ...(reason ? { reason } : {}) };
}

export function blankIcon(reason: string): ServedIcon {
  return { body: BLANK_SVG, contentType: 'image/svg+xml', origin: 'none', reason };
}

export function servedFrom(answer: Extract<IconAnswer, { ok: true }>, origin: IconOrigin, reason?: string): ServedIcon {
  return { body: answer.body, contentType: answer.contentType, origin, ...(reason ? { reason } : {}) };
}

/** The item's favicon, else a letter tile: what an icon that cannot be fetched falls back on. */
export async function fallbackIcon(remote: RemoteIcons, fallback: Fallback, reason: string, style: LetterStyle = 'colour'): Promise<ServedIcon> {
  if (fallback.item) {
    const favicon = await remote.favicon(new URL(fallback.item));
    if (favicon.ok) return servedFrom(favicon, 'favicon', reason);
    reason = `${reason}; favicon: ${favicon.reason}`;
  }
  return letterIcon(fallback.title, style, reason);
}

/** Header values are ASCII on one line; a reason names hosts of the requester's own config. */
function headerText(text: string): string {
  return text.replace(/[^\x20-\x7e]/g, '?').slice(0, 300);
}

export class IconAnswers {
  /** The answer depends on who asks: an ID token, or a built-in user's session cookie. */
  readonly vary: string | null;

  constructor(
    private readonly store: ConfigStore,
    private readonly auth: AuthSettings | null,
  ) {
    this.vary = auth ? 'Authorization, Cookie' : null;
  }

  /**
   * What the requester's view of the config says about the source, or null once the reply
   * is sent: signed-out visitors of a dashboard with sign-in get no icon the config names,
   * and nobody gets one it does not name (`notNamed` may refine that refusal).
   */
  async lookUp<T>(
    request: FastifyRequest,
    reply: FastifyReply,
    pick: (sources: IconSources) => T | null,
    notNamed?: (viewer: Viewer | null) => Promise<{ status: 403 | 404; reason: string }>,
  ): Promise<T | null> {
    reply.header('cache-control', 'no-store');
    if (this.auth && !request.auth && !this.auth.enableGuestAccess) {
      await unauthorized(reply, 'sign-in required');
      return null;
    }
    const requester = requesterOf(request);
    const viewer = isAdminRequester(requester, this.auth) ? null : viewerOf(requester);
    const found = await findInVisibleConfig(this.store, viewer, pick);
    if (found === null) {
      const refusal = notNamed ? await notNamed(viewer) : { status: 403 as const, reason: NOT_NAMED };
      await failure(reply, refusal.status, refusal.reason);
    }
    return found;
  }

  findVisible<T>(viewer: Viewer | null, pick: (sources: IconSources) => T | null): Promise<T | null> {
    return findInVisibleConfig(this.store, viewer, pick);
  }

  send(reply: FastifyReply, icon: ServedIcon, freshness: Freshness): FastifyReply {
    if (this.vary) reply.header('vary', this.vary);
    if (icon.reason) reply.header('x-hearth-icon-reason', headerText(icon.reason));
    const scope = this.auth ? 'private' : 'public';
    const cacheControl = freshness === 'no-cache' ? 'no-cache' : `${scope}, ${freshness === 'lasting' ? DAY : STAND_IN}`;
    return reply.headers(imageHeaders(icon.contentType)).header('cache-control', cacheControl).header('x-hearth-icon', icon.origin).send(icon.body);
  }

  /** A file of the owner's: public (`item-icons`, as in Dashy) or only for who may see the page. */
  sendFile(request: FastifyRequest, reply: FastifyReply, file: ItemIconFile, audience: 'public' | 'viewers'): FastifyReply {
    const perViewer = audience === 'viewers' && this.auth !== null;
    if (perViewer && this.vary) reply.header('vary', this.vary);
    const etag = `"${file.size.toString(36)}-${Math.trunc(file.mtimeMs).toString(36)}"`;
    reply
      .headers(imageHeaders(file.type))
      .header('cache-control', `${perViewer ? 'private' : 'public'}, ${DAY}`)
      .header('etag', etag)
      .header('x-hearth-icon', 'file');
    if (request.headers['if-none-match'] === etag) return reply.code(304).send();
    return reply.header('content-length', file.size).send(createReadStream(file.path));
  }
}
