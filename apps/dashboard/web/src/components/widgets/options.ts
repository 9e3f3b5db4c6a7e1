// How Dashy reads a widget entry: the widget-level keys (label, timeout, updateInterval,
// ignoreErrors) folded under `options`, where the options win.
import type { Widget } from '../../lib/types';

export type WidgetOptions = Record<string, unknown>;

export function widgetOptions(widget: Widget): WidgetOptions {
  const own = typeof widget.options === 'object' && widget.options !== null && !Array.isArray(widget.options) ? widget.options : {};
  return {
    timeout: widget.timeout ?? null,
    ignoreErrors: widget.ignoreErrors === true,
    label: widget.label ?? null,
    updateInterval: widget.updateInterval ?? null,
    ...own,
  };
}

/**
 * Milliseconds between refreshes, or 0 for none. Dashy's rules: unset means the widget's
 * own default; `true` means every 30 s; a number from 2 to 7200 is seconds; anything else
 * (0, false, out of range) turns refreshing off.
 */
export function updateIntervalMs(value: unknown, defaultSeconds: number): number {
  if (value === null || value === undefined) return defaultSeconds * 1000;
  if (value === true) return 30_000;
  if (typeof value === 'number' && value >= 2 && value <= 7200) return value * 1000;
  return 0;
}

export function stringOption(options: WidgetOptions, name: string): string | null {
  const value = options[name];
  if (typeof value === 'string' && value.trim() !== '') return value.trim();
  if (typeof value === 'number') return String(value);
  return null;
}

/** Dashy accepts `200` (pixels) or any CSS length such as `50%` or `12rem`. */
export function cssLength(value: unknown): string | null {
  if (typeof value === 'number' && Number.isFinite(value)) return `${value}px`;
  if (typeof value !== 'string' || value.trim() === '') return null;
  const text = value.trim();
  if (/^\d+(\.\d+)?$/.test(text)) return `${text}px`;
  return /^\d+(\.\d+)?(px|em|rem|%|vh|vw|ch)$/.test(text) ? text : null;
}
