import { encode } from "uqr";

/**
 * The QR matrix for `text` (rows of modules, true = dark), level M, smallest version that fits,
 * from `uqr` (a port of Nayuki's reference encoder; pure TypeScript, so the Worker and the fan
 * site's bundle draw the same symbol). `mask` forces one of the eight mask patterns (0–7);
 * by default the encoder scores all eight and keeps the best. Throws a RangeError when `text`
 * cannot fit version 40.
 */
export function qrMatrix(text: string, mask?: number): boolean[][] {
  try {
    return encode(text, { ecc: "M", border: 0, ...(mask === undefined ? {} : { maskPattern: mask }) }).data;
  } catch (err) {
    const bytes = new TextEncoder().encode(text).length;
    throw new RangeError(`QR code text too long: ${bytes} bytes do not fit version 40 at level M`, { cause: err });
  }
}

/**
 * A standalone SVG document showing `text` as a QR code (level M, version chosen by length).
 * One unit of the viewBox is one module, so the image scales cleanly; `moduleSize` only sets the
 * default pixel width/height. `margin` is the quiet zone in modules: scanners need 4 to find the
 * code reliably against a busy background, so lower it only where the surroundings are white.
 * Throws if `text` is too long for a QR code.
 */
export function qrSvg(text: string, opts: { margin?: number; moduleSize?: number } = {}): string {
  return matrixSvg(qrMatrix(text), opts);
}

/** The SVG document of an encoded matrix; see `qrSvg` for the options. */
export function matrixSvg(matrix: boolean[][], opts: { margin?: number; moduleSize?: number } = {}): string {
  const margin = opts.margin ?? 4;
  const moduleSize = opts.moduleSize ?? 4;
  if (!Number.isInteger(margin) || margin < 0)
    throw new RangeError(`qrSvg: margin must be a non-negative integer, got ${margin}`);
  if (!(moduleSize > 0)) throw new RangeError(`qrSvg: moduleSize must be positive, got ${moduleSize}`);
  const size = matrix.length + margin * 2;
  const px = size * moduleSize;
  return (
    `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${size} ${size}" width="${px}" height="${px}" ` +
    `shape-rendering="crispEdges">` +
    `<rect width="${size}" height="${size}" fill="#fff"/>` +
    `<path fill="#000" d="${darkPath(matrix, margin)}"/>` +
    `</svg>`
  );
}

/** One rectangle per horizontal run of dark modules: far shorter than one per module. */
function darkPath(matrix: boolean[][], margin: number): string {
  const parts: string[] = [];
  matrix.forEach((row, y) => {
    for (let x = 0; x < row.length; x++) {
      if (!row[x]) continue;
      const start = x;
      while (row[x + 1]) x++;
      const len = x - start + 1;
      parts.push(`M${start + margin} ${y + margin}h${len}v1h-${len}z`);
    }
  });
  return parts.join("");
}
