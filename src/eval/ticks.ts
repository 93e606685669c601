/** Axis ticks: the axis range they span and the values to mark. */
export interface AxisTicks {
  /** The axis range, data units (for a log axis: the values, not their logs). */
  min: number;
  max: number;
  /** Tick positions in data units, ascending, all within [min, max]. */
  values: number[];
  /** Tick labels, one per value. */
  labels: string[];
}

/** A "nice" step (1, 2 or 5 times a power of ten) near `span / target`. */
export function niceStep(span: number, target: number): number {
  const raw = span / Math.max(1, target);
  const mag = 10 ** Math.floor(Math.log10(raw));
  const n = raw / mag;
  return (n < 1.5 ? 1 : n < 3 ? 2 : n < 7 ? 5 : 10) * mag;
}

/** Formats `v` with as many decimals as `step` needs; exponent form for very small or large values. */
export function formatTick(v: number, step: number): string {
  if (v === 0) return "0";
  const a = Math.abs(v);
  if (a >= 1e6 || a < 1e-4) return v.toExponential(Math.max(0, Math.min(3, Math.floor(Math.log10(a) + 1e-9) - Math.floor(Math.log10(step) + 1e-9)))).replace("e+", "e");
  const decimals = Math.max(0, Math.min(6, -Math.floor(Math.log10(step) + 1e-9)));
  const s = v.toFixed(decimals);
  return s === "-0" ? "0" : s;
}

/** Widens an empty or degenerate range so it can be drawn. */
function widen(min: number, max: number): [number, number] {
  if (max > min) return [min, max];
  const pad = Math.abs(min) * 0.1 || 1;
  return [min - pad, max + pad];
}

/**
 * Linear ticks for data in [min, max]. With `extend`, the range grows outward to the
 * nearest ticks (tidy for values); otherwise it stays [min, max] (exact for steps).
 */
export function linearTicks(dataMin: number, dataMax: number, options: { target?: number; extend?: boolean } = {}): AxisTicks {
  const { target = 5, extend = true } = options;
  let [min, max] = widen(dataMin, dataMax);
  const step = niceStep(max - min, target);
  if (extend) {
    min = Math.floor(min / step + 1e-9) * step;
    max = Math.ceil(max / step - 1e-9) * step;
  }
  const values: number[] = [];
  for (let k = Math.ceil(min / step - 1e-9); k * step <= max + step * 1e-9; k++) values.push(k * step + 0); // + 0 turns -0 into 0
  return { min, max, values, labels: values.map((v) => formatTick(v, step)) };
}

/**
 * Log-axis ticks for positive data in [min, max]: the range grows to whole decades;
 * ticks at each power of ten, plus 2x and 5x when the range spans at most two decades.
 */
export function logTicks(dataMin: number, dataMax: number): AxisTicks {
  let lo = Math.floor(Math.log10(dataMin) + 1e-9);
  let hi = Math.ceil(Math.log10(dataMax) - 1e-9);
  if (hi <= lo) { lo -= hi === lo ? 0 : 1; hi = lo + 1; }
  const values: number[] = [];
  const labels: string[] = [];
  const label = (v: number, e: number): string => (e >= -3 && e <= 4 ? formatTick(v, 10 ** e) : v.toExponential(0).replace("e+", "e"));
  for (let e = lo; e <= hi; e++) {
    for (const m of hi - lo <= 2 ? [1, 2, 5] : [1]) {
      const v = m * 10 ** e;
      if (e === hi && m > 1) break;
      values.push(v);
      labels.push(label(v, e));
    }
  }
  return { min: 10 ** lo, max: 10 ** hi, values, labels };
}
