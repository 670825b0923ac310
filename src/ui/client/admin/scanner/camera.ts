/** Which decoder read the frames: the browser's own, or jsQR on a canvas. */
export type DecoderPath = "barcode-detector" | "jsqr";

type Detector = { detect(source: CanvasImageSource): Promise<{ rawValue: string }[]> };
type DetectorClass = {
  new (opts: { formats: string[] }): Detector;
  getSupportedFormats(): Promise<string[]>;
};
type JsQr = (data: Uint8ClampedArray, width: number, height: number) => { data: string } | null;

const DECODER_URL = "/assets/scanner-decoder.js";
const FRAME_MS = 150;

/** A frame-to-text function: BarcodeDetector where the browser has it for QR codes, else jsQR. */
async function decoder(): Promise<{ path: DecoderPath; read: (video: HTMLVideoElement) => Promise<string | null> }> {
  const Native = (globalThis as { BarcodeDetector?: DetectorClass }).BarcodeDetector;
  if (Native && (await Native.getSupportedFormats().catch(() => [])).includes("qr_code")) {
    const detector = new Native({ formats: ["qr_code"] });
    return { path: "barcode-detector", read: async (v) => (await detector.detect(v))[0]?.rawValue ?? null };
  }
  // A variable, so the bundler leaves this import to the browser (the decoder is its own file).
  const url = DECODER_URL;
  const jsQR = ((await import(url)) as { default: JsQr }).default;
  const canvas = document.createElement("canvas");
  const ctx = canvas.getContext("2d", { willReadFrequently: true })!;
  return {
    path: "jsqr",
    read: async (v) => {
      if (!v.videoWidth) return null;
      canvas.width = v.videoWidth;
      canvas.height = v.videoHeight;
      ctx.drawImage(v, 0, 0);
      const img = ctx.getImageData(0, 0, canvas.width, canvas.height);
      return jsQR(img.data, img.width, img.height)?.data ?? null;
    },
  };
}

/**
 * Starts the rear camera in `video` and calls `onCode` with each code read. The same code is
 * reported once while it stays in view (a steward holds the phone over a ticket for a second).
 * Throws if there is no camera or the visitor refused it.
 */
export async function startCamera(video: HTMLVideoElement, onCode: (code: string) => void) {
  const stream = await navigator.mediaDevices.getUserMedia({ video: { facingMode: "environment" }, audio: false });
  video.srcObject = stream;
  video.muted = true;
  video.playsInline = true;
  await video.play();
  const { path, read } = await decoder();
  let last = "";
  let lastAt = 0;
  let stopped = false;
  const tick = async () => {
    if (stopped) return;
    const text = await read(video).catch(() => null);
    const now = Date.now();
    if (text && (text !== last || now - lastAt > 3000)) onCode(text);
    if (text) [last, lastAt] = [text, now];
    setTimeout(tick, FRAME_MS);
  };
  void tick();
  return {
    path,
    stop() {
      stopped = true;
      for (const t of stream.getTracks()) t.stop();
      video.srcObject = null;
    },
  };
}
