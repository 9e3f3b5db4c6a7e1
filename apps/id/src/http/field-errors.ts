import type { z } from 'zod';

/**
 * Field errors in words: what the forms show beside an input ("Enter a username", "Enter a
 * valid email address"), never zod's own "Invalid input: expected string, received undefined".
 */

/** The words for each input the API takes; anything else is its name split into words. */
const FIELD_LABELS: Record<string, string> = {
  username: 'username',
  email: 'email address',
  firstName: 'first name',
  lastName: 'last name',
  displayName: 'display name',
  name: 'name',
  friendlyName: 'friendly name',
  callbackUrls: 'callback URL',
  logoutCallbackUrls: 'logout callback URL',
  allowedGroupIds: 'allowed group',
  groupIds: 'group',
  userIds: 'user',
  userId: 'user',
  isPublic: 'public client',
  pkceEnabled: 'PKCE',
  isAdmin: 'administrator',
  emailVerified: 'email verified',
  authMethod: 'secret sending method',
  response: 'passkey response',
  id: 'ID',
  ttlSeconds: 'link lifetime',
  pageSize: 'page size',
};

const TYPE_WORDS: Record<string, string> = {
  string: 'text',
  boolean: 'true or false',
  number: 'a number',
  int: 'a whole number',
  array: 'a list',
  object: 'an object',
};

function labelOf(path: readonly PropertyKey[]): string {
  const key = [...path].reverse().find((part): part is string => typeof part === 'string');
  if (!key) return 'value';
  return FIELD_LABELS[key] ?? key.replace(/([a-z])([A-Z])/g, '$1 $2').toLowerCase();
}

function capitalised(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}

function withArticle(label: string): string {
  return /^[aeiou]/i.test(label) && !label.startsWith('user') ? `an ${label}` : `a ${label}`;
}

function valueAt(input: unknown, path: readonly PropertyKey[]): unknown {
  let value = input;
  for (const part of path) {
    if (value === null || typeof value !== 'object') return undefined;
    value = (value as Record<PropertyKey, unknown>)[part];
  }
  return value;
}

function isBlank(value: unknown): boolean {
  return value === undefined || value === null || (typeof value === 'string' && value.trim() === '');
}

/** A message of the schema's own, written as the rest of a sentence ("must be ..."), or undefined for zod's defaults. */
function schemaMessage(issue: z.core.$ZodIssue): string | undefined {
  return /^(must|is|are|at) /.test(issue.message) ? issue.message : undefined;
}

/** One problem with a request part, in a sentence about the field at fault. */
export function fieldErrorMessage(issue: z.core.$ZodIssue, input: unknown): string {
  const label = labelOf(issue.path);
  const Label = capitalised(label);
  const value = valueAt(input, issue.path);
  const own = schemaMessage(issue);
  switch (issue.code) {
    case 'invalid_type':
      if (isBlank(value) && (issue.expected === 'string' || issue.expected === 'array')) return `Enter ${withArticle(label)}`;
      if (value === undefined) return `${Label} is missing`;
      return `${Label} must be ${TYPE_WORDS[issue.expected] ?? issue.expected}`;
    case 'too_small':
      if (isBlank(value) || (Array.isArray(value) && value.length === 0)) {
        return issue.origin === 'array' ? `Enter at least one ${label}` : `Enter ${withArticle(label)}`;
      }
      if (own) return `${Label} ${own}`;
      if (issue.origin === 'string') return `${Label} must be at least ${issue.minimum} characters`;
      if (issue.origin === 'array') return `Enter at least ${issue.minimum} of ${label}`;
      return `${Label} must be at least ${issue.minimum}`;
    case 'too_big':
      if (own) return `${Label} ${own}`;
      if (issue.origin === 'string') return `${Label} must be at most ${issue.maximum} characters`;
      if (issue.origin === 'array') return `Enter at most ${issue.maximum} of ${label}`;
      return `${Label} must be at most ${issue.maximum}`;
    case 'invalid_format':
      if (isBlank(value)) return `Enter ${withArticle(label)}`;
      if (issue.format === 'email') return 'Enter a valid email address';
      return own ? `${Label} ${own}` : `${Label} is not valid`;
    case 'invalid_value':
      return `${Label} must be one of ${issue.values.map((v) => JSON.stringify(v)).join(', ')}`;
    case 'invalid_union': {
      // An input that may take several forms (an email or ""): speak of the first form's problem.
      const inner = issue.errors[0]?.[0];
      return inner ? fieldErrorMessage({ ...inner, path: [...issue.path, ...inner.path] }, input) : `${Label} is not valid`;
    }
    case 'unrecognized_keys':
      return `${issue.keys.map((key) => `"${key}"`).join(', ')} cannot be set here`;
    default:
      return own ? `${Label} ${own}` : `${Label} is not valid`;
  }
}
