import { api } from './api';
import { matchRoute, type Page } from './routes';
import type { GroupRef, InteractionDetails, User } from './types';

/** What the server put into the page, so the first screen needs no request of its own. */
export interface BootData {
  user: User | null;
  groups: GroupRef[];
  setupRequired: boolean;
  /** The details of the sign-in screen this page opens, when it is one and they could be read. */
  interaction: InteractionDetails | null;
}

let boot: BootData | null | undefined;

function readBootData(): BootData | null {
  if (boot !== undefined) return boot;
  const element = document.getElementById('hearth-boot');
  element?.remove();
  try {
    boot = element?.textContent ? (JSON.parse(element.textContent) as BootData) : null;
  } catch {
    boot = null;
  }
  return boot;
}

/** The page's boot data, once: later reads go to the API, as the page may be long open. */
export function takeBootData(): BootData | null {
  const data = readBootData();
  boot = null;
  return data;
}

const prefetched = new Map<string, Promise<unknown>>();
/** Answers the page itself carried, readable without waiting (a promise always resolves a turn later). */
const embeddedAnswers = new Map<string, unknown>();

/** The page's own answer for a GET, once, so the first screen can draw it in its first render. */
export function takeEmbedded<T>(path: string): T | undefined {
  const value = embeddedAnswers.get(path) as T | undefined;
  if (value === undefined) return undefined;
  embeddedAnswers.delete(path);
  prefetched.delete(path);
  return value;
}

/** A GET started early (or answered by the page itself), handed once to the first screen that asks for that path. */
export function takePrefetched<T>(path: string): Promise<T> {
  const pending = prefetched.get(path);
  prefetched.delete(path);
  embeddedAnswers.delete(path);
  return (pending as Promise<T> | undefined) ?? api.get<T>(path);
}

/** The first screen's component, loaded before the app is mounted so that its first render draws it. */
export interface FirstScreen {
  path: string;
  component: Page;
}

/**
 * Starts what the first screen needs before the app is mounted: its code, and for a sign-in
 * interaction its details, side by side instead of one after the other.
 */
export function prefetchFirstScreen(path: string): Promise<FirstScreen | null> {
  let match: ReturnType<typeof matchRoute>;
  try {
    match = matchRoute(path);
  } catch {
    return Promise.resolve(null); // A malformed address: the app itself says so.
  }
  const screen = match ? match.route.load().then((module) => ({ path, component: module.default })) : Promise.resolve(null);
  const uid = match?.params.uid;
  if (uid && path.startsWith('/interaction/')) {
    // Spelled as the interaction screen spells it, so that it finds this one.
    const detailsPath = `/interaction/${encodeURIComponent(uid)}/details`;
    const embedded = readBootData()?.interaction;
    const pending = embedded?.uid === uid ? Promise.resolve(embedded) : api.get(detailsPath);
    pending.catch(() => {});
    prefetched.set(detailsPath, pending);
    if (embedded?.uid === uid) embeddedAnswers.set(detailsPath, embedded);
  }
  // A screen that failed to load is the app's to explain, once mounted.
  return screen.catch(() => null);
}
