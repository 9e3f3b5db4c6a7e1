// What can wait until the dashboard is on screen: item icons (image requests, SVG documents,
// emoji fonts), Font Awesome's stylesheet and the first status checks. Started with the
// render, their work would land between it and the frame that shows it: fifty icons' SVG
// documents and Font Awesome's thousands of rules cost about as much as a hundred items.

/** For templates: icons render once this turns true. */
let shown = $state(false);
/** The same, untracked: afterFirstPaint called in an effect must not make it run again. */
let painted = false;
let waiting: (() => void)[] | null = null;

/** Whether the first frame with the dashboard has been painted (reactive). */
export function firstPaintDone(): boolean {
  return shown;
}

/**
 * The dashboard is being rendered: watch for the frame that shows it. A frame is on screen
 * some time after the page painted it (it is rasterised and composited on other threads,
 * which work started in between would slow down), and the browser reports the first
 * contentful paint once it is. When that was earlier (a sign-in page came first), the
 * frame's own paint has to do: its animation callback comes before its style, layout and
 * paint, and a task posted from there runs after them. A tab in the background paints no
 * frames, hence the timer.
 */
export function watchFirstPaint(): void {
  if (painted || waiting) return;
  waiting = [];
  const run = () => {
    if (painted) return;
    painted = true;
    shown = true;
    const tasks = waiting ?? [];
    waiting = null;
    for (const task of tasks) task();
  };
  if (!onFirstContentfulPaint(run)) requestAnimationFrame(() => setTimeout(run, 0));
  setTimeout(run, 1000);
}

/** Calls `run` when the first contentful paint is reported; false when it happened already or cannot be observed. */
function onFirstContentfulPaint(run: () => void): boolean {
  if (typeof PerformanceObserver === 'undefined' || !PerformanceObserver.supportedEntryTypes?.includes('paint')) return false;
  if (performance.getEntriesByName('first-contentful-paint').length > 0) return false;
  const observer = new PerformanceObserver((list) => {
    if (list.getEntriesByName('first-contentful-paint').length === 0) return;
    observer.disconnect();
    run();
  });
  observer.observe({ type: 'paint' });
  return true;
}

// The same holds for every page shown after that (a sub-page of `pages:`, or back to the main
// page): the frame that shows its first screen comes before its icons, its status checks and
// its sections below the fold. A page is known by its file; a reload of the same file (after a
// save) renders it whole at once, so nothing the reader has scrolled to disappears.

/** The file whose page's first frame is on screen (reactive), and the same untracked. */
let paintedPage = $state<string | null>(null);
let paintedPageNow: string | null = null;
let watchedPage: string | null = null;
let pageWaiting: (() => void)[] = [];

/** Whether the first frame showing the page read from `file` has been painted (reactive). */
export function pagePainted(file: string): boolean {
  return shown && paintedPage === file;
}

/**
 * The page read from `file` is being rendered: mark it painted once the frame that shows it
 * is. Before the dashboard's first paint that is the first paint; after it, the page's own
 * frame (a task posted from its animation callback runs after its style, layout and paint).
 */
export function watchPagePaint(file: string): void {
  if (file === paintedPageNow || file === watchedPage) return;
  watchedPage = file;
  const mark = () => {
    if (watchedPage !== file) return;
    watchedPage = null;
    paintedPageNow = file;
    paintedPage = file;
    const tasks = pageWaiting;
    pageWaiting = [];
    for (const task of tasks) task();
  };
  if (!painted) {
    afterFirstPaint(mark);
    return;
  }
  requestAnimationFrame(() => setTimeout(mark, 0));
  setTimeout(mark, 1000);
}

/** Runs `task` once the page being rendered has its first frame painted (at once when no page is waiting). */
export function afterPagePaint(task: () => void): void {
  if (painted && watchedPage === null) {
    task();
    return;
  }
  if (!painted && watchedPage === null) {
    afterFirstPaint(task);
    return;
  }
  pageWaiting.push(task);
}

/** Runs `task` once the dashboard's first frame has been painted (at once after that). */
export function afterFirstPaint(task: () => void): void {
  if (painted) {
    task();
    return;
  }
  watchFirstPaint();
  waiting?.push(task);
}

