import { EvalError } from "./error.js";
import { checkImagePair, maskWeights, unitScale, type ImagePixels, type MaskPixels } from "./image.js";

/** Options of {@link psnr}. */
export interface PsnrOptions {
  /** Per-pixel weights `[heightPx * widthPx]`: only masked pixels count (see {@link MaskPixels}). */
  mask?: MaskPixels;
  /** The peak signal value on the [0, 1] scale images are read on; default 1. */
  maxValue?: number;
  /** Values per pixel; default 3 (RGB). */
  channels?: number;
}

/** Options of {@link meanAbsoluteError}. */
export interface MeanAbsoluteErrorOptions {
  /** Per-pixel weights `[heightPx * widthPx]`: only masked pixels count (see {@link MaskPixels}). */
  mask?: MaskPixels;
  /** Values per pixel; default 3 (RGB). */
  channels?: number;
}

/** Weighted sums over all channels: `sum w * |a-b|^p` and `sum w` (per value, i.e. times channels). */
function weightedErrorSums(fn: string, a: ImagePixels, b: ImagePixels, mask: MaskPixels | undefined, channels: number, power: 1 | 2): { errorSum: number; weightSum: number } {
  const pixelCount = checkImagePair(fn, a, b, channels);
  const weights = maskWeights(fn, mask, pixelCount);
  const sa = unitScale(a);
  const sb = unitScale(b);
  let errorSum = 0;
  let weightSum = 0;
  for (let p = 0; p < pixelCount; p++) {
    const w = weights[p];
    if (w === 0) continue;
    let e = 0;
    for (let c = 0; c < channels; c++) {
      const d = a[p * channels + c] * sa - b[p * channels + c] * sb;
      e += power === 2 ? d * d : Math.abs(d);
    }
    errorSum += w * e;
    weightSum += w * channels;
  }
  return { errorSum, weightSum };
}

/**
 * Peak signal-to-noise ratio in dB: `10 log10(maxValue^2 / MSE)`, the MSE taken over
 * every channel of every pixel (mask-weighted when a mask is given), in float64.
 * Identical images give `Infinity`; a mask with no weight gives `NaN` (nothing to measure).
 */
export function psnr(a: ImagePixels, b: ImagePixels, options: PsnrOptions = {}): number {
  const { mask, maxValue = 1, channels = 3 } = options;
  if (!(maxValue > 0)) throw new EvalError(`psnr: maxValue must be positive, got ${maxValue}`);
  const { errorSum, weightSum } = weightedErrorSums("psnr", a, b, mask, channels, 2);
  if (weightSum === 0) return Number.NaN;
  const mse = errorSum / weightSum;
  return mse === 0 ? Number.POSITIVE_INFINITY : 10 * Math.log10((maxValue * maxValue) / mse);
}

/**
 * Mean absolute error (L1) over every channel of every pixel, on the [0, 1] scale,
 * mask-weighted when a mask is given; `NaN` for a mask with no weight.
 */
export function meanAbsoluteError(a: ImagePixels, b: ImagePixels, options: MeanAbsoluteErrorOptions = {}): number {
  const { mask, channels = 3 } = options;
  const { errorSum, weightSum } = weightedErrorSums("meanAbsoluteError", a, b, mask, channels, 1);
  return weightSum === 0 ? Number.NaN : errorSum / weightSum;
}

/** The errors of one region of {@link regionErrors}. */
export interface RegionError {
  /** PSNR over the region in dB (`Infinity` if identical there, `NaN` if the region is empty). */
  psnrDb: number;
  /** Mean absolute error over the region on the [0, 1] scale (`NaN` if the region is empty). */
  l1: number;
  /** The region's size: the sum of its mask weights, in pixels. */
  maskedPixels: number;
}

/**
 * PSNR and L1 of `a` against `b` inside each named region mask (e.g. `mouth`, `eyes`,
 * `background`), each mask `[heightPx * widthPx]` as in {@link MaskPixels}.
 */
export function regionErrors(options: { a: ImagePixels; b: ImagePixels; masks: Record<string, MaskPixels>; channels?: number; maxValue?: number }): Record<string, RegionError> {
  const { a, b, masks, channels = 3, maxValue = 1 } = options;
  const out: Record<string, RegionError> = {};
  for (const [name, mask] of Object.entries(masks)) {
    const pixelCount = checkImagePair("regionErrors", a, b, channels);
    const weights = maskWeights(`regionErrors (mask ${name})`, mask, pixelCount);
    let maskedPixels = 0;
    for (const w of weights) maskedPixels += w;
    out[name] = {
      psnrDb: psnr(a, b, { mask, channels, maxValue }),
      l1: meanAbsoluteError(a, b, { mask, channels }),
      maskedPixels,
    };
  }
  return out;
}
