// What reading conf.yml forgives (with a warning, as Dashy does), and what it never does.
import { describe, expect, it } from 'vitest';
import { parseConfigText } from './parse.js';
import type { ConfigIssue, ParseResult } from './parse.js';

function read(text: string): Extract<ParseResult, { ok: true }> {
  const result = parseConfigText(text);
  if (!result.ok) throw new Error(`expected the file to load: ${JSON.stringify(result.errors)}`);
  return result;
}

function refuse(text: string): ConfigIssue[] {
  const result = parseConfigText(text);
  if (result.ok) throw new Error(`expected the file to be refused: ${JSON.stringify(result.config)}`);
  return result.errors;
}

const item = (fields: string) => `sections:\n  - name: S\n    items:\n      - title: T\n${fields}`;

describe('what Dashy accepts, Hearth reads', () => {
  it('takes links as Dashy does: "#", a bare host for the clipboard, any scheme; an empty one is no link', () => {
    const result = read(`sections:
  - name: S
    items:
      - { title: a, url: '#' }
      - { title: b, url: nas.lan:5000, target: clipboard }
      - { title: c, url: ssh://pi.lan, target: newwindow }
      - { title: d, url: '' }
      - { title: e, url: /grafana }
`);
    expect(result.warnings).toEqual([]);
    expect(result.config.sections?.[0]?.items).toEqual([
      { title: 'a', url: '#' },
      { title: 'b', url: 'nas.lan:5000', target: 'clipboard' },
      { title: 'c', url: 'ssh://pi.lan', target: 'newwindow' },
      { title: 'd' },
      { title: 'e', url: '/grafana' },
    ]);
  });

  it('leaves out empty and mistyped values with a warning, so the types downstream hold', () => {
    const result = read(`appConfig:
  hideComponents: [footer]
  layout: grid
sections:
  - name: A
    icon:
    displayData:
    items:
      - title: T
        description:
        target: iframe
        tags: [media, 4k, 2024]
  - name: B
    items:
`);
    expect(result.config).toEqual({
      appConfig: {},
      sections: [{ name: 'A', items: [{ title: 'T', tags: ['media', '4k', '2024'] }] }, { name: 'B' }],
    });
    expect(result.warnings.map((warning) => `${warning.line} ${warning.path}`)).toEqual([
      '2 appConfig.hideComponents',
      '3 appConfig.layout',
      '6 sections[0].icon',
      '7 sections[0].displayData',
      '10 sections[0].items[0].description',
      '11 sections[0].items[0].target',
      '12 sections[0].items[0].tags[2]',
      '14 sections[1].items',
    ]);
    expect(result.warnings[4]?.message).toBe('Invalid input: expected string, received null; ignored');
  });

  it('leaves out list entries that are not mappings, and pages, links and widgets that lack what they need', () => {
    const result = read(`pageInfo:
  navLinks:
    - { title: Docs }
    - { title: Home, path: / }
pages:
  - name: No path
  - { name: Work, path: work.yml }
sections:
  -
  - just text
  - name: Kept
    items: [null, { title: T }]
    widgets:
      - options: {}
      - type: clock
`);
    expect(result.config).toEqual({
      pageInfo: { navLinks: [{ title: 'Home', path: '/' }] },
      pages: [{ name: 'Work', path: 'work.yml' }],
      sections: [{ name: 'Kept', items: [{ title: 'T' }], widgets: [{ type: 'clock' }] }],
    });
    expect(result.warnings.map((warning) => `${warning.path}: ${warning.message}`)).toEqual([
      'pageInfo.navLinks[0].path: required; this entry is left out',
      'pages[0].path: required; this entry is left out',
      'sections[0]: Invalid input: expected object, received null; this entry is left out',
      'sections[1]: Invalid input: expected object, received string; this entry is left out',
      'sections[2].items[0]: Invalid input: expected object, received null; this entry is left out',
      'sections[2].widgets[0].type: required; this entry is left out',
    ]);
  });

  it('ignores a provider block that is switched off, as the four real configs with `oidc: {}` need', () => {
    const result = read('appConfig:\n  auth:\n    enableOidc: false\n    oidc: {}\n    users: []\n');
    expect(result.config.appConfig?.auth).toEqual({ enableOidc: false, users: [] });
    expect(result.warnings.map((warning) => warning.message)).toEqual([
      'required; the oidc block is ignored while enableOidc is off',
      'required; the oidc block is ignored while enableOidc is off',
    ]);
  });

  it('reads merge keys, unknown tags and unrendered templates like Dashy (or better), without console noise', () => {
    const result = read(`x-defaults: &defaults { target: sametab, statusCheck: true }
sections:
  - name: S
    items:
      - <<: *defaults
        title: Merged
        description: !vault secret
    widgets:
      - type: clock
        options:
          timeZone: {{ ansible_timezone }}
`);
    expect(result.config.sections?.[0]?.items?.[0]).toEqual({ target: 'sametab', statusCheck: true, title: 'Merged', description: 'secret' });
    expect(result.warnings).toEqual([expect.objectContaining({ line: 7, message: 'Unresolved tag: !vault' })]);
  });

  it('removes an entry of a list shared through an alias once, not once per place it is used', () => {
    const result = read('common: &common [{ title: A }, null, { title: B }]\nsections:\n  - { name: X, items: *common }\n  - { name: Y, items: *common }\n');
    expect(result.config.sections?.map((section) => section.items?.map((entry) => entry.title))).toEqual([['A', 'B'], ['A', 'B']]);
  });
});

describe('links that would run code', () => {
  const schemes = ['javascript:alert(1)', 'JaVaScRiPt:alert(1)', ' javascript:alert(1)', 'java\tscript:alert(1)', 'data:text/html,<script>alert(1)</script>', 'vbscript:msgbox(1)'];

  it.each(schemes)('are never served, wherever a link is: %j', (link) => {
    const quoted = JSON.stringify(link);
    const result = read(`pageInfo:
  navLinks:
    - { title: Bad, path: ${quoted} }
sections:
  - name: S
    items:
      - title: Item
        url: ${quoted}
        statusCheckUrl: ${quoted}
        subItems:
          - { title: Sub, url: ${quoted} }
    widgets:
      - { type: iframe, options: { url: ${quoted} } }
`);
    expect(JSON.stringify(result.config)).not.toMatch(/script|data:/i);
    expect(result.config).toEqual({
      pageInfo: { navLinks: [] },
      sections: [{ name: 'S', items: [{ title: 'Item', subItems: [{ title: 'Sub' }] }], widgets: [{ type: 'iframe', options: {} }] }],
    });
    const scheme = link.replace(/\s/g, '').split(':')[0]?.toLowerCase();
    expect(result.warnings.map((warning) => `${warning.line} ${warning.path}`)).toEqual([
      '3 pageInfo.navLinks[0].path',
      '8 sections[0].items[0].url',
      '9 sections[0].items[0].statusCheckUrl',
      '11 sections[0].items[0].subItems[0].url',
      '13 sections[0].widgets[0].options.url',
    ]);
    expect(result.warnings[1]?.message).toBe(`a ${scheme}: link could run code in the dashboard; ignored`);
  });

  it('leaves safe look-alikes alone', () => {
    const result = read(item('        url: https://example.test/?next=javascript:x\n      - { title: U, url: /data:x }\n'));
    expect(result.warnings).toEqual([]);
    expect(result.config.sections?.[0]?.items?.map((entry) => entry.url)).toEqual(['https://example.test/?next=javascript:x', '/data:x']);
  });
});

describe('what stays an error', () => {
  it('a file that is not YAML, has a key twice, or is not a mapping', () => {
    expect(refuse('pageInfo:\n  title: [unclosed\n')[0]).toMatchObject({ line: 3 });
    expect(refuse('pageInfo:\n  title: a\n  title: b\n')[0]).toMatchObject({ line: 3, message: 'Map keys must be unique' });
    expect(refuse('- name: A\n')).toEqual([{ path: '', line: 1, column: 1, message: 'expected a mapping of keys (pageInfo, appConfig, sections, ...), found a list' }]);
    expect(refuse('just words\n')[0]?.message).toMatch(/found a string$/);
  });

  it('sign-in settings in use that cannot be read: serving past them could open the dashboard', () => {
    expect(refuse('appConfig:\n  auth:\n    enableOidc: true\n    oidc: { clientId: 5, endpoint: not-a-url }\n').map((error) => `${error.line} ${error.path}`)).toEqual([
      '4 appConfig.auth.oidc.clientId',
      '4 appConfig.auth.oidc.endpoint',
    ]);
    expect(refuse('appConfig:\n  auth:\n    enableOidc: "yes"\n')[0]?.path).toBe('appConfig.auth.enableOidc');
    expect(refuse('appConfig:\n  auth: true\n')[0]?.path).toBe('appConfig.auth');
    expect(refuse('appConfig:\n  auth:\n    users:\n      - hash: abc\n')[0]?.path).toBe('appConfig.auth.users[0].user');
  });

  it('visibility rules that cannot be read: leaving them out would show what they hide', () => {
    const errors = refuse(`pages:
  - { name: P, path: p.yml, displayData: { hideForGuests: "yes" } }
sections:
  - name: A
    displayData: hidden
  - name: B
    items:
      - title: T
        displayData:
          showForKeycloakUsers: { groups: admins }
`);
    expect(errors.map((error) => `${error.line} ${error.path}`)).toEqual([
      '2 pages[0].displayData.hideForGuests',
      '5 sections[0].displayData',
      '10 sections[1].items[0].displayData.showForKeycloakUsers.groups',
    ]);
    expect(errors[0]?.message).toMatch(/a visibility rule that cannot be read could show what it should hide$/);
  });

  it('but an empty rule, which reads as no rule in Dashy too, is only warned about', () => {
    const result = read('sections:\n  - name: A\n    displayData:\n      hideForGuests:\n      showForKeycloakUsers: { groups: }\n');
    expect(result.config.sections?.[0]?.displayData).toEqual({ showForKeycloakUsers: {} });
    expect(result.warnings.map((warning) => warning.path)).toEqual(['sections[0].displayData.hideForGuests', 'sections[0].displayData.showForKeycloakUsers.groups']);
  });

  it('reports the warnings found alongside the errors', () => {
    const result = parseConfigText('appConfig:\n  auth:\n    enableOidc: true\nsections:\n  - name: A\n    icon:\n');
    expect(result).toMatchObject({ ok: false, warnings: [{ path: 'sections[0].icon', line: 6 }] });
  });
});
