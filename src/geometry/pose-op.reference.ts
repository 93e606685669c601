/**
 * Float64 reference of `rigidTransformPoints` (./pose-op.ts), derived
 * independently: the rotation's derivative uses Gallego and Yezzi's closed form,
 * dR/dw_l = (w_l [w]x + [w x ((I - R) e_l)]x) R / |w|^2 ("A compact formula for
 * the derivative of a 3-D rotation in exponential coordinates", 2015,
 * https://arxiv.org/abs/1312.0788), and [e_l]x at w = 0.
 */

type M3 = number[];

function cross(x: number, y: number, z: number): M3 {
  return [0, -z, y, z, 0, -x, -y, x, 0];
}

function mul(p: M3, q: M3): M3 {
  const r: M3 = [];
  for (let i = 0; i < 3; i++) for (let j = 0; j < 3; j++) r.push(p[3 * i] * q[j] + p[3 * i + 1] * q[3 + j] + p[3 * i + 2] * q[6 + j]);
  return r;
}

/** Rotation matrix (row-major) of an axis-angle vector, by Rodrigues' formula with a unit axis. */
export function rotationReference(w: readonly number[]): M3 {
  const theta = Math.hypot(w[0], w[1], w[2]);
  if (theta === 0) return [1, 0, 0, 0, 1, 0, 0, 0, 1];
  const k = cross(w[0] / theta, w[1] / theta, w[2] / theta);
  const k2 = mul(k, k);
  return k.map((v, i) => (i % 4 === 0 ? 1 : 0) + Math.sin(theta) * v + (1 - Math.cos(theta)) * k2[i]);
}

/** dR/dw_l for l = 0, 1, 2 (Gallego and Yezzi). */
export function rotationDerivativesReference(w: readonly number[]): M3[] {
  const t2 = w[0] * w[0] + w[1] * w[1] + w[2] * w[2];
  if (t2 === 0) return [cross(1, 0, 0), cross(0, 1, 0), cross(0, 0, 1)];
  const r = rotationReference(w);
  return [0, 1, 2].map((l) => {
    // v = w x ((I - R) e_l); (I - R) e_l is column l of I - R.
    const c = [(l === 0 ? 1 : 0) - r[l], (l === 1 ? 1 : 0) - r[3 + l], (l === 2 ? 1 : 0) - r[6 + l]];
    const v = [w[1] * c[2] - w[2] * c[1], w[2] * c[0] - w[0] * c[2], w[0] * c[1] - w[1] * c[0]];
    const wx = cross(w[0], w[1], w[2]), vx = cross(v[0], v[1], v[2]);
    const s = wx.map((x, i) => (w[l] * x + vx[i]) / t2);
    return mul(s, r);
  });
}

/** Forward: p' = R p + t for packed points [N*3]. */
export function rigidTransformPointsReference(points: ArrayLike<number>, axisAngle: readonly number[], translation: readonly number[]): Float64Array {
  const r = rotationReference(axisAngle);
  const out = new Float64Array(points.length);
  for (let i = 0; i < points.length; i += 3) {
    for (let j = 0; j < 3; j++) {
      out[i + j] = r[3 * j] * points[i] + r[3 * j + 1] * points[i + 1] + r[3 * j + 2] * points[i + 2] + translation[j];
    }
  }
  return out;
}

/** Backward: gradients of sum(g * p') w.r.t. the points [N*3], the axis-angle vector [3] and the translation [3]. */
export function rigidTransformPointsBackwardReference(
  points: ArrayLike<number>,
  axisAngle: readonly number[],
  grad: ArrayLike<number>,
): { points: Float64Array; axisAngle: Float64Array; translation: Float64Array } {
  const r = rotationReference(axisAngle);
  const dr = rotationDerivativesReference(axisAngle);
  const dPoints = new Float64Array(points.length);
  const dAxis = new Float64Array(3);
  const dT = new Float64Array(3);
  for (let i = 0; i < points.length; i += 3) {
    for (let j = 0; j < 3; j++) {
      const g = grad[i + j];
      dT[j] += g;
      for (let k = 0; k < 3; k++) {
        dPoints[i + k] += r[3 * j + k] * g;
        for (let l = 0; l < 3; l++) dAxis[l] += g * dr[l][3 * j + k] * points[i + k];
      }
    }
  }
  return { points: dPoints, axisAngle: dAxis, translation: dT };
}
