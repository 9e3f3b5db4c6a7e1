import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { FastifyRequest } from 'fastify';
import type { AppContext } from '../app-context.js';
import { groupsOfUser } from '../groups/groups.js';
import { isSetupRequired } from '../setup/setup.js';

interface ManifestChunk {
  file: string;
  imports?: string[];
  css?: string[];
}

/**
 * The screen each page path opens first, as named in Vite's manifest. Preloading its chunks
 * from the HTML lets the browser fetch them beside the entry script, instead of after the
 * entry has run and asked for them (one round trip per level of imports).
 */
const FIRST_SCREENS: { pattern: RegExp; chunk: string }[] = [
  { pattern: /^\/(login)?$/, chunk: 'src/routes/login/LoginPage.svelte' },
  { pattern: /^\/setup$/, chunk: 'src/routes/setup/SetupPage.svelte' },
  { pattern: /^\/interaction\/[^/]+$/, chunk: 'src/routes/interaction/InteractionPage.svelte' },
];

/** `<link>` tags for a chunk and everything it imports statically, minus what the entry has already. */
function preloadTags(manifest: Record<string, ManifestChunk>, key: string): string {
  const entry = new Set<string>();
  const collect = (name: string, into: Set<string>) => {
    if (into.has(name) || !manifest[name]) return;
    into.add(name);
    for (const imported of manifest[name].imports ?? []) collect(imported, into);
  };
  collect('index.html', entry);
  const screen = new Set<string>();
  collect(key, screen);
  const tags: string[] = [];
  for (const name of screen) {
    const chunk = manifest[name]!;
    // Vite's own loader skips a file the page already links, so nothing loads twice.
    for (const css of chunk.css ?? []) tags.push(`<link rel="stylesheet" crossorigin href="/${css}">`);
    if (!entry.has(name)) tags.push(`<link rel="modulepreload" crossorigin href="/${chunk.file}">`);
  }
  return tags.join('');
}

/** Preload tags per first screen, worked out once from the build's manifest. */
export function readPreloadHints(webDir: string): (path: string) => string {
  const manifestFile = join(webDir, '.vite', 'manifest.json');
  if (!existsSync(manifestFile)) return () => '';
  const manifest = JSON.parse(readFileSync(manifestFile, 'utf8')) as Record<string, ManifestChunk>;
  const hints = FIRST_SCREENS.map(({ pattern, chunk }) => ({ pattern, tags: manifest[chunk] ? preloadTags(manifest, chunk) : '' }));
  return (path) => hints.find(({ pattern }) => pattern.test(path))?.tags ?? '';
}

/**
 * What the app would otherwise ask for before it can draw anything (GET /api/me,
 * GET /api/setup and, on a sign-in screen, its details), put into the page as a JSON block. The CSP forbids inline scripts, but a
 * `type="application/json"` block is data the browser never runs.
 */
export async function bootDataBlock(ctx: AppContext, request: FastifyRequest, interaction: unknown = null): Promise<string> {
  const session = request.session;
  const groups = session ? await groupsOfUser(ctx.database.db, session.user.id) : [];
  const data = {
    user: session?.user ?? null,
    groups: groups.map(({ id, name, friendlyName }) => ({ id, name, friendlyName })),
    setupRequired: await isSetupRequired(ctx.database),
    interaction,
  };
  // `<` escaped, so no value can close the block and start markup.
  const json = JSON.stringify(data).replace(/</g, '\\u003c');
  return `<script type="application/json" id="hearth-boot">${json}</script>`;
}
