import { empty, recordOp, type Tensor } from "../core/index.js";

/** Options of {@link rigidTransformPoints}. */
export interface RigidTransformPointsOptions {
  /** Points [N, 3] in the source frame. */
  points: Tensor;
  /** Rotation as an axis-angle vector [3]: unit axis times the angle in radians. */
  axisAngle: Tensor;
  /** Translation [3], in the points' units, applied after the rotation. */
  translation: Tensor;
}

/**
 * Coefficients of Rodrigues' formula R = I + a K + b K^2 (K = [w]x, theta = |w|)
 * and of their derivatives divided by theta: a = sin(t)/t, b = (1 - cos t)/t^2,
 * c = a'(t)/t, d = b'(t)/t. Below a small angle the closed forms lose all their
 * digits to cancellation, so Taylor series take over (error far below float32 there).
 */
export function rodriguesCoefficients(theta: number): { a: number; b: number; c: number; d: number } {
  const t2 = theta * theta;
  if (theta < 1e-2) {
    return {
      a: 1 - t2 / 6 + (t2 * t2) / 120,
      b: 0.5 - t2 / 24 + (t2 * t2) / 720,
      c: -1 / 3 + t2 / 30 - (t2 * t2) / 840,
      d: -1 / 12 + t2 / 180 - (t2 * t2) / 6720,
    };
  }
  const s = Math.sin(theta), co = Math.cos(theta);
  return {
    a: s / theta,
    b: (1 - co) / t2,
    c: (theta * co - s) / (t2 * theta),
    d: (theta * s - 2 * (1 - co)) / (t2 * t2),
  };
}

/** [w]x, the cross-product matrix (row-major 3x3) of w. */
function crossMatrix(x: number, y: number, z: number): number[] {
  return [0, -z, y, z, 0, -x, -y, x, 0];
}

function mul3(p: readonly number[], q: readonly number[]): number[] {
  const r = new Array<number>(9);
  for (let i = 0; i < 3; i++) for (let j = 0; j < 3; j++) r[3 * i + j] = p[3 * i] * q[j] + p[3 * i + 1] * q[3 + j] + p[3 * i + 2] * q[6 + j];
  return r;
}

/**
 * The rotation matrix (row-major, float64) of an axis-angle vector and its three
 * partial derivatives dR/dw_l, from R = I + a K + b K^2:
 * dR/dw_l = c w_l K + a E_l + d w_l K^2 + b (E_l K + K E_l), E_l = [e_l]x.
 * Smooth through w = 0, where dR/dw_l = E_l.
 */
export function rotationAndDerivatives(w: readonly number[]): { rotation: number[]; derivatives: number[][] } {
  const theta = Math.hypot(w[0], w[1], w[2]);
  const { a, b, c, d } = rodriguesCoefficients(theta);
  const k = crossMatrix(w[0], w[1], w[2]);
  const k2 = mul3(k, k);
  const rotation = k.map((kv, i) => (i % 4 === 0 ? 1 : 0) + a * kv + b * k2[i]);
  const derivatives = [0, 1, 2].map((l) => {
    const e = crossMatrix(l === 0 ? 1 : 0, l === 1 ? 1 : 0, l === 2 ? 1 : 0);
    const ek = mul3(e, k), ke = mul3(k, e);
    return k.map((kv, i) => c * w[l] * kv + a * e[i] + d * w[l] * k2[i] + b * (ek[i] + ke[i]));
  });
  return { rotation, derivatives };
}

/**
 * Rigid motion of points, p' = R(w) p + t, with R from the axis-angle vector w by
 * Rodrigues' formula: `points` [N, 3], `axisAngle` [3] (radians), `translation`
 * [3] give [N, 3]. Differentiable in all three inputs; the rotation's derivative
 * is exact and smooth through w = 0 (see {@link rotationAndDerivatives}). Runs in
 * TypeScript: N is a few thousand vertices (a head mesh), far from kernel territory.
 * This is how a face model's head pose enters a fitting loss.
 */
export function rigidTransformPoints({ points, axisAngle, translation }: RigidTransformPointsOptions): Tensor {
  if (points.rank !== 2 || points.shape[1] !== 3) {
    throw new Error(`rigidTransformPoints: points must be [N, 3], got [${points.shape}]`);
  }
  if (axisAngle.size !== 3 || translation.size !== 3) {
    throw new Error(`rigidTransformPoints: axisAngle and translation must have 3 values, got [${axisAngle.shape}] and [${translation.shape}]`);
  }
  const n = points.shape[0];
  const w = Array.from(axisAngle.data);
  const tv = Array.from(translation.data);
  const { rotation: r, derivatives } = rotationAndDerivatives(w);
  const out = empty([n, 3]);
  const p = points.data, o = out.data;
  for (let i = 0; i < n; i++) {
    const x = p[3 * i], y = p[3 * i + 1], z = p[3 * i + 2];
    o[3 * i] = r[0] * x + r[1] * y + r[2] * z + tv[0];
    o[3 * i + 1] = r[3] * x + r[4] * y + r[5] * z + tv[1];
    o[3 * i + 2] = r[6] * x + r[7] * y + r[8] * z + tv[2];
  }
  recordOp({
    name: "rigidTransformPoints",
    inputs: [points, axisAngle, translation],
    outputs: [out],
    backward: ([g]) => {
      if (!g) return [null, null, null];
      let dPoints: Tensor | null = null;
      if (points.requiresGrad) {
        // dL/dp_i = R^T g_i.
        dPoints = empty([n, 3]);
        const dp = dPoints.data, gv = g.data;
        for (let i = 0; i < n; i++) {
          const gx = gv[3 * i], gy = gv[3 * i + 1], gz = gv[3 * i + 2];
          dp[3 * i] = r[0] * gx + r[3] * gy + r[6] * gz;
          dp[3 * i + 1] = r[1] * gx + r[4] * gy + r[7] * gz;
          dp[3 * i + 2] = r[2] * gx + r[5] * gy + r[8] * gz;
        }
      }
      // Both remaining gradients need only M = sum_i g_i p_i^T and sum_i g_i (float64 sums).
      const m = new Float64Array(9);
      const gs = new Float64Array(3);
      const pv = points.data, gv = g.data;
      for (let i = 0; i < n; i++) {
        for (let j = 0; j < 3; j++) {
          const gj = gv[3 * i + j];
          gs[j] += gj;
          m[3 * j] += gj * pv[3 * i];
          m[3 * j + 1] += gj * pv[3 * i + 1];
          m[3 * j + 2] += gj * pv[3 * i + 2];
        }
      }
      let dAxis: Tensor | null = null;
      if (axisAngle.requiresGrad) {
        const vals = derivatives.map((dr) => dr.reduce((acc, v, k) => acc + v * m[k], 0));
        dAxis = empty(axisAngle.shape);
        dAxis.data.set(vals);
      }
      let dTranslation: Tensor | null = null;
      if (translation.requiresGrad) {
        dTranslation = empty(translation.shape);
        dTranslation.data.set(gs);
      }
      return [dPoints, dAxis, dTranslation];
    },
  });
  return out;
}
