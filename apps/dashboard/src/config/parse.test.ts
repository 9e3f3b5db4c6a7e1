import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { dashboardJsonSchema } from './json-schema.js';
import { configurationReference } from './reference.js';
import { describeIssues, parseConfigText } from './parse.js';

describe('parseConfigText', () => {
  it('accepts the auth block from the seed guide, unchanged', () => {
    const result = parseConfigText(`appConfig:
  disableConfigurationForNonAdmin: true
  auth:
    enableOidc: true
    oidc:
      clientId: 268a3701-e9ec-41f6-bad5-87c78ce87c94
      endpoint: http://localhost:1411
      adminGroup: admins
      scope: openid profile email groups
`);
    expect(result.ok).toBe(true);
  });

  it('keeps keys it does not know', () => {
    const result = parseConfigText('appConfig:\n  futureOption: 3\nsections:\n  - name: A\n    customField: [1, 2]\n    widgets:\n      - type: clock\n        options: { format: 24h }\n');
    expect(result).toEqual({
      ok: true,
      config: {
        appConfig: { futureOption: 3 },
        sections: [{ name: 'A', customField: [1, 2], widgets: [{ type: 'clock', options: { format: '24h' } }] }],
      },
      warnings: [],
    });
  });

  it('treats an empty file as an empty config', () => {
    expect(parseConfigText('')).toEqual({ ok: true, config: {}, warnings: [] });
  });

  it('reads past what Dashy only warns about, with path, line and column, and says what it did', () => {
    const result = parseConfigText('pageInfo:\n  title: 5\nsections:\n  - icon: fas fa-box\n');
    expect(result).toEqual({
      ok: true,
      config: { pageInfo: { title: '5' }, sections: [{ name: '', icon: 'fas fa-box' }] },
      warnings: [
        { path: 'pageInfo.title', line: 2, column: 10, message: 'Invalid input: expected string, received number; read as "5"' },
        { path: 'sections[0].name', line: 4, column: 5, message: 'a section needs a name; it is shown without one' },
      ],
    });
    if (!result.ok) return;
    expect(describeIssues('conf.yml', result.warnings)).toBe(
      'conf.yml:2 pageInfo.title: Invalid input: expected string, received number; read as "5"; conf.yml:4 sections[0].name: a section needs a name; it is shown without one',
    );
  });

  it('reports YAML syntax errors and duplicate keys with their line', () => {
    const duplicate = parseConfigText('pageInfo:\n  title: a\n  title: b\n');
    expect(duplicate.ok).toBe(false);
    if (!duplicate.ok) expect(duplicate.errors[0]).toMatchObject({ line: 3, message: 'Map keys must be unique' });
  });

  it('requires the block that enableOidc or enableKeycloak turns on, and only one of them', () => {
    const result = parseConfigText('appConfig:\n  auth:\n    enableOidc: true\n    enableKeycloak: true\n');
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.errors.map((error) => `${error.path}: ${error.message}`)).toEqual([
      'appConfig.auth.oidc: required when enableOidc is true',
      'appConfig.auth.keycloak: required when enableKeycloak is true',
      'appConfig.auth.enableKeycloak: enable only one of enableOidc and enableKeycloak',
    ]);
  });

  it('keeps pages inside the folder (sub-folders too) or on the web, and leaves out the rest with a warning', () => {
    const page = (path: string) => {
      const result = parseConfigText(`pages:\n  - name: P\n    path: '${path}'\n`);
      if (!result.ok) throw new Error('a page path is never an error');
      return { kept: result.config.pages?.length === 1, warnings: result.warnings.map((warning) => warning.message) };
    };
    for (const path of ['work.yml', '/work.yaml', './work.yml', 'sub/dir.yml', '/assets/extras.yml', 'https://example.test/shared.yml']) {
      expect(page(path), path).toEqual({ kept: true, warnings: [] });
    }
    for (const path of ['../etc/passwd.yml', 'sub/../../x.yml', '/.backups/conf.yml', 'file:///etc/x.yml', 'C:\\x.yml', 'a/b/c/d/e/f.yml']) {
      expect(page(path), path).toEqual({
        kept: false,
        warnings: ['expected a .yml file inside the user data folder (like work.yml or sub/work.yml), or an http(s) URL; this entry is left out'],
      });
    }
  });

  it('refuses alias bombs instead of expanding them', () => {
    const lines = ['a: &a [x, x, x, x, x, x, x, x, x, x]'];
    for (let level = 1; level < 8; level += 1) lines.push(`${String.fromCharCode(97 + level)}: &${String.fromCharCode(97 + level)} [${Array(10).fill(`*${String.fromCharCode(96 + level)}`).join(', ')}]`);
    expect(parseConfigText(lines.join('\n')).ok).toBe(false);
  });
});

describe('a first key indented by mistake', () => {
  it('is read as if it started at the margin, with a warning at its line', () => {
    const result = parseConfigText(' pageInfo:\n  title: Lab\nappConfig:\n  theme: nord\nsections:\n  - name: Media\n');
    if (!result.ok) throw new Error(JSON.stringify(result.errors));
    expect(result.config.pageInfo?.title).toBe('Lab');
    expect(result.config.appConfig?.theme).toBe('nord');
    expect(result.warnings[0]).toMatchObject({ line: 1, message: expect.stringContaining('indented by 1 space') });
  });

  it('leaves other broken files broken, at their own line', () => {
    for (const text of ['pageInfo:\n  title: [unclosed\n', '  pageInfo: x\n title: y\n', ' pageInfo:\n  title: Lab\n']) {
      const result = parseConfigText(text);
      if (result.ok) expect(result.warnings.some((warning) => warning.message.includes('indented'))).toBe(false);
    }
    expect(parseConfigText('pageInfo:\n  title: [unclosed\n').ok).toBe(false);
  });
});

describe('files generated from the schema', () => {
  it('is the committed output of the zod schema', async () => {
    const committed = JSON.parse(await readFile(new URL('../../conf.schema.json', import.meta.url), 'utf8')) as unknown;
    expect(committed).toEqual(dashboardJsonSchema());
  });

  it('has its committed reference in docs/', async () => {
    expect(await readFile(new URL('../../../../docs/dashboard-configuration.md', import.meta.url), 'utf8')).toBe(configurationReference());
  });

  it('describes the Dashy keys editors should complete', () => {
    const schema = dashboardJsonSchema() as { properties: Record<string, { properties?: Record<string, unknown> }> };
    expect(Object.keys(schema.properties)).toEqual(['pageInfo', 'appConfig', 'pages', 'sections']);
    expect(Object.keys(schema.properties.appConfig?.properties ?? {})).toEqual(
      expect.arrayContaining(['theme', 'layout', 'statusCheck', 'disableConfigurationForNonAdmin', 'auth', 'enableServiceWorker']),
    );
  });
});
