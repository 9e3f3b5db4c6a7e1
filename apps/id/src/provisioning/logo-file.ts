import { open } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { checkLogo, LOGO_MAX_BYTES, logoTooLarge } from '../clients/logos.js';
import { DomainError } from '../errors.js';
import type { ClientEntry } from './schema.js';
import { entryLabel } from './load.js';

/**
 * A client's `logoFile`, read and checked as an upload is: the bytes, null for `logoFile: null`,
 * undefined when the entry leaves the logo alone, or a problem naming the entry and field.
 */
export async function readLogoFile(file: string, client: ClientEntry, index: number): Promise<Uint8Array | null | undefined | { problem: string }> {
  if (client.logoFile === undefined || client.logoFile === null) return client.logoFile;
  const label = entryLabel('clients', index, client.clientId);
  const path = resolve(dirname(file), client.logoFile);
  let bytes: Uint8Array;
  try {
    // The size decides before reading, so a huge file named by mistake is never loaded.
    const handle = await open(path, 'r');
    try {
      const size = (await handle.stat()).size;
      if (size > LOGO_MAX_BYTES) throw logoTooLarge(size);
      if (size === 0) return { problem: `${label}: logoFile ${path} is empty` };
      const buffer = Buffer.alloc(size);
      const { bytesRead } = await handle.read(buffer, 0, size, 0);
      bytes = buffer.subarray(0, bytesRead);
    } finally {
      await handle.close();
    }
    checkLogo(bytes);
  } catch (error) {
    if (!(error instanceof DomainError)) {
      return { problem: `${label}: logoFile cannot be read: ${path} (${(error as NodeJS.ErrnoException).code ?? 'error'})` };
    }
    return { problem: `${label}: logoFile ${path}: ${error.message.charAt(0).toLowerCase()}${error.message.slice(1)}` };
  }
  return bytes;
}
