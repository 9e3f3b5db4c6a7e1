// Which theme the page wears, and the config's colour and CSS overrides. The default theme's
// variables ship with the app; every other theme is a small stylesheet fetched when first
// used, so a dashboard pays only for the theme it shows.
import '../themes/default.css';
import { localStorageKeys, readStored } from './storage-keys';
import type { AppConfig } from './types';

const sheetUrls = import.meta.glob(['../themes/*.css', '!../themes/default.css'], { query: '?url', import: 'default', eager: true }) as Record<string, string>;
const sheetByTheme = new Map(Object.entries(sheetUrls).map(([path, url]) => [path.replace(/^.*\/|\.css$/g, ''), url]));

export const DEFAULT_THEME = 'default';

/** Built-in theme names, the default first. */
export const builtInThemes: readonly string[] = [DEFAULT_THEME, ...[...sheetByTheme.keys()].sort()];

/** Names Dashy used for themes Hearth draws a little differently. */
const aliases: Readonly<Record<string, string>> = {
  'material-original': 'material',
  'material-dark-original': 'material-dark',
};

/** Dashy's variable names, for `customColors` written for Dashy, mapped onto Hearth's. */
const dashyVariables: Readonly<Record<string, string>> = {
  'item-text-color': 'item-text',
  'heading-text-color': 'heading-text',
  'item-group-background': 'section-background',
  'item-group-heading-text-color': 'heading-text',
  'curve-factor': 'radius',
  'outline-color': 'focus-ring',
  'font-monospace': 'font-mono',
  'item-shadow': 'shadow',
  'medium-grey': 'muted-text',
};

export interface SystemPreference {
  dark: boolean;
  moreContrast?: boolean;
}

export interface ThemeChoice {
  /** The theme to show: a built-in name, or a custom name from `cssThemes`/`customColors`. */
  name: string;
  /** The name as the browser or the config spelled it (`material-original` for `material`). */
  requested?: string;
  /** Names that were asked for but are unknown, in the order they were skipped. */
  unknown: string[];
}

type ColorMap = Record<string, Record<string, unknown>>;

function asList(value: unknown): string[] {
  if (typeof value === 'string') return [value];
  return Array.isArray(value) ? value.filter((entry): entry is string => typeof entry === 'string') : [];
}

function colorMap(value: unknown): ColorMap {
  return value && typeof value === 'object' && !Array.isArray(value) ? (value as ColorMap) : {};
}

/** Themes a person can pick: the built-in ones, then those the config defines (`cssThemes`, `customColors`). */
export function availableThemes(appConfig: AppConfig | undefined): string[] {
  const custom = [...asList(appConfig?.cssThemes), ...Object.keys(colorMap(appConfig?.customColors))];
  const names = [...builtInThemes];
  for (const name of custom) if (!findTheme(name, names)) names.push(name);
  return names;
}

/** The spelling a theme name has in this config (`Nord` is `nord`), or undefined when unknown. */
export function knownTheme(requested: string, appConfig: AppConfig | undefined): string | undefined {
  return findTheme(requested, availableThemes(appConfig));
}

function findTheme(requested: string, names: readonly string[]): string | undefined {
  const wanted = requested.trim().toLowerCase();
  const canonical = aliases[wanted] ?? wanted;
  return names.find((name) => name.toLowerCase() === canonical);
}

/**
 * The theme to show. As in Dashy: the one this browser picked, else `nightTheme`/`dayTheme`
 * for the system's colour scheme, else `appConfig.theme`; an unknown name passes to the next
 * source. Without any, the default, which follows the system's light or dark setting (and a
 * high-contrast theme when the system asks for more contrast).
 */
export function resolveTheme(stored: string | null, appConfig: AppConfig | undefined, system: SystemPreference): ThemeChoice {
  const names = availableThemes(appConfig);
  const unknown: string[] = [];
  const scheduled = system.dark ? appConfig?.nightTheme : appConfig?.dayTheme;
  for (const candidate of [stored, scheduled, appConfig?.theme]) {
    if (typeof candidate !== 'string' || candidate.trim() === '') continue;
    const found = findTheme(candidate, names);
    if (found) return { name: found, requested: candidate, unknown };
    unknown.push(candidate);
  }
  if (system.moreContrast) return { name: system.dark ? 'high-contrast-dark' : 'high-contrast-light', unknown };
  return { name: DEFAULT_THEME, unknown };
}

/** A readable name for the picker: `high-contrast-dark` becomes "High contrast dark". */
export function themeLabel(name: string): string {
  const spaced = name.replace(/[-_]+/g, ' ').trim();
  return spaced.charAt(0).toUpperCase() + spaced.slice(1);
}

/** The CSS variables a theme's custom colours set, with Dashy's names translated. */
export function customVariables(colors: Record<string, unknown> | undefined): Map<string, string> {
  const variables = new Map<string, string>();
  for (const [key, value] of Object.entries(colors ?? {})) {
    if (!/^[a-z0-9-]+$/i.test(key) || (typeof value !== 'string' && typeof value !== 'number')) continue;
    const name = key.replace(/^--/, '');
    variables.set(`--${name}`, String(value));
    const ours = dashyVariables[name];
    if (ours && !Object.hasOwn(colors ?? {}, ours)) variables.set(`--${ours}`, String(value));
  }
  return variables;
}

// ---- the page ---------------------------------------------------------------------------

const darkQuery = () => matchMedia('(prefers-color-scheme: dark)');
const contrastQuery = () => matchMedia('(prefers-contrast: more)');
const loadingSheets = new Map<string, Promise<void>>();
let currentConfig: AppConfig | undefined;
let listening = false;
let applied = 0;
let customisedVariables: string[] = [];
/** The pick of this page when the browser refuses storage (private modes, policies). */
let unstoredPick: string | null = null;
const warned = new Set<string>();

function loadSheet(theme: string): Promise<void> {
  const url = sheetByTheme.get(theme);
  if (!url) return Promise.resolve();
  let loading = loadingSheets.get(theme);
  if (!loading) {
    loading = new Promise<void>((resolve) => {
      const link = document.createElement('link');
      link.rel = 'stylesheet';
      link.href = url;
      link.dataset.themeSheet = theme;
      link.onload = () => resolve();
      // A sheet that fails (server restarted with a new build, network gone) leaves the
      // default colours on screen and is fetched again next time the theme is asked for.
      link.onerror = () => {
        console.warn(`The "${theme}" theme could not be loaded from ${url}.`);
        link.remove();
        loadingSheets.delete(theme);
        resolve();
      };
      // Before the config's custom CSS, which must keep the last word.
      document.head.insertBefore(link, document.getElementById('hearth-custom-css'));
    });
    loadingSheets.set(theme, loading);
  }
  return loading;
}

/** The theme this browser picked in the theme picker, if any. */
export function storedTheme(): string | null {
  try {
    return localStorage.getItem(localStorageKeys.THEME);
  } catch {
    return unstoredPick;
  }
}

function setCustomColors(names: readonly string[]): void {
  const root = document.documentElement;
  for (const name of customisedVariables) root.style.removeProperty(name);
  // Colours saved in this browser win over the config's, as in Dashy.
  const all: ColorMap = { ...colorMap(currentConfig?.customColors), ...colorMap(readStored<unknown>(localStorageKeys.CUSTOM_COLORS, {})) };
  const key = Object.keys(all).find((key) => names.some((name) => name.toLowerCase() === key.toLowerCase()));
  const variables = customVariables(key ? all[key] : undefined);
  for (const [name, value] of variables) root.style.setProperty(name, value);
  customisedVariables = [...variables.keys()];
}

function setCustomCss(css: unknown): void {
  let style = document.getElementById('hearth-custom-css');
  if (typeof css !== 'string' || css.trim() === '') {
    style?.remove();
    return;
  }
  if (!style) {
    style = document.createElement('style');
    style.id = 'hearth-custom-css';
    document.head.append(style);
  }
  style.textContent = css;
}

async function show(): Promise<void> {
  const run = ++applied;
  const stored = storedTheme();
  const choice = resolveTheme(stored, currentConfig, { dark: darkQuery().matches, moreContrast: contrastQuery().matches });
  for (const name of choice.unknown) {
    if (warned.has(name)) continue;
    warned.add(name);
    console.warn(`Unknown theme "${name}"; showing "${choice.name}" instead.`);
  }
  // Switch only once the sheet is there, so the page never shows half a theme.
  await loadSheet(choice.name);
  if (run !== applied) return;
  document.documentElement.dataset.theme = choice.name;
  setCustomColors(choice.requested ? [choice.name, choice.requested.trim()] : [choice.name]);
}

function listen(): void {
  if (listening) return;
  listening = true;
  const again = () => void show();
  darkQuery().addEventListener('change', again);
  contrastQuery().addEventListener('change', again);
  // Another tab picked a theme: follow it.
  window.addEventListener('storage', (event) => {
    if (event.key === null || event.key === localStorageKeys.THEME || event.key === localStorageKeys.CUSTOM_COLORS) again();
  });
}

/** Shows the theme for this config (call again when the config changes); resolves once it is on screen. */
export function applyTheme(appConfig: AppConfig | undefined): Promise<void> {
  currentConfig = appConfig;
  listen();
  setCustomCss(appConfig?.customCss);
  return show();
}

/** Remembers a theme for this browser (null: back to what the config and system say) and shows it. */
export function chooseTheme(name: string | null): Promise<void> {
  unstoredPick = name;
  try {
    if (name) localStorage.setItem(localStorageKeys.THEME, name);
    else localStorage.removeItem(localStorageKeys.THEME);
  } catch {
    // Storage is off: the pick lasts until the page reloads.
  }
  return show();
}

// The stored theme is known before the config arrives: fetch its sheet in the meantime.
if (typeof document !== 'undefined') {
  const early = storedTheme();
  const found = early ? findTheme(early, builtInThemes) : undefined;
  if (found) void loadSheet(found);
}
