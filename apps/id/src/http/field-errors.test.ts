import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { email, optionalText, parseInput, text } from './validation.js';

const schema = z
  .object({
    username: text(64),
    email,
    firstName: optionalText(100),
    isAdmin: z.boolean().optional(),
    ttlSeconds: z.number().int().optional(),
    authMethod: z.enum(['client_secret_basic', 'client_secret_post']).optional(),
    callbackUrls: z.array(z.string()).optional(),
  })
  .strict();

function refusal(body: unknown): { field: string | undefined; message: string } {
  try {
    parseInput(schema, body);
  } catch (error) {
    const { field, message } = error as { field?: string; message: string };
    return { field, message };
  }
  throw new Error('accepted');
}

describe('field errors in words', () => {
  it.each([
    [{}, 'username', 'Enter a username'],
    [{ username: '' }, 'username', 'Enter a username'],
    [{ username: '   ' }, 'username', 'Enter a username'],
    [{ username: 42 }, 'username', 'Username must be text'],
    [{ username: 'a'.repeat(65) }, 'username', 'Username must be at most 64 characters'],
    [{ username: 'bob', email: 'not-an-email' }, 'email', 'Enter a valid email address'],
    [{ username: 'bob', firstName: 'x'.repeat(101) }, 'firstName', 'First name must be at most 100 characters'],
    [{ username: 'bob', isAdmin: 'yes' }, 'isAdmin', 'Administrator must be true or false'],
    [{ username: 'bob', ttlSeconds: 1.5 }, 'ttlSeconds', 'Link lifetime must be a whole number'],
    [{ username: 'bob', authMethod: 'x' }, 'authMethod', 'Secret sending method must be one of "client_secret_basic", "client_secret_post"'],
    [{ username: 'bob', callbackUrls: 'https://a.example' }, 'callbackUrls', 'Callback URL must be a list'],
    [{ username: 'bob', callbackUrls: [1] }, 'callbackUrls.0', 'Callback URL must be text'],
    [{ username: 'bob', surprise: 1 }, undefined, '"surprise" cannot be set here'],
  ])('%j: %s, "%s"', (body, field, message) => {
    expect(refusal(body)).toEqual({ field, message });
  });
});
