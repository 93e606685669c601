import { recordOp } from "../autograd.js";
import { getCore, runKernel } from "../runtime.js";
import { empty, zeros, type Tensor } from "../tensor.js";

/** Row indices: an Int32Array or an array of whole numbers. */
export type RowIndices = Int32Array | readonly number[];

/** Copies `indices` after checking each is a whole number in [0, numRows). */
function checkIndices(op: string, indices: RowIndices, numRows: number): Int32Array {
  const out = new Int32Array(indices.length);
  for (let i = 0; i < indices.length; i++) {
    const v = indices[i];
    if (!Number.isInteger(v) || v < 0 || v >= numRows) {
      throw new Error(`${op}: index ${v} (at position ${i}) is out of range for ${numRows} rows`);
    }
    out[i] = v;
  }
  return out;
}

/**
 * Runs `fn` with the indices copied into wasm memory as i32. The block is an f32
 * tensor used as raw storage (same size, 4 bytes a value), freed afterwards.
 */
function withIndexBlock<T>(indices: Int32Array, fn: (ptr: number) => T): T {
  const block = empty([indices.length]);
  try {
    new Int32Array(getCore().memory.buffer, block.ptr, indices.length).set(indices);
    return fn(block.ptr);
  } finally {
    block.dispose();
  }
}

/** out [M, ...] = x[indices[m], ...]; no recording. */
function gatherRaw(x: Tensor, indices: Int32Array): Tensor {
  const rowSize = x.rank === 0 ? 1 : x.size / x.shape[0];
  const out = empty([indices.length, ...x.shape.slice(1)]);
  if (out.size > 0) {
    withIndexBlock(indices, (idx) => runKernel("gatherRowsF32", [x.ptr, idx, out.ptr, indices.length, rowSize], 2 * out.size));
  }
  return out;
}

/** out [numRows, ...] = zeros, then out[indices[m], ...] += x[m, ...]; no recording. */
function scatterAddRaw(x: Tensor, indices: Int32Array, numRows: number): Tensor {
  const rowShape = x.shape.slice(1);
  const rowSize = x.size / Math.max(1, x.shape[0]);
  const out = zeros([numRows, ...rowShape]);
  if (x.size > 0) {
    // Threads split the columns in 16-float chunks: give them work only when there are two chunks or more.
    const chunks = Math.ceil(rowSize / 16);
    const work = chunks >= 2 ? 2 * x.size : 0;
    withIndexBlock(indices, (idx) => runKernel("scatterAddRowsF32", [x.ptr, idx, out.ptr, indices.length, rowSize], work));
  }
  return out;
}

/**
 * Picks rows of `x` by index: out[m] = x[indices[m]]. Rows are the first axis; the
 * other axes come along (x [N, C] gives [M, C]). Indices may repeat; each must be in
 * [0, N). The gradient is a scatter-add into x's rows (repeated rows sum).
 *
 * @returns [M, ...x.shape.slice(1)] with M = indices.length.
 */
export function gatherRows({ x, indices }: { x: Tensor; indices: RowIndices }): Tensor {
  if (x.rank < 1) throw new Error(`gatherRows: x must have a row axis, got shape [${x.shape}]`);
  const idx = checkIndices("gatherRows", indices, x.shape[0]);
  const out = gatherRaw(x, idx);
  recordOp({
    name: "gatherRows",
    inputs: [x],
    outputs: [out],
    backward: ([g]) => [g ? scatterAddRaw(g, idx, x.shape[0]) : null],
  });
  return out;
}

/**
 * Adds the rows of `x` into `numRows` zero rows: out[indices[m]] += x[m]. Rows are
 * the first axis (x [M, C] gives [numRows, C]). Rows hit by several indices sum, in
 * index order; the result is the same on any thread count. Threads split the
 * columns, not the rows, so two threads never add into one float and no index
 * sorting is needed; narrow rows (under 32 floats) run on one thread. The gradient
 * is a gather.
 *
 * @returns [numRows, ...x.shape.slice(1)].
 */
export function scatterAddRows({ x, indices, numRows }: { x: Tensor; indices: RowIndices; numRows: number }): Tensor {
  if (x.rank < 1) throw new Error(`scatterAddRows: x must have a row axis, got shape [${x.shape}]`);
  if (!Number.isInteger(numRows) || numRows < 0) throw new Error(`scatterAddRows: numRows must be a whole number, got ${numRows}`);
  if (indices.length !== x.shape[0]) {
    throw new Error(`scatterAddRows: ${indices.length} indices for x of shape [${x.shape}] (one per row)`);
  }
  const idx = checkIndices("scatterAddRows", indices, numRows);
  const out = scatterAddRaw(x, idx, numRows);
  recordOp({
    name: "scatterAddRows",
    inputs: [x],
    outputs: [out],
    backward: ([g]) => [g ? gatherRaw(g, idx) : null],
  });
  return out;
}
