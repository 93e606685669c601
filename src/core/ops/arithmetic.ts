import { recordOp } from "../autograd.js";
import { runKernel } from "../runtime.js";
import { empty, type Shape, type Tensor } from "../tensor.js";
import { sumToShape } from "./reduce.js";

/** Highest rank the general broadcasting path handles (after merging axes). */
const MAX_RANK = 6;

/** Binary op codes of the arith kernels; 4 and 5 swap the operands of sub and div. */
const ADD = 0;
const SUB = 1;
const MUL = 2;
const DIV = 3;
const RSUB = 4;
const RDIV = 5;
type BinaryCode = typeof ADD | typeof SUB | typeof MUL | typeof DIV;

/** The op with its operands swapped: x op y == y swapped(op) x. */
function swapped(op: BinaryCode): number {
  return op === SUB ? RSUB : op === DIV ? RDIV : op;
}

/**
 * The NumPy broadcast of two shapes: aligned at the last axis, each pair of sizes
 * equal or one of them 1. Throws, naming `op` and both shapes, otherwise.
 */
export function broadcastShapes(a: Shape, b: Shape, op = "broadcastShapes"): number[] {
  const rank = Math.max(a.length, b.length);
  const out: number[] = [];
  for (let k = 0; k < rank; k++) {
    const da = a[k - rank + a.length] ?? 1;
    const db = b[k - rank + b.length] ?? 1;
    if (da !== db && da !== 1 && db !== 1) {
      throw new Error(`${op}: shapes [${a}] and [${b}] do not broadcast`);
    }
    out.push(da === 1 ? db : da);
  }
  return out;
}

/** How a binary op's operands map onto its output, after merging axes. */
type BinaryPlan =
  | { kind: "same" }
  | { kind: "scalar" | "row" | "col"; full: "a" | "b"; rows: number; cols: number }
  | { kind: "strided"; dims: number[]; sa: number[]; sb: number[] };

/**
 * Plans `a op b` into the output shape `out`: strides (0 on broadcast axes), size-1
 * axes dropped and neighbouring axes merged where both operands step through them
 * as one, then the fast patterns (same shape, one scalar, a row or a column vector
 * broadcast over a matrix) are recognized.
 */
function planBinary(op: string, a: Shape, b: Shape, out: Shape): BinaryPlan {
  const rank = out.length;
  const strides = (s: Shape): number[] => {
    const st = new Array<number>(rank).fill(0);
    let step = 1;
    for (let k = rank - 1; k >= 0; k--) {
      const d = s[k - rank + s.length] ?? 1;
      st[k] = d === 1 ? 0 : step;
      step *= d;
    }
    return st;
  };
  const sa0 = strides(a);
  const sb0 = strides(b);
  const dims: number[] = [];
  const sa: number[] = [];
  const sb: number[] = [];
  for (let k = 0; k < rank; k++) {
    if (out[k] === 1) continue;
    const n = dims.length - 1;
    if (n >= 0 && sa[n] === sa0[k] * out[k] && sb[n] === sb0[k] * out[k]) {
      dims[n] *= out[k];
      sa[n] = sa0[k];
      sb[n] = sb0[k];
    } else {
      dims.push(out[k]);
      sa.push(sa0[k]);
      sb.push(sb0[k]);
    }
  }
  if (dims.length === 0) return { kind: "same" };
  if (dims.length === 1) {
    if (sa[0] === sb[0]) return { kind: "same" };
    return { kind: "scalar", full: sa[0] === 1 ? "a" : "b", rows: 1, cols: dims[0] };
  }
  if (dims.length === 2) {
    const [rows, cols] = dims;
    const isFull = (s: number[]): boolean => s[0] === cols && s[1] === 1;
    for (const [full, x, y] of [["a", sa, sb], ["b", sb, sa]] as const) {
      if (!isFull(x)) continue;
      if (y[0] === 0 && y[1] === 1) return { kind: "row", full, rows, cols };
      if (y[0] === 1 && y[1] === 0) return { kind: "col", full, rows, cols };
    }
  }
  if (dims.length > MAX_RANK) {
    throw new Error(`${op}: broadcasting [${a}] with [${b}] needs ${dims.length} axes; at most ${MAX_RANK} are supported`);
  }
  while (dims.length < MAX_RANK) {
    dims.unshift(1);
    sa.unshift(0);
    sb.unshift(0);
  }
  return { kind: "strided", dims, sa, sb };
}

/** out = a op b with broadcasting, no recording. */
function binaryForward(name: string, op: BinaryCode, a: Tensor, b: Tensor): Tensor {
  const outShape = broadcastShapes(a.shape, b.shape, name);
  const plan = planBinary(name, a.shape, b.shape, outShape);
  const out = empty(outShape);
  const n = out.size;
  if (n === 0) return out;
  switch (plan.kind) {
    case "same":
      runKernel("binarySameF32", [a.ptr, b.ptr, out.ptr, n, op], n);
      break;
    case "scalar":
      if (plan.full === "a") runKernel("binaryScalarF32", [a.ptr, out.ptr, n, b.data[0], op], n);
      else runKernel("binaryScalarF32", [b.ptr, out.ptr, n, a.data[0], swapped(op)], n);
      break;
    case "row":
    case "col": {
      const kernel = plan.kind === "row" ? "binaryRowF32" : "binaryColF32";
      if (plan.full === "a") runKernel(kernel, [a.ptr, b.ptr, out.ptr, plan.rows, plan.cols, op], n);
      else runKernel(kernel, [b.ptr, a.ptr, out.ptr, plan.rows, plan.cols, swapped(op)], n);
      break;
    }
    case "strided":
      runKernel("binaryStridedF32", [a.ptr, b.ptr, out.ptr, op, ...plan.dims, ...plan.sa, ...plan.sb], 2 * n);
      break;
  }
  return out;
}

function sameShape(a: Shape, b: Shape): boolean {
  return a.length === b.length && a.every((d, k) => d === b[k]);
}

/** `t` summed to `shape` (taking ownership of `t`: returned as is, or disposed). */
function reduceTo(t: Tensor, shape: Shape): Tensor {
  if (sameShape(t.shape, shape)) return t;
  const r = sumToShape(t, shape);
  t.dispose();
  return r;
}

/** A fresh copy of `t`. */
function copyOf(t: Tensor): Tensor {
  const c = empty(t.shape);
  c.data.set(t.data);
  return c;
}

/** t = -t in place. */
function negateInPlace(t: Tensor): Tensor {
  runKernel("unaryF32", [t.ptr, t.ptr, t.size, 0], t.size);
  return t;
}

function binaryOp(name: string, op: BinaryCode, a: Tensor, b: Tensor): Tensor {
  const out = binaryForward(name, op, a, b);
  recordOp({
    name,
    inputs: [a, b],
    outputs: [out],
    backward: ([g]) => {
      if (!g) return [null, null];
      const needA = a.requiresGrad;
      const needB = b.requiresGrad;
      let ga: Tensor | null = null;
      let gb: Tensor | null = null;
      switch (op) {
        case ADD:
        case SUB:
          if (needA) ga = sameShape(a.shape, g.shape) ? copyOf(g) : sumToShape(g, a.shape);
          if (needB) {
            gb = sameShape(b.shape, g.shape) ? copyOf(g) : sumToShape(g, b.shape);
            if (op === SUB) negateInPlace(gb);
          }
          break;
        case MUL:
          if (needA) ga = reduceTo(binaryForward(name, MUL, g, b), a.shape);
          if (needB) gb = reduceTo(binaryForward(name, MUL, g, a), b.shape);
          break;
        case DIV: {
          // d(a/b)/da = 1/b; d(a/b)/db = -(a/b)/b = -(g/b) * out.
          const gOverB = binaryForward(name, DIV, g, b);
          if (needB) gb = negateInPlace(reduceTo(binaryForward(name, MUL, gOverB, out), b.shape));
          if (needA) ga = reduceTo(gOverB, a.shape);
          else gOverB.dispose();
          break;
        }
      }
      return [ga, gb];
    },
  });
  return out;
}

/**
 * a + b elementwise with NumPy broadcasting. Same shapes, a scalar, and a row
 * ([N, C] + [C]) or column ([N, C] + [N, 1]) broadcast take SIMD fast paths; other
 * broadcasts a strided path of up to 6 (merged) axes.
 *
 * @returns the broadcast shape of a and b.
 */
export function add(a: Tensor, b: Tensor): Tensor {
  return binaryOp("add", ADD, a, b);
}

/** a - b elementwise with broadcasting; see {@link add}. */
export function sub(a: Tensor, b: Tensor): Tensor {
  return binaryOp("sub", SUB, a, b);
}

/** a * b elementwise with broadcasting; see {@link add}. */
export function mul(a: Tensor, b: Tensor): Tensor {
  return binaryOp("mul", MUL, a, b);
}

/** a / b elementwise with broadcasting (IEEE: x / 0 is +-inf or NaN); see {@link add}. */
export function div(a: Tensor, b: Tensor): Tensor {
  return binaryOp("div", DIV, a, b);
}

function scalarOp(name: string, op: typeof ADD | typeof MUL, a: Tensor, s: number): Tensor {
  if (!Number.isFinite(s)) throw new Error(`${name}: the scalar must be finite, got ${s}`);
  const out = empty(a.shape);
  runKernel("binaryScalarF32", [a.ptr, out.ptr, a.size, s, op], a.size);
  recordOp({
    name,
    inputs: [a],
    outputs: [out],
    backward: ([g]) => {
      if (!g) return [null];
      if (op === ADD) return [copyOf(g)];
      const ga = empty(g.shape);
      runKernel("binaryScalarF32", [g.ptr, ga.ptr, g.size, s, MUL], g.size);
      return [ga];
    },
  });
  return out;
}

/** a + s for a number s (rounded to float32); same shape as a. */
export function addScalar(a: Tensor, s: number): Tensor {
  return scalarOp("addScalar", ADD, a, s);
}

/** a * s for a number s (rounded to float32); same shape as a. */
export function mulScalar(a: Tensor, s: number): Tensor {
  return scalarOp("mulScalar", MUL, a, s);
}

/** Unary op codes of the unaryF32 / unaryBackwardF32 kernels. */
const UNARY = { neg: 0, exp: 1, log: 2, sqrt: 3, square: 4, abs: 5 } as const;
type UnaryName = keyof typeof UNARY;

function unaryOp(name: UnaryName, x: Tensor): Tensor {
  const op = UNARY[name];
  const out = empty(x.shape);
  const work = name === "exp" || name === "log" ? 20 * x.size : x.size;
  runKernel("unaryF32", [x.ptr, out.ptr, x.size, op], work);
  recordOp({
    name,
    inputs: [x],
    outputs: [out],
    backward: ([g]) => {
      if (!g) return [null];
      const gx = empty(x.shape);
      // Read only what the derivative needs, so unneeded tensors may be disposed.
      const xPtr = name === "log" || name === "square" || name === "abs" ? x.ptr : 0;
      const yPtr = name === "exp" || name === "sqrt" ? out.ptr : 0;
      runKernel("unaryBackwardF32", [xPtr, yPtr, g.ptr, gx.ptr, x.size, op], 2 * x.size);
      return [gx];
    },
  });
  return out;
}

/** -x elementwise. */
export function neg(x: Tensor): Tensor {
  return unaryOp("neg", x);
}

/**
 * e^x elementwise, by range reduction and a minimax polynomial (Cephes expf),
 * relative error about 2e-7; overflows to inf above about 88.72, underflows
 * through subnormals to 0 below about -103.
 */
export function exp(x: Tensor): Tensor {
  return unaryOp("exp", x);
}

/**
 * Natural log elementwise (Cephes logf polynomial), relative error about 2e-7;
 * log(0) = -inf, log of a negative number or NaN = NaN.
 */
export function log(x: Tensor): Tensor {
  return unaryOp("log", x);
}

/** Square root elementwise (exact IEEE rounding); its gradient at 0 is inf. */
export function sqrt(x: Tensor): Tensor {
  return unaryOp("sqrt", x);
}

/** x^2 elementwise. */
export function square(x: Tensor): Tensor {
  return unaryOp("square", x);
}

/** |x| elementwise; its gradient is sign(x), 0 at 0. */
export function abs(x: Tensor): Tensor {
  return unaryOp("abs", x);
}
