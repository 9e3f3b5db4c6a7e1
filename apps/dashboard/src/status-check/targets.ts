// The URLs a status check may reach: exactly the items of the dashboard the requester can
// see. Anything else is refused, so the endpoint is never an open proxy into the network.
import { localPageFileName } from '../config/page-path.js';
import type { DashyConfig, DashyItem } from '../config/schema.js';
import type { ConfigStore } from '../config/store.js';
import { isVisibleTo } from '../visibility/rules.js';
import type { Viewer } from '../visibility/rules.js';
import type { CheckOptions } from './check.js';

export type StatusCheckTargets = Map<string, DashyItem>;

function normalise(url: string): string | null {
  return URL.canParse(url) ? new URL(url).href : null;
}

/** Items (with their server-only settings) that `viewer` can see; null means everything. */
export function collectTargets(configs: readonly DashyConfig[], viewer: Viewer | null): StatusCheckTargets {
  const targets: StatusCheckTargets = new Map();
  const visible = (displayData: DashyItem['displayData']) => viewer === null || isVisibleTo(displayData, viewer);
  const visit = (items: readonly DashyItem[] | undefined) => {
    for (const item of items ?? []) {
      if (!visible(item.displayData)) continue;
      for (const url of [item.statusCheckUrl, item.url]) {
        const key = url ? normalise(url) : null;
        if (key && !targets.has(key)) targets.set(key, item);
      }
      visit(item.subItems);
    }
  };
  for (const config of configs) {
    for (const section of config.sections ?? []) if (visible(section.displayData)) visit(section.items);
  }
  return targets;
}

/** The root config and every local sub-page the viewer may open. */
export async function targetsFor(store: ConfigStore, viewer: Viewer | null): Promise<StatusCheckTargets> {
  const root = await store.root();
  const configs: DashyConfig[] = [root.config];
  for (const page of root.config.pages ?? []) {
    const fileName = localPageFileName(page.path);
    if (!fileName || (viewer && !isVisibleTo(page.displayData, viewer))) continue;
    const loaded = await store.file(fileName).catch(() => null);
    if (loaded) configs.push(loaded.config);
  }
  return collectTargets(configs, viewer);
}

export function findTarget(targets: StatusCheckTargets, url: string): DashyItem | null {
  const key = normalise(url);
  return key ? (targets.get(key) ?? null) : null;
}

/** Dashy writes accepted codes as "200, 401" or a single number. */
export function parseAcceptCodes(value: DashyItem['statusCheckAcceptCodes']): number[] {
  if (value === undefined) return [];
  return String(value)
    .split(',')
    .map((code) => Number(code.trim()))
    .filter((code) => Number.isInteger(code) && code >= 100 && code <= 599);
}

export function checkOptionsFor(item: DashyItem, timeoutMs: number): CheckOptions {
  return {
    timeoutMs,
    maxRedirects: item.statusCheckMaxRedirects ?? 3,
    acceptCodes: parseAcceptCodes(item.statusCheckAcceptCodes),
    headers: item.statusCheckHeaders ?? {},
    allowInsecure: item.statusCheckAllowInsecure === true,
    allowOffOriginRedirects: item.statusCheckAllowOffOriginRedirects === true,
  };
}
