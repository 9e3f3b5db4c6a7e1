import { describe, expect, it } from 'vitest';
import { checkText, describeIssue, warningsOf } from './config-files';

const saved = 'sections:\n  - name: Apps\n    items:\n      - title: Old\n        statusCheck: maybe\n';

describe('checking text with the server rules', () => {
  it('tells errors, warnings and new warnings apart', () => {
    const before = warningsOf(saved);
    expect(before).toHaveLength(1);
    expect(checkText(saved, before)).toMatchObject({ errors: [], newWarnings: [] });

    const another = `${saved}      - title: New\n        statusCheck: perhaps\n`;
    const check = checkText(another, before);
    expect(check.warnings).toHaveLength(2);
    expect(check.newWarnings).toEqual([expect.objectContaining({ path: 'sections[0].items[1].statusCheck', line: 7 })]);
  });

  it('counts a warning repeated at another place as new', () => {
    const twice = saved.replace('      - title: Old\n        statusCheck: maybe\n', '      - title: Old\n        statusCheck: maybe\n      - title: Old\n        statusCheck: maybe\n');
    const check = checkText(twice, warningsOf(saved));
    expect(check.warnings).toHaveLength(2);
    expect(check.newWarnings).toHaveLength(1);
  });

  it('reports what would stop the file, with its line', () => {
    const check = checkText('sections:\n  - name: Apps\n    displayData:\n      hideForGuests: perhaps\n');
    expect(check.errors).toEqual([expect.objectContaining({ path: 'sections[0].displayData.hideForGuests', line: 4 })]);
    expect(describeIssue(check.errors[0]!)).toMatch(/^Line 4: sections\[0\]\.displayData\.hideForGuests: /);
  });
});
