// A bound on how deeply YAML text nests, checked before it is parsed. The yaml package builds
// documents recursively: 400 KB of `[[[[...]]]]` keeps the event loop busy for seconds or
// overflows the stack, and nothing else can be served meanwhile. Its lexer, though, is a flat
// state machine, linear in the text: reading its tokens tells exactly where flow collections
// open and close (quotes, comments and block scalars already told apart), and the block
// structure from each line's indentation and its `- `, `? ` and `: ` indicators.
import { CST, Lexer } from 'yaml';

/**
 * Far beyond any dashboard (a widget's options inside an item inside a section are about 10
 * levels), far below what the parser handles (about 1,000).
 */
export const MAX_NESTING_DEPTH = 100;

export interface NestingProblem {
  line: number;
  column: number;
  message: string;
}

const PSEUDO_TOKENS = new Set<string>([CST.DOCUMENT, CST.FLOW_END, CST.SCALAR]);
const WHITESPACE = /^[ \t]+$/;
const NEWLINE = /^\r?\n$/;

/**
 * Null when `text` nests at most `limit` levels, else where it first goes deeper. The count
 * is an upper estimate: a list at the indentation of its parent key shares that key's level,
 * and every `key:` counts a level of its own, so the parser never sees more than about twice
 * the limit, while a real dashboard stays far below it.
 */
export function nestingProblem(text: string, limit = MAX_NESTING_DEPTH): NestingProblem | null {
  let offset = 0;
  let flow = 0;
  /** Indentation of the open block levels, innermost last. */
  const indents: number[] = [];
  /** Indicators on this line: `- - x`, `? x`, and every `:` (a chain `a: b: c` nests). */
  let compact = 0;
  /** The same inside each open flow collection since its last comma, and their sum. */
  const flowIndicators: number[] = [];
  let flowIndicatorTotal = 0;
  let atLineStart = true;
  let indent = 0;
  let scalarContentNext = false;

  for (const token of new Lexer().lex(text)) {
    const start = offset;
    if (!PSEUDO_TOKENS.has(token)) offset += token.length;
    if (scalarContentNext) {
      // Whatever a scalar holds is text; a block scalar's content runs to a line start.
      scalarContentNext = false;
      if (token.endsWith('\n')) [atLineStart, indent] = [true, 0];
      continue;
    }
    if (token === CST.FLOW_END) {
      flow = 0;
      flowIndicators.length = 0;
      flowIndicatorTotal = 0;
      continue;
    }
    if (token === CST.DOCUMENT || (atLineStart && (token === '---' || token === '...'))) {
      indents.length = 0;
      compact = 0;
      continue;
    }
    if (NEWLINE.test(token)) {
      [atLineStart, indent] = [true, 0];
      continue;
    }
    let deeper = false;
    if (atLineStart) {
      if (WHITESPACE.test(token)) {
        indent = Math.max(indent, /^ */.exec(token)![0].length);
        continue;
      }
      if (token.startsWith('#')) continue;
      atLineStart = false;
      if (flow === 0) {
        while (indents.length > 0 && indents.at(-1)! > indent) indents.pop();
        if (indents.length === 0 || indents.at(-1)! < indent) indents.push(indent);
        compact = 0;
        deeper = true;
      }
    }
    if (token === CST.SCALAR) {
      scalarContentNext = true;
    } else if (token === '[' || token === '{') {
      flow += 1;
      flowIndicators.push(0);
      deeper = true;
    } else if (token === ']' || token === '}') {
      if (flow > 0) flow -= 1;
      flowIndicatorTotal -= flowIndicators.pop() ?? 0;
    } else if (token === ',' && flow > 0) {
      flowIndicatorTotal -= flowIndicators.at(-1) ?? 0;
      flowIndicators[flowIndicators.length - 1] = 0;
    } else if (token === '-' || token === '?' || token === ':') {
      // Each can open a mapping or list inside the one before, even where that is an error.
      if (flow === 0) compact += 1;
      else if (flowIndicators.length > 0) {
        flowIndicators[flowIndicators.length - 1]! += 1;
        flowIndicatorTotal += 1;
      }
      deeper = true;
    }
    if (deeper && indents.length + compact + flow + flowIndicatorTotal > limit) return at(text, start, limit);
  }
  return null;
}

function at(text: string, offset: number, limit: number): NestingProblem {
  let line = 1;
  let lineStart = 0;
  for (let index = text.indexOf('\n'); index !== -1 && index < offset; index = text.indexOf('\n', index + 1)) {
    line += 1;
    lineStart = index + 1;
  }
  return {
    line,
    column: offset - lineStart + 1,
    message: `nested deeper than ${limit} levels (lists and mappings inside each other); flatten the structure`,
  };
}
