import { isGradEnabled, recordOp } from "../autograd.js";
import { getCore, runKernel } from "../runtime.js";
import { empty, zeros, type Tensor } from "../tensor.js";

/**
 * Elementwise activations of {@link dense} and {@link activate}. `leakyRelu` is
 * z for z > 0, else `negativeSlope` z; `sin` is plain sin(z) (scale the weights
 * for SIREN's w0, Sitzmann et al. 2020, https://arxiv.org/abs/2006.09661).
 */
export type Activation = "none" | "relu" | "leakyRelu" | "softplus" | "sigmoid" | "tanh" | "sin";

/** Every {@link Activation}, e.g. for config schemas. */
export const ACTIVATIONS: readonly Activation[] = ["none", "relu", "leakyRelu", "softplus", "sigmoid", "tanh", "sin"];

/** Kernel codes; must match the table at the top of assembly/activation.ts. */
const ACTIVATION_CODES: Readonly<Record<Activation, number>> = {
  none: 0,
  relu: 1,
  leakyRelu: 2,
  softplus: 3,
  sigmoid: 4,
  tanh: 5,
  sin: 6,
};

/** Default slope of leakyRelu for z <= 0. */
export const DEFAULT_NEGATIVE_SLOPE = 0.01;

/** Rows of the batch chunk of `denseBackwardF32`; must match CHUNK in assembly/linear.ts. */
const DENSE_CHUNK = 64;
/** Floats of one thread's A-block scratch of `matmulF32`: MC x KC, as in assembly/linear.ts. */
const PACK_A_FLOATS = 128 * 256;
/** K block of `matmulF32` (KC in assembly/linear.ts). */
const K_BLOCK = 256;

function activationCode(op: string, kind: Activation): number {
  const code = ACTIVATION_CODES[kind];
  if (code === undefined) throw new Error(`${op}: unknown activation '${String(kind)}'; expected one of ${ACTIVATIONS.join(", ")}`);
  return code;
}

function checkSlope(op: string, slope: number): void {
  // The backward pass reads the derivative off the output, which needs y > 0 <=> z > 0.
  if (!(slope >= 0) || !Number.isFinite(slope)) throw new Error(`${op}: negativeSlope must be finite and >= 0, got ${slope}`);
}

/** Floats of the packed-panel copy of a K x N matrix (see packPanelsF32). */
function packedFloats(k: number, n: number): number {
  return Math.ceil(n / 8) * 8 * k;
}

/**
 * Packs B (K x N, or N x K when `transposed`) into the 8-column panels the matmul
 * kernel reads. The caller disposes the result.
 */
function packPanels(b: Tensor, k: number, n: number, transposed: boolean): Tensor {
  const packed = empty([packedFloats(k, n)]);
  runKernel("packPanelsF32", [b.ptr, packed.ptr, k, n, transposed ? 1 : 0], k * n * 4);
  return packed;
}

/** Runs the blocked matmul kernel; `pre` receives the pre-activation when given. */
function runMatmul(args: {
  a: Tensor;
  b: Tensor;
  out: Tensor;
  m: number;
  n: number;
  k: number;
  transposeA: boolean;
  transposeB: boolean;
  bias: Tensor | null;
  pre: Tensor | null;
  kind: number;
  slope: number;
}): void {
  const { a, b, out, m, n, k, transposeA, transposeB, bias, pre, kind, slope } = args;
  if (m === 0 || n === 0) return;
  const packed = packPanels(b, k, n, transposeB);
  // Pack A into tiles when it is read transposed or reread over several K blocks:
  // in place, rows a power of two apart would share cache sets.
  const packA = transposeA || k > K_BLOCK ? empty([getCore().numThreads * PACK_A_FLOATS]) : null;
  // Threads take row blocks from this counter (an i32 zero: float 0 has the same bits).
  const counter = zeros([16]);
  try {
    // A element (i, kk) sits at i * sa + kk * sk bytes.
    const sa = transposeA ? 4 : 4 * k;
    const sk = transposeA ? 4 * m : 4;
    runKernel(
      "matmulF32",
      [
        a.ptr, packed.ptr, out.ptr, m, n, k, sa, sk, bias ? bias.ptr : 0, pre ? pre.ptr : 0, kind, slope,
        packA ? packA.ptr : 0, counter.ptr,
      ],
      2 * m * n * Math.max(k, 1),
    );
  } finally {
    packed.dispose();
    packA?.dispose();
    counter.dispose();
  }
}

/** Options of {@link matmul}. */
export interface MatmulOptions {
  /** Read `a` as stored [K, M] and use its transpose. */
  transposeA?: boolean;
  /** Read `b` as stored [N, K] and use its transpose. */
  transposeB?: boolean;
}

/**
 * Matrix product op(a) op(b) of rank-2 tensors: a is [M, K] (stored [K, M] with
 * `transposeA`), b is [K, N] (stored [N, K] with `transposeB`); returns [M, N].
 * Backward gives da and db. Blocked SIMD kernel (Goto & van de Geijn, "Anatomy of
 * high-performance matrix multiplication", https://doi.org/10.1145/1356052.1356053);
 * threads take blocks of rows as they go, and every output is summed in the same
 * order whatever the thread count, so results are bitwise reproducible.
 */
export function matmul(a: Tensor, b: Tensor, options: MatmulOptions = {}): Tensor {
  const transposeA = options.transposeA ?? false;
  const transposeB = options.transposeB ?? false;
  if (a.rank !== 2 || b.rank !== 2) {
    throw new Error(`matmul: a and b must be rank 2, got a [${a.shape}] and b [${b.shape}]`);
  }
  const [m, k] = transposeA ? [a.shape[1], a.shape[0]] : [a.shape[0], a.shape[1]];
  const [kb, n] = transposeB ? [b.shape[1], b.shape[0]] : [b.shape[0], b.shape[1]];
  if (k !== kb) {
    throw new Error(
      `matmul: inner sizes differ: a [${a.shape}]${transposeA ? " (transposed)" : ""} and b [${b.shape}]${transposeB ? " (transposed)" : ""}`,
    );
  }
  const out = empty([m, n]);
  runMatmul({ a, b, out, m, n, k, transposeA, transposeB, bias: null, pre: null, kind: 0, slope: 0 });
  recordOp({
    name: "matmul",
    inputs: [a, b],
    outputs: [out],
    backward: ([g]) => {
      if (!g) return [null, null];
      // C = op(A) op(B): d op(A) = G op(B)^T, d op(B) = op(A)^T G; transpose back where stored transposed.
      const da = !a.requiresGrad
        ? null
        : transposeA
          ? matmul(b, g, { transposeA: transposeB, transposeB: true })
          : matmul(g, b, { transposeB: !transposeB });
      const db = !b.requiresGrad
        ? null
        : transposeB
          ? matmul(g, a, { transposeA: true, transposeB: transposeA })
          : matmul(a, g, { transposeA: !transposeA });
      return [da, db];
    },
  });
  return out;
}

/** Options of {@link dense}. */
export interface DenseOptions {
  /** Inputs, [N, in]. */
  x: Tensor;
  /** Weights, [in, out]. */
  weight: Tensor;
  /** Bias, [out]; omit for none. */
  bias?: Tensor | null;
  /** Activation applied to x W + b; default "none". */
  activation?: Activation;
  /** Slope of leakyRelu for z <= 0 (>= 0); default {@link DEFAULT_NEGATIVE_SLOPE}. */
  negativeSlope?: number;
}

/**
 * A fully connected layer y = f(x W + b), x [N, in], W [in, out], b [out], y
 * [N, out], with bias and activation fused into the matmul's epilogue. The hot
 * path of every radiance-field MLP. Backward gives dx, dW, db in one sweep over
 * the batch: dW and db are summed in partials over fixed row groups, then added
 * up in order, so results are the same on any thread count up to 4.
 */
export function dense(options: DenseOptions): Tensor {
  const { x, weight } = options;
  const bias = options.bias ?? null;
  const activation = options.activation ?? "none";
  const slope = options.negativeSlope ?? DEFAULT_NEGATIVE_SLOPE;
  const kind = activationCode("dense", activation);
  checkSlope("dense", slope);
  if (x.rank !== 2 || weight.rank !== 2 || x.shape[1] !== weight.shape[0]) {
    throw new Error(`dense: x must be [N, in] and weight [in, out], got x [${x.shape}] and weight [${weight.shape}]`);
  }
  const [n, inF] = x.shape;
  const outF = weight.shape[1];
  if (bias && (bias.rank !== 1 || bias.shape[0] !== outF)) {
    throw new Error(`dense: bias must be [${outF}] for weight [${weight.shape}], got [${bias.shape}]`);
  }
  const y = empty([n, outF]);
  // sin' = cos needs the pre-activation (every other derivative is read off y);
  // keep it only when a backward pass can follow.
  const recording = isGradEnabled() && (x.requiresGrad || weight.requiresGrad || (bias?.requiresGrad ?? false));
  const pre = activation === "sin" && recording ? empty([n, outF]) : null;
  runMatmul({ a: x, b: weight, out: y, m: n, n: outF, k: inF, transposeA: false, transposeB: false, bias, pre, kind, slope });
  const inputs = bias ? [x, weight, bias] : [x, weight];
  recordOp({
    name: "dense",
    inputs,
    outputs: [y],
    backward: ([gy]) => {
      if (!gy) return inputs.map(() => null);
      const grads = denseBackward({ x, weight, bias, y, pre, gy, kind, slope });
      return bias ? [grads.dx, grads.dw, grads.db] : [grads.dx, grads.dw];
    },
  });
  return y;
}

/** dx, dW, db of {@link dense}, each null where its input needs no gradient. */
function denseBackward(args: {
  x: Tensor;
  weight: Tensor;
  bias: Tensor | null;
  y: Tensor;
  pre: Tensor | null;
  gy: Tensor;
  kind: number;
  slope: number;
}): { dx: Tensor | null; dw: Tensor | null; db: Tensor | null } {
  const { x, weight, bias, y, pre, gy, kind, slope } = args;
  const [n, inF] = x.shape;
  const outF = weight.shape[1];
  const needDx = x.requiresGrad;
  const needDw = weight.requiresGrad;
  const needDb = bias !== null && bias.requiresGrad;
  if (!needDx && !needDw && !needDb) return { dx: null, dw: null, db: null };
  const dx = needDx ? empty([n, inF]) : null;
  const dw = needDw ? empty([inF, outF]) : null;
  const db = needDb && bias ? empty([outF]) : null;
  // Fixed row groups, each summed into its own partial: the result depends on the
  // group count (the same for any machine of up to 4 threads), not on scheduling.
  const groups = Math.max(1, Math.min(Math.max(8, 2 * getCore().numThreads), Math.ceil(n / DENSE_CHUNK)));
  const outP = Math.ceil(outF / 8) * 8;
  const partialFloats = Math.ceil((inF * outP + outP) / 16) * 16;
  // 16 floats (64 bytes) for the counter, zero; the partials; a dZ chunk per thread.
  const scratch = empty([16 + groups * partialFloats + getCore().numThreads * DENSE_CHUNK * outP]);
  scratch.data[0] = 0;
  const packedWT = needDx ? packPanels(weight, outF, inF, true) : null;
  try {
    const flags = (needDx ? 1 : 0) | (needDw ? 2 : 0) | (needDb ? 4 : 0);
    runKernel(
      "denseBackwardF32",
      [
        x.ptr, packedWT ? packedWT.ptr : 0, y.ptr, pre ? pre.ptr : 0, gy.ptr, dx ? dx.ptr : 0, scratch.ptr,
        n, inF, outF, kind, slope, flags, groups,
      ],
      2 * n * outF * ((needDx ? inF : 0) + (needDw ? inF : 0) + 2),
    );
    if (dw || db) {
      runKernel("denseReduceF32", [scratch.ptr, dw ? dw.ptr : 0, db ? db.ptr : 0, inF, outF, flags, groups], groups * inF * outF);
    }
  } finally {
    scratch.dispose();
    packedWT?.dispose();
  }
  return { dx, dw, db };
}

/** Options of {@link activate}. */
export interface ActivateOptions {
  /** Any shape. */
  x: Tensor;
  kind: Activation;
  /** Slope of leakyRelu for z <= 0 (>= 0); default {@link DEFAULT_NEGATIVE_SLOPE}. */
  negativeSlope?: number;
}

/** The activation `kind` applied elementwise; same shape as `x`. Same functions as {@link dense}'s epilogue. */
export function activate(options: ActivateOptions): Tensor {
  const { x, kind } = options;
  const slope = options.negativeSlope ?? DEFAULT_NEGATIVE_SLOPE;
  const code = activationCode("activate", kind);
  checkSlope("activate", slope);
  const y = empty(x.shape);
  runKernel("activateF32", [x.ptr, y.ptr, x.size, code, slope], x.size * (code >= 3 ? 30 : 1));
  recordOp({
    name: `activate(${kind})`,
    inputs: [x],
    outputs: [y],
    backward: ([g]) => {
      if (!g) return [null];
      const dx = empty(x.shape);
      runKernel("activateBackwardF32", [x.ptr, y.ptr, g.ptr, dx.ptr, x.size, code, slope], x.size * (code >= 3 ? 30 : 1));
      return [dx];
    },
  });
  return y;
}
