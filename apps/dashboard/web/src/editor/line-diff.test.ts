import { describe, expect, it } from 'vitest';
import { countChanges, diffLines, hunks, splitLines } from './line-diff';

describe('line diff', () => {
  it('marks changed, added and removed lines', () => {
    const lines = diffLines(['a', 'b', 'c', 'd'], ['a', 'B', 'c', 'd', 'e']);
    expect(lines.map((line) => `${line.kind[0]}${line.text}`)).toEqual(['sa', 'rb', 'aB', 'sc', 'sd', 'ae']);
    expect(countChanges(lines)).toEqual({ added: 2, removed: 1 });
  });

  it('finds a moved line as one removal and one addition', () => {
    const lines = diffLines(['x', '1', '2', '3', 'y'], ['1', '2', '3', 'x', 'y']);
    expect(countChanges(lines)).toEqual({ added: 1, removed: 1 });
  });

  it('groups changes into hunks with context and line numbers', () => {
    const before = Array.from({ length: 30 }, (_, index) => `line ${index + 1}`);
    const after = [...before];
    after[4] = 'changed 5';
    after.splice(24, 1);
    const groups = hunks(diffLines(before, after), 2);
    expect(groups).toHaveLength(2);
    expect(groups[0]).toMatchObject({ oldStart: 3, newStart: 3 });
    expect(groups[0]!.lines.map((line) => line.text)).toEqual(['line 3', 'line 4', 'line 5', 'changed 5', 'line 6', 'line 7']);
    expect(groups[1]).toMatchObject({ oldStart: 23, newStart: 23 });
  });

  it('has no hunks for equal texts', () => {
    expect(hunks(diffLines(['a'], ['a']))).toEqual([]);
  });

  it('splits CRLF and LF text without a phantom last line', () => {
    expect(splitLines('a\r\nb\n')).toEqual(['a', 'b']);
    expect(splitLines('a')).toEqual(['a']);
    expect(splitLines('')).toEqual([]);
  });
});
