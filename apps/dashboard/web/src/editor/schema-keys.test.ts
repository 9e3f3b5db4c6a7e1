import { describe, expect, it } from 'vitest';
import { dashboardJsonSchema } from '../../../src/config/json-schema.js';
import { ITEM, keyContextAt, keysAt } from './schema-keys';
import type { JsonSchema } from './schema-keys';

/** The context at the `|` in `text`. */
function at(text: string) {
  const offset = text.indexOf('|');
  return keyContextAt(text.replace('|', ''), offset);
}

describe('where the cursor is', () => {
  it('finds a key inside an item of an indented list', () => {
    const text = 'sections:\n  - name: Media\n    items:\n      - title: Jellyfin\n        ur|';
    expect(at(text)).toEqual({ path: ['sections', ITEM, 'items', ITEM], from: text.indexOf('|') - 2, typed: 'ur' });
  });

  it('finds a key inside an item of a flush list', () => {
    expect(at('sections:\n- name: Media\n  items:\n  - title: Jellyfin\n    |')?.path).toEqual(['sections', ITEM, 'items', ITEM]);
  });

  it('starts a new list entry', () => {
    expect(at('sections:\n  - name: Media\n    items:\n      - |')?.path).toEqual(['sections', ITEM, 'items', ITEM]);
  });

  it('goes back out of a deeper block', () => {
    const text = 'sections:\n  - name: Media\n    displayData:\n      collapsed: true\n    |';
    expect(at(text)?.path).toEqual(['sections', ITEM]);
  });

  it('skips comments and blank lines', () => {
    const text = 'appConfig:\n  # the look\n\n  the|';
    expect(at(text)).toEqual({ path: ['appConfig'], from: text.indexOf('|') - 3, typed: 'the' });
  });

  it('is at the root on a line of its own', () => {
    expect(at('pageInfo:\n  title: x\npa|')?.path).toEqual([]);
  });

  it('is not in a value or a comment', () => {
    expect(at('pageInfo:\n  title: Ho|')).toBeNull();
    expect(at('# comm|')).toBeNull();
  });
});

describe('which keys the schema allows', () => {
  const schema = dashboardJsonSchema() as JsonSchema;

  it('lists the top-level keys', () => {
    expect(keysAt(schema, []).map((key) => key.key)).toEqual(['pageInfo', 'appConfig', 'pages', 'sections']);
  });

  it('follows references into items and their display data', () => {
    const itemKeys = keysAt(schema, ['sections', ITEM, 'items', ITEM]).map((key) => key.key);
    expect(itemKeys).toEqual(expect.arrayContaining(['title', 'url', 'icon', 'statusCheck', 'subItems', 'displayData']));
    expect(keysAt(schema, ['sections', ITEM, 'items', ITEM, 'displayData']).map((key) => key.key)).toContain('hideForGuests');
    expect(keysAt(schema, ['sections', ITEM, 'items', ITEM, 'subItems', ITEM]).map((key) => key.key)).toContain('title');
  });

  it('carries descriptions', () => {
    const disable = keysAt(schema, ['appConfig']).find((key) => key.key === 'disableConfiguration');
    expect(disable).toMatchObject({ type: 'boolean', description: expect.stringContaining('Nobody can save') });
  });

  it('offers nothing where the schema says nothing', () => {
    expect(keysAt(schema, ['sections', ITEM, 'nonsense'])).toEqual([]);
  });
});
