// Plain reference implementations of the linear kernels (float64 loops), for tests.
import type { Activation } from "./linear.js";

/** A row-major matrix: `rows` x `cols` values. */
export interface Matrix {
  values: ArrayLike<number>;
  rows: number;
  cols: number;
}

function at(m: Matrix, i: number, j: number, transposed: boolean): number {
  return transposed ? m.values[j * m.cols + i] : m.values[i * m.cols + j];
}

/** op(a) op(b), where op transposes a stored matrix when asked. Returns [M, N] values. */
export function matmulReference(a: Matrix, b: Matrix, transposeA = false, transposeB = false): Float64Array {
  const m = transposeA ? a.cols : a.rows;
  const k = transposeA ? a.rows : a.cols;
  const n = transposeB ? b.rows : b.cols;
  const out = new Float64Array(m * n);
  for (let i = 0; i < m; i++) {
    for (let j = 0; j < n; j++) {
      let s = 0;
      for (let kk = 0; kk < k; kk++) s += at(a, i, kk, transposeA) * at(b, kk, j, transposeB);
      out[i * n + j] = s;
    }
  }
  return out;
}

/** Gradients of matmulReference for output gradient g [M, N], in the stored layouts of a and b. */
export function matmulBackwardReference(
  a: Matrix,
  b: Matrix,
  g: ArrayLike<number>,
  transposeA = false,
  transposeB = false,
): { da: Float64Array; db: Float64Array } {
  const m = transposeA ? a.cols : a.rows;
  const k = transposeA ? a.rows : a.cols;
  const n = transposeB ? b.rows : b.cols;
  const da = new Float64Array(a.rows * a.cols);
  const db = new Float64Array(b.rows * b.cols);
  for (let i = 0; i < m; i++) {
    for (let kk = 0; kk < k; kk++) {
      for (let j = 0; j < n; j++) {
        const gij = g[i * n + j];
        // C[i, j] += opA[i, kk] opB[kk, j]
        const ia = transposeA ? kk * a.cols + i : i * a.cols + kk;
        const ib = transposeB ? j * b.cols + kk : kk * b.cols + j;
        da[ia] += gij * b.values[ib];
        db[ib] += gij * a.values[ia];
      }
    }
  }
  return { da, db };
}

/** f(z) of one activation, in float64. */
export function activationReference(kind: Activation, z: number, slope = 0.01): number {
  switch (kind) {
    case "none":
      return z;
    case "relu":
      return z > 0 ? z : 0;
    case "leakyRelu":
      return z > 0 ? z : slope * z;
    case "softplus":
      return Math.max(z, 0) + Math.log1p(Math.exp(-Math.abs(z)));
    case "sigmoid":
      return 1 / (1 + Math.exp(-z));
    case "tanh":
      return Math.tanh(z);
    case "sin":
      return Math.sin(z);
  }
}

/** f'(z) of one activation, in float64. */
export function activationDerivativeReference(kind: Activation, z: number, slope = 0.01): number {
  switch (kind) {
    case "none":
      return 1;
    case "relu":
      return z > 0 ? 1 : 0;
    case "leakyRelu":
      return z > 0 ? 1 : slope;
    case "softplus":
      return 1 / (1 + Math.exp(-z));
    case "sigmoid": {
      const s = 1 / (1 + Math.exp(-z));
      return s * (1 - s);
    }
    case "tanh": {
      const t = Math.tanh(z);
      return 1 - t * t;
    }
    case "sin":
      return Math.cos(z);
  }
}

/** Inputs of {@link denseReference}: x [N, in], weight [in, out], bias [out] or null. */
export interface DenseReferenceInputs {
  x: ArrayLike<number>;
  weight: ArrayLike<number>;
  bias: ArrayLike<number> | null;
  n: number;
  inF: number;
  outF: number;
  activation: Activation;
  slope?: number;
}

/** y = f(x W + b) and the pre-activation z, [N, out] each. */
export function denseReference(p: DenseReferenceInputs): { y: Float64Array; z: Float64Array } {
  const { x, weight, bias, n, inF, outF, activation, slope = 0.01 } = p;
  const z = matmulReference({ values: x, rows: n, cols: inF }, { values: weight, rows: inF, cols: outF });
  const y = new Float64Array(n * outF);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < outF; j++) {
      if (bias) z[i * outF + j] += bias[j];
      y[i * outF + j] = activationReference(activation, z[i * outF + j], slope);
    }
  }
  return { y, z };
}

/** dx [N, in], dW [in, out], db [out] of {@link denseReference} for output gradient gy [N, out]. */
export function denseBackwardReference(
  p: DenseReferenceInputs,
  gy: ArrayLike<number>,
): { dx: Float64Array; dw: Float64Array; db: Float64Array } {
  const { x, weight, n, inF, outF, activation, slope = 0.01 } = p;
  const { z } = denseReference(p);
  const dz = new Float64Array(n * outF);
  for (let i = 0; i < n * outF; i++) dz[i] = gy[i] * activationDerivativeReference(activation, z[i], slope);
  const { da, db: dw } = matmulBackwardReference({ values: x, rows: n, cols: inF }, { values: weight, rows: inF, cols: outF }, dz);
  const db = new Float64Array(outF);
  for (let i = 0; i < n; i++) for (let j = 0; j < outF; j++) db[j] += dz[i * outF + j];
  return { dx: da, dw, db };
}
