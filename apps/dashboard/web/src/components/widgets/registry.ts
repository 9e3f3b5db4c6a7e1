// The widget types Hearth draws, by Dashy's type name. Each is a separate chunk loaded on
// first use, so a dashboard without widgets (or without Glances) downloads none of them.
import type { Component } from 'svelte';
import type { WidgetOptions } from './options';

export interface WidgetProps {
  /** The widget's options, with Dashy's widget-level keys folded in (see widgetOptions). */
  options: WidgetOptions;
  /** Goes up each time the person asks for fresh data. */
  refresh: number;
  /** For components that draw several types (e.g. the history charts). */
  variant?: string;
}

type Loader = () => Promise<{ default: Component<WidgetProps> }>;

export interface WidgetKind {
  /** The card's title when the widget has no `label`. */
  title: string;
  load: Loader;
  variant?: string;
  /** Has data that a refresh button can re-read. */
  refreshable: boolean;
}

const history: Loader = () => import('./GlHistory.svelte');
const facts: Loader = () => import('./GlFacts.svelte');
const cores: Loader = () => import('./GlCpuCores.svelte');
const data = (title: string, load: Loader, variant?: string): WidgetKind => ({ title, load, refreshable: true, ...(variant ? { variant } : {}) });

const KINDS: Record<string, WidgetKind> = {
  clock: { title: 'Clock', load: () => import('./Clock.svelte'), refreshable: false },
  iframe: { title: 'Web page', load: () => import('./IframeWidget.svelte'), refreshable: true },
  image: { title: 'Image', load: () => import('./ImageWidget.svelte'), refreshable: true },
  'gl-current-cpu': data('CPU', () => import('./GlCurrentCpu.svelte')),
  'gl-current-mem': data('Memory', () => import('./GlCurrentMem.svelte')),
  'gl-current-cores': data('CPU cores', cores),
  'gl-cpu-cores': data('CPU cores', cores),
  'gl-disk-space': data('Disk space', () => import('./GlDiskSpace.svelte')),
  'gl-disk-io': data('Disk activity', () => import('./GlDiskIo.svelte')),
  'gl-system-load': data('System load', () => import('./GlSystemLoad.svelte')),
  'gl-cpu-history': data('CPU history', history, 'cpu'),
  'gl-mem-history': data('Memory history', history, 'mem'),
  'gl-load-history': data('Load history', history, 'load'),
  'gl-network-traffic': data('Network traffic', history, 'network'),
  'gl-network-interfaces': data('Network interfaces', () => import('./GlNetworkInterfaces.svelte')),
  'gl-cpu-temp': data('Temperatures', () => import('./GlCpuTemp.svelte')),
  'gl-alerts': data('Alerts', () => import('./GlAlerts.svelte')),
  'gl-ip-address': data('IP addresses', facts, 'ip'),
  'gl-uptime': data('Uptime', facts, 'uptime'),
};

/** Dashy compares widget types case-insensitively. */
export function widgetKind(type: string): WidgetKind | null {
  const key = type.trim().toLowerCase();
  return Object.hasOwn(KINDS, key) ? (KINDS[key] ?? null) : null;
}

export const SUPPORTED_WIDGET_TYPES: readonly string[] = Object.keys(KINDS);
