// The icons fetched from other hosts: /icons/image?url=, /icons/favicon?url=, /icons/hl/<name>.
// Each takes `title=` (and the item's URL: `item=` for an image, `url=` otherwise) to fall
// back on when its source cannot be reached: the favicon, then a letter tile.
import type { FastifyInstance, preHandlerAsyncHookHandler } from 'fastify';
import { failure, fallbackIcon, fallbackOf, letterIcon, servedFrom, urlParameter } from './answers.js';
import type { Fallback, IconAnswers } from './answers.js';
import type { RemoteIcons } from './remote-icons.js';

export interface FetchedIconDeps {
  answers: IconAnswers;
  remote: RemoteIcons;
  authenticate: preHandlerAsyncHookHandler;
}

const DASHBOARD_ICON_NAME = /^[a-z0-9]+(?:[-_.][a-z0-9]+)*$/;

type Query = Record<string, unknown>;

/** Both the icon and the item it falls back on must be in the requester's dashboard. */
const itemNamed = (fallback: Fallback, itemUrls: Set<string>) => fallback.item === null || itemUrls.has(fallback.item);

export function registerFetchedIconRoutes(app: FastifyInstance, { answers, remote, authenticate }: FetchedIconDeps): void {
  app.get<{ Querystring: Query }>('/icons/image', { preHandler: authenticate }, async (request, reply) => {
    const url = urlParameter(request.query.url);
    if (!url) return failure(reply, 400, 'expected ?url=<the http(s) URL of an icon or image widget in your dashboard>');
    const fallback = fallbackOf(request.query, 'item');
    if (typeof fallback === 'string') return failure(reply, 400, fallback);
    const purpose = await answers.lookUp(request, reply, (sources) =>
      sources.imageUrls.has(url) && itemNamed(fallback, sources.itemUrls) ? ('icon' as const) : sources.widgetImages.has(url) ? ('widget' as const) : null,
    );
    if (!purpose) return reply;
    const answer = await remote.image(new URL(url), purpose);
    // A widget's picture is not an icon: no tile stands in for a camera snapshot.
    if (purpose === 'widget') return answer.ok ? answers.send(reply, servedFrom(answer, 'image'), 'no-cache') : failure(reply, answer.status, answer.reason);
    if (answer.ok) return answers.send(reply, servedFrom(answer, 'image'), 'lasting');
    return answers.send(reply, await fallbackIcon(remote, fallback, answer.reason), 'stand-in');
  });

  app.get<{ Querystring: Query }>('/icons/favicon', { preHandler: authenticate }, async (request, reply) => {
    const url = urlParameter(request.query.url);
    if (!url) return failure(reply, 400, 'expected ?url=<the http(s) URL of an item in your dashboard>');
    const fallback = fallbackOf(request.query, 'url');
    if (typeof fallback === 'string') return failure(reply, 400, fallback);
    if (!(await answers.lookUp(request, reply, (sources) => sources.itemUrls.has(url) || null))) return reply;
    const answer = await remote.favicon(new URL(url));
    if (answer.ok) return answers.send(reply, servedFrom(answer, 'favicon'), 'lasting');
    return answers.send(reply, letterIcon(fallback.title, 'colour', answer.reason), 'stand-in');
  });

  app.get<{ Params: { name: string }; Querystring: Query }>('/icons/hl/:name', { preHandler: authenticate }, async (request, reply) => {
    const name = request.params.name;
    if (name.length > 64 || !DASHBOARD_ICON_NAME.test(name)) {
      return failure(reply, 400, 'expected /icons/hl/<name>: lower-case letters, digits and - _ . (the part after hl- in the config)');
    }
    const fallback = fallbackOf(request.query, 'url');
    if (typeof fallback === 'string') return failure(reply, 400, fallback);
    if (!(await answers.lookUp(request, reply, (sources) => (sources.dashboardIcons.has(name) && itemNamed(fallback, sources.itemUrls)) || null))) {
      return reply;
    }
    const answer = await remote.dashboardIcon(name);
    if (answer.ok) return answers.send(reply, servedFrom(answer, 'cdn'), 'lasting');
    return answers.send(reply, await fallbackIcon(remote, fallback, answer.reason), 'stand-in');
  });
}
