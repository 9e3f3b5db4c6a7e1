// What the dashboard's first frame holds: a screenful of sections, so that the frame costs what
// the screen shows; the sections below the fold follow once it is on screen (SectionList).

/**
 * How many of `sections` (from the top) fill about one screen, at least one. The first frame
 * renders only those; the rest follow once it is on screen, below the fold where nothing moves.
 * A tile with its share of gaps and headings takes about 16,000 square pixels (a medium tile is about 110 x 90 px).
 */
export function firstScreenful(sections: readonly { items?: unknown }[], screen = window.innerWidth * window.innerHeight): number {
  const wanted = Math.max(12, Math.ceil(screen / 16_000));
  let items = 0;
  for (let index = 0; index < sections.length; index += 1) {
    const own = sections[index]?.items;
    items += Array.isArray(own) ? Math.max(own.length, 1) : 1;
    if (items >= wanted) return index + 1;
  }
  return sections.length;
}
