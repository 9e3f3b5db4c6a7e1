// A line diff small enough to read: common head and tail are trimmed first, so the table
// in the middle is only as large as the part that changed.

export type DiffLine =
  | { kind: 'same'; text: string; a: number; b: number }
  | { kind: 'removed'; text: string; a: number }
  | { kind: 'added'; text: string; b: number };

/** Above this many table cells the middle is shown as replaced wholesale (still correct, less precise). */
const MAX_CELLS = 4_000_000;

export function diffLines(a: readonly string[], b: readonly string[]): DiffLine[] {
  let head = 0;
  while (head < a.length && head < b.length && a[head] === b[head]) head += 1;
  let tail = 0;
  while (tail < a.length - head && tail < b.length - head && a[a.length - 1 - tail] === b[b.length - 1 - tail]) tail += 1;

  const out: DiffLine[] = [];
  for (let i = 0; i < head; i += 1) out.push({ kind: 'same', text: a[i]!, a: i, b: i });
  middle(a, b, head, a.length - tail, head, b.length - tail, out);
  for (let k = tail; k > 0; k -= 1) {
    const i = a.length - k;
    const j = b.length - k;
    out.push({ kind: 'same', text: a[i]!, a: i, b: j });
  }
  return out;
}

function middle(a: readonly string[], b: readonly string[], a0: number, a1: number, b0: number, b1: number, out: DiffLine[]): void {
  const n = a1 - a0;
  const m = b1 - b0;
  if (n === 0 || m === 0 || (n + 1) * (m + 1) > MAX_CELLS) {
    for (let i = a0; i < a1; i += 1) out.push({ kind: 'removed', text: a[i]!, a: i });
    for (let j = b0; j < b1; j += 1) out.push({ kind: 'added', text: b[j]!, b: j });
    return;
  }
  // lcs[i][j]: longest common subsequence of a[a0+i..a1) and b[b0+j..b1).
  const width = m + 1;
  const lcs = new Uint32Array((n + 1) * width);
  for (let i = n - 1; i >= 0; i -= 1) {
    for (let j = m - 1; j >= 0; j -= 1) {
      lcs[i * width + j] = a[a0 + i] === b[b0 + j]
        ? lcs[(i + 1) * width + j + 1]! + 1
        : Math.max(lcs[(i + 1) * width + j]!, lcs[i * width + j + 1]!);
    }
  }
  let i = 0;
  let j = 0;
  while (i < n && j < m) {
    if (a[a0 + i] === b[b0 + j]) {
      out.push({ kind: 'same', text: a[a0 + i]!, a: a0 + i, b: b0 + j });
      i += 1;
      j += 1;
    } else if (lcs[(i + 1) * width + j]! >= lcs[i * width + j + 1]!) {
      out.push({ kind: 'removed', text: a[a0 + i]!, a: a0 + i });
      i += 1;
    } else {
      out.push({ kind: 'added', text: b[b0 + j]!, b: b0 + j });
      j += 1;
    }
  }
  for (; i < n; i += 1) out.push({ kind: 'removed', text: a[a0 + i]!, a: a0 + i });
  for (; j < m; j += 1) out.push({ kind: 'added', text: b[b0 + j]!, b: b0 + j });
}

export interface Hunk {
  /** 1-based first line in the old and the new text. */
  oldStart: number;
  newStart: number;
  lines: DiffLine[];
}

/** Groups the changes with `context` unchanged lines around each, as `diff -u` does. */
export function hunks(lines: readonly DiffLine[], context = 3): Hunk[] {
  const changed = lines.map((line, index) => (line.kind === 'same' ? -1 : index)).filter((index) => index >= 0);
  const out: Hunk[] = [];
  let start = -1;
  let end = -1;
  const flush = () => {
    if (start < 0) return;
    const slice = lines.slice(start, end + 1);
    out.push({ oldStart: oldLineAt(lines, start), newStart: newLineAt(lines, start), lines: slice });
  };
  for (const index of changed) {
    const from = Math.max(0, index - context);
    const to = Math.min(lines.length - 1, index + context);
    if (start >= 0 && from <= end + 1) {
      end = Math.max(end, to);
    } else {
      flush();
      start = from;
      end = to;
    }
  }
  flush();
  return out;
}

function oldLineAt(lines: readonly DiffLine[], index: number): number {
  for (let k = index; k < lines.length; k += 1) {
    const line = lines[k]!;
    if (line.kind !== 'added') return line.a + 1;
  }
  return lines.filter((line) => line.kind !== 'added').length + 1;
}

function newLineAt(lines: readonly DiffLine[], index: number): number {
  for (let k = index; k < lines.length; k += 1) {
    const line = lines[k]!;
    if (line.kind !== 'removed') return line.b + 1;
  }
  return lines.filter((line) => line.kind !== 'removed').length + 1;
}

export function countChanges(lines: readonly DiffLine[]): { added: number; removed: number } {
  let added = 0;
  let removed = 0;
  for (const line of lines) {
    if (line.kind === 'added') added += 1;
    else if (line.kind === 'removed') removed += 1;
  }
  return { added, removed };
}

/** Splits on LF or CRLF; a final newline does not make an extra empty line. */
export function splitLines(text: string): string[] {
  if (text === '') return [];
  const lines = text.split(/\r?\n/);
  if (lines[lines.length - 1] === '') lines.pop();
  return lines;
}
