// The last icon of every fallback chain: the first letter of the item's title on a tile
// whose colour comes from the title (letter.ts, shared with the web app, which draws the
// same tile when it cannot reach this server at all).
import { letterColour, letterOf } from './letter.js';

export { letterColour, letterOf };

/**
 * `colour`: a white letter on a coloured tile. `mask`: the letter cut out of an opaque tile,
 * for icons the web app draws as a CSS mask in the text colour (Simple Icons, Material Design).
 */
export type LetterStyle = 'colour' | 'mask';

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
