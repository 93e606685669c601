/**
 * Plain-loop references for the elementwise ops of ./arithmetic.ts, forward and
 * backward, on flat row-major arrays. Forward values are rounded to float32 once
 * per op, as the kernels do; gradient sums accumulate in float64.
 */
import type { Shape } from "../tensor.js";

/** The binary ops of ./arithmetic.ts. */
export type BinaryOpName = "add" | "sub" | "mul" | "div";
/** The unary ops of ./arithmetic.ts. */
export type UnaryOpName = "neg" | "exp" | "log" | "sqrt" | "square" | "abs";

/** NumPy broadcast of two shapes (throws if they do not broadcast). */
export function broadcastShapeReference(a: Shape, b: Shape): number[] {
  const rank = Math.max(a.length, b.length);
  const out: number[] = [];
  for (let k = 0; k < rank; k++) {
    const da = k - rank + a.length >= 0 ? a[k - rank + a.length] : 1;
    const db = k - rank + b.length >= 0 ? b[k - rank + b.length] : 1;
    if (da !== db && da !== 1 && db !== 1) throw new Error(`shapes [${a}] and [${b}] do not broadcast`);
    out.push(da === 1 ? db : da);
  }
  return out;
}

/** For each flat index of `out`, the flat index into an operand of `shape` broadcast to it. */
export function broadcastIndexReference(shape: Shape, out: Shape): Int32Array {
  const size = out.reduce((p, d) => p * d, 1);
  const map = new Int32Array(size);
  const rank = out.length;
  for (let i = 0; i < size; i++) {
    let rem = i;
    let idx = 0;
    let step = 1;
    for (let k = rank - 1; k >= 0; k--) {
      const ik = rem % out[k];
      rem = Math.floor(rem / out[k]);
      const sk = k - rank + shape.length;
      if (sk >= 0) {
        const d = shape[sk];
        if (d !== 1) idx += ik * step;
        step *= d;
      }
    }
    map[i] = idx;
  }
  return map;
}

function apply(op: BinaryOpName, x: number, y: number): number {
  switch (op) {
    case "add":
      return x + y;
    case "sub":
      return x - y;
    case "mul":
      return x * y;
    case "div":
      return x / y;
  }
}

/** a op b with broadcasting. */
export function binaryReference(
  op: BinaryOpName, a: Float32Array, aShape: Shape, b: Float32Array, bShape: Shape,
): { values: Float32Array; shape: number[] } {
  const shape = broadcastShapeReference(aShape, bShape);
  const ia = broadcastIndexReference(aShape, shape);
  const ib = broadcastIndexReference(bShape, shape);
  const values = new Float32Array(ia.length);
  for (let i = 0; i < values.length; i++) values[i] = apply(op, a[ia[i]], b[ib[i]]);
  return { values, shape };
}

/** Gradients of sum(g * (a op b)) with respect to a and b, summed over broadcast axes. */
export function binaryBackwardReference(
  op: BinaryOpName, a: Float32Array, aShape: Shape, b: Float32Array, bShape: Shape, g: Float32Array,
): { ga: Float64Array; gb: Float64Array } {
  const shape = broadcastShapeReference(aShape, bShape);
  const ia = broadcastIndexReference(aShape, shape);
  const ib = broadcastIndexReference(bShape, shape);
  const ga = new Float64Array(a.length);
  const gb = new Float64Array(b.length);
  for (let i = 0; i < g.length; i++) {
    const x = a[ia[i]];
    const y = b[ib[i]];
    const gi = g[i];
    switch (op) {
      case "add":
        ga[ia[i]] += gi;
        gb[ib[i]] += gi;
        break;
      case "sub":
        ga[ia[i]] += gi;
        gb[ib[i]] -= gi;
        break;
      case "mul":
        ga[ia[i]] += gi * y;
        gb[ib[i]] += gi * x;
        break;
      case "div":
        ga[ia[i]] += gi / y;
        gb[ib[i]] -= (gi * x) / (y * y);
        break;
    }
  }
  return { ga, gb };
}

function unaryValue(op: UnaryOpName, x: number): number {
  switch (op) {
    case "neg":
      return -x;
    case "exp":
      return Math.exp(x);
    case "log":
      return Math.log(x);
    case "sqrt":
      return Math.sqrt(x);
    case "square":
      return x * x;
    case "abs":
      return Math.abs(x);
  }
}

function unaryDerivative(op: UnaryOpName, x: number): number {
  switch (op) {
    case "neg":
      return -1;
    case "exp":
      return Math.exp(x);
    case "log":
      return 1 / x;
    case "sqrt":
      return 0.5 / Math.sqrt(x);
    case "square":
      return 2 * x;
    case "abs":
      return Math.sign(x);
  }
}

/** f(x) elementwise, in float64 (the kernels' exp/log are approximations of these). */
export function unaryReference(op: UnaryOpName, x: Float32Array): Float64Array {
  return Float64Array.from(x, (v) => unaryValue(op, v));
}

/** g * f'(x) elementwise, in float64. */
export function unaryBackwardReference(op: UnaryOpName, x: Float32Array, g: Float32Array): Float64Array {
  return Float64Array.from(x, (v, i) => g[i] * unaryDerivative(op, v));
}
