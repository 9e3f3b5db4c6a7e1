// Reading an admin's config file as written, checking it with the server's own parser, and
// saving it through POST /config-manager/save.
import { parseConfigText } from '../../../src/config/parse.js';
import { apiFetch } from '../lib/api';
import type { ConfigIssue } from '../lib/types';

export type { ConfigIssue };

export type LoadResult = { ok: true; text: string } | { ok: false; reason: string };

/** The file as written, comments included: the server's YAML answer (no JSON Accept header). */
export async function loadSource(file: string): Promise<LoadResult> {
  let response: Response;
  try {
    response = await apiFetch(`/${file}`, { headers: { accept: 'application/yaml, text/yaml;q=0.9, */*;q=0.1' }, cache: 'no-store' });
  } catch {
    return { ok: false, reason: 'The dashboard server could not be reached.' };
  }
  if (!response.ok) return { ok: false, reason: await reasonOf(response, `/${file}`) };
  return { ok: true, text: await response.text() };
}

export type SaveOutcome =
  | { ok: true; message: string; backup: string | null; restartRequired: boolean }
  | { ok: false; status: number; reason: string; errors: ConfigIssue[] };

export async function saveSource(file: string, text: string): Promise<SaveOutcome> {
  let response: Response;
  try {
    response = await apiFetch('/config-manager/save', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ config: text, filename: file }),
    });
  } catch {
    return { ok: false, status: 0, reason: 'The dashboard server could not be reached; nothing was saved.', errors: [] };
  }
  const body = (await response.json().catch(() => null)) as Record<string, unknown> | null;
  if (response.ok && body?.success === true) {
    return {
      ok: true,
      message: typeof body.message === 'string' ? body.message : `${file} saved`,
      backup: typeof body.backup === 'string' ? body.backup : null,
      restartRequired: body.restartRequired === true,
    };
  }
  const errors = Array.isArray(body?.errors) ? (body.errors as unknown[]).filter(isIssue) : [];
  const reason = typeof body?.reason === 'string' ? body.reason : `The server answered ${response.status}.`;
  return { ok: false, status: response.status, reason, errors };
}

async function reasonOf(response: Response, what: string): Promise<string> {
  const body = (await response.json().catch(() => null)) as { reason?: unknown } | null;
  const reason = typeof body?.reason === 'string' ? body.reason : `status ${response.status}`;
  return `The server did not send ${what}: ${reason}.`;
}

function isIssue(value: unknown): value is ConfigIssue {
  return typeof value === 'object' && value !== null && typeof (value as ConfigIssue).message === 'string';
}

export interface Check {
  errors: ConfigIssue[];
  warnings: ConfigIssue[];
  /** Warnings the saved file does not have: the server refuses to save new ones. */
  newWarnings: ConfigIssue[];
}

/** The same rules as the server: its parser, and its "no new warnings on save". */
export function checkText(text: string, savedWarnings: readonly ConfigIssue[] = []): Check {
  const result = parseConfigText(text);
  const errors = result.ok ? [] : result.errors;
  const warnings = result.warnings ?? [];
  const known = new Map<string, number>();
  for (const warning of savedWarnings) known.set(warningKey(warning), (known.get(warningKey(warning)) ?? 0) + 1);
  const newWarnings = warnings.filter((warning) => {
    const left = known.get(warningKey(warning)) ?? 0;
    if (left > 0) known.set(warningKey(warning), left - 1);
    return left === 0;
  });
  return { errors, warnings, newWarnings };
}

export function warningsOf(text: string): ConfigIssue[] {
  return parseConfigText(text).warnings ?? [];
}

// As the server compares them: by what they say, not where (lines move as the file changes).
function warningKey(issue: ConfigIssue): string {
  return `${issue.path}\u0000${issue.message}`;
}

export function describeIssue(issue: ConfigIssue): string {
  const where = issue.line ? `Line ${issue.line}` : 'File';
  return `${where}: ${issue.path ? `${issue.path}: ` : ''}${issue.message}`;
}
