/** The pictures of an eval report: contact sheet, heat maps with colour bars, training curves. */
import type { TrainingHistory } from "../../train/index.js";
import { textHeightPx, textWidthPx } from "../font.js";
import { colorbar, errorHeatmap, perPixelError } from "../heatmap.js";
import { plotLayout, plotLines, type PlotLinesOptions, type PlotSeries } from "../plot.js";
import { RgbCanvas } from "../raster.js";
import type { EvalFrameImages } from "./evaluate-avatar.js";

/** A packed 8-bit RGB picture `[heightPx * widthPx * 3]` and its size. */
export interface ReportPicture {
  rgb: Uint8Array;
  widthPx: number;
  heightPx: number;
}

/** Tiles narrower than this are scaled up by a whole factor (nearest neighbour) so they can be read. */
const MIN_TILE_PX = 128;

/** The whole factor tiles of `widthPx` are scaled by. */
export function tileScale(widthPx: number): number {
  return Math.max(1, Math.ceil(MIN_TILE_PX / widthPx));
}

/** Copies `rgb` (`w` x `h`) into the canvas at (x0, y0), each pixel a `scale` x `scale` block. */
function blit(canvas: RgbCanvas, rgb: Uint8Array, w: number, h: number, x0: number, y0: number, scale: number): void {
  for (let y = 0; y < h * scale; y++) {
    const cy = y0 + y;
    if (cy < 0 || cy >= canvas.heightPx) continue;
    for (let x = 0; x < w * scale; x++) {
      const cx = x0 + x;
      if (cx < 0 || cx >= canvas.widthPx) continue;
      const s = 3 * (Math.floor(y / scale) * w + Math.floor(x / scale));
      const d = 3 * (cy * canvas.widthPx + cx);
      canvas.rgb[d] = rgb[s];
      canvas.rgb[d + 1] = rgb[s + 1];
      canvas.rgb[d + 2] = rgb[s + 2];
    }
  }
}

/**
 * The error that maps to the heat maps' top colour, shared by all frames so they
 * compare: the 99th percentile of the per-pixel mean absolute error over all
 * frames, at least 0.02 (on the [0, 1] scale).
 */
export function sharedMaxError(frames: readonly EvalFrameImages[]): number {
  const errors: number[] = [];
  for (const f of frames) {
    const e = perPixelError(f.render, f.truth, { widthPx: f.widthPx, heightPx: f.heightPx });
    for (let i = 0; i < e.length; i++) errors.push(e[i]);
  }
  if (!errors.length) return 0.02;
  errors.sort((a, b) => a - b);
  return Math.max(0.02, errors[Math.min(errors.length - 1, Math.floor(0.99 * errors.length))]);
}

/** The heat map of one frame's |render - truth| (scaled up like the contact sheet) with a colour bar on its right. */
export function heatmapPicture(frame: EvalFrameImages, maxError: number): ReportPicture {
  const { widthPx: w, heightPx: h } = frame;
  const s = tileScale(w);
  const heat = errorHeatmap(frame.render, frame.truth, { widthPx: w, heightPx: h, maxError });
  const bar = colorbar({ heightPx: h * s, maxValue: maxError });
  const canvas = new RgbCanvas(w * s + 4 + bar.widthPx, h * s);
  blit(canvas, heat, w, h, 0, 0, s);
  blit(canvas, bar.rgb, bar.widthPx, bar.heightPx, w * s + 4, 0, 1);
  return { rgb: canvas.rgb, widthPx: canvas.widthPx, heightPx: canvas.heightPx };
}

/**
 * The contact sheet: one row per frame (truth | render | error heat map, tiles
 * scaled up to at least 128 px), a caption with the frame index and its PSNR
 * on each row, column titles on top and the heat map's colour bar on the right.
 */
export function contactSheetPicture(frames: readonly EvalFrameImages[], psnrByIndex: ReadonlyMap<number, number | null>, maxError: number): ReportPicture {
  const w = Math.max(...frames.map((f) => f.widthPx));
  const h = Math.max(...frames.map((f) => f.heightPx));
  const s = tileScale(w);
  const gap = 4;
  const charH = textHeightPx(1);
  const header = charH + 3 * gap;
  const caption = charH + gap;
  const rowH = caption + h * s + gap;
  const gridW = 3 * w * s + 4 * gap;
  const bar = colorbar({ heightPx: Math.max(3 * charH, h * s), maxValue: maxError });
  const canvas = new RgbCanvas(gridW + bar.widthPx + gap, header + frames.length * rowH);
  ["truth", "render", "|error|"].forEach((title, c) => {
    const x = gap + c * (w * s + gap) + Math.floor((w * s - textWidthPx(title)) / 2);
    canvas.drawText(title, x, gap, [0, 0, 0]);
  });
  frames.forEach((f, r) => {
    const y = header + r * rowH;
    const p = psnrByIndex.get(f.index);
    canvas.drawText(`frame ${f.index}  PSNR ${p === undefined || p === null ? "n/a" : p.toFixed(2)} dB`, gap, y, [0, 0, 0]);
    const heat = errorHeatmap(f.render, f.truth, { widthPx: f.widthPx, heightPx: f.heightPx, maxError });
    [f.truth, f.render, heat].forEach((rgb, c) => blit(canvas, rgb, f.widthPx, f.heightPx, gap + c * (w * s + gap), y + caption, s));
  });
  blit(canvas, bar.rgb, bar.widthPx, bar.heightPx, gridW, header + caption, 1);
  return { rgb: canvas.rgb, widthPx: canvas.widthPx, heightPx: canvas.heightPx };
}

/** Centred moving average over `window` points (shorter at the ends). */
export function smooth(values: readonly number[], window: number): number[] {
  const half = Math.floor(Math.max(1, window) / 2);
  return values.map((_, i) => {
    let sum = 0;
    let n = 0;
    for (let j = Math.max(0, i - half); j <= Math.min(values.length - 1, i + half); j++) {
      if (Number.isFinite(values[j])) { sum += values[j]; n++; }
    }
    return n ? sum / n : Number.NaN;
  });
}

const CURVE_W = 800;
const CURVE_H = 300;

/**
 * Training curves from the avatar's history, stacked: the training loss (log
 * axis) per step, and the training PSNR per step (both smoothed over ~1/50 of
 * the run) with the validation PSNR at each validation. A note instead of plots
 * when the history is empty.
 */
export function curvesPicture(history: TrainingHistory): ReportPicture {
  const steps = history.steps;
  if (steps.length === 0) {
    const canvas = new RgbCanvas(CURVE_W, CURVE_H);
    canvas.drawText("no training history in the avatar file", 20, CURVE_H / 2, [0, 0, 0], { scale: 2 });
    return { rgb: canvas.rgb, widthPx: CURVE_W, heightPx: CURVE_H };
  }
  const window = Math.max(1, Math.round(steps.length / 50));
  const smoothed = window > 1 ? ` (smoothed, ${window} steps)` : "";
  const xs = steps.map((s) => s.step + 1);
  const loss = smooth(steps.map((s) => s.loss), window);
  const positive = loss.some((v) => v > 0);
  const lossPlot = plotLines({
    series: [{ name: `training loss${smoothed}`, xs, ys: loss }],
    widthPx: CURVE_W, heightPx: CURVE_H, title: "training loss", xLabel: "step", yLabel: "loss", logY: positive,
  });
  const psnrSeries: PlotSeries[] = [];
  if (steps.some((s) => Number.isFinite(s.metrics.psnr))) {
    psnrSeries.push({ name: `training PSNR${smoothed}`, xs, ys: smooth(steps.map((s) => s.metrics.psnr ?? Number.NaN), window) });
  }
  const vals = history.validations.filter((v) => Number.isFinite(v.metrics.valPsnr));
  if (vals.length) psnrSeries.push({ name: "held-out PSNR", xs: vals.map((v) => v.step), ys: vals.map((v) => v.metrics.valPsnr), color: "#d62728" });
  const canvas = new RgbCanvas(CURVE_W, psnrSeries.length ? 2 * CURVE_H : CURVE_H);
  blit(canvas, lossPlot, CURVE_W, CURVE_H, 0, 0, 1);
  if (psnrSeries.length) {
    const options: PlotLinesOptions = {
      series: psnrSeries, widthPx: CURVE_W, heightPx: CURVE_H, title: "PSNR", xLabel: "step", yLabel: "dB", lineWidthPx: 2,
      xRange: [Math.min(1, ...xs), Math.max(...xs)],
    };
    blit(canvas, plotLines(options), CURVE_W, CURVE_H, 0, CURVE_H, 1);
    // Validation points as squares, so single validations show.
    const layout = plotLayout(options);
    for (const v of vals) {
      const x = layout.xToPx(v.step);
      const y = CURVE_H + layout.yToPx(v.metrics.valPsnr);
      canvas.fillRect(x - 3, y - 3, x + 3, y + 3, [214, 39, 40]);
    }
  }
  return { rgb: canvas.rgb, widthPx: canvas.widthPx, heightPx: canvas.heightPx };
}
