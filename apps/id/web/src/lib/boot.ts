import { carryInteraction } from './page-data';
import { matchRoute, type Page } from './routes';

export { takeBootData, takeEmbedded, takePrefetched, type BootData } from './page-data';

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
  if (uid && path.startsWith('/interaction/')) carryInteraction(uid);
  // A screen that failed to load is the app's to explain, once mounted.
  return screen.catch(() => null);
}
