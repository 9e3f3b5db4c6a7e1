import { randomUUID } from 'node:crypto';
import type * as SimpleWebAuthn from '@simplewebauthn/server';
import type {
  AuthenticationResponseJSON,
  PublicKeyCredentialCreationOptionsJSON,
  PublicKeyCredentialRequestOptionsJSON,
  RegistrationResponseJSON,
} from '@simplewebauthn/server';
import type { Kysely, Selectable } from 'kysely';
import { z } from 'zod';
import type { Config } from '../config/config.js';
import type { DB, PasskeysTable } from '../db/schema.js';
import { epochSeconds, isoTimestamp, nowIso } from '../db/database.js';
import { DomainError, isUniqueViolation } from '../errors.js';
import type { User } from '../users/users.js';

/** A passkey as its owner sees it; the key material never leaves this module. */
export interface Passkey {
  id: string;
  name: string;
  createdAt: string;
  lastUsedAt: string | null;
  deviceType: string;
  backedUp: boolean;
}

type ChallengePurpose = 'registration' | 'authentication';

/** How long a person has to finish a ceremony; also the timeout the browser is given. */
const CHALLENGE_LIFETIME_SECONDS = 300;
const RP_NAME = 'Hearth ID';

/**
 * @simplewebauthn/server, with the certificate libraries its attestation formats need, is a
 * fifth of the server's memory and half a second of its start, yet only a passkey ceremony
 * uses it: it loads then, or as a sign-in page goes out (so it is ready by the click).
 */
let library: Promise<typeof SimpleWebAuthn> | undefined;
export function loadPasskeyLibrary(): Promise<typeof SimpleWebAuthn> {
  return (library ??= import('@simplewebauthn/server'));
}

const fromBase64Url = (value: string) => Buffer.from(value, 'base64url');

export const EXPIRED_MESSAGE = 'This sign-in attempt expired; try again';
export const UNKNOWN_PASSKEY_MESSAGE = 'This passkey is not registered with Hearth ID';
export const NOT_VERIFIED_MESSAGE = 'Your authenticator did not verify you (PIN, fingerprint or face); try again';

/**
 * Well-known passkey providers, so a new passkey gets a name its owner recognises.
 * Anything else is called "Passkey N".
 */
const PROVIDER_NAMES: Record<string, string> = {
  'fbfc3007-154e-4ecc-8c0b-6e020557d7bd': 'iCloud Keychain',
  'ea9b8d66-4d01-1d21-3ce4-b6b48cb575d4': 'Google Password Manager',
  'adce0002-35bc-c60a-648b-0b25f1f05503': 'Chrome on Mac',
  '08987058-cadc-4b81-b6e1-30de50dcbe96': 'Windows Hello',
  '9ddd1817-af5a-4672-a2b9-3e3dd95000a9': 'Windows Hello',
  '6028b017-b1d4-4c02-b4b3-afcdafc96bb2': 'Windows Hello',
  'bada5566-a7aa-401f-bd96-45619a55120d': '1Password',
  'd548826e-79b4-db40-a3d8-11116f7e8349': 'Bitwarden',
};

const base64url = z.string().min(1, 'is required').max(16_384).regex(/^[A-Za-z0-9_-]+={0,2}$/, 'must be base64url');
const clientExtensionResults = z.record(z.string(), z.unknown()).default({});

/** The JSON a browser's navigator.credentials.create() gives (as @simplewebauthn/browser sends it). */
export const registrationResponseSchema = z.object({
  id: base64url,
  rawId: base64url,
  type: z.literal('public-key'),
  response: z.object({
    clientDataJSON: base64url,
    attestationObject: base64url,
    authenticatorData: base64url.optional(),
    transports: z.array(z.string().max(32)).max(16).optional(),
    publicKeyAlgorithm: z.number().int().optional(),
    publicKey: base64url.optional(),
  }),
  authenticatorAttachment: z.enum(['platform', 'cross-platform']).optional(),
  clientExtensionResults,
});

/** The JSON a browser's navigator.credentials.get() gives. */
export const authenticationResponseSchema = z.object({
  id: base64url,
  rawId: base64url,
  type: z.literal('public-key'),
  response: z.object({
    clientDataJSON: base64url,
    authenticatorData: base64url,
    signature: base64url,
    userHandle: base64url.optional(),
  }),
  authenticatorAttachment: z.enum(['platform', 'cross-platform']).optional(),
  clientExtensionResults,
});

function toPasskey(row: Selectable<PasskeysTable>): Passkey {
  return {
    id: row.id,
    name: row.name,
    createdAt: isoTimestamp(row.created_at) ?? row.created_at,
    lastUsedAt: isoTimestamp(row.last_used_at),
    deviceType: row.device_type,
    backedUp: Boolean(row.backed_up),
  };
}

/** The user handle is the user's id as UTF-8, so a discoverable credential names its owner. */
function userHandleFor(userId: string): Uint8Array<ArrayBuffer> {
  return new TextEncoder().encode(userId);
}

async function storeChallenge(db: Kysely<DB>, challenge: string, purpose: ChallengePurpose, userId: string | null): Promise<void> {
  await db
    .insertInto('webauthn_challenges')
    .values({ challenge, purpose, user_id: userId, expires_at: epochSeconds() + CHALLENGE_LIFETIME_SECONDS })
    .execute();
}

function challengeOf(clientDataJSON: string): string {
  try {
    const { challenge } = JSON.parse(fromBase64Url(clientDataJSON).toString('utf8')) as { challenge?: unknown };
    // Hearth ID issues base64url challenges; anything else (a NUL byte, say) cannot be ours.
    if (typeof challenge === 'string' && /^[A-Za-z0-9_-]{1,1024}={0,2}$/.test(challenge)) return challenge;
  } catch {
    // fall through: not JSON, not base64url
  }
  throw new DomainError('invalid', 'This is not a passkey response Hearth ID can read; try again', 'response');
}

/**
 * Takes a challenge out of the table in one statement, so that of two requests racing with
 * the same response exactly one finds it; a missing, used or expired challenge all read the same.
 */
async function consumeChallenge(db: Kysely<DB>, challenge: string, purpose: ChallengePurpose, userId: string | null): Promise<void> {
  let query = db
    .deleteFrom('webauthn_challenges')
    .where('challenge', '=', challenge)
    .where('purpose', '=', purpose)
    .where('expires_at', '>', epochSeconds());
  query = userId === null ? query.where('user_id', 'is', null) : query.where('user_id', '=', userId);
  const consumed = await query.returning('challenge').executeTakeFirst();
  if (!consumed) throw new DomainError('invalid', EXPIRED_MESSAGE);
}

/** Forgets challenges nobody answered in time (the maintenance job calls this). */
export async function deleteExpiredChallenges(db: Kysely<DB>, now = new Date()): Promise<void> {
  await db.deleteFrom('webauthn_challenges').where('expires_at', '<', epochSeconds(now.getTime())).execute();
}

/** Turns the library's developer-facing errors into something a person (or their admin) can act on. */
function explainVerificationFailure(error: unknown, config: Config): DomainError {
  if (error instanceof DomainError) return error;
  const message = error instanceof Error ? error.message : String(error);
  if (/user verification/i.test(message)) return new DomainError('invalid', NOT_VERIFIED_MESSAGE);
  if (/user presence|user not present/i.test(message)) {
    return new DomainError('invalid', 'Your authenticator did not confirm you were present; touch it when it asks and try again');
  }
  const origin = /origin "([^"]*)"/i.exec(message);
  if (origin) {
    return new DomainError(
      'invalid',
      `This passkey response came from ${origin[1]}, but Hearth ID is at ${config.appUrl}; open Hearth ID at exactly its APP_URL`,
    );
  }
  if (/RP ID/i.test(message)) {
    return new DomainError('invalid', `This passkey belongs to another site, not ${config.rpId}; use a passkey made for Hearth ID at ${config.appUrl}`);
  }
  if (/counter/i.test(message)) {
    return new DomainError(
      'invalid',
      "This passkey's signature counter went backwards, which can mean it was copied; remove it and register a new one",
    );
  }
  return new DomainError('invalid', `The passkey response could not be verified (${message})`);
}

/** What every response must show: our challenge, our exact origin and RP ID, and a verified user. */
function expectations(config: Config, challenge: string) {
  return { expectedChallenge: challenge, expectedOrigin: config.appUrl, expectedRPID: config.rpId, requireUserVerification: true };
}

async function userPasskeyRows(db: Kysely<DB>, userId: string): Promise<Selectable<PasskeysTable>[]> {
  return db.selectFrom('passkeys').selectAll().where('user_id', '=', userId).orderBy('created_at').orderBy('id').execute();
}

/** Options for navigator.credentials.create(): a discoverable, user-verified passkey for this user. */
/** COSE algorithm identifiers: EdDSA, ES256, RS256. */
const PASSKEY_ALGORITHMS = [-8, -7, -257];

export async function registrationOptions(
  db: Kysely<DB>,
  config: Config,
  user: Pick<User, 'id' | 'username' | 'displayName'>,
): Promise<PublicKeyCredentialCreationOptionsJSON> {
  const existing = await userPasskeyRows(db, user.id);
  const { generateRegistrationOptions } = await loadPasskeyLibrary();
  const options = await generateRegistrationOptions({
    rpName: RP_NAME,
    rpID: config.rpId,
    userName: user.username,
    userDisplayName: user.displayName,
    userID: userHandleFor(user.id),
    timeout: CHALLENGE_LIFETIME_SECONDS * 1000,
    attestationType: 'none',
    excludeCredentials: existing.map((row) => ({ id: row.credential_id, transports: JSON.parse(row.transports) as string[] })),
    authenticatorSelection: { residentKey: 'required', requireResidentKey: true, userVerification: 'required' },
    // What every passkey provider offers (EdDSA, ES256, RS256), named here so that the library
    // does not probe the runtime for post-quantum ML-DSA, a Web Crypto API that Node.js 24
    // still calls experimental (and warns about on the first sign-up).
    supportedAlgorithmIDs: PASSKEY_ALGORITHMS,
  });
  await storeChallenge(db, options.challenge, 'registration', user.id);
  return options;
}

function defaultName(aaguid: string, existingCount: number): string {
  return PROVIDER_NAMES[aaguid] ?? `Passkey ${existingCount + 1}`;
}

/** Checks a new passkey against the challenge this user was given and stores it. */
export async function verifyRegistration(
  db: Kysely<DB>,
  config: Config,
  userId: string,
  response: RegistrationResponseJSON,
  name?: string | null,
): Promise<Passkey> {
  const challenge = challengeOf(response.response?.clientDataJSON);
  await consumeChallenge(db, challenge, 'registration', userId);

  let info;
  try {
    const { verifyRegistrationResponse } = await loadPasskeyLibrary();
    const verification = await verifyRegistrationResponse({
      response,
      ...expectations(config, challenge),
    });
    if (!verification.verified) throw new Error('the attestation did not verify');
    info = verification.registrationInfo;
  } catch (error) {
    throw explainVerificationFailure(error, config);
  }

  const { credential } = info;
  const duplicate = await db.selectFrom('passkeys').select('id').where('credential_id', '=', credential.id).executeTakeFirst();
  if (duplicate) throw new DomainError('conflict', 'This passkey is already registered');

  const existingCount = (await userPasskeyRows(db, userId)).length;
  const row = {
    id: randomUUID(),
    user_id: userId,
    credential_id: credential.id,
    public_key: Buffer.from(credential.publicKey).toString('base64url'),
    counter: credential.counter,
    transports: JSON.stringify(credential.transports ?? response.response.transports ?? []),
    name: name?.trim() || defaultName(info.aaguid, existingCount),
    device_type: info.credentialDeviceType,
    backed_up: info.credentialBackedUp ? 1 : 0,
    aaguid: info.aaguid,
    created_at: nowIso(),
    last_used_at: null,
  };
  try {
    await db.insertInto('passkeys').values(row).execute();
  } catch (error) {
    if (isUniqueViolation(error)) throw new DomainError('conflict', 'This passkey is already registered');
    throw error;
  }
  return toPasskey(row);
}

/** Options for navigator.credentials.get(): any discoverable Hearth ID passkey, user verification required. */
export async function authenticationOptions(db: Kysely<DB>, config: Config): Promise<PublicKeyCredentialRequestOptionsJSON> {
  const { generateAuthenticationOptions } = await loadPasskeyLibrary();
  const options = await generateAuthenticationOptions({
    rpID: config.rpId,
    allowCredentials: [],
    userVerification: 'required',
    timeout: CHALLENGE_LIFETIME_SECONDS * 1000,
  });
  await storeChallenge(db, options.challenge, 'authentication', null);
  return options;
}

/** Checks a sign-in assertion; answers whose passkey signed it. */
export async function verifyAuthentication(
  db: Kysely<DB>,
  config: Config,
  response: AuthenticationResponseJSON,
): Promise<{ userId: string; passkeyId: string }> {
  const challenge = challengeOf(response.response?.clientDataJSON);
  await consumeChallenge(db, challenge, 'authentication', null);

  const row = await db
    .selectFrom('passkeys')
    .innerJoin('users', 'users.id', 'passkeys.user_id')
    .selectAll('passkeys')
    .select('users.disabled')
    .where('passkeys.credential_id', '=', response.id)
    .executeTakeFirst();
  if (!row) throw new DomainError('invalid', UNKNOWN_PASSKEY_MESSAGE);

  const userHandle = response.response.userHandle;
  if (userHandle && fromBase64Url(userHandle).toString('utf8') !== row.user_id) {
    throw new DomainError('invalid', 'This passkey does not belong to the account it names; remove it from your device and register it again');
  }

  let newCounter: number;
  try {
    const { verifyAuthenticationResponse } = await loadPasskeyLibrary();
    const verification = await verifyAuthenticationResponse({
      response,
      ...expectations(config, challenge),
      credential: {
        id: row.credential_id,
        publicKey: new Uint8Array(fromBase64Url(row.public_key)),
        counter: Number(row.counter),
        transports: JSON.parse(row.transports) as string[],
      },
    });
    if (!verification.verified) throw new Error('the signature did not verify');
    newCounter = verification.authenticationInfo.newCounter;
  } catch (error) {
    throw explainVerificationFailure(error, config);
  }

  await db
    .updateTable('passkeys')
    .set({ counter: newCounter, last_used_at: nowIso() })
    .where('id', '=', row.id)
    .execute();
  if (row.disabled) throw new DomainError('forbidden', 'This account is disabled; ask an administrator to enable it');
  return { userId: row.user_id, passkeyId: row.id };
}

export async function listPasskeys(db: Kysely<DB>, userId: string): Promise<Passkey[]> {
  return (await userPasskeyRows(db, userId)).map(toPasskey);
}

const NOT_FOUND_MESSAGE = 'passkey not found';

export async function renamePasskey(db: Kysely<DB>, userId: string, id: string, name: string): Promise<Passkey> {
  const row = await db
    .updateTable('passkeys')
    .set({ name: name.trim() })
    .where('id', '=', id)
    .where('user_id', '=', userId)
    .returningAll()
    .executeTakeFirst();
  if (!row) throw new DomainError('not_found', NOT_FOUND_MESSAGE);
  return toPasskey(row);
}

export async function deletePasskey(db: Kysely<DB>, userId: string, id: string): Promise<Passkey> {
  const row = await db.deleteFrom('passkeys').where('id', '=', id).where('user_id', '=', userId).returningAll().executeTakeFirst();
  if (!row) throw new DomainError('not_found', NOT_FOUND_MESSAGE);
  return toPasskey(row);
}
