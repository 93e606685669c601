import { EvalError } from "./error.js";

/**
 * An image as packed channels, row-major (`[heightPx * widthPx * channels]`, RGB by
 * default). Float arrays hold values in [0, 1]; 8-bit arrays hold 0..255 and are read
 * as value / 255, so both kinds compare on the same [0, 1] scale and can be mixed.
 */
export type ImagePixels = Float32Array | Float64Array | Uint8Array | Uint8ClampedArray;

/**
 * A per-pixel weight mask, `[heightPx * widthPx]` (one value per pixel, not per
 * channel). 8-bit masks hold 0..255 (read as value / 255); float masks hold 0..1.
 * Values between the ends weight pixels partially (soft masks, anti-aliased edges).
 */
export type MaskPixels = Float32Array | Float64Array | Uint8Array | Uint8ClampedArray;

/** The factor that maps stored values of `pixels` to [0, 1]: 1/255 for 8-bit arrays, 1 for floats. */
export function unitScale(pixels: ImagePixels | MaskPixels): number {
  return pixels instanceof Uint8Array || pixels instanceof Uint8ClampedArray ? 1 / 255 : 1;
}

/** Throws unless `a` and `b` have the same length, a whole number of `channels`-pixels. */
export function checkImagePair(fn: string, a: ImagePixels, b: ImagePixels, channels: number): number {
  if (!Number.isInteger(channels) || channels < 1) throw new EvalError(`${fn}: channels must be a positive integer, got ${channels}`);
  if (a.length !== b.length) throw new EvalError(`${fn}: images differ in length (${a.length} vs ${b.length} values)`);
  if (a.length % channels !== 0) throw new EvalError(`${fn}: image length ${a.length} is not a multiple of ${channels} channels`);
  return a.length / channels;
}

/** Throws unless an image of `length` values is `widthPx` x `heightPx` x `channels`. */
export function checkImageSize(fn: string, length: number, widthPx: number, heightPx: number, channels: number): void {
  if (!Number.isInteger(widthPx) || !Number.isInteger(heightPx) || widthPx < 1 || heightPx < 1) {
    throw new EvalError(`${fn}: image size must be positive integers, got ${widthPx}x${heightPx}`);
  }
  if (length !== widthPx * heightPx * channels) {
    throw new EvalError(`${fn}: image has ${length} values, expected ${widthPx}x${heightPx}x${channels} = ${widthPx * heightPx * channels}`);
  }
}

/**
 * The mask as weights in [0, 1] (`[pixelCount]`, float64), or all ones when `mask`
 * is undefined. Throws on a wrong length or a float mask outside [0, 1].
 */
export function maskWeights(fn: string, mask: MaskPixels | undefined, pixelCount: number): Float64Array {
  const weights = new Float64Array(pixelCount);
  if (mask === undefined) return weights.fill(1);
  if (mask.length !== pixelCount) throw new EvalError(`${fn}: mask has ${mask.length} values, expected one per pixel (${pixelCount})`);
  const scale = unitScale(mask);
  for (let i = 0; i < pixelCount; i++) {
    const w = mask[i] * scale;
    if (!(w >= 0 && w <= 1)) {
      throw new EvalError(`${fn}: mask value ${mask[i]} at pixel ${i} is outside [0, 1]; pass a Uint8Array for 0..255 masks`);
    }
    weights[i] = w;
  }
  return weights;
}
