// Turns conf.yml text into a validated object, or into errors a person can act on:
// each names the YAML path and the line (`sections[2].items[0].url: expected a URL`).
import { isMap, isPair, isScalar, isSeq, LineCounter, parseDocument } from 'yaml';
import type { Document, Node } from 'yaml';
import type { z } from 'zod';
import { dashyConfigSchema } from './schema.js';
import type { DashyConfig } from './schema.js';

export interface ConfigIssue {
  /** `sections[2].items[0].url`; empty for the document itself. */
  path: string;
  line?: number;
  column?: number;
  message: string;
}

export type ParseResult =
  | { ok: true; config: DashyConfig }
  | { ok: false; errors: ConfigIssue[] };

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
  const lineCounter = new LineCounter();
  // uniqueKeys: a key written twice is almost always a mistake that silently drops data.
  const document = parseDocument(text, { lineCounter, uniqueKeys: true, prettyErrors: true });
  if (document.errors.length > 0) {
    return {
      ok: false,
      errors: document.errors.map((error) => ({
        path: '',
        line: error.linePos?.[0].line,
        column: error.linePos?.[0].col,
        message: firstLine(error.message),
      })),
    };
  }
  let data: unknown;
  try {
    data = document.toJS({ maxAliasCount: 100 }) ?? {};
  } catch (error) {
    return { ok: false, errors: [{ path: '', message: firstLine((error as Error).message) }] };
  }
  const result = dashyConfigSchema.safeParse(data);
  if (result.success) return { ok: true, config: result.data };
  return { ok: false, errors: result.error.issues.map((issue) => locate(document, lineCounter, issue)) };
}

function firstLine(message: string): string {
  return (message.split('\n')[0] ?? message).replace(/ at line \d+, column \d+:?$/, '').replace(/:$/, '');
}

function locate(document: Document, lineCounter: LineCounter, issue: z.core.$ZodIssue): ConfigIssue {
  const path = issue.path.filter((key): key is string | number => typeof key !== 'symbol');
  const offset = offsetOf(document, path);
  const position = offset === undefined ? undefined : lineCounter.linePos(offset);
  return {
    path: formatPath(path),
    ...(position ? { line: position.line, column: position.col } : {}),
    message: issue.message,
  };
}

/** The start of the deepest node on the path that exists (a missing key points at its parent). */
function offsetOf(document: Document, path: readonly (string | number)[]): number | undefined {
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
