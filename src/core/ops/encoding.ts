/**
 * Sinusoidal positional encoding (NeRF, Mildenhall et al. 2020,
 * https://arxiv.org/abs/2003.08934) with the coarse-to-fine frequency window of
 * Nerfies (Park et al. 2021, https://arxiv.org/abs/2011.12948). Kernels in
 * assembly/encoding.ts.
 */
import { recordOp } from "../autograd.js";
import { runKernel } from "../runtime.js";
import { empty, tensor, type Tensor } from "../tensor.js";

/** Options of {@link encodePositions}. */
export interface EncodePositionsOptions {
  /** Points [N, D], in units where 1 is half the period of the lowest frequency (e.g. the normalized cube [-1, 1]^D). */
  x: Tensor;
  /** Frequencies F: k = 0..F-1 encodes sin and cos of 2^k pi x. */
  numFrequencies: number;
  /** Per-frequency factor w_k [F] applied to sin and cos (default all 1); see {@link annealingWindow}. */
  windowWeights?: ArrayLike<number>;
  /** Whether the raw input leads the output row (default true, as in NeRF). */
  includeInput?: boolean;
}

/** Width of an encoded row: D (when the input is included) + 2 D F. */
export function encodedWidth(dims: number, numFrequencies: number, includeInput = true): number {
  return (includeInput ? dims : 0) + 2 * dims * numFrequencies;
}

/**
 * The coarse-to-fine window of Nerfies: w_k(alpha) = (1 - cos(pi clamp(alpha - k, 0, 1))) / 2
 * for k = 0..F-1. `alpha` grows from 0 to F over training: frequency k fades in as alpha
 * passes from k to k + 1.
 */
export function annealingWindow(alpha: number, numFrequencies: number): Float32Array {
  if (!Number.isFinite(alpha)) throw new Error(`annealingWindow: alpha must be finite, got ${alpha}`);
  const w = new Float32Array(numFrequencies);
  for (let k = 0; k < numFrequencies; k++) {
    const t = Math.min(Math.max(alpha - k, 0), 1);
    w[k] = (1 - Math.cos(Math.PI * t)) / 2;
  }
  return w;
}

/**
 * Encodes points [N, D] as [N, D * includeInput + 2 D F]. Column order of a row:
 * the input x_0..x_{D-1} (when `includeInput`), then for each frequency k = 0..F-1
 * the block w_k sin(2^k pi x_0..x_{D-1}) followed by w_k cos(2^k pi x_0..x_{D-1});
 * i.e. column `D + 2Dk + d` is the sine and `D + 2Dk + D + d` the cosine of x_d.
 *
 * sin and cos are evaluated from 2^k x exactly reduced modulo 1/2 (no rounded pi in
 * the reduction), so every frequency is accurate to about 1e-7. The gradient flows
 * to x (not to the window weights).
 */
export function encodePositions(options: EncodePositionsOptions): Tensor {
  const { x, numFrequencies } = options;
  const includeInput = options.includeInput ?? true;
  if (x.rank !== 2 || x.shape[1] < 1) throw new Error(`encodePositions: x must be [N, D] with D >= 1, got [${x.shape}]`);
  if (!Number.isInteger(numFrequencies) || numFrequencies < 0 || numFrequencies > 64) {
    throw new Error(`encodePositions: numFrequencies must be a whole number from 0 to 64, got ${numFrequencies}`);
  }
  const [numPoints, dims] = x.shape;
  const width = encodedWidth(dims, numFrequencies, includeInput);
  if (width === 0) throw new Error("encodePositions: numFrequencies 0 without includeInput encodes nothing");
  const weights = options.windowWeights ? Float32Array.from(options.windowWeights) : new Float32Array(numFrequencies).fill(1);
  if (weights.length !== numFrequencies) {
    throw new Error(`encodePositions: windowWeights has ${weights.length} values, expected numFrequencies = ${numFrequencies}`);
  }
  const work = 60 * numPoints * dims * numFrequencies;
  const out = empty([numPoints, width]);
  const window = tensor(weights);
  runKernel("posencForward", [x.ptr, window.ptr, out.ptr, numPoints, dims, numFrequencies, includeInput ? 1 : 0], work);
  window.dispose();
  recordOp({
    name: "encodePositions",
    inputs: [x],
    outputs: [out],
    backward: ([gradOut]) => {
      if (!gradOut || !x.requiresGrad) return [null];
      const dx = empty(x.shape);
      const w = tensor(weights);
      runKernel("posencBackward", [x.ptr, w.ptr, gradOut.ptr, dx.ptr, numPoints, dims, numFrequencies, includeInput ? 1 : 0], work);
      w.dispose();
      return [dx];
    },
  });
  return out;
}
