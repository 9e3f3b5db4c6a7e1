#!/usr/bin/env node
// The dashboard's browser app: what the first load costs, and how soon a 100-item dashboard
// is on screen after /conf.yml arrives, in Debian's Chromium.
//   npm run bench:web        (after npm run build; needs /usr/bin/chromium or CHROMIUM_PATH)
// The baseline for the paint is the same 100 items as a plain HTML page (no JavaScript at
// all), loaded in the same browser in the same run: the floor of what a browser can do.
// "On screen" is when the browser showed the frame with the items (Element Timing), not when
// the page's thread got to its next frame: a frame is shown only once it is rasterised and
// composited on other threads, and the thread's next frame can come before that (a light
// page) or well after it (a page busy with other work once it has painted).
/* global document, window, performance, MutationObserver, PerformanceObserver, requestAnimationFrame -- functions passed to the page run there */
import { readFileSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { chromium } from 'playwright-core';

const RUNS = Number(process.env.BENCH_RUNS ?? 15);
const root = join(import.meta.dirname, '..');
const webRoot = join(root, 'apps/dashboard/dist/web');
/** Dashy 4.0.6's first load, measured from its production build: JavaScript and CSS, gzip. */
const DASHY = { js: 258 * 1024, css: 35 * 1024 };

function firstLoadSizes() {
  const manifest = JSON.parse(readFileSync(join(webRoot, '.vite/manifest.json'), 'utf8'));
  const seen = new Set();
  const visit = (key) => {
    if (seen.has(key)) return;
    seen.add(key);
    for (const imported of manifest[key]?.imports ?? []) visit(imported);
  };
  visit('index.html');
  const gz = (file) => gzipSync(readFileSync(join(webRoot, file)), { level: 9 }).length;
  const js = [...seen].reduce((sum, key) => sum + gz(manifest[key].file), 0);
  const css = [...seen].flatMap((key) => manifest[key].css ?? []).reduce((sum, file) => sum + gz(file), 0);
  return { js, css };
}

const sections = Array.from({ length: 10 }, (_, s) => ({
  name: `Section ${s + 1}`,
  items: Array.from({ length: 10 }, (_, i) => ({
    title: `Service ${s + 1}.${i + 1}`,
    description: `Runs on host ${s + 1}`,
    url: `http://service-${s + 1}-${i + 1}.lan:${8000 + i}`,
    icon: ['fas fa-server', 'si-jellyfin', 'mdi-home', '🎬'][i % 4],
  })),
}));

function confYml() {
  const lines = ['pageInfo:', '  title: Bench Lab', 'sections:'];
  for (const section of sections) {
    lines.push(`  - name: ${section.name}`, '    items:');
    for (const item of section.items) {
      lines.push(`      - title: ${item.title}`, `        description: ${item.description}`, `        url: ${item.url}`, `        icon: '${item.icon}'`);
    }
  }
  return `${lines.join('\n')}\n`;
}

/** The same items as server-rendered HTML: what a browser paints with no script at all. */
function staticPage() {
  const body = sections
    .map((section) => `<section><h2>${section.name}</h2><ul>${section.items.map((item) => `<li><a data-item href="${item.url}">${item.title}<small>${item.description}</small></a></li>`).join('')}</ul></section>`)
    .join('');
  return `<!doctype html><html><head><meta charset="utf-8"><title>Bench Lab</title></head><body><h1>Bench Lab</h1>${body}</body></html>`;
}

// The page switch: a dashboard whose main page is on screen (one section of four items) and
// whose `pages:` holds a second page, lab.yml, with the 100 items. Following the page's link
// makes the app fetch lab.yml's JSON view and render it in the painted page.
function switchRootYml() {
  const lines = ['pageInfo:', '  title: Bench Lab', 'pages:', '  - name: Lab', '    path: lab.yml', 'sections:', '  - name: Home', '    items:'];
  for (let i = 1; i <= 4; i += 1) lines.push(`      - title: Home ${i}`, `        url: http://home-${i}.lan`, `        icon: '${['fas fa-house', 'si-jellyfin', 'mdi-home', '🏠'][i - 1]}'`);
  return `${lines.join('\n')}\n`;
}

/** Its floor: a painted plain page that fetches the same items as JSON and builds them with the DOM, no framework. */
function switchFloorPage() {
  const build = () => {
    window.loadItems = async () => {
      const data = await (await fetch('/items.json')).json();
      const fragment = document.createDocumentFragment();
      for (const section of data) {
        const element = document.createElement('section');
        const heading = document.createElement('h2');
        heading.textContent = section.name;
        const list = document.createElement('ul');
        for (const item of section.items) {
          const entry = document.createElement('li');
          const link = document.createElement('a');
          link.dataset.item = '';
          link.href = item.url;
          link.textContent = item.title;
          const small = document.createElement('small');
          small.textContent = item.description;
          link.append(small);
          entry.append(link);
          list.append(entry);
        }
        element.append(heading, list);
        fragment.append(element);
      }
      document.querySelector('main').replaceChildren(fragment);
    };
  };
  return `<!doctype html><html><head><meta charset="utf-8"><title>Bench Lab</title></head><body><h1>Bench Lab</h1><button id="load" type="button" onclick="loadItems()">Lab</button><main><p>Home</p></main><script>(${build})()</script></body></html>`;
}

const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];

// Installed before any page script (or, for a page switch, in a page already on screen, for
// the items that come after). Two markers go into the page beside the items: one when
// the first item is in the DOM (the frame that shows the dashboard's first screen) and one
// when the 100th is. Painted in the same frame as those items, a marker's Element Timing entry
// says when that frame was shown. The frame's animation callback checks that the items are
// visible in it, so that items rendered behind a loading screen would not count as shown.
const WATCH = ({ property, prefix }) => {
  // Items already in the page count as old: none when installed before the page's own
  // scripts, the page's items when installed in a page already on screen.
  const before = new Set(document.querySelectorAll('[data-item]'));
  const shownAt = (identifier, items) =>
    new Promise((resolve) => {
      let visible = false;
      requestAnimationFrame(() => {
        visible = items.every((item) => item.isConnected && item.checkVisibility({ opacityProperty: true, visibilityProperty: true }));
      });
      new PerformanceObserver((list, timing) => {
        const entry = list.getEntries().find((candidate) => candidate.identifier === identifier);
        if (!entry) return;
        timing.disconnect();
        resolve({ shown: entry.startTime, visible });
      }).observe({ type: 'element' });
      const marker = document.createElement('div');
      marker.textContent = '·';
      marker.setAttribute('elementtiming', identifier);
      marker.style.cssText = 'position:fixed;left:0;top:0;z-index:2147483647;font:12px/1 monospace;pointer-events:none';
      document.documentElement.append(marker);
    });
  const done = new Promise((resolve) => {
    let first = null;
    const check = () => {
      const items = [...document.querySelectorAll('[data-item]')].filter((item) => !before.has(item));
      if (items.length > 0 && !first) first = shownAt(`${prefix}-first`, [items[0]]);
      if (items.length < 100) return;
      observer.disconnect();
      void Promise.all([first, shownAt(`${prefix}-items`, [items[0], items[99]])]).then(([screen, all]) => resolve({ screen, all }));
    };
    const observer = new MutationObserver(check);
    observer.observe(document, { childList: true, subtree: true });
  });
  Object.defineProperty(window, property, { value: done, configurable: true });
};

/** Milliseconds from the second page's data (`resource`'s last byte) to its first screen and to all its items on screen, after clicking `link` in a page already painted and settled. */
async function measureSwitch(page, url, resource, link) {
  await page.goto(url, { waitUntil: 'load' });
  await page.waitForSelector(link);
  // The page is on screen and has done what it does after its first frame (icons, late sections).
  await page.waitForTimeout(1200);
  // The same two markers, for the items that were not in the page before the click.
  await page.evaluate(WATCH, { property: '__next', prefix: 'bench-next' });
  await page.evaluate((selector) => document.querySelector(selector).click(), link);
  const { screen, all } = await page.evaluate(() => window.__next);
  if (!screen.visible || !all.visible) throw new Error(`${url}: the new items were in the DOM but not visible in the frame that followed`);
  const arrived = await page.evaluate((name) => performance.getEntriesByType('resource').find((candidate) => candidate.name.endsWith(name))?.responseEnd ?? NaN, resource);
  return { screenAfterData: screen.shown - arrived, afterData: all.shown - arrived };
}

/** Milliseconds from the data's arrival (`resource`'s last byte) and from the page's HTML to the first screen and to all items on screen. */
async function measure(page, url, resource) {
  await page.goto(url, { waitUntil: 'load' });
  const { screen, all } = await page.evaluate(() => window.__painted);
  if (!screen.visible || !all.visible) throw new Error(`${url}: the items were in the DOM but not visible in the frame that followed`);
  const [arrived, html] = await page.evaluate((name) => {
    const navigation = performance.getEntriesByType('navigation')[0];
    const entry = name === 'document' ? navigation : performance.getEntriesByType('resource').find((candidate) => candidate.name.endsWith(name));
    return [entry?.responseEnd ?? NaN, navigation.responseEnd];
  }, resource);
  return { screenAfterData: screen.shown - arrived, afterData: all.shown - arrived, afterHtml: all.shown - html };
}

const dir = mkdtempSync(join(tmpdir(), 'hearth-bench-web-'));
writeFileSync(join(dir, 'conf.yml'), confYml());
const { startDashboard } = await import('../apps/dashboard/dist/index.js');
const { default: pino } = await import('pino');
const dashboard = await startDashboard({ userDataDir: dir, logger: pino({ level: 'silent' }), dashboardIconsUrl: 'http://127.0.0.1:9' });
const switchDir = mkdtempSync(join(tmpdir(), 'hearth-bench-web-switch-'));
writeFileSync(join(switchDir, 'conf.yml'), switchRootYml());
writeFileSync(join(switchDir, 'lab.yml'), confYml());
const switching = await startDashboard({ userDataDir: switchDir, logger: pino({ level: 'silent' }), dashboardIconsUrl: 'http://127.0.0.1:9' });
const html = staticPage();
const floorHtml = switchFloorPage();
const itemsJson = JSON.stringify(sections);
const baseline = http.createServer((req, res) => {
  if (req.url === '/items.json') res.writeHead(200, { 'content-type': 'application/json' }).end(itemsJson);
  else if (req.url === '/switch') res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(floorHtml);
  else res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(html);
});
await new Promise((resolve) => baseline.listen(0, '127.0.0.1', resolve));
const baselineUrl = `http://127.0.0.1:${baseline.address().port}/`;

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
  args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-quic'],
});
try {
  const hearth = [];
  const floor = [];
  const hearthSwitch = [];
  const floorSwitch = [];
  for (let run = 0; run < RUNS; run += 1) {
    // A fresh profile each time: a first visit, nothing cached.
    for (const [target, url, resource] of [[hearth, `${dashboard.url}/`, '/conf.yml'], [floor, baselineUrl, 'document']]) {
      const context = await browser.newContext();
      const page = await context.newPage();
      await page.addInitScript(WATCH, { property: '__painted', prefix: 'bench' });
      target.push(await measure(page, url, resource));
      await context.close();
    }
    for (const [target, url, resource, link] of [
      [hearthSwitch, `${switching.url}/`, '/lab.yml', 'nav a[href="/home/lab"]'],
      [floorSwitch, `${baselineUrl}switch`, '/items.json', '#load'],
    ]) {
      const context = await browser.newContext();
      const page = await context.newPage();
      target.push(await measureSwitch(page, url, resource, link));
      await context.close();
    }
  }
  const sizes = firstLoadSizes();
  const kb = (bytes) => `${(bytes / 1024).toFixed(1)} KB`;
  console.log(`\nChromium ${browser.version()}, ${RUNS} first visits each, median\n`);
  console.log('| measure | Hearth | baseline | ratio |');
  console.log('|---|---:|---:|---:|');
  console.log(`| first load JavaScript, gzip | ${kb(sizes.js)} | Dashy 4.0.6: ${kb(DASHY.js)} | ${(sizes.js / DASHY.js).toFixed(2)} |`);
  console.log(`| first load CSS, gzip | ${kb(sizes.css)} | Dashy 4.0.6: ${kb(DASHY.css)} | ${(sizes.css / DASHY.css).toFixed(2)} |`);
  const [oursScreen, bareScreen] = [median(hearth.map((run) => run.screenAfterData)), median(floor.map((run) => run.screenAfterData))];
  console.log(`| the dashboard's first screen on screen after its data arrived (Hearth: /conf.yml; baseline: its HTML) | ${oursScreen.toFixed(1)} ms | plain HTML page: ${bareScreen.toFixed(1)} ms | ${(oursScreen / bareScreen).toFixed(2)} |`);
  const [ours, bare] = [median(hearth.map((run) => run.afterData)), median(floor.map((run) => run.afterData))];
  console.log(`| 100 items on screen after their data arrived (Hearth: /conf.yml; baseline: its HTML) | ${ours.toFixed(1)} ms | plain HTML page: ${bare.toFixed(1)} ms | ${(ours / bare).toFixed(2)} |`);
  const [oursAll, bareAll] = [median(hearth.map((run) => run.afterHtml)), median(floor.map((run) => run.afterHtml))];
  console.log(`| the same after the page's HTML arrived (with the script's load and the /conf.yml request) | ${oursAll.toFixed(1)} ms | plain HTML page: ${bareAll.toFixed(1)} ms | ${(oursAll / bareAll).toFixed(2)} |`);
  const [switchScreen, floorScreen] = [median(hearthSwitch.map((run) => run.screenAfterData)), median(floorSwitch.map((run) => run.screenAfterData))];
  console.log(`| switching to a page of the dashboard that is on screen: its first screen after its data arrived (Hearth: the page's lab.yml; baseline: a painted plain page, fetch and DOM) | ${switchScreen.toFixed(1)} ms | plain page: ${floorScreen.toFixed(1)} ms | ${(switchScreen / floorScreen).toFixed(2)} |`);
  const [switchAll, floorAll] = [median(hearthSwitch.map((run) => run.afterData)), median(floorSwitch.map((run) => run.afterData))];
  console.log(`| the same, all 100 items of that page on screen | ${switchAll.toFixed(1)} ms | plain page: ${floorAll.toFixed(1)} ms | ${(switchAll / floorAll).toFixed(2)} |`);
  console.log(`\nTarget: the first paint of the dashboard under 100 ms after /conf.yml arrives (${oursScreen < 100 ? 'met' : 'NOT met'}; in a page on screen: ${switchScreen.toFixed(1)} ms, ${switchScreen < 100 ? 'met' : 'NOT met'}); first load under 50 KB gzip (${sizes.js < 50 * 1024 ? 'met' : 'NOT met'}).`);
} finally {
  await browser.close();
  await dashboard.close();
  await switching.close();
  baseline.close();
  rmSync(dir, { recursive: true, force: true });
  rmSync(switchDir, { recursive: true, force: true });
}
