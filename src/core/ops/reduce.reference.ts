/**
 * Plain-loop references for ./reduce.ts: sums over axes in float64, and their
 * adjoint (repeating values along the reduced axes).
 */
import type { Shape } from "../tensor.js";

function normalizeAxes(shape: Shape, axis: number | readonly number[] | undefined): boolean[] {
  const rank = shape.length;
  const mask = new Array<boolean>(rank).fill(axis === undefined);
  if (axis !== undefined) for (const a of typeof axis === "number" ? [axis] : axis) mask[a < 0 ? a + rank : a] = true;
  return mask;
}

/** Flat index into the reduced (kept-axes) array for each flat index of `shape`. */
function keptIndex(shape: Shape, mask: readonly boolean[]): Int32Array {
  const size = shape.reduce((p, d) => p * d, 1);
  const map = new Int32Array(size);
  for (let i = 0; i < size; i++) {
    let rem = i;
    let idx = 0;
    let step = 1;
    for (let k = shape.length - 1; k >= 0; k--) {
      const ik = rem % shape[k];
      rem = Math.floor(rem / shape[k]);
      if (!mask[k]) {
        idx += ik * step;
        step *= shape[k];
      }
    }
    map[i] = idx;
  }
  return map;
}

/** Sum (or mean) of x over `axis` (all by default), accumulated in float64. */
export function sumReference(
  x: ArrayLike<number>, shape: Shape, axis?: number | readonly number[], isMean = false,
): { values: Float64Array; shape: number[]; keptShape: number[] } {
  const mask = normalizeAxes(shape, axis);
  const map = keptIndex(shape, mask);
  const outShape = shape.filter((_, k) => !mask[k]);
  const values = new Float64Array(outShape.reduce((p, d) => p * d, 1));
  for (let i = 0; i < map.length; i++) values[map[i]] += x[i];
  const count = shape.reduce((p, d, k) => (mask[k] ? p * d : p), 1);
  if (isMean) for (let i = 0; i < values.length; i++) values[i] /= count;
  return { values, shape: outShape, keptShape: shape.map((d, k) => (mask[k] ? 1 : d)) };
}

/** Backward of {@link sumReference}: the gradient of the reduced array repeated over `shape`. */
export function sumBackwardReference(
  g: ArrayLike<number>, shape: Shape, axis?: number | readonly number[], isMean = false,
): Float64Array {
  const mask = normalizeAxes(shape, axis);
  const map = keptIndex(shape, mask);
  const count = shape.reduce((p, d, k) => (mask[k] ? p * d : p), 1);
  return Float64Array.from(map, (j) => (isMean ? g[j] / count : g[j]));
}
