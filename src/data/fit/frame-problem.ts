import { NUM_LANDMARKS } from "../../face/index.js";
import { rotationAndDerivatives } from "../../geometry/pose-op.js";
import { addExpression, isIrisLandmark, type LandmarkModel } from "./landmark-model.js";

/**
 * The per-frame least-squares problem of the landmark fitter: the model's
 * landmarks, posed and projected by the fixed look-at camera, against the
 * tracked 2D landmarks. This file computes its cost and its Gauss-Newton normal
 * equations (J^T W J, J^T W r) with analytic Jacobians.
 *
 * Camera: at (0, 0, distance) on the world's +z axis, looking at the origin, y
 * up (as lookAtCamera builds it), so a world point P has camera coordinates
 * (P_x, -P_y, distance - P_z); pixels u = f x_c / z_c + c_x, v = f y_c / z_c + c_y.
 * Pose: P = R(a) X + t, X the head-frame landmark, a the axis-angle vector.
 *
 * Where the tracker also gives each mesh landmark's relative depth (pixels, as a
 * face-mesh network estimates it), a depth term compares it with the model's:
 * d_l = -f (R X_l)_z / (distance - t_z), the landmark's depth behind the head
 * origin in pixels at the head's distance. Only differences between landmarks
 * count: the depth residuals' weighted mean is removed (a free per-frame depth
 * offset, eliminated in closed form). A head's pitch moves depths in first
 * order but image positions only through the face's relief, which a tracker
 * under-reads; with this term the fitted pitch follows the head more closely.
 */

/** The unknowns of one frame. */
export interface FrameState {
  /** Axis-angle head rotation [3], radians, model to world. */
  rotation: Float64Array;
  /** Head translation [3], metres, model to world. */
  translation: Float64Array;
  /** Expression coefficients [numExpression]. */
  expression: Float64Array;
}

/** What is shared by all frames of a video while one frame is evaluated. */
export interface SharedContext {
  readonly model: LandmarkModel;
  /** Head-frame landmarks of the current identity, zero expression [478 * 3]. */
  neutral: Float64Array;
  focalPx: number;
  readonly principalPx: readonly [number, number];
  /** Distance of the camera from the world origin along +z, metres. */
  readonly cameraDistance: number;
  /** Weight per landmark [478] (0 ignores it). */
  readonly landmarkWeights: Float64Array;
  /** Huber threshold on a landmark's error, as a fraction of the face size. */
  readonly huberFraction: number;
  /** Weight of the depth term against the image-position term (per coordinate); 0 ignores tracked depths. */
  readonly depthWeight: number;
}

/** One frame's observation: tracked pixels and the face size that normalizes them. */
export interface FrameObservation {
  /** [numLandmarks * 2] pixels; 468 or 478 landmarks. */
  readonly pixels: Float64Array;
  readonly numLandmarks: number;
  /** Diagonal of the face box (bounds of the 468 mesh landmarks), pixels. */
  readonly faceSizePx: number;
  /**
   * [468] relative depths of the mesh landmarks, pixels (larger is farther; any
   * common offset), or null where the tracker gives none.
   */
  readonly depthPx: Float64Array | null;
}

/** Number of mesh landmarks (without the iris points): those with a tracked depth. */
export const DEPTH_LANDMARKS = 468;

/** Which unknowns get Jacobian columns, in this order: pose (6), then expression, then identity and log focal. */
export interface ColumnSet {
  readonly expression: boolean;
  readonly shared: boolean;
}

/** Number of columns of a {@link ColumnSet}. */
export function columnCount(model: LandmarkModel, columns: ColumnSet): number {
  return 6 + (columns.expression ? model.numExpression : 0) + (columns.shared ? model.numIdentity + 1 : 0);
}

/** Where each group of unknowns starts in a {@link ColumnSet}'s columns, and their number. */
function columnLayout(model: LandmarkModel, columns: ColumnSet): { n: number; expOffset: number; idOffset: number; focalColumn: number } {
  const idOffset = 6 + (columns.expression ? model.numExpression : 0);
  return { n: columnCount(model, columns), expOffset: 6, idOffset, focalColumn: idOffset + model.numIdentity };
}

/** Scratch buffers reused across calls (one per solver). */
export class FrameScratch {
  readonly posed: Float64Array = new Float64Array(NUM_LANDMARKS * 3);
  readonly ju: Float64Array;
  readonly jv: Float64Array;
  /** Depth-term Jacobian row of the current landmark, and the weighted mean row over landmarks. */
  readonly jd: Float64Array;
  readonly jdMean: Float64Array;
  /** Depth residuals of the mesh landmarks [468], normalized by the face size. */
  readonly depthResiduals: Float64Array = new Float64Array(DEPTH_LANDMARKS);
  /** Columns with nonzero Jacobian entries for the current landmark, ascending. */
  readonly active: Int32Array;
  constructor(maxColumns: number) {
    this.ju = new Float64Array(maxColumns);
    this.jv = new Float64Array(maxColumns);
    this.jd = new Float64Array(maxColumns);
    this.jdMean = new Float64Array(maxColumns);
    this.active = new Int32Array(maxColumns);
  }
}

function huberCost(e: number, delta: number): number {
  return e <= delta ? e * e : 2 * delta * e - delta * delta;
}

/**
 * Sum of the landmark weights that count for this observation (the data term is
 * a weighted mean over landmarks, so its scale does not depend on how many
 * landmarks a tracker gives).
 */
export function observedWeight(ctx: SharedContext, obs: FrameObservation): number {
  let s = 0;
  for (let l = 0; l < obs.numLandmarks; l++) s += ctx.landmarkWeights[l];
  return s;
}

/**
 * Fills `scratch.depthResiduals` with the depth residuals of the posed landmarks
 * `x` ([478 * 3], head frame) under rotation `r` and head depth `tz`: model minus
 * tracked depth, over the face size, with their weighted mean removed. Returns
 * the weighted mean of their squares (0 without tracked depths) and the weight sum.
 */
function depthResiduals(ctx: SharedContext, x: Float64Array, r: ArrayLike<number>, tz: number, obs: FrameObservation, scratch: FrameScratch): { cost: number; wsum: number } {
  const depth = obs.depthPx;
  if (!depth || ctx.depthWeight === 0) return { cost: 0, wsum: 0 };
  const out = scratch.depthResiduals;
  const k = -ctx.focalPx / (ctx.cameraDistance - tz), invSize = 1 / obs.faceSizePx;
  let wsum = 0, mean = 0;
  for (let l = 0; l < DEPTH_LANDMARKS; l++) {
    const w = ctx.landmarkWeights[l];
    const qz = r[6] * x[3 * l] + r[7] * x[3 * l + 1] + r[8] * x[3 * l + 2];
    out[l] = (k * qz - depth[l]) * invSize;
    wsum += w;
    mean += w * out[l];
  }
  if (wsum === 0) return { cost: 0, wsum: 0 };
  mean /= wsum;
  let cost = 0;
  for (let l = 0; l < DEPTH_LANDMARKS; l++) {
    out[l] -= mean;
    cost += ctx.landmarkWeights[l] * out[l] * out[l];
  }
  return { cost: cost / wsum, wsum };
}

/**
 * Data cost of a frame: the weighted mean over landmarks of the Huber penalty of
 * the reprojection error divided by the face size, plus `depthWeight` times the
 * weighted mean squared depth residual (over the face size) where depths are tracked.
 */
export function frameDataCost(ctx: SharedContext, state: FrameState, obs: FrameObservation, scratch: FrameScratch): number {
  const x = addExpression(ctx.model, ctx.neutral, state.expression, scratch.posed);
  const { rotation: r } = rotationAndDerivatives(Array.from(state.rotation));
  const [tx, ty, tz] = state.translation;
  const f = ctx.focalPx, [cx, cy] = ctx.principalPx, dist = ctx.cameraDistance;
  const invSize = 1 / obs.faceSizePx, delta = ctx.huberFraction;
  let cost = 0, wsum = 0;
  for (let l = 0; l < obs.numLandmarks; l++) {
    const w = ctx.landmarkWeights[l];
    if (w === 0) continue;
    const X = x[3 * l], Y = x[3 * l + 1], Z = x[3 * l + 2];
    const px = r[0] * X + r[1] * Y + r[2] * Z + tx;
    const py = r[3] * X + r[4] * Y + r[5] * Z + ty;
    const pz = r[6] * X + r[7] * Y + r[8] * Z + tz;
    const iz = 1 / (dist - pz);
    const ru = (f * px * iz + cx - obs.pixels[2 * l]) * invSize;
    const rv = (-f * py * iz + cy - obs.pixels[2 * l + 1]) * invSize;
    cost += w * huberCost(Math.sqrt(ru * ru + rv * rv), delta);
    wsum += w;
  }
  return (wsum > 0 ? cost / wsum : 0) + ctx.depthWeight * depthResiduals(ctx, x, r, tz, obs, scratch).cost;
}

/**
 * Reprojection errors of a frame, pixels: per landmark [numLandmarks] and the
 * model's projected landmarks [numLandmarks * 2].
 */
export function frameReprojection(ctx: SharedContext, state: FrameState, obs: FrameObservation, scratch: FrameScratch): { errorsPx: Float64Array; projectedPx: Float64Array } {
  const x = addExpression(ctx.model, ctx.neutral, state.expression, scratch.posed);
  const { rotation: r } = rotationAndDerivatives(Array.from(state.rotation));
  const [tx, ty, tz] = state.translation;
  const f = ctx.focalPx, [cx, cy] = ctx.principalPx, dist = ctx.cameraDistance;
  const errorsPx = new Float64Array(obs.numLandmarks), projectedPx = new Float64Array(2 * obs.numLandmarks);
  for (let l = 0; l < obs.numLandmarks; l++) {
    const X = x[3 * l], Y = x[3 * l + 1], Z = x[3 * l + 2];
    const px = r[0] * X + r[1] * Y + r[2] * Z + tx;
    const py = r[3] * X + r[4] * Y + r[5] * Z + ty;
    const pz = r[6] * X + r[7] * Y + r[8] * Z + tz;
    const iz = 1 / (dist - pz);
    const u = f * px * iz + cx, v = -f * py * iz + cy;
    projectedPx[2 * l] = u;
    projectedPx[2 * l + 1] = v;
    errorsPx[l] = Math.hypot(u - obs.pixels[2 * l], v - obs.pixels[2 * l + 1]);
  }
  return { errorsPx, projectedPx };
}

/**
 * Adds one frame's Gauss-Newton normal equations to `h` (n x n, upper and lower
 * triangle both filled at the end) and `g` (n), n = {@link columnCount}: with
 * the data cost C = sum_l w_l rho(|r_l|) / sum w (r_l the normalized
 * reprojection error, rho Huber by iteratively reweighted least squares), h
 * approximates the Hessian of C / 2 and g is its gradient. Iris landmarks get
 * Jacobian entries for the gaze parameters only, so they drive gaze but not the
 * head pose, identity or other expressions. Returns the frame's data cost.
 */
export function accumulateFrame(
  ctx: SharedContext,
  state: FrameState,
  obs: FrameObservation,
  columns: ColumnSet,
  scratch: FrameScratch,
  h: Float64Array,
  g: Float64Array,
): number {
  const m = ctx.model;
  const nE = m.numExpression, nI = m.numIdentity;
  const { n, expOffset, idOffset, focalColumn } = columnLayout(m, columns);
  const x = addExpression(m, ctx.neutral, state.expression, scratch.posed);
  const { rotation: r, derivatives: dr } = rotationAndDerivatives(Array.from(state.rotation));
  const [d0, d1, d2] = dr;
  const [tx, ty, tz] = state.translation;
  const f = ctx.focalPx, [cx, cy] = ctx.principalPx, dist = ctx.cameraDistance;
  const invSize = 1 / obs.faceSizePx, delta = ctx.huberFraction;
  const wsum = observedWeight(ctx, obs);
  if (wsum === 0) return 0;
  const ju = scratch.ju, jv = scratch.jv, active = scratch.active;
  const gaze = m.gazeParameters;
  let cost = 0;
  for (let l = 0; l < obs.numLandmarks; l++) {
    const w = ctx.landmarkWeights[l];
    if (w === 0) continue;
    const X = x[3 * l], Y = x[3 * l + 1], Z = x[3 * l + 2];
    const px = r[0] * X + r[1] * Y + r[2] * Z + tx;
    const py = r[3] * X + r[4] * Y + r[5] * Z + ty;
    const pz = r[6] * X + r[7] * Y + r[8] * Z + tz;
    const iz = 1 / (dist - pz);
    const xc = px, yc = -py;
    const ru = (f * xc * iz + cx - obs.pixels[2 * l]) * invSize;
    const rv = (f * yc * iz + cy - obs.pixels[2 * l + 1]) * invSize;
    const e = Math.sqrt(ru * ru + rv * rv);
    cost += w * huberCost(e, delta);
    const s = (w * (e > delta ? delta / e : 1)) / wsum;
    // d(u, v)/dP, already divided by the face size.
    const a = f * iz * invSize;
    const gu0 = a, gu2 = a * xc * iz;
    const gv1 = -a, gv2 = a * yc * iz;
    // R^T g: the derivative with respect to a head-frame displacement.
    const hu0 = r[0] * gu0 + r[6] * gu2, hu1 = r[1] * gu0 + r[7] * gu2, hu2 = r[2] * gu0 + r[8] * gu2;
    const hv0 = r[3] * gv1 + r[6] * gv2, hv1 = r[4] * gv1 + r[7] * gv2, hv2 = r[5] * gv1 + r[8] * gv2;
    const eb = m.expressionBasis, row = 3 * l * nE;
    // Only the columns that can be nonzero for this landmark are filled and multiplied (the bases are local).
    let count = 0;
    if (isIrisLandmark(l)) {
      if (columns.expression) {
        for (const k of gaze) {
          const c = expOffset + k;
          ju[c] = hu0 * eb[row + k] + hu1 * eb[row + nE + k] + hu2 * eb[row + 2 * nE + k];
          jv[c] = hv0 * eb[row + k] + hv1 * eb[row + nE + k] + hv2 * eb[row + 2 * nE + k];
          active[count++] = c;
        }
      }
    } else {
      const dRX = (d: number[]): [number, number, number] => [
        d[0] * X + d[1] * Y + d[2] * Z,
        d[3] * X + d[4] * Y + d[5] * Z,
        d[6] * X + d[7] * Y + d[8] * Z,
      ];
      const q0 = dRX(d0), q1 = dRX(d1), q2 = dRX(d2);
      ju[0] = gu0 * q0[0] + gu2 * q0[2];
      ju[1] = gu0 * q1[0] + gu2 * q1[2];
      ju[2] = gu0 * q2[0] + gu2 * q2[2];
      jv[0] = gv1 * q0[1] + gv2 * q0[2];
      jv[1] = gv1 * q1[1] + gv2 * q1[2];
      jv[2] = gv1 * q2[1] + gv2 * q2[2];
      ju[3] = gu0;
      ju[4] = 0;
      ju[5] = gu2;
      jv[3] = 0;
      jv[4] = gv1;
      jv[5] = gv2;
      for (let c = 0; c < 6; c++) active[count++] = c;
      if (columns.expression) {
        for (const k of m.expressionSupport[l]) {
          const b0 = eb[row + k], b1 = eb[row + nE + k], b2 = eb[row + 2 * nE + k];
          const c = expOffset + k;
          ju[c] = hu0 * b0 + hu1 * b1 + hu2 * b2;
          jv[c] = hv0 * b0 + hv1 * b1 + hv2 * b2;
          active[count++] = c;
        }
      }
      if (columns.shared) {
        const ib = m.identityBasis, irow = 3 * l * nI;
        for (const k of m.identitySupport[l]) {
          const b0 = ib[irow + k], b1 = ib[irow + nI + k], b2 = ib[irow + 2 * nI + k];
          const c = idOffset + k;
          ju[c] = hu0 * b0 + hu1 * b1 + hu2 * b2;
          jv[c] = hv0 * b0 + hv1 * b1 + hv2 * b2;
          active[count++] = c;
        }
        // d u / d log f = (u - c_x), normalized.
        ju[focalColumn] = f * xc * iz * invSize;
        jv[focalColumn] = f * yc * iz * invSize;
        active[count++] = focalColumn;
      }
    }
    for (let a = 0; a < count; a++) {
      const i = active[a];
      const ui = s * ju[i], vi = s * jv[i];
      g[i] += ui * ru + vi * rv;
      const hrow = i * n;
      for (let b = a; b < count; b++) {
        const j = active[b];
        h[hrow + j] += ui * ju[j] + vi * jv[j];
      }
    }
  }
  return cost / wsum + accumulateDepth(ctx, x, r, dr, tz, obs, columns, scratch, h, g);
}

/**
 * Adds the depth term's Gauss-Newton normal equations (see the file comment) to
 * `h` (upper triangle) and `g`, and returns its cost. With the weighted mean
 * residual eliminated, h += lambda sum_l s_l (J_l - Jm)(J_l - Jm)^T and
 * g += lambda sum_l s_l (e_l - em) J_l, s_l = w_l / sum w, Jm = sum_l s_l J_l.
 */
function accumulateDepth(
  ctx: SharedContext,
  x: Float64Array,
  r: readonly number[],
  dr: readonly (readonly number[])[],
  tz: number,
  obs: FrameObservation,
  columns: ColumnSet,
  scratch: FrameScratch,
  h: Float64Array,
  g: Float64Array,
): number {
  const { cost, wsum } = depthResiduals(ctx, x, r, tz, obs, scratch);
  if (wsum === 0) return 0;
  const m = ctx.model, lambda = ctx.depthWeight;
  const nE = m.numExpression, nI = m.numIdentity;
  const { n, expOffset, idOffset, focalColumn } = columnLayout(m, columns);
  const zc0 = ctx.cameraDistance - tz;
  // d depth / d (rotated head-frame z), over the face size.
  const k = (-ctx.focalPx / zc0) * (1 / obs.faceSizePx);
  const e = scratch.depthResiduals, jd = scratch.jd, jm = scratch.jdMean, active = scratch.active;
  jm.fill(0, 0, n);
  const eb = m.expressionBasis, ib = m.identityBasis;
  for (let l = 0; l < DEPTH_LANDMARKS; l++) {
    const w = ctx.landmarkWeights[l];
    if (w === 0) continue;
    const s = w / wsum;
    const X = x[3 * l], Y = x[3 * l + 1], Z = x[3 * l + 2];
    const qz = r[6] * X + r[7] * Y + r[8] * Z;
    let count = 0;
    for (let c = 0; c < 3; c++) {
      const d = dr[c];
      jd[c] = k * (d[6] * X + d[7] * Y + d[8] * Z);
      active[count++] = c;
    }
    // The depth does not move with t_x, t_y; with t_z it scales as 1 / (distance - t_z).
    jd[3] = 0;
    jd[4] = 0;
    jd[5] = (k * qz) / zc0;
    active[count++] = 5;
    if (columns.expression) {
      const row = 3 * l * nE;
      for (const kk of m.expressionSupport[l]) {
        const c = expOffset + kk;
        jd[c] = k * (r[6] * eb[row + kk] + r[7] * eb[row + nE + kk] + r[8] * eb[row + 2 * nE + kk]);
        active[count++] = c;
      }
    }
    if (columns.shared) {
      const row = 3 * l * nI;
      for (const kk of m.identitySupport[l]) {
        const c = idOffset + kk;
        jd[c] = k * (r[6] * ib[row + kk] + r[7] * ib[row + nI + kk] + r[8] * ib[row + 2 * nI + kk]);
        active[count++] = c;
      }
      // d depth / d log f = depth.
      jd[focalColumn] = k * qz;
      active[count++] = focalColumn;
    }
    for (let a = 0; a < count; a++) {
      const i = active[a];
      const si = lambda * s * jd[i];
      g[i] += si * e[l];
      jm[i] += s * jd[i];
      const hrow = i * n;
      for (let b = a; b < count; b++) {
        const j = active[b];
        h[hrow + j] += si * jd[j];
      }
    }
  }
  // Remove the mean row: h -= lambda Jm Jm^T (the eliminated depth offset).
  for (let i = 0; i < n; i++) {
    if (jm[i] === 0) continue;
    const li = lambda * jm[i], hrow = i * n;
    for (let j = i; j < n; j++) h[hrow + j] -= li * jm[j];
  }
  return lambda * cost;
}

/** Copies the upper triangle of `h` (n x n) into its lower triangle. */
export function symmetrize(h: Float64Array, n: number): void {
  for (let i = 0; i < n; i++) for (let j = i + 1; j < n; j++) h[j * n + i] = h[i * n + j];
}
