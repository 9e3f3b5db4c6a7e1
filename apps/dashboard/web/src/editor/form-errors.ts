// What a form shows when the server's rules refuse a change: each problem beside the field
// it is about, the rest above the form.
import type { ConfigIssue } from '../lib/types';

export type FormResult = { ok: true } | { ok: false; message?: string; issues: ConfigIssue[] };

export function fieldErrors(result: Extract<FormResult, { ok: false }>, fields: readonly string[]): { byField: Record<string, string>; general: string[] } {
  const byField: Record<string, string> = {};
  const general: string[] = result.message ? [result.message] : [];
  for (const issue of result.issues) {
    const key = /(?:^|\.)([A-Za-z_][\w-]*)(?:\[\d+\])*$/.exec(issue.path)?.[1];
    if (key && fields.includes(key) && !byField[key]) byField[key] = sentence(issue.message);
    else general.push(`${issue.path ? `${issue.path}: ` : ''}${issue.message}`);
  }
  return { byField, general };
}

function sentence(message: string): string {
  // What reading the file would do with the value does not matter in a form that refuses it.
  const bare = message.replace(/; (ignored|this entry is left out|read as .*)$/, '');
  const text = bare.charAt(0).toUpperCase() + bare.slice(1);
  return /[.!?]$/.test(text) ? text : `${text}.`;
}
