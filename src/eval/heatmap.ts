import { EvalError } from "./error.js";
import { textHeightPx, textWidthPx } from "./font.js";
import { checkImagePair, checkImageSize, unitScale, type ImagePixels } from "./image.js";
import { colormapColor, type ColormapName } from "./colormap.js";
import { RgbCanvas } from "./raster.js";
import { linearTicks } from "./ticks.js";

/** Options of {@link errorHeatmap}. */
export interface ErrorHeatmapOptions {
  widthPx: number;
  heightPx: number;
  /** The error that maps to the colormap's last colour (larger errors clamp to it); default: the image's largest error. Fix it to compare heat maps. */
  maxError?: number;
  /** Values per pixel; default 3 (RGB). */
  channels?: number;
  /** Default viridis. */
  colormap?: ColormapName;
}

/**
 * Per-pixel error of `a` against `b`: the mean over channels of |a - b| on the
 * [0, 1] scale, `[heightPx * widthPx]`.
 */
export function perPixelError(a: ImagePixels, b: ImagePixels, options: { widthPx: number; heightPx: number; channels?: number }): Float32Array {
  const { widthPx, heightPx, channels = 3 } = options;
  const n = checkImagePair("perPixelError", a, b, channels);
  checkImageSize("perPixelError", a.length, widthPx, heightPx, channels);
  const sa = unitScale(a);
  const sb = unitScale(b);
  const out = new Float32Array(n);
  for (let p = 0; p < n; p++) {
    let e = 0;
    for (let c = 0; c < channels; c++) e += Math.abs(a[p * channels + c] * sa - b[p * channels + c] * sb);
    out[p] = e / channels;
  }
  return out;
}

/**
 * An error heat map, packed 8-bit RGB `[heightPx * widthPx * 3]`: each pixel's
 * {@link perPixelError} divided by `maxError` and coloured with a perceptual colormap
 * (zero error is the colormap's first colour, `maxError` and above its last).
 * Pair it with {@link colorbar} for the scale.
 */
export function errorHeatmap(a: ImagePixels, b: ImagePixels, options: ErrorHeatmapOptions): Uint8Array {
  const { colormap = "viridis" } = options;
  const error = perPixelError(a, b, options);
  let maxError = options.maxError;
  if (maxError === undefined) {
    maxError = 0;
    for (const e of error) maxError = Math.max(maxError, e);
    if (maxError === 0) maxError = 1;
  }
  if (!(maxError > 0)) throw new EvalError(`errorHeatmap: maxError must be positive, got ${maxError}`);
  const rgb = new Uint8Array(error.length * 3);
  for (let p = 0; p < error.length; p++) rgb.set(colormapColor(error[p] / maxError, colormap), p * 3);
  return rgb;
}

/** Options of {@link colorbar}. */
export interface ColorbarOptions {
  heightPx: number;
  /** The value at the top of the bar (e.g. the heat map's `maxError`). */
  maxValue: number;
  /** The value at the bottom; default 0. */
  minValue?: number;
  /** Width of the coloured strip in pixels; default 16. */
  barWidthPx?: number;
  /** Integer size of the font's pixels; default 1. */
  textScale?: number;
  colormap?: ColormapName;
}

/**
 * A vertical colour bar with tick labels on its right, on white, for reading a heat
 * map: `minValue` at the bottom row, `maxValue` at the top. Returns the RGB pixels
 * and the image size (its width depends on the labels).
 */
export function colorbar(options: ColorbarOptions): { rgb: Uint8Array; widthPx: number; heightPx: number } {
  const { heightPx, maxValue, minValue = 0, barWidthPx = 16, textScale: s = 1, colormap = "viridis" } = options;
  if (!(maxValue > minValue)) throw new EvalError(`colorbar: maxValue (${maxValue}) must exceed minValue (${minValue})`);
  const charH = textHeightPx(s);
  const margin = Math.ceil(charH / 2) + 1; // room for the end labels
  const barTop = margin;
  const barBottom = heightPx - 1 - margin;
  if (barBottom - barTop < 2) throw new EvalError(`colorbar: heightPx ${heightPx} is too small`);
  const ticks = linearTicks(minValue, maxValue, { extend: false, target: Math.max(2, Math.floor(heightPx / (30 * s))) });
  const labelW = Math.max(...ticks.labels.map((l) => textWidthPx(l, s)));
  const labelX = 2 + barWidthPx + 5 * s + 2;
  const widthPx = labelX + labelW + 2;
  const canvas = new RgbCanvas(widthPx, heightPx);
  const rowOf = (v: number): number => Math.round(barBottom - ((v - minValue) / (maxValue - minValue)) * (barBottom - barTop));
  for (let y = barTop; y <= barBottom; y++) {
    canvas.fillRect(2, y, 1 + barWidthPx, y, colormapColor((barBottom - y) / (barBottom - barTop), colormap));
  }
  ticks.values.forEach((v, i) => {
    const y = rowOf(v);
    canvas.fillRect(2 + barWidthPx, y, 2 + barWidthPx + 2 * s, y, [0, 0, 0]);
    canvas.drawText(ticks.labels[i], labelX, y - Math.floor(charH / 2), [0, 0, 0], { scale: s });
  });
  return { rgb: canvas.rgb, widthPx, heightPx };
}
