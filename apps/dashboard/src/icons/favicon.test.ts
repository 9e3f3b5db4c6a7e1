import { describe, expect, it } from 'vitest';
import { decodeDataUrl, faviconCandidates } from './favicon.js';

const page = new URL('http://nas.lan:8080/app/index.html');

describe('faviconCandidates', () => {
  it('resolves hrefs against the page and prefers SVG, then the largest size up to 256 px', () => {
    const html = `<!doctype html><html><head>
      <link rel="stylesheet" href="/style.css">
      <link rel="icon" href="favicon-16.png" sizes="16x16">
      <link rel='shortcut icon' href='/favicon.ico'>
      <LINK REL="apple-touch-icon" HREF="/touch.png">
      <link rel="icon" type="image/png" sizes="192x192" href="/android-192.png">
      <link rel="icon" sizes="1024x1024" href="/huge.png">
      <link rel="icon" type="image/svg+xml" href="https://cdn.example/logo.svg?v=2&amp;x=1">
      <link rel="mask-icon" href="/mask.svg">
    </head><body><link rel="icon" href="/in-body.png"></body></html>`;
    expect(faviconCandidates(html, page)).toEqual([
      'https://cdn.example/logo.svg?v=2&x=1',
      'http://nas.lan:8080/android-192.png',
      'http://nas.lan:8080/touch.png',
      'http://nas.lan:8080/huge.png',
      'http://nas.lan:8080/favicon.ico',
      'http://nas.lan:8080/app/favicon-16.png',
    ]);
  });

  it('honours <base href>, keeps data: icons and drops other schemes', () => {
    const html = `<head><base href="/static/"><link rel=icon href=icon.png>
      <link rel="icon" href="data:image/png;base64,iVBORw0KGgo=">
      <link rel="icon" href="javascript:alert(1)"><link rel="icon" href="file:///etc/passwd"></head>`;
    expect(faviconCandidates(html, page)).toEqual(['http://nas.lan:8080/static/icon.png', 'data:image/png;base64,iVBORw0KGgo=']);
  });

  it('finds nothing in a page without icon links', () => {
    expect(faviconCandidates('<html><head><title>x</title></head></html>', page)).toEqual([]);
    expect(faviconCandidates('not html at all', page)).toEqual([]);
  });
});

describe('decodeDataUrl', () => {
  it('decodes base64 and percent-encoded image data URLs, and refuses the rest', () => {
    expect(decodeDataUrl('data:image/png;base64,iVBORw0KGgo=')?.subarray(0, 4)).toEqual(Buffer.from([0x89, 0x50, 0x4e, 0x47]));
    expect(decodeDataUrl('data:image/svg+xml;charset=utf-8,%3Csvg%2F%3E')?.toString()).toBe('<svg/>');
    expect(decodeDataUrl('data:text/html,<script>')).toBeNull();
    expect(decodeDataUrl('data:image/svg+xml,%E0%A4%A')).toBeNull();
  });
});
