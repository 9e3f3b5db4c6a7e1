// The page's own pictures: `appConfig.backgroundImg` at /icons/background?url= and
// `pageInfo.logo` at /icons/logo?url=, the value exactly as the config writes it. An http(s)
// URL is fetched and kept like an icon (a background may be a large photo); a path is a
// file in USER_DATA_DIR, which Dashy serves at its root. One that cannot be shown is a blank
// image, so the page simply goes without.
import type { FastifyInstance, FastifyReply, FastifyRequest, preHandlerAsyncHookHandler } from 'fastify';
import { blankIcon, failure, servedFrom } from './answers.js';
import type { IconAnswers } from './answers.js';
import { findImageFile, MAX_ITEM_ICON_BYTES } from './item-icons.js';
import { MAX_BACKGROUND_BYTES } from './remote-icons.js';
import type { RemoteIcons } from './remote-icons.js';
import { pageImageKey } from './sources.js';

export interface PageImageDeps {
  answers: IconAnswers;
  remote: RemoteIcons;
  authenticate: preHandlerAsyncHookHandler;
  userDataDir: string;
}

type PageImage = 'background' | 'logo';

const SETTING: Record<PageImage, string> = { background: 'appConfig.backgroundImg', logo: 'pageInfo.logo' };
const SOURCES = { background: 'backgrounds', logo: 'logos' } as const;
const MAX_FILE_BYTES: Record<PageImage, number> = { background: MAX_BACKGROUND_BYTES, logo: MAX_ITEM_ICON_BYTES };

export function registerPageImageRoutes(app: FastifyInstance, deps: PageImageDeps): void {
  for (const kind of ['background', 'logo'] as const) {
    app.get<{ Querystring: { url?: unknown } }>(`/icons/${kind}`, { preHandler: deps.authenticate }, (request, reply) =>
      sendPageImage(deps, kind, request, reply),
    );
  }
}

async function sendPageImage(deps: PageImageDeps, kind: PageImage, request: FastifyRequest<{ Querystring: { url?: unknown } }>, reply: FastifyReply) {
  const { answers, remote } = deps;
  const value = request.query.url;
  const key = typeof value === 'string' && value.length <= 2048 ? pageImageKey(value) : null;
  if (!key) return failure(reply, 400, `expected ?url=<${SETTING[kind]} as written in the config: an http(s) URL or a file in the user data folder>`);
  const sources = SOURCES[kind];
  const named = await answers.lookUp(
    request,
    reply,
    (found) => found[sources].has(key) || null,
    async (viewer) =>
      (await answers.findVisible(viewer, (found) => found[sources].size > 0 || null))
        ? { status: 403, reason: `this is not the ${SETTING[kind]} of your dashboard` }
        : { status: 404, reason: `your dashboard sets no ${SETTING[kind]}` },
  );
  if (!named) return reply;

  if (!key.startsWith('local:')) {
    const answer = await remote.image(new URL(key), kind === 'background' ? 'background' : 'icon');
    return answer.ok ? answers.send(reply, servedFrom(answer, 'image'), 'lasting') : answers.send(reply, blankIcon(answer.reason), 'stand-in');
  }
  const path = key.slice('local:'.length);
  const file = await findImageFile(deps.userDataDir, path.split('/'), MAX_FILE_BYTES[kind]);
  if (!file) return answers.send(reply, blankIcon(`no image file ${path} in the user data folder`), 'stand-in');
  return answers.sendFile(request, reply, file, 'viewers');
}
