import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { HASH_PLACEHOLDER, maskUserHashes, maskUserHashesInConfig, restoreUserHashes } from './user-hashes.js';

const A = 'D39D9778C23AFC1FB2C8211347A77AAF35DF49AC42E48EB0C53D110B358C7E84';
const B = 'fa8611f25e32e0b8692a6ad41a60c8bf8d0731b0bd57a510f786efb314915093';
const C = '5e884898da28047151d0e56f8dc6292773603d0d6aabbdd62a11ef721d1542d8';

const ON_DISK = `# Lab dashboard
appConfig:
  auth:
    users:
    - user: alexis
      hash: ${A} # made with sha256sum
      type: admin
    - {user: lu, hash: "${B}"}
sections:
- name: Media   # two spaces kept
  items: []
`;

describe('maskUserHashes', () => {
  it('replaces only the hash values, keeping comments and layout byte for byte', () => {
    const masked = maskUserHashes(ON_DISK);
    expect(masked).not.toContain(A);
    expect(masked).not.toContain(B);
    expect(masked).toBe(ON_DISK.replace(A, `'${HASH_PLACEHOLDER}'`).replace(`"${B}"`, `'${HASH_PLACEHOLDER}'`));
    expect(parse(masked).appConfig.auth.users).toEqual([
      { user: 'alexis', hash: HASH_PLACEHOLDER, type: 'admin' },
      { user: 'lu', hash: HASH_PLACEHOLDER },
    ]);
  });

  it('leaves files without users alone', () => {
    const text = 'sections: []  # hash: not a user\n';
    expect(maskUserHashes(text)).toBe(text);
    expect(maskUserHashes('a: [unclosed\n')).toBe('a: [unclosed\n');
  });
});

describe('restoreUserHashes', () => {
  it('gives back exactly the file on disk when the masked text is saved unchanged', () => {
    expect(restoreUserHashes(maskUserHashes(ON_DISK), ON_DISK)).toEqual({ ok: true, text: ON_DISK });
  });

  it('keeps edits elsewhere, a new hash typed by the admin, and matches names ignoring case', () => {
    const edited = maskUserHashes(ON_DISK)
      .replace('- user: alexis', '- user: Alexis')
      .replace(`{user: lu, hash: '${HASH_PLACEHOLDER}'}`, `{user: lu, hash: ${C}}`)
      .replace('name: Media', 'name: Films');
    const restored = restoreUserHashes(edited, ON_DISK);
    expect(restored.ok).toBe(true);
    if (!restored.ok) return;
    expect(restored.text).toContain(`hash: ${A} # made with sha256sum`);
    expect(restored.text).toContain(`{user: lu, hash: ${C}}`);
    expect(restored.text).toContain('name: Films   # two spaces kept');
    expect(restored.text).not.toContain(HASH_PLACEHOLDER);
  });

  it('refuses a placeholder with no saved hash to restore, naming the entry and line', () => {
    const added = `${maskUserHashes(ON_DISK).replace('sections:', `    - user: newbie\n      hash: '${HASH_PLACEHOLDER}'\nsections:`)}`;
    expect(restoreUserHashes(added, ON_DISK)).toEqual({
      ok: false,
      errors: [
        {
          path: 'appConfig.auth.users[2].hash',
          line: 10,
          column: 13,
          message: `user "newbie" has no saved password to keep: replace '${HASH_PLACEHOLDER}' with the SHA-256 of a password (echo -n 'password' | sha256sum)`,
        },
      ],
    });
    expect(restoreUserHashes(maskUserHashes(ON_DISK), null).ok).toBe(false);
  });

  it('passes text without placeholders through untouched', () => {
    expect(restoreUserHashes(ON_DISK, null)).toEqual({ ok: true, text: ON_DISK });
  });
});

describe('maskUserHashesInConfig', () => {
  it('masks the hashes of the parsed config without touching the original', () => {
    const config = parse(ON_DISK) as Parameters<typeof maskUserHashesInConfig>[0];
    const masked = maskUserHashesInConfig(config);
    expect(JSON.stringify(masked)).not.toContain(A);
    expect(JSON.stringify(masked)).not.toContain(B);
    expect(JSON.stringify(config)).toContain(A);
  });
});
