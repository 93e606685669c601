import sharp from "sharp";
import { writeFileAtomic } from "../core/index.js";
import { EvalError } from "./error.js";

/**
 * Writes packed 8-bit RGB pixels (`[heightPx * widthPx * 3]`, row-major) as a PNG,
 * through a temporary file and a rename, so `path` is never half-written.
 */
export async function writePng(path: string, rgb: Uint8Array, widthPx: number, heightPx: number): Promise<void> {
  if (rgb.length !== widthPx * heightPx * 3) {
    throw new EvalError(`writePng: ${path}: ${rgb.length} bytes do not make a ${widthPx}x${heightPx} RGB image`);
  }
  const png = await sharp(Buffer.from(rgb.buffer, rgb.byteOffset, rgb.byteLength), { raw: { width: widthPx, height: heightPx, channels: 3 } }).png().toBuffer();
  writeFileAtomic(path, png);
}
