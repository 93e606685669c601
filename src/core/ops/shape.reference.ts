/** Plain-loop references for ./shape.ts (slice, concat, transpose) and their backward passes. */
import type { Shape } from "../tensor.js";

function strides(shape: Shape): number[] {
  const s: number[] = [];
  let step = 1;
  for (let k = shape.length - 1; k >= 0; k--) {
    s[k] = step;
    step *= shape[k];
  }
  return s;
}

/** Calls fn(flatIndexInBox, multiIndex) for every element of a box of `dims`. */
function forEachIndex(dims: Shape, fn: (flat: number, index: number[]) => void): void {
  const size = dims.reduce((p, d) => p * d, 1);
  for (let i = 0; i < size; i++) {
    const index: number[] = new Array<number>(dims.length);
    let rem = i;
    for (let k = dims.length - 1; k >= 0; k--) {
      index[k] = rem % dims[k];
      rem = Math.floor(rem / dims[k]);
    }
    fn(i, index);
  }
}

/** x[begin : begin + size] on every axis. */
export function sliceReference(x: ArrayLike<number>, shape: Shape, begin: readonly number[], size: readonly number[]): Float32Array {
  const st = strides(shape);
  const out = new Float32Array(size.reduce((p, d) => p * d, 1));
  forEachIndex(size, (i, idx) => {
    out[i] = x[idx.reduce((s, v, k) => s + (v + begin[k]) * st[k], 0)];
  });
  return out;
}

/** Backward of {@link sliceReference}: g placed in a zero tensor of `shape`. */
export function sliceBackwardReference(g: ArrayLike<number>, shape: Shape, begin: readonly number[], size: readonly number[]): Float32Array {
  const st = strides(shape);
  const out = new Float32Array(shape.reduce((p, d) => p * d, 1));
  forEachIndex(size, (i, idx) => {
    out[idx.reduce((s, v, k) => s + (v + begin[k]) * st[k], 0)] = g[i];
  });
  return out;
}

/** The tensors joined along `axis` (non-negative). */
export function concatReference(parts: { values: ArrayLike<number>; shape: Shape }[], axis: number): Float32Array {
  const outShape = [...parts[0].shape];
  outShape[axis] = parts.reduce((s, p) => s + p.shape[axis], 0);
  const out = new Float32Array(outShape.reduce((p, d) => p * d, 1));
  let offset = 0;
  for (const p of parts) {
    const begin = outShape.map((_, k) => (k === axis ? offset : 0));
    const st = strides(outShape);
    forEachIndex(p.shape, (i, idx) => {
      out[idx.reduce((s, v, k) => s + (v + begin[k]) * st[k], 0)] = p.values[i];
    });
    offset += p.shape[axis];
  }
  return out;
}

/** Backward of {@link concatReference}: the slice of g belonging to each part. */
export function concatBackwardReference(g: ArrayLike<number>, shapes: Shape[], axis: number): Float32Array[] {
  const outShape = [...shapes[0]];
  outShape[axis] = shapes.reduce((s, p) => s + p[axis], 0);
  let offset = 0;
  return shapes.map((shape) => {
    const begin = shape.map((_, k) => (k === axis ? offset : 0));
    offset += shape[axis];
    return sliceReference(g, outShape, begin, shape);
  });
}

/** x [rows, cols] -> [cols, rows]. */
export function transposeReference(x: ArrayLike<number>, rows: number, cols: number): Float32Array {
  const out = new Float32Array(rows * cols);
  for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) out[c * rows + r] = x[r * cols + c];
  return out;
}
