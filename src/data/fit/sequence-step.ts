import { accumulateFrame, columnCount, frameDataCost, symmetrize, type FrameObservation, type FrameScratch, type FrameState, type SharedContext } from "./frame-problem.js";
import { squaredNorm, stepState, type ExpressionBounds } from "./frame-solver.js";
import { solveBlockBanded } from "./linalg.js";

/** Metres that count as one unit in the translation smoothness term (about a head's size). */
export const TRANSLATION_SMOOTHING_UNIT_M = 0.2;

/** Inputs of {@link fitSequence}. */
export interface SequenceStepOptions {
  ctx: SharedContext;
  /** Tracked frames in time order: observations, starting states, and frame indices (for gaps). */
  observations: readonly FrameObservation[];
  states: FrameState[];
  frameIndices: readonly number[];
  iterations: number;
  expressionPrior: number;
  smoothRotation: number;
  smoothTranslation: number;
  smoothExpression: number;
  /** Weight of squared second differences of the axis-angle (radians) over three neighbouring tracked frames. */
  accelRotation: number;
  /** Weight of squared second differences of the translation, in units of {@link TRANSLATION_SMOOTHING_UNIT_M}. */
  accelTranslation: number;
  maxGap: number;
  bounds: ExpressionBounds;
  scratch: FrameScratch;
  onIteration?: (iteration: number, cost: number) => void;
}

/**
 * The per-frame step over a whole sequence: every tracked frame's pose and
 * expression, identity and focal fixed, in one Levenberg-Marquardt problem
 * with two temporal terms: squared first differences of axis-angle,
 * translation and expression between neighbouring tracked frames (a pull
 * towards rest), and squared second differences of the pose over three
 * neighbours (a pull towards steady motion, which removes the tracker's
 * frame-to-frame jitter without holding back a turn: a head turning at a
 * constant rate costs nothing). Each frame couples to at most two on each
 * side, so the normal equations are block banded and are solved exactly by
 * block Cholesky in O(frames n^3) (n = 6 + expressions), a few percent of
 * the cost of building them: smoothing is symmetric in time (no lag, unlike a
 * causal filter) and nearly free. Frames further apart than `maxGap`
 * (untracked stretches) are not coupled. Updates `states`; returns the final cost.
 */
export function fitSequence(o: SequenceStepOptions): number {
  const { ctx, observations, states, scratch, bounds } = o;
  const m = ctx.model;
  const n = columnCount(m, { expression: true, shared: false });
  const N = states.length;
  const unit2 = TRANSLATION_SMOOTHING_UNIT_M * TRANSLATION_SMOOTHING_UNIT_M;
  const gapAfter = (i: number): number => o.frameIndices[i + 1] - o.frameIndices[i];
  // First differences: weight per unknown between frame i and i + 1 (zero when not neighbours).
  const couple = states.slice(0, Math.max(0, N - 1)).map((_, i) => {
    const gap = gapAfter(i);
    const c = new Float64Array(n);
    if (gap > o.maxGap) return c;
    for (let k = 0; k < 3; k++) {
      c[k] = o.smoothRotation / gap;
      c[3 + k] = o.smoothTranslation / unit2 / gap;
    }
    for (let k = 6; k < n; k++) c[k] = o.smoothExpression / gap;
    return c;
  });
  // Second differences of the pose over frames i - 1, i, i + 1 (divided differences across gaps): coefficients and weights.
  const accel = states.map((_, i) => {
    if (i === 0 || i + 1 >= N) return null;
    const g1 = gapAfter(i - 1), g2 = gapAfter(i);
    if (g1 > o.maxGap || g2 > o.maxGap) return null;
    const coefficients = [1 / g1, -(1 / g1 + 1 / g2), 1 / g2] as const;
    const w = [o.accelRotation, o.accelRotation, o.accelRotation, o.accelTranslation / unit2, o.accelTranslation / unit2, o.accelTranslation / unit2];
    return w.every((x) => x === 0) ? null : { coefficients, w };
  });
  const vectorOf = (s: FrameState, k: number): number => (k < 3 ? s.rotation[k] : k < 6 ? s.translation[k - 3] : s.expression[k - 6]);
  const secondDifference = (sts: readonly FrameState[], i: number, k: number, c: readonly number[]): number =>
    c[0] * vectorOf(sts[i - 1], k) + c[1] * vectorOf(sts[i], k) + c[2] * vectorOf(sts[i + 1], k);
  const smoothCost = (sts: readonly FrameState[]): number => {
    let c = 0;
    for (let i = 0; i + 1 < N; i++) {
      const w = couple[i];
      for (let k = 0; k < n; k++) if (w[k] !== 0) c += w[k] * (vectorOf(sts[i], k) - vectorOf(sts[i + 1], k)) ** 2;
    }
    accel.forEach((a, i) => {
      if (a) for (let k = 0; k < 6; k++) c += a.w[k] * secondDifference(sts, i, k, a.coefficients) ** 2;
    });
    return c;
  };
  // The temporal terms' Hessian (of cost / 2), constant: its diagonal per frame and its two bands below the diagonal.
  const smoothDiag = states.map(() => new Float64Array(n));
  const near = couple.map((c) => c.map((x) => -x));
  const far = states.slice(0, Math.max(0, N - 2)).map(() => new Float64Array(n));
  for (let i = 0; i + 1 < N; i++) {
    for (let k = 0; k < n; k++) {
      smoothDiag[i][k] += couple[i][k];
      smoothDiag[i + 1][k] += couple[i][k];
    }
  }
  accel.forEach((a, i) => {
    if (!a) return;
    const [c0, c1, c2] = a.coefficients;
    for (let k = 0; k < 6; k++) {
      const w = a.w[k];
      smoothDiag[i - 1][k] += w * c0 * c0;
      smoothDiag[i][k] += w * c1 * c1;
      smoothDiag[i + 1][k] += w * c2 * c2;
      near[i - 1][k] += w * c1 * c0;
      near[i][k] += w * c2 * c1;
      far[i - 1][k] += w * c2 * c0;
    }
  });
  const dataCost = (sts: readonly FrameState[]): number => {
    let c = 0;
    sts.forEach((s, i) => { c += frameDataCost(ctx, s, observations[i], scratch) + o.expressionPrior * squaredNorm(s.expression); });
    return c;
  };
  let cost = dataCost(states) + smoothCost(states);
  let lambda = 1e-4;
  const hs = states.map(() => new Float64Array(n * n));
  const g = new Float64Array(N * n);
  const work = states.map(() => new Float64Array(n * n));
  const rhs = new Float64Array(N * n);
  for (let it = 0; it < o.iterations; it++) {
    g.fill(0);
    for (let i = 0; i < N; i++) {
      const h = hs[i];
      h.fill(0);
      const gi = g.subarray(i * n, (i + 1) * n);
      accumulateFrame(ctx, states[i], observations[i], { expression: true, shared: false }, scratch, h, gi);
      for (let e = 0; e < m.numExpression; e++) {
        h[(6 + e) * (n + 1)] += o.expressionPrior;
        gi[6 + e] += o.expressionPrior * states[i].expression[e];
      }
      symmetrize(h, n);
    }
    // Gradients of the temporal terms.
    for (let i = 0; i + 1 < N; i++) {
      const w = couple[i];
      for (let k = 0; k < n; k++) {
        if (w[k] === 0) continue;
        const d = vectorOf(states[i], k) - vectorOf(states[i + 1], k);
        g[i * n + k] += w[k] * d;
        g[(i + 1) * n + k] -= w[k] * d;
      }
    }
    accel.forEach((a, i) => {
      if (!a) return;
      const [c0, c1, c2] = a.coefficients;
      for (let k = 0; k < 6; k++) {
        const r = a.w[k] * secondDifference(states, i, k, a.coefficients);
        g[(i - 1) * n + k] += r * c0;
        g[i * n + k] += r * c1;
        g[(i + 1) * n + k] += r * c2;
      }
    });
    let improved = false;
    for (let attempt = 0; attempt < 8 && !improved; attempt++) {
      for (let i = 0; i < N; i++) {
        const wk = work[i];
        wk.set(hs[i]);
        for (let k = 0; k < n; k++) wk[k * (n + 1)] += lambda * hs[i][k * (n + 1)] + smoothDiag[i][k] + 1e-12;
      }
      for (let i = 0; i < g.length; i++) rhs[i] = -g[i];
      if (solveBlockBanded(work, near, far, rhs, n)) {
        const next = states.map((s, i) => stepState(s, rhs, i * n, true, bounds));
        const c = dataCost(next) + smoothCost(next);
        if (c < cost) {
          improved = cost - c > 1e-6 * cost;
          cost = c;
          next.forEach((s, i) => { states[i] = s; });
          lambda = Math.max(1e-7, lambda / 4);
          break;
        }
      }
      lambda *= 8;
    }
    o.onIteration?.(it, cost);
    if (!improved) break;
  }
  return cost;
}
