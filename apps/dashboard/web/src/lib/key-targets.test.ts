import { describe, expect, it } from 'vitest';
import { hotkeyItem } from './key-targets';
import type { Item } from './types';

const items: Item[] = [
  { title: 'Bookstack', url: 'https://books.lab', hotkey: 2 },
  { title: 'Gitea', url: 'https://git.lab', hotkey: 3, subItems: [{ title: 'Gitea admin', url: 'https://git.lab/admin', hotkey: 4 }] },
  { title: 'Second two', url: 'https://other.lab', hotkey: 2 },
  { title: 'Zero', url: 'https://zero.lab', hotkey: 0 },
  { title: 'No key', url: 'https://plain.lab' },
];

describe('hotkeyItem', () => {
  it('finds the item whose hotkey is the pressed digit', () => {
    expect(hotkeyItem(items, '3')?.title).toBe('Gitea');
    expect(hotkeyItem(items, '0')?.title).toBe('Zero');
  });

  it('finds sub-items, and the first item when two share a key', () => {
    expect(hotkeyItem(items, '4')?.title).toBe('Gitea admin');
    expect(hotkeyItem(items, '2')?.title).toBe('Bookstack');
  });

  it('gives nothing for unbound digits and for other keys', () => {
    expect(hotkeyItem(items, '7')).toBeUndefined();
    expect(hotkeyItem(items, 'a')).toBeUndefined();
    expect(hotkeyItem(items, '23')).toBeUndefined();
    expect(hotkeyItem([], '2')).toBeUndefined();
  });

  it('accepts a hotkey written as a string', () => {
    expect(hotkeyItem([{ title: 'S', hotkey: '5' as unknown as number }], '5')?.title).toBe('S');
  });
});
