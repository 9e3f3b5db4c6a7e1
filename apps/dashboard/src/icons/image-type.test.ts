import { describe, expect, it } from 'vitest';
import { acceptedImageType, imageHeaders, imageTypeOfExtension, sniffImageType } from './image-type.js';

const bytes = (...values: number[]) => Uint8Array.from(values);
const text = (value: string) => new TextEncoder().encode(value);

describe('sniffImageType', () => {
  it('recognises raster formats by their first bytes', () => {
    expect(sniffImageType(bytes(0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0))).toBe('image/png');
    expect(sniffImageType(bytes(0xff, 0xd8, 0xff, 0xe0))).toBe('image/jpeg');
    expect(sniffImageType(text('GIF89a....'))).toBe('image/gif');
    expect(sniffImageType(text('RIFF\0\0\0\0WEBPVP8 '))).toBe('image/webp');
    expect(sniffImageType(bytes(0, 0, 0, 0x1c, ...text('ftypavif')))).toBe('image/avif');
    expect(sniffImageType(bytes(0, 0, 1, 0, 1, 0))).toBe('image/x-icon');
  });

  it('recognises SVG after an XML declaration, comments and a doctype, and nothing that merely mentions it', () => {
    expect(sniffImageType(text('\uFEFF<?xml version="1.0"?>\n<!-- made by hand -->\n<!DOCTYPE svg>\n<svg xmlns="http://www.w3.org/2000/svg"/>'))).toBe('image/svg+xml');
    expect(sniffImageType(text('<svg>'))).toBe('image/svg+xml');
    expect(sniffImageType(text('<html><body><svg></svg></body></html>'))).toBeNull();
    expect(sniffImageType(text('<svgfoo>'))).toBeNull();
    expect(sniffImageType(text(''))).toBeNull();
  });
});

describe('acceptedImageType', () => {
  const png = bytes(0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a);
  it('needs an image (or unhelpful) declared type and bytes that agree', () => {
    expect(acceptedImageType('image/png', png)).toBe('image/png');
    expect(acceptedImageType('application/octet-stream', png)).toBe('image/png');
    expect(acceptedImageType('image/jpeg', png)).toBe('image/png');
    expect(acceptedImageType('text/html', png)).toBeNull();
    expect(acceptedImageType('image/png', text('<html>not an image</html>'))).toBeNull();
  });
});

describe('imageTypeOfExtension and imageHeaders', () => {
  it('maps image extensions only', () => {
    expect(imageTypeOfExtension('Jellyfin.PNG')).toBe('image/png');
    expect(imageTypeOfExtension('logo.svg')).toBe('image/svg+xml');
    expect(imageTypeOfExtension('notes.html')).toBeNull();
    expect(imageTypeOfExtension('noextension')).toBeNull();
  });

  it('locks SVG documents down', () => {
    expect(imageHeaders('image/svg+xml')).toEqual({
      'content-type': 'image/svg+xml',
      'x-content-type-options': 'nosniff',
      'content-security-policy': "default-src 'none'; style-src 'unsafe-inline'",
    });
    expect(imageHeaders('image/png')['content-security-policy']).toBeUndefined();
  });
});
