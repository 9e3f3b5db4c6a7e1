// Item order within a section (displayData.sortBy), as Dashy's SortItems does it, and the item
// ids Dashy's usage ledgers are keyed by.
import type { Item } from './types';

/** Section names' char code sums: every item of a section needs its section's. */
const charSums = new Map<string, number>();

/** Dashy's SectionHelpers.makeItemId: index, sum of the section name's char codes, title letters. */
export function makeItemId(sectionName: string | undefined, title: string | undefined, index: number): string {
  const section = sectionName || 'unlabeledSec';
  let charSum = charSums.get(section);
  if (charSum === undefined) {
    charSum = [...section].reduce((sum, character) => sum + character.charCodeAt(0), 0);
    if (charSums.size > 1000) charSums.clear();
    charSums.set(section, charSum);
  }
  const titlePart = (title || 'unknown').replace(/\s+/g, '-').replace(/[^a-zA-Z ]/g, '').toLowerCase();
  return `${index}_${charSum}_${titlePart}`;
}

export interface KeyedItem {
  item: Item;
  /** Position in the section as written: what edit controls refer to. */
  index: number;
  id: string;
}

const byTitle = (entries: KeyedItem[]) =>
  [...entries].sort((a, b) => ((a.item.title ?? '').toLowerCase() > (b.item.title ?? '').toLowerCase() ? 1 : -1));

function byUsage(entries: KeyedItem[], counts: Record<string, number>): KeyedItem[] {
  const count = (entry: KeyedItem) => Number(counts[entry.id]) || 0;
  return [...entries].reverse().sort((a, b) => (count(a) < count(b) ? 1 : -1));
}

/** Unknown orders keep the file's order; `random` shuffles on every render as in Dashy. */
export function sortItems(entries: KeyedItem[], order: string | undefined, usage: (kind: 'most-used' | 'last-used') => Record<string, number>): KeyedItem[] {
  switch (order) {
    case 'alphabetical':
      return byTitle(entries);
    case 'reverse-alphabetical':
      return byTitle(entries).reverse();
    case 'most-used':
    case 'last-used':
      return byUsage(entries, usage(order));
    case 'random':
      return entries
        .map((entry) => ({ entry, key: Math.random() }))
        .sort((a, b) => a.key - b.key)
        .map(({ entry }) => entry);
    default:
      return [...entries];
  }
}
