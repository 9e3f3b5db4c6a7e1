import { describe, expect, it } from 'vitest';
import { parseDocument } from 'yaml';
import { MAX_NESTING_DEPTH, nestingProblem } from './nesting.js';

const deepFlow = (levels: number) => `sections: ${'['.repeat(levels)}${']'.repeat(levels)}\n`;

describe('nestingProblem', () => {
  it('finds flow nesting past the limit, with its line and column', () => {
    expect(nestingProblem(deepFlow(MAX_NESTING_DEPTH - 2))).toBeNull();
    expect(nestingProblem(`pageInfo:\n  title: x\n${deepFlow(200_000)}`)).toEqual({
      line: 3,
      // The line and `sections:` count two levels, so the 99th bracket is one too many.
      column: 11 + MAX_NESTING_DEPTH - 2,
      message: `nested deeper than ${MAX_NESTING_DEPTH} levels (lists and mappings inside each other); flatten the structure`,
    });
    expect(nestingProblem(`a: ${'{b: '.repeat(150)}c${'}'.repeat(150)}`)).not.toBeNull();
  });

  it('finds block nesting, by indentation and by compact indicators', () => {
    const indented = Array.from({ length: 150 }, (_, level) => `${' '.repeat(level)}k${level}:`).join('\n');
    // Line n opens level n, and its `:` one more.
    expect(nestingProblem(indented)?.line).toBe(MAX_NESTING_DEPTH);
    expect(nestingProblem(`list:\n${'- '.repeat(150)}x\n`)?.line).toBe(2);
    expect(nestingProblem(`list:\n${'? '.repeat(150)}x\n`)?.line).toBe(2);
    // Mixed: block levels and flow levels add up.
    const half = Array.from({ length: 60 }, (_, level) => `${' '.repeat(level)}k${level}:`).join('\n');
    expect(nestingProblem(`${half}\n${' '.repeat(60)}k: ${'['.repeat(60)}${']'.repeat(60)}`)).not.toBeNull();
  });

  it('counts chains of implicit keys, which the parser nests even as an error', () => {
    expect(nestingProblem(`k: ${'a: '.repeat(150)}x`)).not.toBeNull();
    expect(nestingProblem(`k: [${'a: '.repeat(150)}x]`)).not.toBeNull();
    expect(nestingProblem(`k: {${'a: '.repeat(150)}x}`)).not.toBeNull();
    expect(nestingProblem(`${': '.repeat(150)}x`)).not.toBeNull();
    // A comma ends an entry: long flow mappings are flat.
    expect(nestingProblem(`k: {${Array.from({ length: 500 }, (_, index) => `a${index}: ${index}`).join(', ')}}`)).toBeNull();
    expect(nestingProblem(`k: [${Array.from({ length: 500 }, (_, index) => `{a: [${index}]}`).join(', ')}]`)).toBeNull();
  });

  it('does not count brackets that are text', () => {
    const brackets = '['.repeat(500);
    const texts = [
      `title: "${brackets}"`,
      `title: '${brackets}'`,
      `title: a${brackets}`,
      `title: x # ${brackets}`,
      `# ${brackets}`,
      `css: |\n  ${brackets}\n  ${'{'.repeat(500)}\nnext: 1`,
      `css: >-\n    ${brackets}\n\n    more\nnext: [a, [b]]`,
      `list: ["]]]]", '}}}', a]`,
    ];
    for (const text of texts) {
      expect(parseDocument(text).errors, text).toEqual([]);
      expect(nestingProblem(text), text).toBeNull();
    }
  });

  it('is not fooled by quotes that are not quotes', () => {
    // `it's` is a plain scalar: the flow after it is real nesting.
    expect(nestingProblem(`a: [it's, ${deepFlow(150).slice(10)}]`)).not.toBeNull();
    expect(nestingProblem(`a: it's\nb: ${'['.repeat(150)}${']'.repeat(150)}`)).not.toBeNull();
    expect(nestingProblem(`a: |\n  text\nb: ${'['.repeat(150)}${']'.repeat(150)}`)).not.toBeNull();
  });

  it('lets every document of a stream start over', () => {
    const block = Array.from({ length: 60 }, (_, level) => `${' '.repeat(level)}k${level}:`).join('\n');
    expect(nestingProblem(`${block}\n---\n${block}\n`)).toBeNull();
  });
});
