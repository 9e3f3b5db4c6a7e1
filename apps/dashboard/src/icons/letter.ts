// The letter and colour of a letter tile, the last icon of every fallback chain: the same
// service always looks the same. Shared by the server (letter-tile.ts draws the SVG) and the
// web app (which draws the tile itself when it cannot reach the server), so plain TypeScript
// with no Node.js imports.

// Made on first need: a Segmenter loads the break rules, some 30-40 ms of a page's start.
let segmenter: Intl.Segmenter | null | undefined;
const ASCII_PAIR = /^[\x20-\x7e][\x20-\x7e]?$/;

/** The first character a reader sees (an emoji with its modifiers stays whole), upper case. */
export function letterOf(title: string): string {
  const text = (title ?? '').replace(/\p{Cc}/gu, '').trim();
  // An ASCII character followed by another (or nothing) is a whole grapheme by itself.
  if (ASCII_PAIR.test(text.slice(0, 2))) return text.charAt(0).toUpperCase();
  segmenter ??= typeof Intl.Segmenter === 'function' ? new Intl.Segmenter(undefined, { granularity: 'grapheme' }) : null;
  const first = segmenter ? segmenter.segment(text)[Symbol.iterator]().next().value?.segment : [...text][0];
  return first ? first.toUpperCase() : '?';
}

function hslToRgb(hue: number, saturation: number, lightness: number): [number, number, number] {
  const chroma = (1 - Math.abs(2 * lightness - 1)) * saturation;
  const x = chroma * (1 - Math.abs(((hue / 60) % 2) - 1));
  const m = lightness - chroma / 2;
  const [r, g, b] =
    hue < 60 ? [chroma, x, 0] : hue < 120 ? [x, chroma, 0] : hue < 180 ? [0, chroma, x] : hue < 240 ? [0, x, chroma] : hue < 300 ? [x, 0, chroma] : [chroma, 0, x];
  return [Math.round((r + m) * 255), Math.round((g + m) * 255), Math.round((b + m) * 255)];
}

function luminance(rgb: [number, number, number]): number {
  const [r, g, b] = rgb.map((channel) => {
    const value = channel / 255;
    return value <= 0.04045 ? value / 12.92 : ((value + 0.055) / 1.055) ** 2.4;
  }) as [number, number, number];
  return 0.2126 * r + 0.7152 * g + 0.0722 * b;
}

/**
 * The colour of a title's letter tile: a hue from the title, darkened until white text on it has a contrast of at least 4.5:1.
 */
export function letterColour(title: string): string {
  let hash = 0x811c9dc5;
  const text = (title ?? '').replace(/\p{Cc}/gu, '').trim().toLowerCase().slice(0, 256);
  for (let index = 0; index < text.length; index += 1) {
    hash = Math.imul(hash ^ text.charCodeAt(index), 0x01000193);
  }
  const hue = (hash >>> 0) % 360;
  let rgb = hslToRgb(hue, 0.55, 0.45);
  for (let step = 1; step <= 12 && 1.05 / (luminance(rgb) + 0.05) < 4.5; step += 1) {
    rgb = hslToRgb(hue, 0.55, (45 - 2 * step) / 100);
  }
  return `#${rgb.map((channel) => channel.toString(16).padStart(2, '0')).join('')}`;
}
