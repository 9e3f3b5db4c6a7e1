import { describe, expect, it } from 'vitest';
import { parseConfigText } from '../../../src/config/parse.js';
import {
  addItem,
  addSection,
  deleteItem,
  deleteSection,
  EditError,
  listSections,
  moveItem,
  moveSection,
  readItem,
  readSection,
  updateItem,
  updateSection,
} from './document-edits';
import { diffLines, splitLines } from './line-diff';
import { parseSource, renderEdited } from './yaml-text';
import type { Document } from 'yaml';

const CONF = `# My homelab
pageInfo:
  title: Home   # shown in the tab
appConfig:
  theme: nord
  futureOption: { keep: me }
sections:
  # Things I watch
  - name: Media
    icon: fas fa-film
    items:
      # The big one
      - title: Jellyfin
        url: https://jelly.lan
        customKey: unknown to Hearth
        statusCheckHeaders:
          X-Token: abc
      - title: "Sonarr"
        description: 'TV, with quotes'
        url: https://sonarr.lan
        tags: [tv, arr]
      - title: Radarr   # films
        url: https://radarr.lan

  - name: Network
    widgets:
      - type: clock
    items:
      - title: Router
        url: http://192.168.1.1
`;

function edit(source: string, change: (doc: Document) => void): string {
  const doc = parseSource(source);
  change(doc);
  return renderEdited(doc, source);
}

function changedLines(before: string, after: string): { removed: string[]; added: string[] } {
  const lines = diffLines(splitLines(before), splitLines(after));
  return {
    removed: lines.filter((line) => line.kind === 'removed').map((line) => line.text),
    added: lines.filter((line) => line.kind === 'added').map((line) => line.text),
  };
}

function expectValid(text: string): void {
  expect(parseConfigText(text)).toMatchObject({ ok: true });
}

describe('editing items', () => {
  it('changes a title and nothing else', () => {
    const after = edit(CONF, (doc) => updateItem(doc, 0, 0, { ...readItem(parseSource(CONF), 0, 0), title: 'Jellyfin TV' }));
    expect(changedLines(CONF, after)).toEqual({ removed: ['      - title: Jellyfin'], added: ['      - title: Jellyfin TV'] });
    expect(after).toContain('# The big one');
    expect(after).toContain('customKey: unknown to Hearth');
    expectValid(after);
  });

  it('keeps the spacing before the comment of a line it changes', () => {
    const after = edit(CONF, (doc) => updateItem(doc, 0, 2, { ...readItem(doc, 0, 2), title: 'Radarr HD' }));
    expect(changedLines(CONF, after)).toEqual({ removed: ['      - title: Radarr   # films'], added: ['      - title: Radarr HD   # films'] });
  });

  it('keeps quoting and inline comments of fields it does not change', () => {
    const after = edit(CONF, (doc) => updateItem(doc, 0, 1, { ...readItem(doc, 0, 1), url: 'https://sonarr.home' }));
    expect(after).toContain('- title: "Sonarr"');
    expect(after).toContain("description: 'TV, with quotes'");
    expect(changedLines(CONF, after).added).toEqual(['        url: https://sonarr.home']);
  });

  it('reads what the form shows, and clears and adds fields', () => {
    const doc = parseSource(CONF);
    expect(readItem(doc, 0, 1)).toEqual({ title: 'Sonarr', description: 'TV, with quotes', url: 'https://sonarr.lan', tags: ['tv', 'arr'] });
    updateItem(doc, 0, 1, { title: 'Sonarr', url: 'https://sonarr.lan', tags: ['tv'], statusCheck: false, hotkey: 3, target: 'modal' });
    const after = renderEdited(doc, CONF);
    expect(after).not.toContain('TV, with quotes');
    expect(after).toContain('tags: [ tv ]');
    expect(readItem(parseSource(after), 0, 1)).toEqual({ title: 'Sonarr', url: 'https://sonarr.lan', tags: ['tv'], statusCheck: false, hotkey: 3, target: 'modal' });
    expectValid(after);
  });

  it('adds an item at the end of a section, indented like its neighbours', () => {
    let index = -1;
    const after = edit(CONF, (doc) => {
      index = addItem(doc, 0, { title: 'Prowlarr', url: 'https://prowlarr.lan', icon: 'hl-prowlarr', tags: ['arr'] });
    });
    expect(index).toBe(3);
    expect(changedLines(CONF, after).removed).toEqual([]);
    expect(after).toContain('      - title: Prowlarr\n        icon: hl-prowlarr\n        url: https://prowlarr.lan\n        tags: [ arr ]\n');
    expect(listSections(parseSource(after))).toEqual([{ name: 'Media', itemCount: 4 }, { name: 'Network', itemCount: 1 }]);
    expectValid(after);
  });

  it('moves an item up with the comment above it', () => {
    const after = edit(CONF, (doc) => moveItem(doc, { sectionIndex: 0, itemIndex: 0 }, { sectionIndex: 0, itemIndex: 1 }));
    expect(after.indexOf('title: "Sonarr"')).toBeLessThan(after.indexOf('# The big one'));
    expect(after.indexOf('# The big one')).toBeLessThan(after.indexOf('title: Jellyfin'));
    expect(after).toContain('customKey: unknown to Hearth');
    expectValid(after);
  });

  it('moves an item to another section', () => {
    let position;
    const after = edit(CONF, (doc) => {
      position = moveItem(doc, { sectionIndex: 0, itemIndex: 2 }, { sectionIndex: 1, itemIndex: 0 });
    });
    expect(position).toEqual({ sectionIndex: 1, itemIndex: 0 });
    const doc = parseSource(after);
    expect(listSections(doc)).toEqual([{ name: 'Media', itemCount: 2 }, { name: 'Network', itemCount: 2 }]);
    expect(readItem(doc, 1, 0).title).toBe('Radarr');
    expect(after).toMatch(/- title: Radarr +# films\n/);
    expect(after).toContain('widgets:\n      - type: clock');
    expectValid(after);
  });

  it('deletes an item and leaves the rest untouched', () => {
    const after = edit(CONF, (doc) => deleteItem(doc, 0, 1));
    expect(changedLines(CONF, after)).toEqual({
      removed: ['      - title: "Sonarr"', "        description: 'TV, with quotes'", '        url: https://sonarr.lan', '        tags: [tv, arr]'],
      added: [],
    });
  });

  it('refuses an index that is not in the file', () => {
    const doc = parseSource(CONF);
    expect(() => updateItem(doc, 0, 9, { title: 'x' })).toThrow(EditError);
    expect(() => deleteItem(doc, 5, 0)).toThrow(/no section 6/);
  });

  it('turns an inline empty list into a block list when adding', () => {
    const source = 'sections:\n  - name: Empty\n    items: []   # nothing yet\n';
    const after = edit(source, (doc) => addItem(doc, 0, { title: 'First', url: 'https://first.lan' }));
    expect(readItem(parseSource(after), 0, 0)).toEqual({ title: 'First', url: 'https://first.lan' });
    expect(after).toContain('    items:\n      - title: First\n');
    expectValid(after);
  });
});

describe('editing sections', () => {
  it('renames a section and keeps its items and comments', () => {
    const after = edit(CONF, (doc) => updateSection(doc, 1, { ...readSection(doc, 1), name: 'Networking', icon: 'fas fa-network-wired' }));
    expect(changedLines(CONF, after)).toEqual({ removed: ['  - name: Network'], added: ['  - name: Networking', '    icon: fas fa-network-wired'] });
    expect(after).toContain('icon: fas fa-network-wired');
    expect(readSection(parseSource(after), 1)).toEqual({ name: 'Networking', icon: 'fas fa-network-wired' });
    expectValid(after);
  });

  it('adds a section at the end', () => {
    const after = edit(CONF, (doc) => addSection(doc, { name: 'Tools', icon: '' }));
    expect(after.endsWith('  - name: Tools\n')).toBe(true);
    expect(changedLines(CONF, after).removed).toEqual([]);
    expectValid(after);
  });

  it('moves a section with its leading comment', () => {
    const after = edit(CONF, (doc) => moveSection(doc, 0, 1));
    expect(listSections(parseSource(after)).map((section) => section.name)).toEqual(['Network', 'Media']);
    expect(after.indexOf('# Things I watch')).toBeLessThan(after.indexOf('- name: Media'));
    expect(after.indexOf('- name: Network')).toBeLessThan(after.indexOf('# Things I watch'));
    expect(after).toContain('# My homelab\n');
    expect(after).toContain('futureOption: { keep: me }');
    expectValid(after);
  });

  it('deletes a section', () => {
    const after = edit(CONF, (doc) => deleteSection(doc, 0));
    expect(listSections(parseSource(after))).toEqual([{ name: 'Network', itemCount: 1 }]);
    expect(after).not.toContain('Jellyfin');
    expect(after).toContain('title: Home   # shown in the tab');
    expectValid(after);
  });

  it('creates the sections list when the file has none', () => {
    const source = '# only a title so far\npageInfo:\n  title: New\n';
    const after = edit(source, (doc) => {
      addSection(doc, { name: 'Start' });
      addItem(doc, 0, { title: 'Docs', url: '/docs' });
    });
    expect(after.startsWith('# only a title so far\npageInfo:\n  title: New\n')).toBe(true);
    expect(readItem(parseSource(after), 0, 0)).toEqual({ title: 'Docs', url: '/docs' });
    expectValid(after);
  });
});

describe('writing the text back', () => {
  it('keeps the style of a file with flush lists, CRLF and odd spacing', () => {
    const source = [
      'appConfig:',
      '  theme: dark   ',
      'sections:',
      '- name: Apps',
      '  items:',
      '  - title: Wiki',
      '    url:  https://wiki.lan',
      '    tags: [docs,notes]',
      '  - title: Git',
      '    url: https://git.lan',
      '',
      '',
      '- name: Other',
      '',
    ].join('\r\n');
    const after = edit(source, (doc) => {
      updateItem(doc, 0, 1, { title: 'Gitea', url: 'https://git.lan' });
      addItem(doc, 0, { title: 'Chat', url: 'https://chat.lan' });
    });
    expect(after).toBe(
      [
        'appConfig:',
        '  theme: dark   ',
        'sections:',
        '- name: Apps',
        '  items:',
        '  - title: Wiki',
        '    url:  https://wiki.lan',
        '    tags: [docs,notes]',
        '  - title: Gitea',
        '    url: https://git.lan',
        '  - title: Chat',
        '    url: https://chat.lan',
        '',
        '',
        '- name: Other',
        '',
      ].join('\r\n'),
    );
  });

  it('keeps four-space indents', () => {
    const source = 'sections:\n    - name: Apps\n      items:\n          - title: Wiki\n            url: https://wiki.lan\n';
    const after = edit(source, (doc) => addItem(doc, 0, { title: 'Chat' }));
    expect(after).toBe(`${source}          - title: Chat\n`);
  });

  it('keeps a folded description that the edit does not touch', () => {
    const source = 'sections:\n  - name: A\n    items:\n      - title: One\n        description: a plain scalar\n          folded over two lines\n      - title: Two\n';
    const after = edit(source, (doc) => updateItem(doc, 0, 1, { title: 'Second' }));
    expect(after).toBe(source.replace('title: Two', 'title: Second'));
  });

  it('refuses a move that would put an alias above its anchor', () => {
    const source = 'sections:\n  - name: A\n    items:\n      - &wiki\n        title: Wiki\n      - *wiki\n';
    const doc = parseSource(source);
    moveItem(doc, { sectionIndex: 0, itemIndex: 0 }, { sectionIndex: 0, itemIndex: 1 });
    expect(() => renderEdited(doc, source)).toThrow(/cannot be written as YAML/);
  });

  it('never changes the meaning when lines cannot be mapped one to one', () => {
    const source = 'sections:\n  - name: A\n    items:\n      - title: Long\n        description: a plain scalar\n          folded over two lines\n';
    const after = edit(source, (doc) => updateItem(doc, 0, 0, { ...readItem(doc, 0, 0), title: 'Longer' }));
    expect(readItem(parseSource(after), 0, 0)).toEqual({ title: 'Longer', description: 'a plain scalar folded over two lines' });
  });
});
