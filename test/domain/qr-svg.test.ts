import jsQRImport from "jsqr";
import { describe, expect, it } from "vitest";
import { qrMatrix, qrSvg } from "../../src/domain/qr-svg";
import { generateEventKeyPair, signTicketCode, verifyTicketCode } from "../../src/domain/ticket-codes";

// jsqr ships a webpack UMD bundle with `exports.default`; depending on how the CommonJS interop
// resolves it inside workerd, the default import is the function or the exports object.
type Decode = typeof jsQRImport;
const jsQR: Decode =
  typeof jsQRImport === "function" ? jsQRImport : (jsQRImport as unknown as { default: Decode }).default;

const PX = 4; // pixels per module
const QUIET = 4; // modules of white around the symbol

/** Decodes a matrix the way a camera would see it: RGBA pixels with a white quiet zone. */
function decode(matrix: boolean[][]): { data: string; version: number } | null {
  const side = (matrix.length + QUIET * 2) * PX;
  const pixels = new Uint8ClampedArray(side * side * 4).fill(255);
  matrix.forEach((row, my) => {
    row.forEach((dark, mx) => {
      if (!dark) return;
      for (let py = 0; py < PX; py++) {
        for (let px = 0; px < PX; px++) {
          const at = (((my + QUIET) * PX + py) * side + (mx + QUIET) * PX + px) * 4;
          pixels.fill(0, at, at + 3);
        }
      }
    });
  });
  const result = jsQR(pixels, side, side, { inversionAttempts: "dontInvert" });
  return result && { data: result.data, version: result.version };
}

// The real shape: 30-char ids, a 150-char payload and an 86-char (64-byte) signature.
const ticketCodeLike =
  "T1.eyJ0aWQiOiJ0a3RfMDFqZzdrM3Y5cTJ3OHg0bjZwMHJzdDVtMmIiLCJlaWQiOiJldnRfMDFqZzdrM3Y5cTJ3OHg0bjZwMHJzdDVtMmIi" +
  "LCJzZWF0IjoiQS0xMi03IiwiaWF0IjoxNzY3MjI1NjAwfQ" +
  ".Zm9vYmFyYmF6cXV4Zm9vYmFyYmF6cXV4Zm9vYmFyYmF6cXV4Zm9vYmFyYmF6cXV4Zm9vYmFyYmF6cXV4Zm9vYm";

// Byte-mode capacity at level M for versions 1–40, from the ISO/IEC 18004 capacity table;
// independent of the encoder's own block tables, so it checks them.
const CAPACITY_M = [
  14, 26, 42, 62, 84, 106, 122, 152, 180, 213, 251, 287, 331, 362, 412, 450, 504, 560, 624, 666, 711, 779, 857, 911,
  997, 1059, 1125, 1190, 1264, 1370, 1452, 1538, 1628, 1722, 1809, 1911, 1989, 2099, 2213, 2331,
];

/** Deterministic printable ASCII of length `n`, varied so masks and blocks see real data. */
function text(n: number): string {
  let s = "";
  for (let i = 0; i < n; i++) s += String.fromCharCode(33 + ((i * 37 + (i >> 3)) % 94));
  return s;
}

describe("qrMatrix", () => {
  it.each([
    ["a short string", "HELLO"],
    ["a URL", "https://tickets.example.com/v1/tickets/tkt_01jg7k3v9q2w8x4n6p0rst5m2b?view=qr"],
    ["a ticket code", ticketCodeLike],
    ["UTF-8 text", "Café – Reihe 3, Platz 7 🎫"],
  ])("round-trips %s through a QR decoder", (_name, input) => {
    expect(decode(qrMatrix(input))?.data).toBe(input);
  });

  it("fits a 240-character ticket code in version 11 (61 modules)", () => {
    expect(ticketCodeLike).toHaveLength(240);
    expect(qrMatrix(ticketCodeLike)).toHaveLength(61);
  });

  it("picks the smallest version: a full version fits, one byte more moves to the next", () => {
    CAPACITY_M.forEach((capacity, i) => {
      const version = i + 1;
      const full = qrMatrix(text(capacity));
      expect(full, `version ${version}`).toHaveLength(17 + 4 * version);
      if (version < 40) expect(qrMatrix(text(capacity + 1))).toHaveLength(21 + 4 * version);
    });
  });

  it("decodes at every version from 1 to 40", () => {
    CAPACITY_M.forEach((capacity, i) => {
      const input = text(capacity);
      expect(decode(qrMatrix(input)), `version ${i + 1}`).toEqual({ data: input, version: i + 1 });
    });
  });

  it("carries a real signed ticket code that still verifies after scanning", async () => {
    const keys = await generateEventKeyPair();
    const claims = {
      tid: "tkt_01jg7k3v9q2w8x4n6p0rst5m2b",
      eid: "evt_01jg7k3v9q2w8x4n6p0rst5m2c",
      seat: "balcony-left-R12-S104",
      iat: 1767225600,
    };
    const scanned = decode(qrMatrix(await signTicketCode(keys.privateKey, claims)));
    expect(await verifyTicketCode(keys.publicKey, scanned!.data)).toEqual(claims);
  });

  it.each([0, 1, 2, 3, 4, 5, 6, 7])("decodes with mask pattern %i forced", (mask) => {
    // Penalty scoring picks the mask, so a wrong mask formula would only break some codes.
    for (const input of ["HELLO", ticketCodeLike, text(500)]) expect(decode(qrMatrix(input, mask))?.data).toBe(input);
  });

  it("honours a forced mask: the eight patterns give eight different symbols", () => {
    const symbols = new Set([0, 1, 2, 3, 4, 5, 6, 7].map((mask) => JSON.stringify(qrMatrix(ticketCodeLike, mask))));
    expect(symbols.size).toBe(8);
  });

  it("decodes the empty string", () => {
    expect(decode(qrMatrix(""))?.data).toBe("");
  });

  it("throws a clear RangeError when the input cannot fit any version", () => {
    expect(() => qrMatrix(text(2332))).toThrow(RangeError);
    expect(() => qrMatrix(text(2332))).toThrow(/too long: 2332 bytes do not fit version 40 at level M/);
  });
});

describe("qrSvg", () => {
  it("renders a standalone SVG with a quiet zone, a white background and one dark path", () => {
    const svg = qrSvg(ticketCodeLike);
    const side = qrMatrix(ticketCodeLike).length + 8;
    expect(svg.startsWith('<svg xmlns="http://www.w3.org/2000/svg"')).toBe(true);
    expect(svg).toContain(`viewBox="0 0 ${side} ${side}"`);
    expect(svg).toContain(`width="${side * 4}"`);
    expect(svg).toContain('shape-rendering="crispEdges"');
    expect(svg).toContain(`<rect width="${side}" height="${side}" fill="#fff"/>`);
    expect(svg.match(/<path /g)).toHaveLength(1);
    expect(svg).toMatch(/<path fill="#000" d="M[0-9hvMz -]+"\/><\/svg>$/);
  });

  it("honours margin and moduleSize", () => {
    const side = qrMatrix("HELLO").length; // 21: version 1
    const svg = qrSvg("HELLO", { margin: 2, moduleSize: 10 });
    expect(svg).toContain(`viewBox="0 0 ${side + 4} ${side + 4}" width="${(side + 4) * 10}"`);
    // The top-left finder starts at the margin.
    expect(svg).toContain('d="M2 2h7v1h-7z');
  });

  it("rejects a negative or fractional margin", () => {
    expect(() => qrSvg("x", { margin: -1 })).toThrow(RangeError);
    expect(() => qrSvg("x", { margin: 1.5 })).toThrow(RangeError);
  });

  it("propagates the too-long error", () => {
    expect(() => qrSvg(text(3000))).toThrow(/too long/);
  });
});
