// The last icon of every fallback chain: the first letter of the item's title on a tile
// whose colour comes from the title, so the same service always looks the same. The web
// app draws the same tile when it cannot reach this server at all (web/src/lib/icons.ts
// computes the colour the same way; both test the same values).

/**
 * `colour`: a white letter on a coloured tile. `mask`: the letter cut out of an opaque tile,
 * for icons the web app draws as a CSS mask in the text colour (Simple Icons, Material Design).
 */
export type LetterStyle = 'colour' | 'mask';

const CONTROL = /\p{Cc}/gu;
const segmenter = new Intl.Segmenter('en', { granularity: 'grapheme' });

/** The first character a reader sees (an emoji with its modifiers stays whole), upper case. */
export function letterOf(title: string): string {
  const first = segmenter.segment(title.replace(CONTROL, '').trim())[Symbol.iterator]().next();
  return first.done ? '?' : first.value.segment.toUpperCase();
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
 * A hue from the title, darkened until white text on it has a contrast of at least 4.5:1.
 * Dark enough for the letter, light enough to stand out on a dark theme's background.
 */
export function letterColour(title: string): string {
  let hash = 0x811c9dc5;
  const text = title.replace(CONTROL, '').trim().toLowerCase().slice(0, 256);
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

function escapeXml(text: string): string {
  return text.replace(/[&<>"']/g, (character) => `&#${character.charCodeAt(0)};`);
}

const FONT = `font-family="system-ui,-apple-system,'Segoe UI',Roboto,'Noto Sans',sans-serif" font-size="34" font-weight="700"`;
const TEXT = `x="32" y="33" text-anchor="middle" dominant-baseline="central" ${FONT}`;

export function letterTileSvg(title: string, style: LetterStyle = 'colour'): Buffer {
  const letter = escapeXml(letterOf(title));
  const open = '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 64 64" width="64" height="64">';
  if (style === 'mask') {
    return Buffer.from(
      `${open}<mask id="m"><rect width="64" height="64" rx="12" fill="#fff"/><text ${TEXT} fill="#000">${letter}</text></mask>` +
        `<rect width="64" height="64" rx="12" fill="#000" mask="url(#m)"/></svg>`,
    );
  }
  return Buffer.from(`${open}<rect width="64" height="64" rx="12" fill="${letterColour(title)}"/><text ${TEXT} fill="#fff">${letter}</text></svg>`);
}

/** For a logo or background that cannot be shown: nothing, without a failed request. */
export const BLANK_SVG = Buffer.from('<svg xmlns="http://www.w3.org/2000/svg" width="1" height="1"/>');
