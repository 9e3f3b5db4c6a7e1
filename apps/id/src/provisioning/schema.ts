import { z } from 'zod';
import { CLIENT_AUTH_METHODS, callbackUrlProblem } from '../clients/clients.js';
import { checkLaunchUrl } from '../clients/launch.js';
import { LOGO_MAX_BYTES } from '../clients/logos.js';
import { DomainError } from '../errors.js';
import { FRIENDLY_NAME_PATTERN } from '../groups/groups.js';
import { USERNAME_PATTERN } from '../users/users.js';
import { forwardAuthEntryKey, forwardAuthEntrySchema, type ForwardAuthEntry } from '../forward-auth/provisioning.js';
import { claimsEntrySchema } from '../custom-claims/provisioning.js';

/**
 * The provisioning file (PROVISIONING_FILE, `hearth-id provision`): groups, users and OIDC
 * clients Hearth ID should have. This one schema checks the file, types the code that applies
 * it, and becomes the JSON Schema editors complete the file with (provisioning.schema.json).
 * Messages are the end of a sentence that begins with the field: "callbackUrls[0] is not ...".
 */

/** The URL Hearth ID publishes the JSON Schema at, relative to APP_URL. */
export const PROVISIONING_SCHEMA_PATH = '/provisioning.schema.json';

const name = (max: number) => z.string().trim().min(1, 'must not be empty').max(max, `must be at most ${max} characters`);
/** Optional text: leave it out to leave the stored value alone, null to clear it. */
const optionalText = (max: number) => z.string().trim().max(max, `must be at most ${max} characters`).nullable().optional();

const friendlyName = z
  .string()
  .regex(FRIENDLY_NAME_PATTERN, 'must be 1 to 64 letters, digits or _ . : -, starting with a letter or digit')
  .describe('The group\'s value in the OIDC `groups` claim, e.g. `admins`. Identifies the group (any case).');

const callbackUrl = z
  .string()
  .trim()
  .max(2000, 'must be at most 2000 characters')
  .superRefine((value, check) => {
    // The clients domain's words, as the end of a sentence; the field already says which entry.
    const problem = callbackUrlProblem(value);
    if (problem) check.addIssue({ code: 'custom', message: problem });
  });

const ifMissing = z
  .boolean()
  .optional()
  .describe('Create the entry when it does not exist, and otherwise leave it exactly as it is (changes made in the admin screen stay).');

export const groupEntrySchema = z
  .strictObject({
    friendlyName,
    name: name(100).describe('The name people read in the admin screens, e.g. "Dashboard admins".'),
    claims: claimsEntrySchema.optional(),
    ifMissing,
  })
  .describe('A user group, found by its friendly name.');

export const userEntrySchema = z
  .strictObject({
    username: z
      .string()
      .regex(USERNAME_PATTERN, 'must be 1 to 64 letters, digits or _ . @ -, starting with a letter or digit')
      .describe('Identifies the user (any case). They sign in with a passkey: send them a login link (hearth-id one-time-access-token).'),
    email: z.email('is not an email address').max(254).nullable().optional().describe('Their email address; null clears it.'),
    emailVerified: z.boolean().optional().describe('Whether relying parties may trust the address (the email_verified claim).'),
    firstName: optionalText(100).describe('Their first name; null clears it.'),
    lastName: optionalText(100).describe('Their last name; null clears it.'),
    isAdmin: z.boolean().optional().describe('Whether they may use the admin screens. The last administrator cannot lose it.'),
    groups: z
      .array(friendlyName)
      .max(1000)
      .optional()
      .describe('Exactly the groups they are in, by friendly name. Leave it out to leave their groups alone.'),
    claims: claimsEntrySchema.optional(),
    ifMissing,
  })
  .describe('A user, found by username.');

const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

export const clientEntrySchema = z
  .strictObject({
    clientId: z
      .string()
      .regex(/^[A-Za-z0-9._~-]{1,128}$/, 'must be 1 to 128 letters, digits or . _ ~ -')
      .describe('The client ID the app is configured with, e.g. `grafana`. Identifies the client.'),
    name: name(100).describe('The app name people see when signing in.'),
    callbackUrls: z
      .array(callbackUrl)
      .min(1, 'must list at least one URL')
      .max(50, 'must list at most 50 URLs')
      .describe('Exact redirect URIs the app may use (absolute URLs, matched exactly).'),
    logoutCallbackUrls: z.array(callbackUrl).max(50, 'must list at most 50 URLs').optional().describe('Exact post-logout redirect URIs.'),
    isPublic: z.boolean().optional().describe('A public client (a browser or mobile app): no secret, PKCE required. Default false.'),
    pkceEnabled: z.boolean().optional().describe('Require PKCE of a confidential client too. Default false.'),
    trusted: z.boolean().optional().describe('Skip the consent screen for this app. Default false.'),
    authMethod: z
      .enum(CLIENT_AUTH_METHODS, { error: `must be ${CLIENT_AUTH_METHODS.join(' or ')}` })
      .optional()
      .describe('How a confidential client sends its secret: an HTTP Basic header (default) or fields in the form body.'),
    allowedGroups: z
      .array(friendlyName)
      .max(1000)
      .optional()
      .describe('Only members of these groups (friendly names) may sign in; an empty list lets everyone. Leave it out to leave it alone.'),
    launchUrl: z
      .string()
      .trim()
      .nullable()
      .optional()
      .superRefine((value, check) => {
        // The clients domain's rule and words; the field already starts the sentence.
        try {
          checkLaunchUrl(value);
        } catch (error) {
          if (!(error instanceof DomainError)) throw error;
          check.addIssue({ code: 'custom', message: error.message.replace(/^Launch URL /, '') });
        }
      })
      .describe('Where My apps opens the app (an absolute http or https URL). Leave it out to leave it alone, null to clear it.'),
    logoFile: z
      .string()
      .min(1, 'must not be empty')
      .nullable()
      .optional()
      .describe(`An image shown beside the app in My apps: a PNG, JPEG, WebP or SVG file of at most ${LOGO_MAX_BYTES / 1024} KB, relative to this file. Leave it out to leave the logo alone, null to remove it.`),
    secretFile: z
      .string()
      .min(1, 'must not be empty')
      .optional()
      .describe('A file holding the client secret (at least 16 characters; a final newline is ignored), relative to this file.'),
    secretEnv: z
      .string()
      .regex(ENV_NAME, 'must be the name of an environment variable, e.g. GRAFANA_CLIENT_SECRET')
      .optional()
      .describe('The name of an environment variable holding the client secret.'),
    ifMissing,
  })
  .superRefine((client, check) => {
    if (client.secretFile !== undefined && client.secretEnv !== undefined) {
      check.addIssue({ code: 'custom', path: ['secretEnv'], message: 'cannot be given with secretFile; choose one' });
    }
    if (client.isPublic && (client.secretFile !== undefined || client.secretEnv !== undefined)) {
      check.addIssue({ code: 'custom', path: [client.secretFile !== undefined ? 'secretFile' : 'secretEnv'], message: 'cannot be given for a public client, which has no secret' });
    }
  })
  .describe('An OIDC client (relying party), found by client ID.');

/** Two entries naming the same thing would fight each other; the second is the one at fault. */
function noDuplicates<T>(key: (entry: T) => string, field: string) {
  return (entries: T[], check: z.RefinementCtx) => {
    const seen = new Map<string, number>();
    entries.forEach((entry, index) => {
      const value = key(entry).toLowerCase();
      const first = seen.get(value);
      if (first === undefined) seen.set(value, index);
      else check.addIssue({ code: 'custom', path: [index, field], message: `names the same ${field} as entry ${first}` });
    });
  };
}

export const provisioningSchema = z
  .strictObject({
    $schema: z.string().optional().describe('The JSON Schema of this file, for editors.'),
    prune: z
      .boolean()
      .optional()
      .describe('Delete the groups, users, clients and forward-auth rules this file does not name. Default false: what the file does not name is left alone.'),
    groups: z
      .array(groupEntrySchema)
      .superRefine(noDuplicates((group: GroupEntry) => group.friendlyName, 'friendlyName'))
      .optional()
      .describe('User groups. Applied first, so users and clients may name them.'),
    users: z
      .array(userEntrySchema)
      .superRefine(noDuplicates((user: UserEntry) => user.username, 'username'))
      .optional()
      .describe('Users (people sign in with passkeys; no passwords).'),
    clients: z
      .array(clientEntrySchema)
      .superRefine(noDuplicates((client: ClientEntry) => client.clientId, 'clientId'))
      .optional()
      .describe('OIDC clients: the apps that sign people in through Hearth ID.'),
    forwardAuth: z
      .array(forwardAuthEntrySchema)
      .superRefine(noDuplicates((rule: ForwardAuthEntry) => forwardAuthEntryKey(rule), 'host'))
      .optional()
      .describe('Forward-auth rules (docs/forward-auth.md): who reverse proxies let through to apps that have no OIDC. With prune: true, rules not listed are deleted.'),
  })
  .describe('Hearth ID provisioning file: the groups, users and OIDC clients Hearth ID should have.');

export type ProvisioningFile = z.infer<typeof provisioningSchema>;
export type GroupEntry = z.infer<typeof groupEntrySchema>;
export type UserEntry = z.infer<typeof userEntrySchema>;
export type ClientEntry = z.infer<typeof clientEntrySchema>;

/** The JSON Schema of the file, as published at PROVISIONING_SCHEMA_PATH and in the repository. */
export function provisioningJsonSchema(): Record<string, unknown> {
  const schema = z.toJSONSchema(provisioningSchema, { io: 'input', unrepresentable: 'any' }) as Record<string, unknown>;
  return { ...schema, title: 'Hearth ID provisioning file' };
}
