// Icon files shipped in npm packages: Font Awesome's stylesheet and fonts, Simple Icons and
// Material Design Icons. They describe no one's dashboard, so they are public, and they
// change only with the package, so their ETag is a hash of the file.
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { brotliCompressSync, constants as zlibConstants, gzipSync } from 'node:zlib';

export interface PackageFile {
  body: Buffer;
  contentType: string;
  etag: string;
  /** Precompressed copies for text files worth compressing. */
  br?: Buffer;
  gzip?: Buffer;
}

const require = createRequire(import.meta.url);

export interface IconPackageDirs {
  fontAwesome: string;
  simpleIcons: string;
  mdi: string;
}

export function locateIconPackages(): IconPackageDirs {
  return {
    fontAwesome: dirname(require.resolve('@fortawesome/fontawesome-free/package.json')),
    // simple-icons exports only its entry points; its main file sits at the package root.
    simpleIcons: dirname(require.resolve('simple-icons')),
    mdi: dirname(require.resolve('@mdi/svg/package.json')),
  };
}

/** Simple Icons slugs: `homeassistant`, `hive_blockchain`. */
export const SIMPLE_ICON_FILE = /^([a-z0-9]+(?:_[a-z0-9]+)*)\.svg$/;
/** Material Design Icons names: `server-network`. */
export const MDI_FILE = /^([a-z0-9]+(?:-[a-z0-9]+)*)\.svg$/;
/** Font Awesome: `css/all.min.css`, `webfonts/fa-solid-900.woff2`. */
const FONT_AWESOME_FILES: Record<string, RegExp> = {
  css: /^[a-z0-9]+(?:-[a-z0-9]+)*(?:\.min)?\.css$/,
  webfonts: /^fa-[a-z0-9]+(?:-[a-z0-9]+)*\.woff2$/,
};

const CONTENT_TYPES: Record<string, string> = {
  css: 'text/css; charset=utf-8',
  woff2: 'font/woff2',
  svg: 'image/svg+xml',
};

/**
 * Reads package files on first use and keeps them: the whole set a dashboard uses is small
 * (Font Awesome is about 350 KB, an SVG icon well under 1 KB), while the packages hold
 * thousands. Only names the patterns accept are ever looked up.
 */
export class PackageFiles {
  private readonly files = new Map<string, Promise<PackageFile | null>>();

  constructor(private readonly dirs: IconPackageDirs) {}

  fontAwesome(folder: string, file: string): Promise<PackageFile | null> {
    const pattern = Object.hasOwn(FONT_AWESOME_FILES, folder) ? FONT_AWESOME_FILES[folder] : undefined;
    if (!pattern?.test(file)) return Promise.resolve(null);
    return this.load(this.dirs.fontAwesome, join(folder, file));
  }

  simpleIcon(file: string): Promise<PackageFile | null> {
    if (!SIMPLE_ICON_FILE.test(file)) return Promise.resolve(null);
    return this.load(this.dirs.simpleIcons, join('icons', file));
  }

  mdi(file: string): Promise<PackageFile | null> {
    if (!MDI_FILE.test(file)) return Promise.resolve(null);
    return this.load(this.dirs.mdi, join('svg', file));
  }

  private load(dir: string, relative: string): Promise<PackageFile | null> {
    const path = join(dir, relative);
    let pending = this.files.get(path);
    if (!pending) {
      pending = readPackageFile(path);
      // A miss is not kept: unknown names are unbounded, and a miss costs one failed open.
      void pending.then((file) => {
        if (!file) this.files.delete(path);
      });
      if (this.files.size < 5000) this.files.set(path, pending);
    }
    return pending;
  }
}

async function readPackageFile(path: string): Promise<PackageFile | null> {
  let body: Buffer;
  try {
    body = await readFile(path);
  } catch {
    return null;
  }
  const extension = path.slice(path.lastIndexOf('.') + 1);
  const contentType = CONTENT_TYPES[extension] ?? 'application/octet-stream';
  const etag = `"${createHash('sha256').update(body).digest('base64url').slice(0, 27)}"`;
  const file: PackageFile = { body, contentType, etag };
  if (extension === 'css' || (extension === 'svg' && body.length > 1024)) {
    file.br = brotliCompressSync(body, { params: { [zlibConstants.BROTLI_PARAM_QUALITY]: 11 } });
    file.gzip = gzipSync(body, { level: 9 });
  }
  return file;
}
