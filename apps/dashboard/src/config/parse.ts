// Turns conf.yml text into a typed object plus warnings, or into errors a person can act on.
// Each issue names the YAML path and the line (`sections[2].items[0].target: ...`). What is
// only warned about, and what stays an error, is decided in leniency.ts.
import { isMap, isPair, isScalar, isSeq, LineCounter, parseDocument } from 'yaml';
import type { Document, Node, YAMLError } from 'yaml';
import { readLeniently } from './leniency.js';
import { nestingProblem } from './nesting.js';
import type { Path, RawIssue } from './leniency.js';
import type { DashyConfig } from './schema.js';

export interface ConfigIssue {
  /** `sections[2].items[0].url`; empty for the document itself. */
  path: string;
  line?: number;
  column?: number;
  message: string;
}

/**
 * `warnings` are what Dashy would warn about (plus links that are never served); the config
 * is readable despite them, with the offending values left out. `errors` stop the file.
 */
export type ParseResult =
  | { ok: true; config: DashyConfig; warnings: ConfigIssue[] }
  | { ok: false; errors: ConfigIssue[]; warnings: ConfigIssue[] };

export function formatPath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const key of path) {
    if (typeof key === 'number') out += `[${key}]`;
    else out += out === '' ? String(key) : `.${String(key)}`;
  }
  return out;
}

/** One line per issue, for logs and the CLI: `conf.yml:12 sections[0].name: ...`. */
export function describeIssues(file: string, issues: readonly ConfigIssue[]): string {
  return issues
    .map((issue) => `${file}${issue.line ? `:${issue.line}` : ''} ${issue.path ? `${issue.path}: ` : ''}${issue.message}`)
    .join('; ');
}

export function parseConfigText(text: string): ParseResult {
  // Before anything parses it: the parser recurses, and deep nesting would stall the server.
  const tooDeep = nestingProblem(text);
  if (tooDeep) return { ok: false, errors: [{ path: '', ...tooDeep }], warnings: [] };
  const lineCounter = new LineCounter();
  // uniqueKeys: a key written twice is almost always a mistake that silently drops data (and
  // Dashy's js-yaml refuses it too). merge: `<<: *defaults` works in Dashy. logLevel: a key that
  // is itself a mapping (`{{ template }}` left unrendered) is read as text, without a console line.
  const options = { lineCounter, uniqueKeys: true, prettyErrors: true, merge: true, logLevel: 'error' } as const;
  let document = parseDocument(text, options);
  const repairWarnings: ConfigIssue[] = [];
  if (document.errors.length > 0) {
    const repair = withFirstBlockDedented(text);
    const repaired = repair && parseDocument(repair.text, { ...options, lineCounter: new LineCounter() });
    if (!repair || !repaired || repaired.errors.length > 0) {
      return { ok: false, errors: document.errors.map(positioned), warnings: [] };
    }
    // Only leading spaces were removed, so lines (what people look for) stay where they were.
    document = parseDocument(repair.text, options);
    repairWarnings.push(repair.warning);
  }
  const yamlWarnings = [...repairWarnings, ...document.warnings.map(positioned)];
  let data: unknown;
  try {
    data = document.toJS({ maxAliasCount: 100 }) ?? {};
  } catch (error) {
    return { ok: false, errors: [{ path: '', message: firstLine((error as Error).message) }], warnings: yamlWarnings };
  }
  const result = readLeniently(data);
  const warnings = [...yamlWarnings, ...result.warnings.map((issue) => locate(document, lineCounter, issue))].sort(byPosition);
  if (result.config && result.errors.length === 0) return { ok: true, config: result.config, warnings };
  return { ok: false, errors: result.errors.map((issue) => locate(document, lineCounter, issue)), warnings };
}

/**
 * A file whose first key is indented while the later top-level keys are not (` pageInfo:` on
 * line 1, `appConfig:` at the margin) is a slip that YAML, and so Dashy, cannot read. The
 * intent is plain, so it is read with that first block moved to the margin, and said so.
 */
export function withFirstBlockDedented(text: string): { text: string; warning: ConfigIssue } | null {
  const lines = text.split('\n');
  const isContent = (line: string) => line.trim() !== '' && !line.trimStart().startsWith('#');
  const first = lines.findIndex(isContent);
  if (first === -1) return null;
  const indent = /^ */.exec(lines[first]!)![0].length;
  if (indent === 0) return null;
  const margin = lines.findIndex((line, index) => index > first && /^[^\s#-][^:]*:(\s|$)/.test(line));
  if (margin === -1) return null;
  const prefix = ' '.repeat(indent);
  const block = lines.slice(first, margin);
  if (!block.every((line) => !isContent(line) || line.startsWith(prefix))) return null;
  const dedented = [...lines.slice(0, first), ...block.map((line) => (line.startsWith(prefix) ? line.slice(indent) : line)), ...lines.slice(margin)];
  const spaces = indent === 1 ? '1 space' : `${indent} spaces`;
  return {
    text: dedented.join('\n'),
    warning: {
      path: '',
      line: first + 1,
      column: 1,
      message: `the first key is indented by ${spaces} but the other top-level keys are not; read as if it started at the margin (YAML, and Dashy, cannot read the file as written)`,
    },
  };
}

function positioned(problem: YAMLError): ConfigIssue {
  const start = problem.linePos?.[0];
  return { path: '', ...(start ? { line: start.line, column: start.col } : {}), message: firstLine(problem.message) };
}

/** In the order of the file, as an editor lists them. */
function byPosition(a: ConfigIssue, b: ConfigIssue): number {
  return (a.line ?? Infinity) - (b.line ?? Infinity) || (a.column ?? 0) - (b.column ?? 0);
}

function firstLine(message: string): string {
  return (message.split('\n')[0] ?? message).replace(/ at line \d+, column \d+:?$/, '').replace(/:$/, '');
}

function locate(document: Document, lineCounter: LineCounter, issue: RawIssue): ConfigIssue {
  const { path } = issue;
  const offset = offsetOf(document, path);
  const position = offset === undefined ? undefined : lineCounter.linePos(offset);
  return {
    path: formatPath(path),
    ...(position ? { line: position.line, column: position.col } : {}),
    message: issue.message,
  };
}

/** The start of the deepest node on the path that exists (a missing key points at its parent). */
function offsetOf(document: Document, path: Readonly<Path>): number | undefined {
  let node: unknown = document.contents;
  let offset = rangeStart(node);
  for (const key of path) {
    let next: unknown;
    if (isMap(node)) {
      const pair = node.items.find((item) => isPair(item) && isScalar(item.key) && String(item.key.value) === String(key));
      if (pair) {
        // Point at the value when there is one, else at the key (`url:` with nothing after it).
        next = pair.value ?? pair.key;
        if (!pair.value) return rangeStart(pair.key);
      }
    } else if (isSeq(node) && typeof key === 'number') {
      next = node.items[key];
    }
    if (next === undefined) break;
    node = next;
    offset = rangeStart(node) ?? offset;
  }
  return offset;
}

function rangeStart(node: unknown): number | undefined {
  return (node as Node | null | undefined)?.range?.[0];
}
