/** Mask and pixel helpers of the eval report: reading dataset masks, dilating them, 8-bit conversion. */
import sharp from "sharp";
import { EvalError } from "../error.js";

/**
 * Reads a mask PNG as weights `[heightPx * widthPx]` in [0, 1] (its first channel / 255).
 * Throws {@link EvalError} naming the file if it cannot be read or has another size.
 */
export async function readMask(path: string, widthPx: number, heightPx: number): Promise<Float32Array> {
  let raw;
  try {
    raw = await sharp(path).raw().toBuffer({ resolveWithObject: true });
  } catch (e) {
    throw new EvalError(`${path}: cannot read mask (${(e as Error).message})`);
  }
  const { data, info } = raw;
  if (info.width !== widthPx || info.height !== heightPx) throw new EvalError(`${path}: mask is ${info.width}x${info.height}, expected ${widthPx}x${heightPx}`);
  const out = new Float32Array(widthPx * heightPx);
  for (let p = 0; p < out.length; p++) out[p] = data[p * info.channels] / 255;
  return out;
}

/**
 * The mask thresholded at 0.5 and dilated by a disc of `radiusPx` pixels:
 * `[heightPx * widthPx]` of 0 and 1 (a pixel is 1 if a mask pixel within
 * `radiusPx` of it, Euclidean, is above 0.5).
 */
export function dilateMask(mask: ArrayLike<number>, widthPx: number, heightPx: number, radiusPx: number): Float32Array {
  if (mask.length !== widthPx * heightPx) throw new EvalError(`dilateMask: mask has ${mask.length} values, expected ${widthPx}x${heightPx}`);
  const r = Math.max(0, Math.floor(radiusPx));
  const out = new Float32Array(mask.length);
  for (let y = 0; y < heightPx; y++) {
    for (let x = 0; x < widthPx; x++) {
      if (!(mask[y * widthPx + x] > 0.5)) continue;
      for (let dy = -r; dy <= r; dy++) {
        const yy = y + dy;
        if (yy < 0 || yy >= heightPx) continue;
        for (let dx = -r; dx <= r; dx++) {
          const xx = x + dx;
          if (xx < 0 || xx >= widthPx || dx * dx + dy * dy > r * r) continue;
          out[yy * widthPx + xx] = 1;
        }
      }
    }
  }
  return out;
}

/** `1 - mask`, element-wise. */
export function invertMask(mask: ArrayLike<number>): Float32Array {
  return Float32Array.from(mask, (v) => 1 - v);
}

/** Float pixels in [0, 1] (clamped) as 8-bit values, rounded. */
export function toBytes(pixels: ArrayLike<number>): Uint8Array {
  const out = new Uint8Array(pixels.length);
  for (let i = 0; i < pixels.length; i++) out[i] = Math.round(255 * Math.min(1, Math.max(0, pixels[i])));
  return out;
}
