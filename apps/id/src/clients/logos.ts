import { createHash } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { DB } from '../db/schema.js';
import { inTransaction, nowIso } from '../db/database.js';
import { DomainError } from '../errors.js';
import { forgetCachedClients, requireClient, type OidcClient } from './clients.js';

/** The largest logo accepted: plenty for an icon, small enough to keep in the database. */
export const LOGO_MAX_BYTES = 512 * 1024;

export const LOGO_TYPES = ['image/png', 'image/jpeg', 'image/webp', 'image/svg+xml'] as const;
export type LogoType = (typeof LOGO_TYPES)[number];

/** An SVG document: optional XML declaration, comments and a DOCTYPE without an internal subset, then `<svg`. */
const SVG_START = /^(?:<\?xml[^>]*\?>\s*)?(?:<!--[\s\S]*?-->\s*)*(?:<!DOCTYPE\s+svg[^>[]*>\s*)?(?:<!--[\s\S]*?-->\s*)*<svg[\s>]/i;

/**
 * What an upload is, judged by its bytes, never by the name or type the browser sent:
 * PNG, JPEG and WebP by their signatures, SVG as UTF-8 text whose first element is `<svg>`.
 * Null for anything else.
 */
export function sniffLogoType(bytes: Uint8Array): LogoType | null {
  const starts = (signature: number[], at = 0) => signature.every((byte, i) => bytes[at + i] === byte);
  if (starts([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])) return 'image/png';
  if (starts([0xff, 0xd8, 0xff])) return 'image/jpeg';
  if (starts([0x52, 0x49, 0x46, 0x46]) && starts([0x57, 0x45, 0x42, 0x50], 8)) return 'image/webp';
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true, ignoreBOM: false }).decode(bytes);
  } catch {
    return null;
  }
  if (text.includes('\0')) return null;
  return SVG_START.test(text.trimStart()) ? 'image/svg+xml' : null;
}

/**
 * The checks every logo passes, uploaded or named in the provisioning file: not empty, within
 * LOGO_MAX_BYTES, and an image by its bytes. Returns its type.
 */
export function checkLogo(bytes: Uint8Array | undefined): LogoType {
  if (!bytes || bytes.length === 0) throw new DomainError('invalid', 'Choose an image file to upload as the logo', 'logo');
  if (bytes.length > LOGO_MAX_BYTES) throw logoTooLarge(bytes.length);
  const contentType = sniffLogoType(bytes);
  if (!contentType) throw new DomainError('invalid', 'The logo must be a PNG, JPEG, WebP or SVG image; this file is none of them', 'logo');
  return contentType;
}

/** The refusal of a logo of this many bytes, for callers that know the size before reading it. */
export function logoTooLarge(size: number): DomainError {
  return new DomainError('invalid', `The logo is ${kilobytes(size)}; a logo may be at most ${kilobytes(LOGO_MAX_BYTES)}`, 'logo');
}

function logoHash(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

/** Stores a client's logo (replacing any) after checking its size and type; returns the client with its new logo URL. */
export async function setClientLogo(db: Kysely<DB>, clientId: string, bytes: Uint8Array | undefined): Promise<OidcClient> {
  await requireClient(db, clientId);
  const contentType = checkLogo(bytes);
  const hash = logoHash(bytes!);
  const row = { content_type: contentType, hash, data_base64: Buffer.from(bytes!).toString('base64'), updated_at: nowIso() };
  await inTransaction(db, async (trx) => {
    await trx
      .insertInto('oidc_client_logos')
      .values({ client_id: clientId, ...row })
      .onConflict((oc) => oc.column('client_id').doUpdateSet(row))
      .execute();
    await trx.updateTable('oidc_clients').set({ logo_hash: hash, updated_at: row.updated_at }).where('id', '=', clientId).execute();
  });
  forgetCachedClients();
  return requireClient(db, clientId);
}

export async function removeClientLogo(db: Kysely<DB>, clientId: string): Promise<OidcClient> {
  await requireClient(db, clientId);
  await inTransaction(db, async (trx) => {
    await trx.deleteFrom('oidc_client_logos').where('client_id', '=', clientId).execute();
    await trx.updateTable('oidc_clients').set({ logo_hash: null, updated_at: nowIso() }).where('id', '=', clientId).execute();
  });
  forgetCachedClients();
  return requireClient(db, clientId);
}

/**
 * Makes a client's logo these bytes (null: no logo), leaving it and its timestamps alone when
 * it already is: a provisioning file applied at every start changes nothing. True when it changed.
 */
export async function provisionClientLogo(db: Kysely<DB>, clientId: string, bytes: Uint8Array | null): Promise<boolean> {
  const stored = await db.selectFrom('oidc_client_logos').select('hash').where('client_id', '=', clientId).executeTakeFirst();
  const current = stored?.hash ?? null;
  if (current === (bytes && logoHash(bytes))) return false;
  if (bytes) await setClientLogo(db, clientId, bytes);
  else await removeClientLogo(db, clientId);
  return true;
}

/** A client's logo as stored, or null when it has none. */
export async function findClientLogo(db: Kysely<DB>, clientId: string): Promise<{ contentType: LogoType; hash: string; bytes: Buffer } | null> {
  const row = await db.selectFrom('oidc_client_logos').selectAll().where('client_id', '=', clientId).executeTakeFirst();
  if (!row) return null;
  return { contentType: row.content_type as LogoType, hash: row.hash, bytes: Buffer.from(row.data_base64, 'base64') };
}

function kilobytes(bytes: number): string {
  return `${Math.ceil(bytes / 1024)} KB`;
}
