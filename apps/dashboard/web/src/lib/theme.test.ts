import { describe, expect, it } from 'vitest';
import { availableThemes, builtInThemes, customVariables, knownTheme, resolveTheme, themeLabel } from './theme';

const light = { dark: false };
const dark = { dark: true };

describe('built-in themes', () => {
  it('has the default first and light, dark and high-contrast themes', () => {
    expect(builtInThemes[0]).toBe('default');
    expect(builtInThemes.length).toBeGreaterThanOrEqual(8);
    for (const name of ['minimal-light', 'minimal-dark', 'nord', 'dracula', 'high-contrast-light', 'high-contrast-dark', 'solarized-light']) {
      expect(builtInThemes).toContain(name);
    }
  });
});

describe('resolveTheme', () => {
  it('uses the default, which follows the system, when nothing is set', () => {
    expect(resolveTheme(null, undefined, light)).toEqual({ name: 'default', unknown: [] });
    expect(resolveTheme(null, {}, dark).name).toBe('default');
  });

  it('picks a high-contrast theme when the system asks for more contrast', () => {
    expect(resolveTheme(null, {}, { dark: true, moreContrast: true }).name).toBe('high-contrast-dark');
    expect(resolveTheme(null, {}, { dark: false, moreContrast: true }).name).toBe('high-contrast-light');
    expect(resolveTheme(null, { theme: 'nord' }, { dark: false, moreContrast: true }).name).toBe('nord');
  });

  it('uses appConfig.theme, whatever its case', () => {
    expect(resolveTheme(null, { theme: 'dracula' }, light).name).toBe('dracula');
    expect(resolveTheme(null, { theme: 'Nord' }, light).name).toBe('nord');
  });

  it('lets dayTheme and nightTheme follow the system, over appConfig.theme as in Dashy', () => {
    const config = { theme: 'nord', dayTheme: 'minimal-light', nightTheme: 'dracula' };
    expect(resolveTheme(null, config, light).name).toBe('minimal-light');
    expect(resolveTheme(null, config, dark).name).toBe('dracula');
    expect(resolveTheme(null, { theme: 'nord', nightTheme: 'dracula' }, light).name).toBe('nord');
    expect(resolveTheme(null, { nightTheme: 'dracula' }, light).name).toBe('default');
  });

  it('lets the theme picked in this browser win', () => {
    expect(resolveTheme('one-dark', { theme: 'nord', dayTheme: 'material', nightTheme: 'dracula' }, dark).name).toBe('one-dark');
  });

  it('passes over unknown names to the next source and reports them', () => {
    expect(resolveTheme('vaporwave', { theme: 'nord' }, light)).toEqual({ name: 'nord', requested: 'nord', unknown: ['vaporwave'] });
    expect(resolveTheme(null, { theme: 'argon' }, light)).toEqual({ name: 'default', unknown: ['argon'] });
  });

  it('knows themes the config defines, and Dashy names drawn by another theme', () => {
    expect(resolveTheme(null, { theme: 'mine', cssThemes: ['mine'] }, light).name).toBe('mine');
    expect(resolveTheme(null, { theme: 'glassy', customColors: { glassy: { primary: '#fff' } } }, light).name).toBe('glassy');
    expect(resolveTheme(null, { theme: 'material-original' }, light)).toEqual({ name: 'material', requested: 'material-original', unknown: [] });
    expect(knownTheme('NORD-FROST', {})).toBe('nord-frost');
    expect(knownTheme('nope', {})).toBeUndefined();
  });
});

describe('availableThemes', () => {
  it('adds config themes after the built-in ones, once each', () => {
    const names = availableThemes({ cssThemes: 'mine', customColors: { mine: {}, nord: {}, other: {} } });
    expect(names.slice(0, builtInThemes.length)).toEqual(builtInThemes);
    expect(names.slice(builtInThemes.length)).toEqual(['mine', 'other']);
  });
});

describe('customVariables', () => {
  it('sets Dashy variables and their Hearth counterparts', () => {
    const variables = customVariables({ primary: '#ff6b6b', 'item-text-color': '#111', 'curve-factor': '3px', background: '#1a1a2e' });
    expect(Object.fromEntries(variables)).toEqual({
      '--primary': '#ff6b6b',
      '--item-text-color': '#111',
      '--item-text': '#111',
      '--curve-factor': '3px',
      '--radius': '3px',
      '--background': '#1a1a2e',
    });
  });

  it('lets a Hearth name given alongside win over the Dashy one', () => {
    const variables = customVariables({ 'item-text': '#000', 'item-text-color': '#111' });
    expect(variables.get('--item-text')).toBe('#000');
  });

  it('skips names that are not CSS identifiers and values that are not text', () => {
    const variables = customVariables({ 'a;b': 'red', 'x}': 'red', nested: { a: 1 } as unknown as string, ok: 2 });
    expect(Object.fromEntries(variables)).toEqual({ '--ok': '2' });
  });
});

describe('themeLabel', () => {
  it('reads well in the picker', () => {
    expect(themeLabel('high-contrast-dark')).toBe('High contrast dark');
    expect(themeLabel('default')).toBe('Default');
  });
});
