import { describe, expect, it } from 'vitest';
import { letterColour, letterOf, letterTileSvg } from './letter-tile.js';

function contrastWithWhite(hex: string): number {
  const [r, g, b] = [1, 3, 5].map((at) => {
    const value = parseInt(hex.slice(at, at + 2), 16) / 255;
    return value <= 0.04045 ? value / 12.92 : ((value + 0.055) / 1.055) ** 2.4;
  }) as [number, number, number];
  return 1.05 / (0.2126 * r + 0.7152 * g + 0.0722 * b + 0.05);
}

describe('letter tiles', () => {
  it('take the first character a reader sees, upper case', () => {
    expect(letterOf('plex')).toBe('P');
    expect(letterOf('  émby')).toBe('É');
    expect(letterOf('👩🏽‍💻 Dev')).toBe('👩🏽‍💻');
    expect(letterOf('\u0007bell')).toBe('B');
    expect(letterOf('   ')).toBe('?');
  });

  it('colour a title the same way every time (the web app tests the same values)', () => {
    expect(letterColour('Plex')).toBe(letterColour(' plex '));
    expect(['Plex', 'Home Assistant', 'Zulu', ''].map(letterColour)).toEqual(['#b25e34', '#26822f', '#268281', '#717321']);
  });

  it('keep white letters readable on every hue', () => {
    const colours = new Set<string>();
    for (let index = 0; index < 720; index += 1) {
      const colour = letterColour(`service ${index}`);
      colours.add(colour);
      expect(contrastWithWhite(colour), colour).toBeGreaterThanOrEqual(4.5);
    }
    expect(colours.size).toBeGreaterThan(100);
  });

  it('escape the letter, and draw nothing but a tile and a letter', () => {
    const svg = letterTileSvg('<script>alert(1)</script>').toString();
    expect(svg).toContain('>&#60;</text>');
    expect(svg).not.toContain('<script');
    expect(letterTileSvg('"quoted').toString()).toContain('>&#34;</text>');
    expect(letterTileSvg('&amp').toString()).toContain('>&#38;</text>');
    const tags = [...svg.matchAll(/<([a-z]+)/g)].map((match) => match[1]);
    expect(tags).toEqual(['svg', 'rect', 'text']);
    expect([...letterTileSvg('Sonarr', 'mask').toString().matchAll(/<([a-z]+)/g)].map((match) => match[1])).toEqual(['svg', 'mask', 'rect', 'text', 'rect']);
  });
});
