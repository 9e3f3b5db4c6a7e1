import { createCipheriv, createDecipheriv, createHash, hkdfSync, randomBytes, timingSafeEqual } from 'node:crypto';

/** Secrets derived from ENCRYPTION_KEY, each for one purpose, so no two uses share a key. */
export interface DerivedKeys {
  /** AES-256-GCM key for data at rest (signing keys). */
  dataKey: Buffer;
  /** Keys that sign cookies; the same on every replica that shares ENCRYPTION_KEY. */
  cookieKeys: string[];
}

const SALT = Buffer.from('hearth-id');

export function deriveKeys(encryptionKey: Buffer): DerivedKeys {
  const derive = (info: string, length: number) => Buffer.from(hkdfSync('sha256', encryptionKey, SALT, info, length));
  return {
    dataKey: derive('data-encryption-v1', 32),
    cookieKeys: [derive('cookie-signing-v1', 32).toString('base64url')],
  };
}

export class DecryptionError extends Error {
  override name = 'DecryptionError';
}

const VERSION = 'v1';

/** Encrypts text with AES-256-GCM: "v1.<base64url(iv | ciphertext | tag)>". */
export function encrypt(key: Buffer, plaintext: string): string {
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', key, iv);
  const body = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
  return `${VERSION}.${Buffer.concat([iv, body, cipher.getAuthTag()]).toString('base64url')}`;
}

export function decrypt(key: Buffer, sealed: string): string {
  const [version, encoded] = sealed.split('.');
  if (version !== VERSION || encoded === undefined) throw new DecryptionError('unknown encryption format');
  const raw = Buffer.from(encoded, 'base64url');
  if (raw.length < 12 + 16) throw new DecryptionError('ciphertext too short');
  const decipher = createDecipheriv('aes-256-gcm', key, raw.subarray(0, 12));
  decipher.setAuthTag(raw.subarray(raw.length - 16));
  try {
    return Buffer.concat([decipher.update(raw.subarray(12, raw.length - 16)), decipher.final()]).toString('utf8');
  } catch {
    throw new DecryptionError('the data was encrypted with another key, or was altered');
  }
}

/** A URL-safe random token with the given number of random bytes. */
export function randomToken(bytes = 32): string {
  return randomBytes(bytes).toString('base64url');
}

/** Tokens and secrets are stored only as their SHA-256; they are random, so no slow hash is needed. */
export function hashToken(token: string): string {
  return createHash('sha256').update(token, 'utf8').digest('hex');
}

export function constantTimeEqual(a: string, b: string): boolean {
  const left = Buffer.from(a);
  const right = Buffer.from(b);
  return left.length === right.length && timingSafeEqual(left, right);
}
