import { describe, expect, it } from 'vitest';
import { makeItemId, sortItems } from './sort-items';
import type { KeyedItem } from './sort-items';

const entries: KeyedItem[] = ['banana', 'Apple', 'cherry'].map((title, index) => ({ item: { title }, index, id: makeItemId('Fruit', title, index) }));
const titles = (list: KeyedItem[]) => list.map((entry) => entry.item.title);
const noUsage = () => ({});

describe('sortItems', () => {
  it('keeps the file order by default and for unknown orders', () => {
    expect(titles(sortItems(entries, undefined, noUsage))).toEqual(['banana', 'Apple', 'cherry']);
    expect(titles(sortItems(entries, 'sideways', noUsage))).toEqual(['banana', 'Apple', 'cherry']);
  });

  it('sorts by title, ignoring case, both ways', () => {
    expect(titles(sortItems(entries, 'alphabetical', noUsage))).toEqual(['Apple', 'banana', 'cherry']);
    expect(titles(sortItems(entries, 'reverse-alphabetical', noUsage))).toEqual(['cherry', 'banana', 'Apple']);
  });

  it("sorts by Dashy's usage ledgers", () => {
    const usage = (kind: 'most-used' | 'last-used') =>
      kind === 'most-used' ? { [entries[2]!.id]: 5, [entries[0]!.id]: 2 } : { [entries[1]!.id]: 1_700_000_000_000 };
    expect(titles(sortItems(entries, 'most-used', usage))).toEqual(['cherry', 'banana', 'Apple']);
    expect(titles(sortItems(entries, 'last-used', usage))[0]).toBe('Apple');
  });

  it('shuffles without losing anything for random', () => {
    expect(titles(sortItems(entries, 'random', noUsage)).sort()).toEqual(['Apple', 'banana', 'cherry']);
  });
});

describe('makeItemId', () => {
  it("matches Dashy's item ids, so existing usage counts still apply", () => {
    // 'Fruit' = 70 + 114 + 117 + 105 + 116
    expect(makeItemId('Fruit', 'Home Assistant 2', 3)).toBe('3_522_homeassistant');
  });
});
