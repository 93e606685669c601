// Plain reference implementations of the image metrics, written for clarity, not
// speed: the fast versions in metrics.ts and ssim.ts are tested against these.
import { unitScale, type ImagePixels, type MaskPixels } from "./image.js";

/** Reference PSNR in dB over all values (mask-weighted per pixel), straight from the definition. */
export function psnrReference(a: ImagePixels, b: ImagePixels, options: { mask?: MaskPixels; maxValue?: number; channels?: number } = {}): number {
  const { mask, maxValue = 1, channels = 3 } = options;
  let se = 0;
  let n = 0;
  for (let i = 0; i < a.length; i++) {
    const w = mask ? mask[Math.floor(i / channels)] * unitScale(mask) : 1;
    const d = a[i] * unitScale(a) - b[i] * unitScale(b);
    se += w * d * d;
    n += w;
  }
  if (n === 0) return Number.NaN;
  return se === 0 ? Number.POSITIVE_INFINITY : 10 * Math.log10((maxValue * maxValue) / (se / n));
}

/**
 * Reference SSIM: for every valid window centre and channel, the 2D Gaussian weights
 * `exp(-(dx^2 + dy^2) / (2 * 1.5^2))` over the window, normalised, then means,
 * two-pass variances and covariance in float64, then Wang et al.'s formula.
 * Same window and border rules as `ssim` (see ssim.ts).
 */
export function ssimReference(a: ImagePixels, b: ImagePixels, options: { widthPx: number; heightPx: number; mask?: MaskPixels; channels?: number; dataRange?: number }): number {
  const { widthPx: w, heightPx: h, mask, channels = 3, dataRange = 1 } = options;
  const size = (n: number): number => Math.min(11, n % 2 === 1 ? n : n - 1);
  const rx = (size(w) - 1) / 2;
  const ry = (size(h) - 1) / 2;
  const c1 = (0.01 * dataRange) ** 2;
  const c2 = (0.03 * dataRange) ** 2;
  const at = (img: ImagePixels, x: number, y: number, c: number): number => img[(y * w + x) * channels + c] * unitScale(img);
  let total = 0;
  let weightTotal = 0;
  for (let cy = ry; cy < h - ry; cy++) {
    for (let cx = rx; cx < w - rx; cx++) {
      const wt = mask ? mask[cy * w + cx] * unitScale(mask) : 1;
      for (let c = 0; c < channels; c++) {
        let gSum = 0;
        for (let dy = -ry; dy <= ry; dy++) for (let dx = -rx; dx <= rx; dx++) gSum += Math.exp(-(dx * dx + dy * dy) / 4.5);
        let ma = 0, mb = 0;
        for (let dy = -ry; dy <= ry; dy++) {
          for (let dx = -rx; dx <= rx; dx++) {
            const g = Math.exp(-(dx * dx + dy * dy) / 4.5) / gSum;
            ma += g * at(a, cx + dx, cy + dy, c);
            mb += g * at(b, cx + dx, cy + dy, c);
          }
        }
        let va = 0, vb = 0, cov = 0;
        for (let dy = -ry; dy <= ry; dy++) {
          for (let dx = -rx; dx <= rx; dx++) {
            const g = Math.exp(-(dx * dx + dy * dy) / 4.5) / gSum;
            const da = at(a, cx + dx, cy + dy, c) - ma;
            const db = at(b, cx + dx, cy + dy, c) - mb;
            va += g * da * da;
            vb += g * db * db;
            cov += g * da * db;
          }
        }
        total += (wt * ((2 * ma * mb + c1) * (2 * cov + c2))) / ((ma * ma + mb * mb + c1) * (va + vb + c2));
      }
      weightTotal += wt * channels;
    }
  }
  return weightTotal === 0 ? Number.NaN : total / weightTotal;
}
