// Builds the copy of a config that one viewer may receive: hidden pages, sections and items
// removed, and nothing the browser does not need that could be a secret.
import type { DashyConfig, DashyItem, DashySection } from '../config/schema.js';
import { withoutWidgetSecrets } from '../widgets/secrets.js';
import { isVisibleTo } from './rules.js';
import type { Viewer } from './rules.js';

export function visibleItems(items: readonly DashyItem[] | undefined, viewer: Viewer): DashyItem[] | undefined {
  if (!items) return undefined;
  return items
    .filter((item) => isVisibleTo(item.displayData, viewer))
    .map((item) => {
      // Status checks run on the server, so the headers they send (often API keys) stay here.
      const { statusCheckHeaders: _headers, subItems, ...rest } = item;
      const children = visibleItems(subItems, viewer);
      return children ? { ...rest, subItems: children } : rest;
    });
}

export function visibleSections(sections: readonly DashySection[] | undefined, viewer: Viewer): DashySection[] | undefined {
  if (!sections) return undefined;
  return sections
    .filter((section) => isVisibleTo(section.displayData, viewer))
    .map((section) => {
      const items = visibleItems(section.items, viewer);
      return withoutWidgetSecrets(items ? { ...section, items } : section);
    });
}

/** The config as this viewer may see it; the input is not modified. */
export function filterConfigForViewer(config: DashyConfig, viewer: Viewer): DashyConfig {
  const filtered: DashyConfig = { ...config };
  if (config.pages) filtered.pages = config.pages.filter((page) => isVisibleTo(page.displayData, viewer));
  const sections = visibleSections(config.sections, viewer);
  if (sections) filtered.sections = sections;
  return filtered;
}
