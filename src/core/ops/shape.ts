import { recordOp } from "../autograd.js";
import { runKernel } from "../runtime.js";
import { empty, shapeSize, zeros, type Shape, type Tensor } from "../tensor.js";

/** Outer axes the copyBlocksF32 kernel walks (rank 6 tensors: 5 outer + 1 inner). */
const OUTER_AXES = 5;

/** Row-major strides (in elements) of `shape`. */
function contiguousStrides(shape: Shape): number[] {
  const s = new Array<number>(shape.length);
  let step = 1;
  for (let k = shape.length - 1; k >= 0; k--) {
    s[k] = step;
    step *= shape[k];
  }
  return s;
}

/**
 * Copies the box `dims` from src (at float offset `srcOffset`, strides `srcStrides`)
 * to dst (offset `dstOffset`, strides `dstStrides`). The innermost axis must be
 * contiguous on both sides. Axes are merged where both sides allow, so a slice of
 * whole rows is one long copy per row block.
 */
function copyBox(
  op: string,
  src: Tensor, srcOffset: number, srcStrides: readonly number[],
  dst: Tensor, dstOffset: number, dstStrides: readonly number[],
  dims: readonly number[],
): void {
  const d: number[] = [];
  const ss: number[] = [];
  const ds: number[] = [];
  for (let k = 0; k < dims.length; k++) {
    if (dims[k] === 0) return;
    if (dims[k] === 1) continue;
    const n = d.length - 1;
    if (n >= 0 && ss[n] === srcStrides[k] * dims[k] && ds[n] === dstStrides[k] * dims[k]) {
      d[n] *= dims[k];
      ss[n] = srcStrides[k];
      ds[n] = dstStrides[k];
    } else {
      d.push(dims[k]);
      ss.push(srcStrides[k]);
      ds.push(dstStrides[k]);
    }
  }
  // The innermost remaining axis must be contiguous on both sides to be the inner run.
  let inner = 1;
  if (d.length > 0 && ss[d.length - 1] === 1 && ds[d.length - 1] === 1) {
    inner = d.pop() ?? 1;
    ss.pop();
    ds.pop();
  }
  if (d.length > OUTER_AXES) throw new Error(`${op}: more than ${OUTER_AXES + 1} axes after merging are not supported`);
  while (d.length < OUTER_AXES) {
    d.unshift(1);
    ss.unshift(0);
    ds.unshift(0);
  }
  const rows = shapeSize(d);
  runKernel(
    "copyBlocksF32",
    [src.ptr + 4 * srcOffset, dst.ptr + 4 * dstOffset, ...d, inner, ...ss, ...ds],
    // A copy moves memory, it does not compute: count it as a few operations per float.
    rows * Math.max(inner, 16) * 2,
  );
}

/** A contiguous copy of `t` with another shape of the same size. */
function copyAs(t: Tensor, shape: Shape): Tensor {
  const out = empty(shape);
  out.data.set(t.data);
  return out;
}

/**
 * `x` with a new shape of the same size (a copy, row-major order kept). One entry
 * may be -1: it is inferred from the others.
 */
export function reshape(x: Tensor, shape: Shape): Tensor {
  const resolved = [...shape];
  const unknown = resolved.indexOf(-1);
  if (unknown >= 0) {
    if (resolved.indexOf(-1, unknown + 1) >= 0) throw new Error(`reshape: only one axis may be -1, got [${shape}]`);
    resolved[unknown] = 1;
    const rest = shapeSize(resolved);
    if (rest === 0 || x.size % rest !== 0) throw new Error(`reshape: cannot reshape [${x.shape}] to [${shape}]`);
    resolved[unknown] = x.size / rest;
  }
  for (const d of resolved) {
    if (!Number.isInteger(d) || d < 0) throw new Error(`reshape: invalid shape [${shape}]`);
  }
  if (shapeSize(resolved) !== x.size) {
    throw new Error(`reshape: cannot reshape [${x.shape}] (${x.size} elements) to [${shape}]`);
  }
  const out = copyAs(x, resolved);
  recordOp({
    name: "reshape",
    inputs: [x],
    outputs: [out],
    backward: ([g]) => [g ? copyAs(g, x.shape) : null],
  });
  return out;
}

/**
 * Joins tensors along `axis` (negative counts from the end). All must have the same
 * rank and the same sizes on the other axes.
 *
 * @returns the shape of the inputs with `axis` the sum of their sizes there.
 */
export function concat(tensors: readonly Tensor[], axis: number): Tensor {
  if (tensors.length === 0) throw new Error("concat: no tensors given");
  const first = tensors[0].shape;
  const rank = first.length;
  if (!Number.isInteger(axis) || axis < -rank || axis >= rank) {
    throw new Error(`concat: axis ${axis} is out of range for rank ${rank}`);
  }
  const ax = axis < 0 ? axis + rank : axis;
  for (const t of tensors) {
    if (t.rank !== rank || t.shape.some((d, k) => k !== ax && d !== first[k])) {
      throw new Error(`concat: shapes ${tensors.map((u) => `[${u.shape}]`).join(", ")} differ off axis ${ax}`);
    }
  }
  const outShape = [...first];
  outShape[ax] = tensors.reduce((s, t) => s + t.shape[ax], 0);
  const out = empty(outShape);
  const outStrides = contiguousStrides(outShape);
  const offsets: number[] = [];
  let offset = 0;
  for (const t of tensors) {
    offsets.push(offset * outStrides[ax]);
    copyBox("concat", t, 0, contiguousStrides(t.shape), out, offset * outStrides[ax], outStrides, t.shape);
    offset += t.shape[ax];
  }
  recordOp({
    name: "concat",
    inputs: tensors,
    outputs: [out],
    backward: ([g]) =>
      tensors.map((t, k) => {
        if (!g || !t.requiresGrad) return null;
        const gt = empty(t.shape);
        copyBox("concat", g, offsets[k], outStrides, gt, 0, contiguousStrides(t.shape), t.shape);
        return gt;
      }),
  });
  return out;
}

/** Options of {@link slice}. */
export interface SliceOptions {
  /** First index on each axis. */
  begin: readonly number[];
  /** Size on each axis; -1 takes the rest of the axis. Default: the rest of every axis. */
  size?: readonly number[];
}

/**
 * The box of `x` starting at `begin` of extent `size` (any axes). Like tf.slice.
 *
 * @returns a tensor of shape `size` (with -1 resolved).
 */
export function slice(x: Tensor, { begin, size }: SliceOptions): Tensor {
  const rank = x.rank;
  if (begin.length !== rank || (size && size.length !== rank)) {
    throw new Error(`slice: begin [${begin}] and size [${size ?? ""}] must have one entry per axis of [${x.shape}]`);
  }
  const outShape = x.shape.map((d, k) => {
    const s = size ? size[k] : -1;
    const b = begin[k];
    const n = s === -1 ? d - b : s;
    if (!Number.isInteger(b) || !Number.isInteger(n) || b < 0 || n < 0 || b + n > d) {
      throw new Error(`slice: begin [${begin}] size [${size ?? ""}] is out of bounds for shape [${x.shape}]`);
    }
    return n;
  });
  const strides = contiguousStrides(x.shape);
  const offset = begin.reduce((s, b, k) => s + b * strides[k], 0);
  const out = empty(outShape);
  copyBox("slice", x, offset, strides, out, 0, contiguousStrides(outShape), outShape);
  recordOp({
    name: "slice",
    inputs: [x],
    outputs: [out],
    backward: ([g]) => {
      if (!g) return [null];
      const gx = zeros(x.shape);
      copyBox("slice", g, 0, contiguousStrides(outShape), gx, offset, strides, outShape);
      return [gx];
    },
  });
  return out;
}

function transposeRaw(x: Tensor): Tensor {
  const [rows, cols] = x.shape;
  const out = empty([cols, rows]);
  runKernel("transpose2dF32", [x.ptr, out.ptr, rows, cols], 4 * x.size);
  return out;
}

/** The transpose of a matrix: x [R, C] -> [C, R]. */
export function transpose2d(x: Tensor): Tensor {
  if (x.rank !== 2) throw new Error(`transpose2d: expected a matrix, got shape [${x.shape}]`);
  const out = transposeRaw(x);
  recordOp({
    name: "transpose2d",
    inputs: [x],
    outputs: [out],
    backward: ([g]) => [g ? transposeRaw(g) : null],
  });
  return out;
}
