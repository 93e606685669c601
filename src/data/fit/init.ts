import { axisAngleFromRotation, type Mat3 } from "../../geometry/rigid.js";
import { choleskyFactor, choleskySolve } from "./linalg.js";

/**
 * Closed-form head pose from 2D-3D correspondences under a scaled orthographic
 * (weak-perspective) camera, the usual starting point of a perspective-n-point
 * refinement (e.g. POSIT, DeMenthon and Davis 1995, "Model-based object pose in
 * 25 lines of code"): a least-squares affine map from head-frame points to
 * pixels, p ~ A X + b, whose two rows are the scaled first two rows of the
 * camera-frame rotation. Orthonormalizing them gives the rotation, their
 * length the scale f / depth, and the centroid the translation. No iteration,
 * no starting guess, so every frame starts independently of its neighbours.
 *
 * Frames as in frame-problem.ts: camera at (0, 0, distance) looking down -z,
 * camera coordinates (P_x, -P_y, distance - P_z).
 */
export function weakPerspectivePose(options: {
  /** Head-frame points [N * 3], metres. */
  pointsHead: Float64Array;
  /** Their observed pixels [N * 2]. */
  pixels: Float64Array;
  /** Which of the N points to use. */
  indices: readonly number[];
  focalPx: number;
  principalPx: readonly [number, number];
  cameraDistance: number;
}): { rotation: Float64Array; translation: Float64Array } | null {
  const { pointsHead: X, pixels: p, indices, focalPx: f, principalPx: [cx, cy], cameraDistance } = options;
  const n = indices.length;
  if (n < 4) return null;
  const mx = [0, 0, 0], mp = [0, 0];
  for (const i of indices) {
    for (let c = 0; c < 3; c++) mx[c] += X[3 * i + c] / n;
    mp[0] += p[2 * i] / n;
    mp[1] += p[2 * i + 1] / n;
  }
  // Normal equations of the affine fit: (Xc^T Xc) a_row = Xc^T p_row.
  const xtx = new Float64Array(9);
  const xtp = new Float64Array(6);
  for (const i of indices) {
    const d = [X[3 * i] - mx[0], X[3 * i + 1] - mx[1], X[3 * i + 2] - mx[2]];
    const du = p[2 * i] - mp[0], dv = p[2 * i + 1] - mp[1];
    for (let a = 0; a < 3; a++) {
      for (let b = 0; b < 3; b++) xtx[3 * a + b] += d[a] * d[b];
      xtp[a] += d[a] * du;
      xtp[3 + a] += d[a] * dv;
    }
  }
  // A tiny ridge keeps a near-planar point set solvable.
  const trace = xtx[0] + xtx[4] + xtx[8];
  for (let a = 0; a < 3; a++) xtx[4 * a] += 1e-9 * trace;
  if (!choleskyFactor(xtx, 3)) return null;
  choleskySolve(xtx, 3, xtp, 0);
  choleskySolve(xtx, 3, xtp, 3);
  // Row 0 of A is s * (row 0 of R); row 1 is s * (-row 1 of R) (image y points down).
  const a0 = [xtp[0], xtp[1], xtp[2]], a1 = [-xtp[3], -xtp[4], -xtp[5]];
  const n0 = Math.hypot(a0[0], a0[1], a0[2]), n1 = Math.hypot(a1[0], a1[1], a1[2]);
  if (!(n0 > 0 && n1 > 0)) return null;
  const scale = (n0 + n1) / 2;
  const rows = orthonormalPair(a0.map((v) => v / n0), a1.map((v) => v / n1));
  const r2 = cross(rows[0], rows[1]);
  const [p0, p1] = rows;
  const rotation: Mat3 = [p0[0], p0[1], p0[2], p1[0], p1[1], p1[2], r2[0], r2[1], r2[2]];
  const depth = f / scale;
  // World position of the centroid, then t = P - R X_mean.
  const centroid = [((mp[0] - cx) * depth) / f, (-(mp[1] - cy) * depth) / f, cameraDistance - depth];
  const rx = [0, 1, 2].map((k) => rotation[3 * k] * mx[0] + rotation[3 * k + 1] * mx[1] + rotation[3 * k + 2] * mx[2]);
  return {
    rotation: Float64Array.from(axisAngleFromRotation(rotation)),
    translation: Float64Array.from([centroid[0] - rx[0], centroid[1] - rx[1], centroid[2] - rx[2]]),
  };
}

/** The orthonormal pair closest to two unit vectors: rotate both symmetrically apart about their bisector. */
function orthonormalPair(a: number[], b: number[]): [number[], number[]] {
  const sum = norm([a[0] + b[0], a[1] + b[1], a[2] + b[2]]);
  const diff = norm([a[0] - b[0], a[1] - b[1], a[2] - b[2]]);
  const h = Math.SQRT1_2;
  return [
    [h * (sum[0] + diff[0]), h * (sum[1] + diff[1]), h * (sum[2] + diff[2])],
    [h * (sum[0] - diff[0]), h * (sum[1] - diff[1]), h * (sum[2] - diff[2])],
  ];
}

function norm(v: number[]): number[] {
  const l = Math.hypot(v[0], v[1], v[2]) || 1;
  return [v[0] / l, v[1] / l, v[2] / l];
}

function cross(a: number[], b: number[]): number[] {
  return [a[1] * b[2] - a[2] * b[1], a[2] * b[0] - a[0] * b[2], a[0] * b[1] - a[1] * b[0]];
}
