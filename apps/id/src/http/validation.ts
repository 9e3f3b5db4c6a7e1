import { z } from 'zod';
import { DomainError } from '../errors.js';
import { fieldErrorMessage } from './field-errors.js';

/** Parses a request part with a schema; the first problem becomes a 400 naming the field. */
export function parseInput<T extends z.ZodType>(schema: T, value: unknown): z.infer<T> {
  const result = schema.safeParse(value ?? {});
  if (result.success) return result.data;
  const issue = result.error.issues[0];
  const field = issue?.path.map(String).join('.') || undefined;
  // In words about the field ("Enter a username"), shown beside it by the web app.
  const message = issue ? fieldErrorMessage(issue, value) : 'The request is not valid';
  throw new DomainError('invalid', message, field);
}

/** A trimmed, non-empty string of at most `max` characters. */
export const text = (max = 200) => z.string().trim().min(1, 'is required').max(max, `must be at most ${max} characters`);
/** An optional text that may be cleared with null or "". */
export const optionalText = (max = 200) =>
  z
    .string()
    .trim()
    .max(max, `must be at most ${max} characters`)
    .nullish()
    .transform((value) => (value ? value : null));
export const email = z
  .string()
  .trim()
  .max(254)
  .email('must be an email address')
  .nullish()
  .or(z.literal('').transform(() => null))
  .transform((value) => value ?? null);
