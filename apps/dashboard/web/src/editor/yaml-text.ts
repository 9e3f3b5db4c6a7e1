// Turning an edited YAML Document back into text that differs from the file only where the
// edit did. The yaml library re-serialises a whole document in one style (two-space indent,
// one space after a colon, no trailing spaces, LF), which would show a Dashy user's file as
// rewritten from top to bottom. So the edit is diffed against the untouched document in that
// same style, and only the changed lines are carried into the original text.
import { diffLines, splitLines } from './line-diff';
import type { DiffLine } from './line-diff';
import { parseDocument } from 'yaml';
import type { Document, ToStringOptions } from 'yaml';

/** The options the server's parser uses; a document that parses here parses there. */
export const PARSE_OPTIONS = { uniqueKeys: true, keepSourceTokens: false } as const;

export function parseSource(text: string): Document {
  return parseDocument(text, PARSE_OPTIONS);
}

export interface TextStyle {
  indent: number;
  /** `key:\n  - item` (true) or `key:\n- item` (false). */
  indentSeq: boolean;
  eol: '\n' | '\r\n';
}

const blockKeyLine = /^( *)(?:- +)?[^\s#-][^#]*?:(?:\s+#.*)?$/;
const contentLine = /^( *)(- )?\S/;

/** The indentation habits of a file, from its first nested block of each kind. */
export function detectStyle(text: string): TextStyle {
  const lines = splitLines(text);
  let indent: number | undefined;
  let indentSeq: boolean | undefined;
  for (let index = 0; index + 1 < lines.length && (indent === undefined || indentSeq === undefined); index += 1) {
    const key = blockKeyLine.exec(lines[index]!);
    if (!key) continue;
    const next = nextContentLine(lines, index + 1);
    if (!next) continue;
    const keyColumn = keyColumnOf(lines[index]!);
    const child = contentLine.exec(next)!;
    const childIndent = child[1]!.length;
    if (child[2]) {
      if (childIndent === keyColumn) indentSeq ??= false;
      else if (childIndent > keyColumn) {
        indentSeq ??= true;
        indent ??= childIndent - keyColumn;
      }
    } else if (childIndent > keyColumn) {
      indent ??= childIndent - keyColumn;
    }
  }
  return { indent: clampIndent(indent ?? 2), indentSeq: indentSeq ?? true, eol: text.includes('\r\n') ? '\r\n' : '\n' };
}

function clampIndent(indent: number): number {
  return indent >= 1 && indent <= 8 ? indent : 2;
}

function keyColumnOf(line: string): number {
  const match = /^( *)(- +)?/.exec(line)!;
  return match[1]!.length + (match[2]?.length ?? 0);
}

function nextContentLine(lines: readonly string[], from: number): string | undefined {
  for (let index = from; index < lines.length; index += 1) {
    const line = lines[index]!;
    if (line.trim() !== '' && !line.trimStart().startsWith('#')) return line;
  }
  return undefined;
}

export function toStringOptions(style: TextStyle): ToStringOptions {
  // lineWidth 0: never fold a long description or URL onto a second line.
  return { indent: style.indent, indentSeq: style.indentSeq, lineWidth: 0, minContentWidth: 0 };
}

/**
 * The text of `edited`, as close to `original` as possible: lines the edit did not touch are
 * taken from the file as written. Falls back to the library's own rendering when the result
 * would not mean exactly what the edited document means.
 */
export function renderEdited(edited: Document, original: string): string {
  const style = detectStyle(original);
  const options = toStringOptions(style);
  let renderedLines: string[];
  try {
    renderedLines = splitLines(edited.toString(options));
  } catch (error) {
    // An alias moved above its anchor, for one: the library refuses to write it.
    throw new Error(`This change cannot be written as YAML: ${(error as Error).message}`, { cause: error });
  }
  const fallback = withEol(renderedLines, style.eol, true);
  const baseRendering = renderBase(original, options);
  if (!baseRendering) return fallback;
  const { originalLines, baseLines, alignment } = baseRendering;

  // What the edit changed, both sides in the library's style.
  const kept: boolean[] = baseLines.map(() => false);
  const addedAfter = new Map<number, string[]>();
  const fileLineOf = new Map<number, string>();
  for (const line of alignment) if (line.kind === 'same') fileLineOf.set(line.b, originalLines[line.a]!);
  let previous = -1;
  let removedRun: number[] = [];
  let addedInRun = 0;
  for (const line of diffLines(baseLines, renderedLines)) {
    if (line.kind === 'added') {
      // A line changed in place keeps the spacing of its comment as the file had it.
      const replaced = removedRun[addedInRun++];
      const text = replaced === undefined ? line.text : withCommentSpacing(line.text, fileLineOf.get(replaced));
      addedAfter.set(previous, [...(addedAfter.get(previous) ?? []), text]);
      continue;
    }
    if (line.kind === 'same') {
      kept[line.a] = true;
      removedRun = [];
    } else {
      if (addedInRun > 0) removedRun = [];
      removedRun.push(line.a);
    }
    addedInRun = 0;
    previous = line.a;
  }

  const out: string[] = [...(addedAfter.get(-1) ?? [])];
  for (let index = 0; index < alignment.length; ) {
    const line = alignment[index]!;
    if (line.kind === 'same') {
      if (kept[line.b]) out.push(originalLines[line.a]!);
      out.push(...(addedAfter.get(line.b) ?? []));
      index += 1;
      continue;
    }
    // A run written differently in the file (a folded scalar, extra blank lines, `[a,b]`):
    // kept whole as written, or, when the edit reaches into it, in the library's style.
    const fileLines: string[] = [];
    const base: number[] = [];
    for (; index < alignment.length && alignment[index]!.kind !== 'same'; index += 1) {
      const run = alignment[index]!;
      if (run.kind === 'removed') fileLines.push(originalLines[run.a]!);
      else if (run.kind === 'added') base.push(run.b);
    }
    const untouched = base.every((b) => kept[b]);
    if (untouched) out.push(...fileLines);
    for (const b of base) {
      if (!untouched && kept[b]) out.push(baseLines[b]!);
      out.push(...(addedAfter.get(b) ?? []));
    }
  }
  const text = withEol(out, style.eol, original === '' || /\n$/.test(original));
  const check = parseSource(text);
  if (check.errors.length > 0 || JSON.stringify(check.toJS()) !== JSON.stringify(edited.toJS())) return fallback;
  return text;
}

interface BaseRendering {
  originalLines: string[];
  baseLines: string[];
  /** Which line of the file each line of the library's rendering stands for. */
  alignment: DiffLine[];
}

// Every edit of a session starts from the same saved text: render it once.
let lastBase: { original: string; options: string; rendering: BaseRendering | null } | null = null;

function renderBase(original: string, options: ToStringOptions): BaseRendering | null {
  const key = JSON.stringify(options);
  if (lastBase?.original === original && lastBase.options === key) return lastBase.rendering;
  const originalDoc = parseSource(original);
  let rendering: BaseRendering | null = null;
  if (originalDoc.errors.length === 0) {
    const originalLines = splitLines(original);
    const baseLines = splitLines(originalDoc.toString(options));
    rendering = { originalLines, baseLines, alignment: diffLines(originalLines.map(loose), baseLines.map(loose)) };
  }
  lastBase = { original, options: key, rendering };
  return rendering;
}

/** `title: New # note` written as the file wrote `title: Old   # note`. */
function withCommentSpacing(rendered: string, fileLine: string | undefined): string {
  const comment = / (#[^'"]*)$/.exec(rendered);
  const spacing = fileLine === undefined ? null : /\S(\s+)(#[^'"]*)$/.exec(fileLine);
  if (!comment || !spacing || spacing[2] !== comment[1]) return rendered;
  return `${rendered.slice(0, comment.index)}${spacing[1]}${comment[1]}`;
}

/** Compares lines as the library would write them: same indent, spacing and trailing blanks ignored. */
function loose(line: string): string {
  const indent = /^ */.exec(line)![0];
  return indent + line.slice(indent.length).replace(/\s+/g, ' ').trimEnd();
}

function withEol(lines: readonly string[], eol: string, finalNewline: boolean): string {
  if (lines.length === 0) return '';
  return lines.join(eol) + (finalNewline ? eol : '');
}
