import { EvalError } from "./error.js";
import { checkImagePair, checkImageSize, maskWeights, unitScale, type ImagePixels, type MaskPixels } from "./image.js";

/** SSIM's window: a Gaussian of this standard deviation, in pixels (Wang et al. 2004). */
export const SSIM_SIGMA_PX = 1.5;
/** SSIM's full window width and height, in pixels. */
export const SSIM_WINDOW_PX = 11;
/** SSIM's luminance stabilizer: `C1 = (K1 L)^2`. */
export const SSIM_K1 = 0.01;
/** SSIM's contrast stabilizer: `C2 = (K2 L)^2`. */
export const SSIM_K2 = 0.03;

/** Options of {@link ssim}. */
export interface SsimOptions {
  widthPx: number;
  heightPx: number;
  /** Per-pixel weights `[heightPx * widthPx]`; each window counts with the weight of its centre pixel. */
  mask?: MaskPixels;
  /** Values per pixel; default 3 (RGB). Each channel is scored on its own and the scores averaged. */
  channels?: number;
  /** The dynamic range `L` of the [0, 1]-scaled values; default 1. */
  dataRange?: number;
}

/**
 * The window size along an axis of `sizePx` pixels: 11, or for images narrower than
 * that the largest odd size that fits (a 10-pixel axis gets 9, a 1-pixel axis gets 1).
 */
export function ssimWindowSize(sizePx: number): number {
  return Math.min(SSIM_WINDOW_PX, sizePx % 2 === 1 ? sizePx : sizePx - 1);
}

/** The 1D Gaussian taps (sigma 1.5 px) of an odd window `size`, normalised to sum to 1. */
export function ssimKernel(size: number): Float64Array {
  const r = (size - 1) / 2;
  const k = new Float64Array(size);
  let s = 0;
  for (let i = 0; i < size; i++) s += k[i] = Math.exp(-((i - r) ** 2) / (2 * SSIM_SIGMA_PX * SSIM_SIGMA_PX));
  for (let i = 0; i < size; i++) k[i] /= s;
  return k;
}

/**
 * Structural similarity (Wang, Bovik, Sheikh, Simoncelli 2004,
 * https://doi.org/10.1109/TIP.2003.819861): an 11x11 Gaussian window (sigma 1.5),
 * `K1 = 0.01`, `K2 = 0.03`, population (not sample) statistics, as in the authors'
 * MATLAB code. Each channel is scored separately and the mean taken over channels
 * and over the valid window centres.
 *
 * Borders: only windows that lie wholly inside the image count (no padding), so an
 * H x W image has (H-10) x (W-10) window centres. An axis shorter than 11 pixels uses
 * the largest odd window that fits ({@link ssimWindowSize}), the Gaussian truncated
 * to it and renormalised; a 1-pixel axis thus scores luminance only along it. With a
 * mask, each window is weighted by the mask at its centre (its pixels outside the
 * mask still take part); `NaN` if no valid centre has weight.
 *
 * Computed with separable Gaussian filtering in float64; `ssimReference` in
 * metrics.reference.ts is the per-window version it is tested against.
 * Returns a value in [-1, 1]; 1 for identical images.
 */
export function ssim(a: ImagePixels, b: ImagePixels, options: SsimOptions): number {
  const { widthPx: w, heightPx: h, mask, channels = 3, dataRange = 1 } = options;
  checkImagePair("ssim", a, b, channels);
  checkImageSize("ssim", a.length, w, h, channels);
  if (!(dataRange > 0)) throw new EvalError(`ssim: dataRange must be positive, got ${dataRange}`);
  const weights = maskWeights("ssim", mask, w * h);
  const kx = ssimKernel(ssimWindowSize(w));
  const ky = ssimKernel(ssimWindowSize(h));
  const rx = (kx.length - 1) / 2;
  const ry = (ky.length - 1) / 2;
  const vw = w - 2 * rx; // valid centres per row
  const vh = h - 2 * ry;
  const c1 = (SSIM_K1 * dataRange) ** 2;
  const c2 = (SSIM_K2 * dataRange) ** 2;
  const sa = unitScale(a);
  const sb = unitScale(b);

  // Horizontal pass: five moments filtered along rows, [h][vw] each, interleaved.
  const rowPass = new Float64Array(h * vw * 5);
  const colA = new Float64Array(w);
  const colB = new Float64Array(w);
  let total = 0;
  let weightTotal = 0;
  for (let p = 0; p < vw * vh; p++) weightTotal += weights[(Math.floor(p / vw) + ry) * w + (p % vw) + rx];
  if (weightTotal === 0) return Number.NaN;

  for (let c = 0; c < channels; c++) {
    for (let y = 0; y < h; y++) {
      for (let x = 0; x < w; x++) {
        colA[x] = a[(y * w + x) * channels + c] * sa;
        colB[x] = b[(y * w + x) * channels + c] * sb;
      }
      for (let x = 0; x < vw; x++) {
        let ma = 0, mb = 0, maa = 0, mbb = 0, mab = 0;
        for (let i = 0; i < kx.length; i++) {
          const g = kx[i];
          const va = colA[x + i];
          const vb = colB[x + i];
          ma += g * va;
          mb += g * vb;
          maa += g * va * va;
          mbb += g * vb * vb;
          mab += g * va * vb;
        }
        const o = (y * vw + x) * 5;
        rowPass[o] = ma;
        rowPass[o + 1] = mb;
        rowPass[o + 2] = maa;
        rowPass[o + 3] = mbb;
        rowPass[o + 4] = mab;
      }
    }
    // Vertical pass, then the SSIM of each valid centre.
    for (let y = 0; y < vh; y++) {
      for (let x = 0; x < vw; x++) {
        const wt = weights[(y + ry) * w + x + rx];
        if (wt === 0) continue;
        let ma = 0, mb = 0, maa = 0, mbb = 0, mab = 0;
        for (let j = 0; j < ky.length; j++) {
          const g = ky[j];
          const o = ((y + j) * vw + x) * 5;
          ma += g * rowPass[o];
          mb += g * rowPass[o + 1];
          maa += g * rowPass[o + 2];
          mbb += g * rowPass[o + 3];
          mab += g * rowPass[o + 4];
        }
        const varA = maa - ma * ma;
        const varB = mbb - mb * mb;
        const cov = mab - ma * mb;
        const s = ((2 * ma * mb + c1) * (2 * cov + c2)) / ((ma * ma + mb * mb + c1) * (varA + varB + c2));
        total += wt * s;
      }
    }
  }
  return total / (weightTotal * channels);
}
