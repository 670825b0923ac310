/**
 * A compact QR Code Model 2 encoder: byte mode (UTF-8), error correction level M, versions 1–40,
 * mask chosen by the standard penalty rules. Written here rather than pulled in as a dependency
 * because it is small, has no I/O and must run unchanged inside workerd. Follows ISO/IEC 18004
 * in the structure popularised by Project Nayuki's reference implementation.
 *
 * Level M (~15% recoverable) is the usual choice for codes shown on a phone screen or printed:
 * it survives glare and creases without growing the symbol as much as Q or H would.
 */

const MAX_VERSION = 40;
// Level M, indexed by version (index 0 unused). ISO/IEC 18004 table 9.
const ECC_PER_BLOCK = [
  0, 10, 16, 26, 18, 24, 16, 18, 22, 22, 26, 30, 22, 22, 24, 24, 28, 28, 26, 26, 26, 26, 28, 28, 28, 28, 28, 28, 28, 28,
  28, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28,
];
const BLOCKS = [
  0, 1, 1, 1, 2, 2, 4, 4, 4, 5, 5, 5, 8, 9, 9, 10, 10, 11, 13, 14, 16, 17, 17, 18, 20, 21, 23, 25, 26, 28, 29, 31, 33,
  35, 37, 38, 40, 43, 45, 47, 49,
];
const FORMAT_LEVEL_M = 0b00;

/**
 * The QR matrix for `text` (rows of modules, true = dark) at the smallest version that fits.
 * `mask` forces one of the eight mask patterns (for tests); by default the lowest-penalty one wins.
 * Throws if `text` does not fit version 40.
 */
export function encodeQr(text: string, mask?: number): boolean[][] {
  const data = new TextEncoder().encode(text);
  let version = 1;
  while (version <= MAX_VERSION && dataBitsNeeded(data.length, version) > dataCodewords(version) * 8) version++;
  if (version > MAX_VERSION) {
    const max = Math.floor((dataCodewords(MAX_VERSION) * 8 - 4 - 16) / 8);
    throw new Error(
      `QR code input too long: ${data.length} bytes, at most ${max} bytes fit (version ${MAX_VERSION}, level M)`,
    );
  }
  return buildMatrix(version, interleave(version, dataCodewordsFor(data, version)), mask);
}

const charCountBits = (version: number) => (version < 10 ? 8 : 16);
const dataBitsNeeded = (length: number, version: number) => 4 + charCountBits(version) + 8 * length;

/** Modules available for codewords once every function pattern is placed. */
function rawDataModules(version: number): number {
  let result = (16 * version + 128) * version + 64;
  if (version >= 2) {
    const align = Math.floor(version / 7) + 2;
    result -= (25 * align - 10) * align - 55;
    if (version >= 7) result -= 36;
  }
  return result;
}

function dataCodewords(version: number): number {
  return Math.floor(rawDataModules(version) / 8) - ECC_PER_BLOCK[version]! * BLOCKS[version]!;
}

/** Mode indicator, length, bytes, terminator and the 0xEC/0x11 padding, as codewords. */
function dataCodewordsFor(data: Uint8Array, version: number): number[] {
  const bits: number[] = [];
  const push = (value: number, length: number) => {
    for (let i = length - 1; i >= 0; i--) bits.push((value >>> i) & 1);
  };
  push(0b0100, 4);
  push(data.length, charCountBits(version));
  for (const b of data) push(b, 8);
  const capacity = dataCodewords(version) * 8;
  push(0, Math.min(4, capacity - bits.length));
  push(0, (8 - (bits.length % 8)) % 8);
  for (let pad = 0xec; bits.length < capacity; pad ^= 0xec ^ 0x11) push(pad, 8);
  const out: number[] = [];
  for (let i = 0; i < bits.length; i += 8) out.push(bits.slice(i, i + 8).reduce((acc, bit) => (acc << 1) | bit, 0));
  return out;
}

/** Splits data into blocks, appends Reed–Solomon ECC to each, then interleaves them column-wise. */
function interleave(version: number, data: number[]): number[] {
  const numBlocks = BLOCKS[version]!;
  const eccLen = ECC_PER_BLOCK[version]!;
  const rawCodewords = Math.floor(rawDataModules(version) / 8);
  const shortBlocks = numBlocks - (rawCodewords % numBlocks);
  const shortLen = Math.floor(rawCodewords / numBlocks);
  const divisor = rsDivisor(eccLen);
  const blocks: number[][] = [];
  for (let i = 0, k = 0; i < numBlocks; i++) {
    const dataLen = shortLen - eccLen + (i < shortBlocks ? 0 : 1);
    const dat = data.slice(k, k + dataLen);
    k += dataLen;
    blocks.push([...dat, ...rsRemainder(dat, divisor)]);
  }
  const out: number[] = [];
  for (let i = 0; i <= shortLen; i++) {
    blocks.forEach((block, j) => {
      // Short blocks have one data codeword fewer; skip the gap so ECC columns line up.
      if (j < shortBlocks && i === shortLen - eccLen) return;
      const index = j < shortBlocks && i > shortLen - eccLen ? i - 1 : i;
      if (index < block.length) out.push(block[index]!);
    });
  }
  return out;
}

/** Multiplication in GF(2^8) modulo x^8 + x^4 + x^3 + x^2 + 1. */
function gfMul(x: number, y: number): number {
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
      result[j] = gfMul(result[j]!, root) ^ (j + 1 < degree ? result[j + 1]! : 0);
    }
    root = gfMul(root, 0x02);
  }
  return result;
}

function rsRemainder(data: number[], divisor: number[]): number[] {
  const result = new Array<number>(divisor.length).fill(0);
  for (const b of data) {
    const factor = b ^ result.shift()!;
    result.push(0);
    divisor.forEach((coef, i) => {
      result[i] = result[i]! ^ gfMul(coef, factor);
    });
  }
  return result;
}

type Grid = { size: number; dark: boolean[][]; fixed: boolean[][] };

function buildMatrix(version: number, codewords: number[], forcedMask?: number): boolean[][] {
  const size = version * 4 + 17;
  const grid: Grid = {
    size,
    dark: Array.from({ length: size }, () => new Array<boolean>(size).fill(false)),
    fixed: Array.from({ length: size }, () => new Array<boolean>(size).fill(false)),
  };
  drawFunctionPatterns(grid, version);
  placeCodewords(grid, codewords);
  let best: boolean[][] = [];
  let bestPenalty = Infinity;
  for (const mask of forcedMask === undefined ? [0, 1, 2, 3, 4, 5, 6, 7] : [forcedMask]) {
    const candidate = grid.dark.map((row) => row.slice());
    applyMask({ ...grid, dark: candidate }, mask);
    drawFormatBits({ ...grid, dark: candidate }, mask);
    const p = penalty(candidate);
    if (p < bestPenalty) [best, bestPenalty] = [candidate, p];
  }
  return best;
}

function set(g: Grid, x: number, y: number, dark: boolean): void {
  g.dark[y]![x] = dark;
  g.fixed[y]![x] = true;
}

function drawFunctionPatterns(g: Grid, version: number): void {
  const { size } = g;
  for (let i = 0; i < size; i++) {
    set(g, 6, i, i % 2 === 0);
    set(g, i, 6, i % 2 === 0);
  }
  for (const [cx, cy] of [
    [3, 3],
    [size - 4, 3],
    [3, size - 4],
  ] as const) {
    for (let dy = -4; dy <= 4; dy++) {
      for (let dx = -4; dx <= 4; dx++) {
        const x = cx + dx;
        const y = cy + dy;
        const d = Math.max(Math.abs(dx), Math.abs(dy));
        if (x >= 0 && x < size && y >= 0 && y < size) set(g, x, y, d !== 2 && d !== 4);
      }
    }
  }
  const align = alignmentPositions(version, size);
  const last = align.length - 1;
  align.forEach((cx, i) => {
    align.forEach((cy, j) => {
      // The three corners where an alignment pattern would sit on a finder are left out.
      if ((i === 0 && j === 0) || (i === 0 && j === last) || (i === last && j === 0)) return;
      for (let dy = -2; dy <= 2; dy++) {
        for (let dx = -2; dx <= 2; dx++) set(g, cx + dx, cy + dy, Math.max(Math.abs(dx), Math.abs(dy)) !== 1);
      }
    });
  });
  drawFormatBits(g, 0); // reserves the format areas; the real bits are drawn per mask
  if (version >= 7) {
    let rem = version;
    for (let i = 0; i < 12; i++) rem = (rem << 1) ^ ((rem >>> 11) * 0x1f25);
    const bits = (version << 12) | rem;
    for (let i = 0; i < 18; i++) {
      const bit = ((bits >>> i) & 1) === 1;
      const a = size - 11 + (i % 3);
      const b = Math.floor(i / 3);
      set(g, a, b, bit);
      set(g, b, a, bit);
    }
  }
}

function alignmentPositions(version: number, size: number): number[] {
  if (version === 1) return [];
  const count = Math.floor(version / 7) + 2;
  const step = version === 32 ? 26 : Math.ceil((version * 4 + 4) / (count * 2 - 2)) * 2;
  const result = [6];
  for (let pos = size - 7; result.length < count; pos -= step) result.splice(1, 0, pos);
  return result;
}

function drawFormatBits(g: Grid, mask: number): void {
  const data = (FORMAT_LEVEL_M << 3) | mask;
  let rem = data;
  for (let i = 0; i < 10; i++) rem = (rem << 1) ^ ((rem >>> 9) * 0x537);
  const bits = ((data << 10) | rem) ^ 0x5412;
  const bit = (i: number) => ((bits >>> i) & 1) === 1;
  const { size } = g;
  for (let i = 0; i <= 5; i++) set(g, 8, i, bit(i));
  set(g, 8, 7, bit(6));
  set(g, 8, 8, bit(7));
  set(g, 7, 8, bit(8));
  for (let i = 9; i < 15; i++) set(g, 14 - i, 8, bit(i));
  for (let i = 0; i < 8; i++) set(g, size - 1 - i, 8, bit(i));
  for (let i = 8; i < 15; i++) set(g, 8, size - 15 + i, bit(i));
  set(g, 8, size - 8, true); // the "dark module", always dark
}

/** Zig-zags the codeword bits up and down two-column strips from the right, skipping function modules. */
function placeCodewords(g: Grid, codewords: number[]): void {
  const { size } = g;
  let i = 0;
  for (let right = size - 1; right >= 1; right -= 2) {
    if (right === 6) right = 5; // the vertical timing pattern column is skipped entirely
    const upward = ((right + 1) & 2) === 0;
    for (let v = 0; v < size; v++) {
      const y = upward ? size - 1 - v : v;
      for (let j = 0; j < 2; j++) {
        const x = right - j;
        if (g.fixed[y]![x] || i >= codewords.length * 8) continue;
        g.dark[y]![x] = ((codewords[i >>> 3]! >>> (7 - (i & 7))) & 1) === 1;
        i++;
      }
    }
  }
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

function applyMask(g: Grid, mask: number): void {
  const test = MASKS[mask]!;
  for (let y = 0; y < g.size; y++) {
    for (let x = 0; x < g.size; x++) if (!g.fixed[y]![x] && test(x, y)) g.dark[y]![x] = !g.dark[y]![x];
  }
}

const FINDER_LIKE = ["10111010000", "00001011101"];

/** ISO penalty score: long runs, 2×2 blocks, finder look-alikes and dark/light imbalance. */
function penalty(m: boolean[][]): number {
  const size = m.length;
  const lines: string[] = [];
  for (let i = 0; i < size; i++) {
    lines.push(m[i]!.map((d) => (d ? "1" : "0")).join(""));
    lines.push(m.map((row) => (row[i] ? "1" : "0")).join(""));
  }
  let score = 0;
  for (const line of lines) {
    for (const run of line.match(/0{5,}|1{5,}/g) ?? []) score += run.length - 2;
    for (const pattern of FINDER_LIKE) {
      for (let at = line.indexOf(pattern); at !== -1; at = line.indexOf(pattern, at + 1)) score += 40;
    }
  }
  let dark = 0;
  for (let y = 0; y < size; y++) {
    for (let x = 0; x < size; x++) {
      const c = m[y]![x]!;
      if (c) dark++;
      if (x + 1 < size && y + 1 < size && c === m[y]![x + 1] && c === m[y + 1]![x] && c === m[y + 1]![x + 1])
        score += 3;
    }
  }
  const total = size * size;
  return score + (Math.ceil(Math.abs(dark * 20 - total * 10) / total) - 1) * 10;
}
