/**
 * A small QR code encoder (ISO/IEC 18004) for login links: byte mode, error correction level M,
 * versions 1 to 15 (up to 412 bytes; a 200-character URL needs version 10), the mask chosen by
 * the standard's penalty rules. Rendered as SVG, dark on light with the 4-module quiet zone,
 * whatever the page's theme: phone cameras read that best.
 */

export interface QrCode {
  version: number;
  mask: number;
  size: number;
  /** modules[y][x]: true is dark. */
  modules: boolean[][];
}

/** Level M, per version: error correction codewords per block, then [blocks, data codewords] per group. */
const BLOCKS_M: [number, [number, number][]][] = [
  [10, [[1, 16]]],
  [16, [[1, 28]]],
  [26, [[1, 44]]],
  [18, [[2, 32]]],
  [24, [[2, 43]]],
  [16, [[4, 27]]],
  [18, [[4, 31]]],
  [22, [[2, 38], [2, 39]]],
  [22, [[3, 36], [2, 37]]],
  [26, [[4, 43], [1, 44]]],
  [30, [[1, 50], [4, 51]]],
  [22, [[6, 36], [2, 37]]],
  [22, [[8, 37], [1, 38]]],
  [24, [[4, 40], [5, 41]]],
  [24, [[5, 41], [5, 42]]],
];
export const QR_MAX_VERSION = BLOCKS_M.length;

function dataCodewords(version: number): number {
  return BLOCKS_M[version - 1]![1].reduce((sum, [blocks, size]) => sum + blocks * size, 0);
}

/** The byte-mode character count takes 8 bits up to version 9, 16 from version 10. */
function countBits(version: number): number {
  return version <= 9 ? 8 : 16;
}

/** The ECI header that says "UTF-8" (assignment 26): readers guess another encoding without it. */
const UTF8_ECI_BITS = 12;

/** The most bytes a version holds at level M (with the UTF-8 header: 12 bits fewer). */
export function qrCapacity(version: number, utf8 = false): number {
  return Math.floor((dataCodewords(version) * 8 - (utf8 ? UTF8_ECI_BITS : 0) - 4 - countBits(version)) / 8);
}

// GF(256) with the QR polynomial x^8 + x^4 + x^3 + x^2 + 1.
function gfMultiply(x: number, y: number): number {
  let z = 0;
  for (let i = 7; i >= 0; i--) {
    z = (z << 1) ^ ((z >>> 7) * 0x11d);
    z ^= ((y >>> i) & 1) * x;
  }
  return z;
}

function rsDivisor(degree: number): number[] {
  const result = new Array<number>(degree).fill(0);
  result[degree - 1] = 1;
  let root = 1;
  for (let i = 0; i < degree; i++) {
    for (let j = 0; j < degree; j++) {
      result[j] = gfMultiply(result[j]!, root);
      if (j + 1 < degree) result[j]! ^= result[j + 1]!;
    }
    root = gfMultiply(root, 0x02);
  }
  return result;
}

function rsRemainder(data: number[], divisor: number[]): number[] {
  const result = divisor.map(() => 0);
  for (const byte of data) {
    const factor = byte ^ result.shift()!;
    result.push(0);
    divisor.forEach((coefficient, i) => (result[i]! ^= gfMultiply(coefficient, factor)));
  }
  return result;
}

/** Mode, count, bytes, terminator and padding, split into blocks with their error correction, interleaved. */
function codewords(bytes: Uint8Array, version: number, utf8: boolean): number[] {
  const bits: number[] = [];
  const append = (value: number, length: number) => {
    for (let i = length - 1; i >= 0; i--) bits.push((value >>> i) & 1);
  };
  if (utf8) {
    append(0b0111, 4);
    append(26, 8);
  }
  append(0b0100, 4);
  append(bytes.length, countBits(version));
  for (const byte of bytes) append(byte, 8);
  const capacityBits = dataCodewords(version) * 8;
  append(0, Math.min(4, capacityBits - bits.length));
  append(0, (8 - (bits.length % 8)) % 8);
  const data: number[] = [];
  for (let i = 0; i < bits.length; i += 8) data.push(bits.slice(i, i + 8).reduce((byte, bit) => (byte << 1) | bit, 0));
  for (let pad = 0xec; data.length < dataCodewords(version); pad ^= 0xec ^ 0x11) data.push(pad);

  const [ecPerBlock, groups] = BLOCKS_M[version - 1]!;
  const divisor = rsDivisor(ecPerBlock);
  const blocks: { data: number[]; ec: number[] }[] = [];
  let offset = 0;
  for (const [count, size] of groups) {
    for (let b = 0; b < count; b++) {
      const block = data.slice(offset, offset + size);
      offset += size;
      blocks.push({ data: block, ec: rsRemainder(block, divisor) });
    }
  }
  const result: number[] = [];
  const longest = Math.max(...blocks.map((block) => block.data.length));
  for (let i = 0; i < longest; i++) for (const block of blocks) if (i < block.data.length) result.push(block.data[i]!);
  for (let i = 0; i < ecPerBlock; i++) for (const block of blocks) result.push(block.ec[i]!);
  return result;
}

function alignmentPositions(version: number, size: number): number[] {
  if (version === 1) return [];
  const count = Math.floor(version / 7) + 2;
  const step = Math.floor((version * 8 + count * 3 + 5) / (count * 4 - 4)) * 2;
  const positions = [6];
  for (let pos = size - 7; positions.length < count; pos -= step) positions.splice(1, 0, pos);
  return positions;
}

const MASKS: ((x: number, y: number) => boolean)[] = [
  (x, y) => (x + y) % 2 === 0,
  (_x, y) => y % 2 === 0,
  (x) => x % 3 === 0,
  (x, y) => (x + y) % 3 === 0,
  (x, y) => (Math.floor(x / 3) + Math.floor(y / 2)) % 2 === 0,
  (x, y) => ((x * y) % 2) + ((x * y) % 3) === 0,
  (x, y) => (((x * y) % 2) + ((x * y) % 3)) % 2 === 0,
  (x, y) => (((x + y) % 2) + ((x * y) % 3)) % 2 === 0,
];

class Matrix {
  readonly modules: boolean[][];
  readonly isFunction: boolean[][];
  constructor(readonly size: number) {
    this.modules = Array.from({ length: size }, () => new Array<boolean>(size).fill(false));
    this.isFunction = Array.from({ length: size }, () => new Array<boolean>(size).fill(false));
  }
  setFunction(x: number, y: number, dark: boolean): void {
    this.modules[y]![x] = dark;
    this.isFunction[y]![x] = true;
  }
}

function drawFunctionPatterns(m: Matrix, version: number): void {
  const { size } = m;
  for (let i = 0; i < size; i++) {
    m.setFunction(6, i, i % 2 === 0);
    m.setFunction(i, 6, i % 2 === 0);
  }
  for (const [cx, cy] of [[3, 3], [size - 4, 3], [3, size - 4]] as const) {
    for (let dy = -4; dy <= 4; dy++) {
      for (let dx = -4; dx <= 4; dx++) {
        const x = cx + dx;
        const y = cy + dy;
        const distance = Math.max(Math.abs(dx), Math.abs(dy));
        if (x >= 0 && x < size && y >= 0 && y < size) m.setFunction(x, y, distance !== 2 && distance !== 4);
      }
    }
  }
  const positions = alignmentPositions(version, size);
  const last = positions.length - 1;
  positions.forEach((cx, i) =>
    positions.forEach((cy, j) => {
      // Not over the three finder patterns.
      if ((i === 0 && j === 0) || (i === 0 && j === last) || (i === last && j === 0)) return;
      for (let dy = -2; dy <= 2; dy++) for (let dx = -2; dx <= 2; dx++) m.setFunction(cx + dx, cy + dy, Math.max(Math.abs(dx), Math.abs(dy)) !== 1);
    }),
  );
  drawFormatBits(m, 0); // reserves the area; the real bits come with the mask
  if (version >= 7) {
    let remainder = version;
    for (let i = 0; i < 12; i++) remainder = (remainder << 1) ^ ((remainder >>> 11) * 0x1f25);
    const bits = (version << 12) | remainder;
    for (let i = 0; i < 18; i++) {
      const dark = ((bits >>> i) & 1) === 1;
      const a = size - 11 + (i % 3);
      const b = Math.floor(i / 3);
      m.setFunction(a, b, dark);
      m.setFunction(b, a, dark);
    }
  }
}

/** Level M (bits 00) and the mask, BCH-protected, in both copies; and the dark module. */
function drawFormatBits(m: Matrix, mask: number): void {
  const data = (0b00 << 3) | mask;
  let remainder = data;
  for (let i = 0; i < 10; i++) remainder = (remainder << 1) ^ ((remainder >>> 9) * 0x537);
  const bits = ((data << 10) | remainder) ^ 0x5412;
  const bit = (i: number) => ((bits >>> i) & 1) === 1;
  const { size } = m;
  for (let i = 0; i <= 5; i++) m.setFunction(8, i, bit(i));
  m.setFunction(8, 7, bit(6));
  m.setFunction(8, 8, bit(7));
  m.setFunction(7, 8, bit(8));
  for (let i = 9; i < 15; i++) m.setFunction(14 - i, 8, bit(i));
  for (let i = 0; i < 8; i++) m.setFunction(size - 1 - i, 8, bit(i));
  for (let i = 8; i < 15; i++) m.setFunction(8, size - 15 + i, bit(i));
  m.setFunction(8, size - 8, true);
}

/** Places the codewords in the two-column zigzag from the bottom right, skipping the vertical timing column. */
function drawCodewords(m: Matrix, data: number[]): void {
  const { size } = m;
  let i = 0;
  for (let right = size - 1; right >= 1; right -= 2) {
    if (right === 6) right = 5;
    const upward = ((right + 1) & 2) === 0;
    for (let vert = 0; vert < size; vert++) {
      const y = upward ? size - 1 - vert : vert;
      for (let j = 0; j < 2; j++) {
        const x = right - j;
        if (m.isFunction[y]![x]) continue;
        // Remainder bits past the last codeword stay light (and are masked like the rest).
        if (i < data.length * 8) m.modules[y]![x] = ((data[i >>> 3]! >>> (7 - (i & 7))) & 1) === 1;
        i++;
      }
    }
  }
}

function applyMask(m: Matrix, mask: number): void {
  const test = MASKS[mask]!;
  for (let y = 0; y < m.size; y++) {
    for (let x = 0; x < m.size; x++) if (!m.isFunction[y]![x] && test(x, y)) m.modules[y]![x] = !m.modules[y]![x];
  }
}

/** The standard's four penalty rules; the mask with the lowest score is used. */
export function penalty(modules: boolean[][]): number {
  const size = modules.length;
  const at = (x: number, y: number, vertical: boolean) => (vertical ? modules[x]![y]! : modules[y]![x]!);
  let score = 0;
  for (const vertical of [false, true]) {
    for (let y = 0; y < size; y++) {
      // Rule 1: five or more modules of one colour in a row: 3, plus 1 for each beyond five.
      let run = 1;
      for (let x = 1; x <= size; x++) {
        if (x < size && at(x, y, vertical) === at(x - 1, y, vertical)) run++;
        else {
          if (run >= 5) score += run - 2;
          run = 1;
        }
      }
      // Rule 3: a finder-like 1:1:3:1:1 with four light modules on one side (outside the symbol counts as light): 40.
      const light = (from: number, to: number) => {
        for (let x = Math.max(0, from); x < Math.min(size, to); x++) if (at(x, y, vertical)) return false;
        return true;
      };
      for (let x = 0; x + 6 < size; x++) {
        const pattern = [true, false, true, true, true, false, true].every((dark, k) => at(x + k, y, vertical) === dark);
        if (pattern && (light(x - 4, x) || light(x + 7, x + 11))) score += 40;
      }
    }
  }
  // Rule 2: each 2x2 block of one colour: 3.
  for (let y = 0; y + 1 < size; y++) {
    for (let x = 0; x + 1 < size; x++) {
      const c = modules[y]![x];
      if (c === modules[y]![x + 1] && c === modules[y + 1]![x] && c === modules[y + 1]![x + 1]) score += 3;
    }
  }
  // Rule 4: 10 for each full 5% the dark share is away from half.
  const dark = modules.reduce((sum, row) => sum + row.filter(Boolean).length, 0);
  score += Math.floor((Math.abs(dark * 2 - size * size) * 10) / (size * size)) * 10;
  return score;
}

/** Encodes text (as UTF-8, said so when not plain ASCII) in the smallest version that holds it. `mask` forces a mask (tests). */
export function encodeQr(text: string, options: { mask?: number } = {}): QrCode {
  const bytes = new TextEncoder().encode(text);
  const utf8 = bytes.length !== text.length;
  let version = 1;
  while (version <= QR_MAX_VERSION && bytes.length > qrCapacity(version, utf8)) version++;
  if (version > QR_MAX_VERSION) throw new Error(`too long for a QR code here: ${bytes.length} bytes, at most ${qrCapacity(QR_MAX_VERSION, utf8)}`);
  const size = version * 4 + 17;
  const data = codewords(bytes, version, utf8);
  let best: { mask: number; modules: boolean[][]; score: number } | null = null;
  for (const mask of options.mask === undefined ? [0, 1, 2, 3, 4, 5, 6, 7] : [options.mask]) {
    const m = new Matrix(size);
    drawFunctionPatterns(m, version);
    drawCodewords(m, data);
    applyMask(m, mask);
    drawFormatBits(m, mask);
    const score = penalty(m.modules);
    if (!best || score < best.score) best = { mask, modules: m.modules, score };
  }
  return { version, mask: best!.mask, size, modules: best!.modules };
}

/** The code as an SVG document: one path of dark squares on a light background with a 4-module quiet zone. */
export function qrSvg(text: string, options: { title?: string } = {}): string {
  const { size, modules } = encodeQr(text);
  const border = 4;
  const extent = size + border * 2;
  let path = '';
  modules.forEach((row, y) =>
    row.forEach((dark, x) => {
      if (dark) path += `M${x + border} ${y + border}h1v1h-1z`;
    }),
  );
  const title = options.title ? `<title>${options.title.replace(/[<>&"]/g, (c) => `&#${c.charCodeAt(0)};`)}</title>` : '';
  return (
    `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${extent} ${extent}" shape-rendering="crispEdges" role="img">${title}` +
    `<rect width="${extent}" height="${extent}" fill="#fff"/><path d="${path}" fill="#000"/></svg>`
  );
}
