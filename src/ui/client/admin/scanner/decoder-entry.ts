// The JavaScript QR decoder, built apart (public/assets/scanner-decoder.js) so only a scanner on a
// browser without BarcodeDetector downloads it, not every fan page.
import jsQR from "jsqr";

export default jsQR;
