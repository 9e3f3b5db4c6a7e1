import { describe, expect, it } from 'vitest';
import { firstScreenful } from './first-screen';

const sections = (...sizes: number[]) => sizes.map((size) => ({ items: Array.from({ length: size }, (_, index) => ({ title: `item ${index}` })) }));

describe('firstScreenful', () => {
  it('takes whole sections until a desktop screen is full', () => {
    // 1280 x 720 wants about 58 tiles: six sections of ten (three columns, two rows in view).
    expect(firstScreenful(sections(10, 10, 10, 10, 10, 10, 10, 10, 10, 10), 1280 * 720)).toBe(6);
  });

  it('takes fewer on a phone, never none', () => {
    expect(firstScreenful(sections(10, 10, 10, 10), 390 * 844)).toBe(3);
    expect(firstScreenful(sections(200, 10), 390 * 844)).toBe(1);
  });

  it('counts a section without items (widgets only) as one tile, and takes all when they are few', () => {
    expect(firstScreenful([{}, { items: 'not a list' }, ...sections(3)], 1280 * 720)).toBe(3);
    expect(firstScreenful([], 1280 * 720)).toBe(0);
  });
});
