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
    });
  });

  it('treats an empty file as an empty config', () => {
    expect(parseConfigText('')).toEqual({ ok: true, config: {} });
  });

  it('reports schema errors with path, line and column', () => {
    const result = parseConfigText('pageInfo:\n  title: 5\nsections:\n  - icon: fas fa-box\n');
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.errors).toEqual([
      { path: 'pageInfo.title', line: 2, column: 10, message: 'Invalid input: expected string, received number' },
      { path: 'sections[0].name', line: 4, column: 5, message: 'a section needs a name' },
    ]);
    expect(describeIssues('conf.yml', result.errors)).toBe(
      'conf.yml:2 pageInfo.title: Invalid input: expected string, received number; conf.yml:4 sections[0].name: a section needs a name',
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

  it('accepts page paths inside the folder or on the web, and nothing else', () => {
    const page = (path: string) => parseConfigText(`pages:\n  - name: P\n    path: '${path}'\n`).ok;
    expect(page('work.yml')).toBe(true);
    expect(page('/work.yaml')).toBe(true);
    expect(page('https://example.test/shared.yml')).toBe(true);
    expect(page('../etc/passwd.yml')).toBe(false);
    expect(page('sub/dir.yml')).toBe(false);
    expect(page('file:///etc/x.yml')).toBe(false);
  });

  it('refuses alias bombs instead of expanding them', () => {
    const lines = ['a: &a [x, x, x, x, x, x, x, x, x, x]'];
    for (let level = 1; level < 8; level += 1) lines.push(`${String.fromCharCode(97 + level)}: &${String.fromCharCode(97 + level)} [${Array(10).fill(`*${String.fromCharCode(96 + level)}`).join(', ')}]`);
    expect(parseConfigText(lines.join('\n')).ok).toBe(false);
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
