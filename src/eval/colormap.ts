import { EvalError } from "./error.js";
import type { RgbColor } from "./raster.js";

/** The perceptual colormaps {@link colormapColor} knows. */
export const COLORMAPS = ["viridis", "inferno"] as const;
/** A perceptual colormap name. */
export type ColormapName = (typeof COLORMAPS)[number];

// Nine evenly spaced samples (t = 0, 1/8, ..., 1) of matplotlib's colormaps
// (van der Walt and Smith, https://bids.github.io/colormap/), interpolated linearly.
const CONTROL_POINTS: Record<ColormapName, readonly RgbColor[]> = {
  viridis: [[68, 1, 84], [71, 45, 123], [59, 82, 139], [44, 114, 142], [33, 145, 140], [40, 174, 128], [94, 201, 98], [173, 220, 48], [253, 231, 37]],
  inferno: [[0, 0, 4], [31, 12, 72], [85, 15, 109], [136, 34, 106], [186, 54, 85], [227, 89, 51], [249, 149, 10], [248, 201, 50], [252, 255, 164]],
};

/** The colour of `t` in [0, 1] (clamped; NaN maps to 0) on colormap `name`: first control point at 0, last at 1. */
export function colormapColor(t: number, name: ColormapName = "viridis"): RgbColor {
  const points = CONTROL_POINTS[name];
  if (!points) throw new EvalError(`colormapColor: unknown colormap ${JSON.stringify(name)}; known: ${COLORMAPS.join(", ")}`);
  const u = Math.min(1, Math.max(0, Number.isNaN(t) ? 0 : t)) * (points.length - 1);
  const i = Math.min(points.length - 2, Math.floor(u));
  const f = u - i;
  const [p, q] = [points[i], points[i + 1]];
  return [Math.round(p[0] + (q[0] - p[0]) * f), Math.round(p[1] + (q[1] - p[1]) * f), Math.round(p[2] + (q[2] - p[2]) * f)];
}
