// Decides from the bytes what an icon really is. The content type a remote host declares is
// a claim; what this server sends on is chosen from a short list, so a page that says it is
// an image (or an image that is really HTML) is never served as something a browser runs.

export type ImageType =
  | 'image/png'
  | 'image/jpeg'
  | 'image/gif'
  | 'image/webp'
  | 'image/avif'
  | 'image/bmp'
  | 'image/x-icon'
  | 'image/svg+xml';

function startsWith(body: Uint8Array, bytes: readonly number[], offset = 0): boolean {
  return bytes.every((byte, index) => body[offset + index] === byte);
}

function ascii(body: Uint8Array, from: number, to: number): string {
  return String.fromCharCode(...body.subarray(from, to));
}

const SVG_START = /^(?:\s|<\?xml[^>]*>|<!--[\s\S]*?-->|<!DOCTYPE[^>]*>)*<svg[\s>]/i;

/** The type of a raster or SVG image, or null for anything else. */
export function sniffImageType(body: Uint8Array): ImageType | null {
  if (startsWith(body, [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])) return 'image/png';
  if (startsWith(body, [0xff, 0xd8, 0xff])) return 'image/jpeg';
  if (ascii(body, 0, 6) === 'GIF87a' || ascii(body, 0, 6) === 'GIF89a') return 'image/gif';
  if (ascii(body, 0, 4) === 'RIFF' && ascii(body, 8, 12) === 'WEBP') return 'image/webp';
  if (ascii(body, 4, 8) === 'ftyp' && /^avi[fs]$/.test(ascii(body, 8, 12))) return 'image/avif';
  if (startsWith(body, [0x00, 0x00, 0x01, 0x00]) || startsWith(body, [0x00, 0x00, 0x02, 0x00])) return 'image/x-icon';
  if (ascii(body, 0, 2) === 'BM' && body.length > 26) return 'image/bmp';
  const text = new TextDecoder().decode(body.subarray(0, 4096)).replace(/^\uFEFF/, '');
  if (SVG_START.test(text)) return 'image/svg+xml';
  return null;
}

/**
 * The type to serve a fetched body as, or null when it is not an image. The declared type
 * must claim an image (or say nothing useful: some servers send .ico files as
 * application/octet-stream), and the bytes must agree.
 */
export function acceptedImageType(declared: string, body: Uint8Array): ImageType | null {
  const claimsImage = declared.startsWith('image/') || declared === '' || declared === 'application/octet-stream' || declared === 'binary/octet-stream';
  if (!claimsImage) return null;
  return sniffImageType(body);
}

const EXTENSION_TYPES: Record<string, ImageType> = {
  png: 'image/png',
  jpg: 'image/jpeg',
  jpeg: 'image/jpeg',
  gif: 'image/gif',
  webp: 'image/webp',
  avif: 'image/avif',
  bmp: 'image/bmp',
  ico: 'image/x-icon',
  svg: 'image/svg+xml',
};

export function imageTypeOfExtension(fileName: string): ImageType | null {
  const extension = /\.([a-z0-9]+)$/i.exec(fileName)?.[1]?.toLowerCase();
  return extension ? (EXTENSION_TYPES[extension] ?? null) : null;
}

/**
 * Headers every icon response carries. An SVG opened on its own is a document that could run
 * script; this policy lets it draw and nothing else.
 */
export function imageHeaders(type: string): Record<string, string> {
  const headers: Record<string, string> = { 'content-type': type, 'x-content-type-options': 'nosniff' };
  if (type === 'image/svg+xml') {
    headers['content-security-policy'] = "default-src 'none'; style-src 'unsafe-inline'";
  }
  return headers;
}
