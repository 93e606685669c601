import { recordOp } from "../autograd.js";
import { runKernel } from "../runtime.js";
import { empty, type Shape, type Tensor } from "../tensor.js";

/**
 * Sums longer than this many contiguous floats are cut into blocks of this size,
 * summed pairwise by any thread, then combined in one fixed pass: the blocks do not
 * depend on the thread count, so neither do the bits of the result.
 */
const SUM_BLOCK = 4096;

/** Options of {@link sum} and {@link mean}. */
export interface ReduceOptions {
  /**
   * Axis or axes to reduce (negative counts from the end). Default: all axes, giving
   * a scalar (shape []).
   */
  axis?: number | readonly number[];
  /** Keep reduced axes as size 1 (default false). */
  keepDims?: boolean;
}

/**
 * Sum of `x` over `axis` (all axes by default). Contiguous runs are summed pairwise
 * and strided columns with compensated (Kahan) summation, so the error does not grow
 * with the length; the result is bit-identical on any thread count.
 *
 * @param x any shape.
 * @returns x's shape without the reduced axes (or with them as 1 under `keepDims`).
 */
export function sum(x: Tensor, options: ReduceOptions = {}): Tensor {
  return reduceOp("sum", x, options, false);
}

/** Mean of `x` over `axis` (all axes by default); see {@link sum} for shapes and accuracy. */
export function mean(x: Tensor, options: ReduceOptions = {}): Tensor {
  return reduceOp("mean", x, options, true);
}

/**
 * Sums `x` down to `shape`, the adjoint of broadcasting: `shape` must broadcast to
 * x's shape (NumPy rules), and every axis where it has size 1 (or is missing) while
 * x's is larger is summed. Gradients of broadcasting ops go through this.
 *
 * @returns a tensor of `shape`.
 */
export function sumToShape(x: Tensor, shape: Shape): Tensor {
  const mask = broadcastMask("sumToShape", shape, x.shape);
  const out = empty(shape);
  reduceInto(x, x.shape, mask, out, 1);
  recordOp({
    name: "sumToShape",
    inputs: [x],
    outputs: [out],
    backward: ([g]) => [g ? broadcastTo(g, x.shape) : null],
  });
  return out;
}

/**
 * Repeats `x` along the axes where it has size 1 (or that it lacks) to `shape`
 * (NumPy broadcasting).
 *
 * @returns a new tensor of `shape`.
 */
export function broadcastTo(x: Tensor, shape: Shape): Tensor {
  const mask = broadcastMask("broadcastTo", x.shape, shape);
  const out = empty(shape);
  broadcastInto(x, shape, mask, out, 1);
  recordOp({
    name: "broadcastTo",
    inputs: [x],
    outputs: [out],
    backward: ([g]) => [g ? sumToShape(g, x.shape) : null],
  });
  return out;
}

function reduceOp(name: string, x: Tensor, options: ReduceOptions, isMean: boolean): Tensor {
  const rank = x.rank;
  const mask = new Array<boolean>(rank).fill(options.axis === undefined);
  if (options.axis !== undefined) {
    const axes = typeof options.axis === "number" ? [options.axis] : options.axis;
    for (const a of axes) {
      if (!Number.isInteger(a) || a < -rank || a >= rank) {
        throw new Error(`${name}: axis ${a} is out of range for shape [${x.shape}]`);
      }
      const k = a < 0 ? a + rank : a;
      if (mask[k]) throw new Error(`${name}: axis ${a} is given twice`);
      mask[k] = true;
    }
  }
  let count = 1;
  for (let k = 0; k < rank; k++) if (mask[k]) count *= x.shape[k];
  const keptShape = x.shape.map((d, k) => (mask[k] ? 1 : d));
  const outShape = options.keepDims ? keptShape : x.shape.filter((_, k) => !mask[k]);
  const scale = isMean ? 1 / count : 1;
  const out = empty(outShape);
  if (x.size === 0 || count === 0) {
    out.data.fill(isMean ? NaN : 0);
  } else {
    reduceInto(x, x.shape, mask, out, scale);
  }
  recordOp({
    name,
    inputs: [x],
    outputs: [out],
    backward: ([g]) => {
      if (!g) return [null];
      const gx = empty(x.shape);
      broadcastInto(g, x.shape, mask, gx, scale);
      return [gx];
    },
  });
  return out;
}

/**
 * Which axes of `target` a tensor of `from` is broadcast along (true), with `from`
 * padded by leading 1s; throws unless `from` broadcasts to `target`.
 */
function broadcastMask(op: string, from: Shape, target: Shape): boolean[] {
  const pad = target.length - from.length;
  const bad = (): Error => new Error(`${op}: shape [${from}] does not broadcast to [${target}]`);
  if (pad < 0) throw bad();
  return target.map((d, k) => {
    const f = k < pad ? 1 : from[k - pad];
    if (f === d) return false;
    if (f === 1) return true;
    throw bad();
  });
}

/** Axes of `dims` grouped into runs that are all reduced or all kept; size-1 axes dropped. */
function groupAxes(dims: Shape, mask: readonly boolean[]): { size: number; reduce: boolean }[] {
  const groups: { size: number; reduce: boolean }[] = [];
  dims.forEach((d, k) => {
    if (d === 1) return;
    const last = groups.at(-1);
    if (last && last.reduce === mask[k]) last.size *= d;
    else groups.push({ size: d, reduce: mask[k] });
  });
  return groups;
}

/**
 * out = scale * (src of `dims` summed over the axes in `mask`), one kernel pass per
 * run of reduced axes (innermost first), each viewing the data as [outer, R, inner].
 */
function reduceInto(src: Tensor, dims: Shape, mask: readonly boolean[], out: Tensor, scale: number): void {
  if (src.size === 0) {
    out.data.fill(0);
    return;
  }
  const groups = groupAxes(dims, mask);
  const passes = groups.filter((g) => g.reduce).length;
  if (passes === 0) {
    runKernel("binaryScalarF32", [src.ptr, out.ptr, out.size, scale, 2], out.size);
    return;
  }
  let cur = src;
  let done = 0;
  for (let gi = groups.length - 1; gi >= 0; gi--) {
    if (!groups[gi].reduce) continue;
    done++;
    const last = done === passes;
    let outer = 1;
    for (let k = 0; k < gi; k++) outer *= groups[k].size;
    let inner = 1;
    for (let k = gi + 1; k < groups.length; k++) inner *= groups[k].size;
    const r = groups[gi].size;
    const dst = last ? out : empty([outer * inner]);
    sumAxis(cur, dst, outer, r, inner, last ? scale : 1);
    if (cur !== src) cur.dispose();
    cur = dst;
    groups.splice(gi, 1);
  }
}

/** dst [outer, inner] = scale * sum over r of src [outer, r, inner]. */
function sumAxis(src: Tensor, dst: Tensor, outer: number, r: number, inner: number, scale: number): void {
  const work = outer * r * inner;
  if (inner > 1) {
    runKernel("sumColsF32", [src.ptr, dst.ptr, outer, r, inner, scale], 4 * work);
  } else if (r > SUM_BLOCK) {
    const perRow = Math.ceil(r / SUM_BLOCK);
    const partials = empty([outer * perRow]);
    runKernel("sumBlocksF32", [src.ptr, partials.ptr, outer, r, SUM_BLOCK], work);
    runKernel("sumRowsF32", [partials.ptr, dst.ptr, outer, perRow, scale], outer * perRow);
    partials.dispose();
  } else {
    runKernel("sumRowsF32", [src.ptr, dst.ptr, outer, r, scale], work);
  }
}

/**
 * out (of `dims`) = scale * src repeated along the axes in `mask` (src holds the
 * kept axes in order), one kernel pass per run of broadcast axes, outermost first.
 */
function broadcastInto(src: Tensor, dims: Shape, mask: readonly boolean[], out: Tensor, scale: number): void {
  const groups = groupAxes(dims, mask);
  const passes = groups.filter((g) => g.reduce).length;
  if (passes === 0) {
    runKernel("binaryScalarF32", [src.ptr, out.ptr, out.size, scale, 2], out.size);
    return;
  }
  // Start from the kept axes only and insert one broadcast run per pass.
  const present = groups.map((g) => !g.reduce);
  let cur = src;
  let done = 0;
  for (let gi = 0; gi < groups.length; gi++) {
    if (!groups[gi].reduce) continue;
    done++;
    const last = done === passes;
    let outer = 1;
    for (let k = 0; k < gi; k++) if (present[k]) outer *= groups[k].size;
    let inner = 1;
    for (let k = gi + 1; k < groups.length; k++) if (present[k]) inner *= groups[k].size;
    const r = groups[gi].size;
    const dst = last ? out : empty([outer * r * inner]);
    runKernel("broadcastAxisF32", [cur.ptr, dst.ptr, outer, r, inner, done === 1 ? scale : 1], outer * r * inner);
    if (cur !== src) cur.dispose();
    cur = dst;
    present[gi] = true;
  }
}
