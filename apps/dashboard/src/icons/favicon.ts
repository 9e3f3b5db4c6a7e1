// Finds the icons a web page names in its <head>. A regular expression is enough here: the
// tags are simple, only the head matters, and a page that hides its icon from this reader
// still gets /favicon.ico tried.

const LINK_TAG = /<link\b[^>]*>/gi;
const ATTRIBUTE = /([a-z][a-z0-9:-]*)\s*(?:=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'=<>`]+)))?/gi;

function attributesOf(tag: string): Map<string, string> {
  const attributes = new Map<string, string>();
  for (const match of tag.slice(5).matchAll(ATTRIBUTE)) {
    const name = match[1]!.toLowerCase();
    if (!attributes.has(name)) attributes.set(name, decodeEntities(match[2] ?? match[3] ?? match[4] ?? ''));
  }
  return attributes;
}

function decodeEntities(value: string): string {
  return value
    .replace(/&amp;/g, '&')
    .replace(/&quot;/g, '"')
    .replace(/&#39;|&apos;/g, "'")
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>');
}

/** Larger is better up to a point: a 512 px PNG is a lot to fetch for a 3 rem tile. */
function score(rel: string[], type: string, sizes: string, href: string): number {
  if (type === 'image/svg+xml' || /\.svg(?:[?#]|$)/i.test(href)) return 1000;
  const largest = Math.max(0, ...[...sizes.matchAll(/(\d+)x\d+/gi)].map((match) => Number(match[1])));
  if (largest > 0) return largest <= 256 ? largest : (256 * 256) / largest;
  if (rel.includes('apple-touch-icon') || rel.includes('apple-touch-icon-precomposed')) return 180;
  return 32;
}

/**
 * The icon URLs (absolute, or data: URLs) a page declares, best first. `mask-icon` is left
 * out: it is a single-colour outline meant to be tinted by Safari.
 */
export function faviconCandidates(html: string, pageUrl: URL): string[] {
  const bodyAt = html.search(/<body\b/i);
  const head = bodyAt > 0 ? html.slice(0, bodyAt) : html;
  const base = /<base\b[^>]*\bhref\s*=\s*["']?([^"'\s>]+)/i.exec(head)?.[1];
  const baseUrl = base && URL.canParse(base, pageUrl.href) ? new URL(base, pageUrl) : pageUrl;
  const found: Array<{ href: string; score: number; order: number }> = [];
  for (const tag of head.match(LINK_TAG) ?? []) {
    const attributes = attributesOf(tag);
    const rel = (attributes.get('rel') ?? '').toLowerCase().split(/\s+/);
    const isIcon = rel.includes('icon') || rel.includes('apple-touch-icon') || rel.includes('apple-touch-icon-precomposed');
    const href = attributes.get('href')?.trim();
    if (!isIcon || !href) continue;
    if (/^data:image\//i.test(href)) {
      found.push({ href, score: score(rel, attributes.get('type') ?? '', attributes.get('sizes') ?? '', href), order: found.length });
      continue;
    }
    if (!URL.canParse(href, baseUrl.href)) continue;
    const absolute = new URL(href, baseUrl);
    if (absolute.protocol !== 'http:' && absolute.protocol !== 'https:') continue;
    found.push({ href: absolute.href, score: score(rel, attributes.get('type') ?? '', attributes.get('sizes') ?? '', href), order: found.length });
  }
  found.sort((a, b) => b.score - a.score || a.order - b.order);
  return [...new Set(found.map((candidate) => candidate.href))];
}

/** The bytes of a `data:image/...` URL, or null when it is malformed. */
export function decodeDataUrl(url: string): Buffer | null {
  const match = /^data:image\/[a-z0-9.+-]+(?:;[a-z0-9=.+-]+)*?(;base64)?,(.*)$/is.exec(url);
  if (!match) return null;
  try {
    return match[1] ? Buffer.from(match[2]!, 'base64') : Buffer.from(decodeURIComponent(match[2]!), 'utf8');
  } catch {
    return null;
  }
}
