// Image files the owner put in USER_DATA_DIR/item-icons, which Dashy serves at
// /item-icons/<file> (an item with `icon: jellyfin.png` shows that file). Only image files
// inside that folder are served: no dot-files, no `..`, no symlinks that lead out of it.
// Logos and backgrounds named by a path are found the same way in USER_DATA_DIR itself.
import { realpath, stat } from 'node:fs/promises';
import { join, sep } from 'node:path';
import { imageTypeOfExtension } from './image-type.js';
import type { ImageType } from './image-type.js';

export const ITEM_ICONS_FOLDER = 'item-icons';
export const MAX_ITEM_ICON_BYTES = 5 * 1024 * 1024;

const SEGMENT = /^[A-Za-z0-9_][A-Za-z0-9 _.,+@()-]{0,127}$/;
const MAX_DEPTH = 4;

/** The segments of a safe relative path to an image file, or null. */
export function itemIconSegments(requested: string): string[] | null {
  const segments = requested.split('/');
  if (segments.length > MAX_DEPTH) return null;
  if (segments.some((segment) => !SEGMENT.test(segment) || segment.includes('..'))) return null;
  return imageTypeOfExtension(segments.at(-1)!) ? segments : null;
}

export interface ItemIconFile {
  path: string;
  type: ImageType;
  size: number;
  mtimeMs: number;
}

export type ItemIconLookup = { ok: true; file: ItemIconFile } | { ok: false; status: 400 | 404; reason: string };

export async function findItemIcon(userDataDir: string, requested: string): Promise<ItemIconLookup> {
  const segments = itemIconSegments(requested);
  if (!segments) {
    return { ok: false, status: 400, reason: 'expected /item-icons/<file>.<png|jpg|jpeg|gif|webp|avif|bmp|ico|svg>, letters, digits, spaces and . _ - only' };
  }
  const file = await findImageFile(join(userDataDir, ITEM_ICONS_FOLDER), segments, MAX_ITEM_ICON_BYTES);
  return file ? { ok: true, file } : { ok: false, status: 404, reason: `no file ${segments.join('/')} in ${ITEM_ICONS_FOLDER}/` };
}

/** The image file at `segments` (from itemIconSegments) really inside `folder`, or null. */
export async function findImageFile(folder: string, segments: readonly string[], maxBytes: number): Promise<ItemIconFile | null> {
  try {
    const root = await realpath(folder);
    const path = await realpath(join(root, ...segments));
    // A symbolic link may stay inside the folder and still lead to a hidden or non-image file.
    const inside = path.startsWith(root + sep) ? path.slice(root.length + 1).split(sep) : null;
    if (!inside || inside.some((segment) => segment.startsWith('.')) || !imageTypeOfExtension(path)) return null;
    const info = await stat(path);
    if (!info.isFile() || info.size > maxBytes) return null;
    return { path, type: imageTypeOfExtension(segments.at(-1)!)!, size: info.size, mtimeMs: info.mtimeMs };
  } catch {
    return null;
  }
}
