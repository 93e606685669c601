/**
 * Correction of the tracked head poses, learned with the field. A tracker that
 * fits a face model to landmarks confuses some head motion with expression, and
 * under-reads pitch (measured on synthetic sweeps), so the hair and skull, far
 * from the landmarks, land in a different place of the head frame from frame to
 * frame and blur. Likeness learns the correction as a linear function of the
 * expression: a small rigid motion of the head frame (rotation vector and
 * translation, to first order). Being a function of the expression rather than
 * a per-frame table, it also corrects frames the model never trained on.
 * (A table over time instead, a correction every 8 frames as BARF or Nerfies
 * refine camera poses, fit expressive-woman-480's training frames 1 dB better
 * but left 24 held-out frames 0.7 dB worse; the expression map gained 1.1 dB
 * on them.)
 */
import { add, matmul, reshape, slice, tensor, zeros, type Tensor } from "../../core/index.js";

/**
 * vec(M) = omega @ SKEW, M row-major, such that p @ M = omega x p for a row vector p:
 * M = [[0, wz, -wy], [-wz, 0, wx], [wy, -wx, 0]].
 */
const SKEW = new Float32Array([
  0, 0, 0, 0, 0, 1, 0, -1, 0, // wx
  0, 0, -1, 0, 0, 0, 1, 0, 0, // wy
  0, 1, 0, -1, 0, 0, 0, 0, 0, // wz
]);

/**
 * Moves points [N, 3] by a pose correction [1, 6] (rotation vector omega,
 * radians, then translation delta, in the points' units): p + omega x p + delta,
 * the first-order rigid motion. Differentiable in both inputs.
 */
export function applyPoseCorrection(points: Tensor, correction: Tensor): Tensor {
  if (points.rank !== 2 || points.shape[1] !== 3) throw new Error(`applyPoseCorrection: points must be [N, 3], got [${points.shape}]`);
  if (correction.rank !== 2 || correction.shape[0] !== 1 || correction.shape[1] !== 6) {
    throw new Error(`applyPoseCorrection: the correction must be [1, 6], got [${correction.shape}]`);
  }
  const omega = slice(correction, { begin: [0, 0], size: [1, 3] });
  const delta = slice(correction, { begin: [0, 3], size: [1, 3] });
  const m = reshape(matmul(omega, tensor(SKEW, [3, 9])), [3, 3]);
  return add(add(points, matmul(points, m)), delta);
}

/** Reference of {@link applyPoseCorrection} in plain float64 loops. */
export function applyPoseCorrectionReference(points: ArrayLike<number>, correction: ArrayLike<number>): Float64Array {
  const [wx, wy, wz, dx, dy, dz] = Array.from(correction);
  const out = new Float64Array(points.length);
  for (let i = 0; i < points.length; i += 3) {
    const x = points[i], y = points[i + 1], z = points[i + 2];
    out[i] = x + (wy * z - wz * y) + dx;
    out[i + 1] = y + (wz * x - wx * z) + dy;
    out[i + 2] = z + (wx * y - wy * x) + dz;
  }
  return out;
}

/**
 * Reference gradients of {@link applyPoseCorrection} for the scalar sum(out * gradOut):
 * d/dp_i = g_i + g_i x omega, d/domega = sum_i p_i x g_i, d/ddelta = sum_i g_i.
 */
export function applyPoseCorrectionBackwardReference(
  points: ArrayLike<number>, correction: ArrayLike<number>, gradOut: ArrayLike<number>,
): { dPoints: Float64Array; dCorrection: Float64Array } {
  const [wx, wy, wz] = Array.from(correction);
  const dPoints = new Float64Array(points.length);
  const dCorrection = new Float64Array(6);
  for (let i = 0; i < points.length; i += 3) {
    const gx = gradOut[i], gy = gradOut[i + 1], gz = gradOut[i + 2];
    const x = points[i], y = points[i + 1], z = points[i + 2];
    dPoints[i] = gx + (gy * wz - gz * wy);
    dPoints[i + 1] = gy + (gz * wx - gx * wz);
    dPoints[i + 2] = gz + (gx * wy - gy * wx);
    dCorrection[0] += y * gz - z * gy;
    dCorrection[1] += z * gx - x * gz;
    dCorrection[2] += x * gy - y * gx;
    dCorrection[3] += gx;
    dCorrection[4] += gy;
    dCorrection[5] += gz;
  }
  return { dPoints, dCorrection };
}

/**
 * The head-pose correction as a linear function of the expression: a map [E, 6]
 * and a bias [1, 6], both zero at the start (no correction).
 */
export class PoseCorrection {
  readonly weights: Tensor;
  readonly bias: Tensor;

  constructor(expressionDim: number) {
    this.weights = zeros([expressionDim, 6]).asParameter();
    this.bias = zeros([1, 6]).asParameter();
  }

  /** The correction [1, 6] (rotation vector, radians; translation, normalized head-frame units) for an expression, differentiable in the map. */
  correctionFor(expression: Float32Array): Tensor {
    return add(matmul(tensor(expression, [1, expression.length]), this.weights), this.bias);
  }

  /** The parameters by name. */
  parameters(prefix = "pose"): Map<string, Tensor> {
    return new Map([[`${prefix}.weights`, this.weights], [`${prefix}.bias`, this.bias]]);
  }
}
