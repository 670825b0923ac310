import { encodeQr } from "./qr-encode";

/** The QR matrix for `text` (rows of modules, true = dark), level M, smallest version that fits. */
export function qrMatrix(text: string): boolean[][] {
  return encodeQr(text);
}

/**
 * A standalone SVG document showing `text` as a QR code (level M, version chosen by length).
 * One unit of the viewBox is one module, so the image scales cleanly; `moduleSize` only sets the
 * default pixel width/height. `margin` is the quiet zone in modules: scanners need 4 to find the
 * code reliably against a busy background, so lower it only where the surroundings are white.
 * Throws if `text` is too long for a QR code.
 */
export function qrSvg(text: string, opts: { margin?: number; moduleSize?: number } = {}): string {
  const margin = opts.margin ?? 4;
  const moduleSize = opts.moduleSize ?? 4;
  if (!Number.isInteger(margin) || margin < 0)
    throw new RangeError(`qrSvg: margin must be a non-negative integer, got ${margin}`);
  if (!(moduleSize > 0)) throw new RangeError(`qrSvg: moduleSize must be positive, got ${moduleSize}`);
  const matrix = qrMatrix(text);
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
