import { EvalError } from "./error.js";
import { textHeightPx, textWidthPx } from "./font.js";
import { RgbCanvas, parseColor, type RgbColor } from "./raster.js";
import { linearTicks, logTicks, type AxisTicks } from "./ticks.js";

/** One line of a plot: points (xs[i], ys[i]) joined in order; non-finite y (or y <= 0 on a log axis) breaks the line. */
export interface PlotSeries {
  name: string;
  xs: ArrayLike<number>;
  ys: ArrayLike<number>;
  /** `#rrggbb` or an RGB triple; default: the next colour of {@link PLOT_PALETTE}. */
  color?: string | RgbColor;
}

/** Options of {@link plotLines}. */
export interface PlotLinesOptions {
  series: readonly PlotSeries[];
  widthPx: number;
  heightPx: number;
  title?: string;
  xLabel?: string;
  yLabel?: string;
  /** A logarithmic y axis (whole decades); default false. */
  logY?: boolean;
  /** Fixed x range instead of the data's extent. */
  xRange?: readonly [number, number];
  /** Fixed y range instead of the data's extent rounded out to ticks. */
  yRange?: readonly [number, number];
  /** Integer size of the 5x7 font's pixels; default 2 for plots 600 px wide or more, else 1. */
  textScale?: number;
  /** Line width in pixels; default `textScale`. */
  lineWidthPx?: number;
  /** Draw a legend in the corner of the plot area that hides the least of the lines; default true. */
  legend?: boolean;
}

/** Where {@link plotLines} puts things: the plot area (inclusive pixel bounds), the ticks and the data-to-pixel maps. */
export interface PlotLayout {
  plotLeftPx: number;
  plotTopPx: number;
  plotRightPx: number;
  plotBottomPx: number;
  textScale: number;
  xTicks: AxisTicks;
  yTicks: AxisTicks;
  /** Column of data x, rounded to a whole pixel (may lie outside the plot area). */
  xToPx(x: number): number;
  /** Row of data y (y grows upward), rounded to a whole pixel. */
  yToPx(y: number): number;
}

/** Line colours, in order (matplotlib's tab10). */
export const PLOT_PALETTE: readonly string[] = ["#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f", "#bcbd22", "#17becf"];

const BLACK: RgbColor = [0, 0, 0];
const GRID: RgbColor = [225, 225, 225];
const LEGEND_BORDER: RgbColor = [160, 160, 160];
const WHITE: RgbColor = [255, 255, 255];

function extent(values: Iterable<number>, keep: (v: number) => boolean): [number, number] {
  let lo = Infinity;
  let hi = -Infinity;
  for (const v of values) {
    if (!keep(v)) continue;
    lo = Math.min(lo, v);
    hi = Math.max(hi, v);
  }
  return [lo, hi];
}

function checkSeries(series: readonly PlotSeries[]): void {
  if (series.length === 0) throw new EvalError("plotLines: no series to plot");
  for (const s of series) {
    if (s.xs.length !== s.ys.length) throw new EvalError(`plotLines: series "${s.name}" has ${s.xs.length} xs but ${s.ys.length} ys`);
  }
}

/** Computes the layout {@link plotLines} draws with, from the same options. */
export function plotLayout(options: PlotLinesOptions): PlotLayout {
  const { series, widthPx, heightPx, title, xLabel, yLabel, logY = false, xRange, yRange } = options;
  checkSeries(series);
  const s = options.textScale ?? (widthPx >= 600 ? 2 : 1);
  if (!Number.isInteger(s) || s < 1) throw new EvalError(`plotLines: textScale must be a positive integer, got ${s}`);
  const finite = (v: number): boolean => Number.isFinite(v) && (!logY || v > 0);
  const xs = series.flatMap((p) => Array.from(p.ys, (y, i) => (finite(y) ? p.xs[i] : NaN)));
  const ys = series.flatMap((p) => Array.from(p.ys));
  const [x0, x1] = xRange ?? extent(xs, Number.isFinite);
  const [y0, y1] = yRange ?? extent(ys, finite);
  if (!Number.isFinite(x0) || !Number.isFinite(y0)) throw new EvalError(`plotLines: no finite${logY ? " positive" : ""} points to plot`);
  const xTicks = linearTicks(x0, x1, { extend: false, target: Math.max(2, Math.floor(widthPx / (60 * s))) });
  // A data-derived linear y range gets a 3% margin before rounding out to ticks, so
  // lines at the extremes do not hide under the frame.
  const margin = yRange || logY ? 0 : (y1 - y0) * 0.03;
  const yTicks = logY ? logTicks(y0, y1) : linearTicks(y0 - margin, y1 + margin, { extend: yRange === undefined, target: Math.max(2, Math.floor(heightPx / (40 * s))) });
  if (yRange) { yTicks.min = yRange[0]; yTicks.max = yRange[1]; }

  const pad = 6 * s;
  const tick = 4 * s;
  const charH = textHeightPx(s);
  const yLabelW = Math.max(...yTicks.labels.map((l) => textWidthPx(l, s)));
  const lastXLabelW = textWidthPx(xTicks.labels[xTicks.labels.length - 1] ?? "", s);
  const left = pad + (yLabel ? charH + pad : 0) + yLabelW + s * 3 + tick;
  const top = pad + (title ? textHeightPx(s + 1) + pad : 0);
  const bottom = tick + s * 3 + charH + (xLabel ? pad + charH : 0) + pad;
  const right = pad + Math.ceil(lastXLabelW / 2);
  const plotLeftPx = left;
  const plotTopPx = top;
  const plotRightPx = widthPx - 1 - right;
  const plotBottomPx = heightPx - 1 - bottom;
  if (plotRightPx - plotLeftPx < 10 || plotBottomPx - plotTopPx < 10) {
    throw new EvalError(`plotLines: ${widthPx}x${heightPx} px leaves no room for the plot area; make it larger or lower textScale`);
  }
  const fy = (y: number): number => (logY ? Math.log10(y) : y);
  const xSpan = xTicks.max - xTicks.min || 1;
  const ySpan = fy(yTicks.max) - fy(yTicks.min) || 1;
  return {
    plotLeftPx, plotTopPx, plotRightPx, plotBottomPx, textScale: s, xTicks, yTicks,
    xToPx: (x) => Math.round(plotLeftPx + ((x - xTicks.min) / xSpan) * (plotRightPx - plotLeftPx)),
    yToPx: (y) => Math.round(plotBottomPx - ((fy(y) - fy(yTicks.min)) / ySpan) * (plotBottomPx - plotTopPx)),
  };
}

/**
 * Draws a line plot as a packed 8-bit RGB image `[heightPx * widthPx * 3]`: white
 * background, grid, a framed plot area with ticks and tick labels, one line per
 * series clipped to the plot area, a legend, title and axis labels, all text in
 * the built-in 5x7 font. For loss and PSNR curves; write it with `writePng`.
 */
export function plotLines(options: PlotLinesOptions): Uint8Array {
  const { series, widthPx, heightPx, title, xLabel, yLabel, legend = true } = options;
  const layout = plotLayout(options);
  const { plotLeftPx: l, plotTopPx: t, plotRightPx: r, plotBottomPx: b, textScale: s, xTicks, yTicks, xToPx, yToPx } = layout;
  const logY = options.logY ?? false;
  const lineWidth = options.lineWidthPx ?? s;
  const canvas = new RgbCanvas(widthPx, heightPx);
  const charH = textHeightPx(s);
  const tick = 4 * s;
  const pad = 6 * s;

  // Grid and ticks.
  xTicks.values.forEach((v, i) => {
    const x = xToPx(v);
    canvas.fillRect(x, t, x, b, GRID);
    canvas.fillRect(x, b + 1, x + s - 1, b + tick, BLACK);
    const label = xTicks.labels[i];
    canvas.drawText(label, x - Math.floor(textWidthPx(label, s) / 2), b + tick + s * 3, BLACK, { scale: s });
  });
  yTicks.values.forEach((v, i) => {
    const y = yToPx(v);
    canvas.fillRect(l, y, r, y, GRID);
    canvas.fillRect(l - tick, y, l - 1, y + s - 1, BLACK);
    const label = yTicks.labels[i];
    canvas.drawText(label, l - tick - s * 3 - textWidthPx(label, s), y - Math.floor(charH / 2), BLACK, { scale: s });
  });

  // Lines, clipped to the inside of the frame.
  const colors = series.map((p, i) => parseColor(p.color ?? PLOT_PALETTE[i % PLOT_PALETTE.length]));
  canvas.clip = [l + 1, t + 1, r - 1, b - 1];
  series.forEach((p, k) => {
    let prev: [number, number] | undefined;
    for (let i = 0; i < p.ys.length; i++) {
      const y = p.ys[i];
      const x = p.xs[i];
      if (!Number.isFinite(y) || !Number.isFinite(x) || (logY && y <= 0)) { prev = undefined; continue; }
      const pt: [number, number] = [xToPx(x), yToPx(y)];
      canvas.drawLine(prev?.[0] ?? pt[0], prev?.[1] ?? pt[1], pt[0], pt[1], colors[k], lineWidth);
      prev = pt;
    }
  });
  canvas.clip = [0, 0, widthPx - 1, heightPx - 1];
  for (let k = 0; k < s; k++) canvas.strokeRect(l - k, t - k, r + k, b + k, BLACK);

  // Legend in the top-right corner.
  if (legend && series.some((p) => p.name)) {
    const sample = 14 * s;
    const rowH = charH + 3 * s;
    const nameW = Math.max(...series.map((p) => textWidthPx(p.name, s)));
    const boxW = 3 * s + sample + 3 * s + nameW + 3 * s;
    const boxH = series.length * rowH + 3 * s;
    // The corner whose box covers the fewest line pixels, top-right first on ties.
    const corners: [number, number][] = [[r - pad - boxW, t + pad], [l + pad, t + pad], [r - pad - boxW, b - pad - boxH], [l + pad, b - pad - boxH]];
    const covered = ([cx, cy]: [number, number]): number => {
      let n = 0;
      for (let y = cy; y <= cy + boxH; y++) {
        for (let x = cx; x <= cx + boxW; x++) {
          const [pr, pg, pb] = canvas.getPixel(x, y);
          if (colors.some((c) => c[0] === pr && c[1] === pg && c[2] === pb)) n++;
        }
      }
      return n;
    };
    const counts = corners.map(covered);
    const [bx, by] = corners[counts.indexOf(Math.min(...counts))];
    canvas.fillRect(bx, by, bx + boxW, by + boxH, WHITE);
    canvas.strokeRect(bx, by, bx + boxW, by + boxH, LEGEND_BORDER);
    series.forEach((p, k) => {
      const rowY = by + 3 * s + k * rowH;
      const midY = rowY + Math.floor(charH / 2);
      canvas.drawLine(bx + 3 * s, midY, bx + 3 * s + sample, midY, colors[k], lineWidth);
      canvas.drawText(p.name, bx + 6 * s + sample, rowY, BLACK, { scale: s });
    });
  }

  // Title and axis labels.
  if (title) canvas.drawText(title, Math.floor((l + r - textWidthPx(title, s + 1)) / 2), pad, BLACK, { scale: s + 1 });
  if (xLabel) canvas.drawText(xLabel, Math.floor((l + r - textWidthPx(xLabel, s)) / 2), heightPx - pad - charH, BLACK, { scale: s });
  if (yLabel) canvas.drawText(yLabel, pad, Math.floor((t + b + textWidthPx(yLabel, s)) / 2), BLACK, { scale: s, vertical: true });
  return canvas.rgb;
}
