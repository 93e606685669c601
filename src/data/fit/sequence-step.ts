import { accumulateFrame, columnCount, frameDataCost, symmetrize, type FrameObservation, type FrameScratch, type FrameState, type SharedContext } from "./frame-problem.js";
import { squaredNorm, stepState, type ExpressionBounds } from "./frame-solver.js";
import { solveBlockTridiagonal } from "./linalg.js";

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
  maxGap: number;
  bounds: ExpressionBounds;
  scratch: FrameScratch;
  onIteration?: (iteration: number, cost: number) => void;
}

/**
 * The per-frame step over a whole sequence: every tracked frame's pose and
 * expression, identity and focal fixed, in one Levenberg-Marquardt problem
 * whose temporal smoothness terms (squared differences of axis-angle,
 * translation and expression between neighbouring tracked frames) couple each
 * frame only to the next. Its normal equations are block tridiagonal with
 * diagonal off-diagonal blocks, solved exactly by block elimination in
 * O(frames n^3) (n = 6 + expressions), a few percent of the cost of building
 * them, so smoothing is both symmetric in time (no lag, unlike a causal
 * filter) and nearly free. Frames further apart than `maxGap` (untracked
 * stretches) are not coupled. Updates `states`; returns the final cost.
 */
export function fitSequence(o: SequenceStepOptions): number {
  const { ctx, observations, states, scratch, bounds } = o;
  const m = ctx.model;
  const n = columnCount(m, { expression: true, shared: false });
  const N = states.length;
  // Coupling weights per unknown between frame i and i + 1 (zero when not neighbours).
  const couple = states.slice(0, Math.max(0, N - 1)).map((_, i) => {
    const gap = o.frameIndices[i + 1] - o.frameIndices[i];
    const c = new Float64Array(n);
    if (gap > o.maxGap) return c;
    const t = o.smoothTranslation / (TRANSLATION_SMOOTHING_UNIT_M * TRANSLATION_SMOOTHING_UNIT_M);
    for (let k = 0; k < 3; k++) {
      c[k] = o.smoothRotation / gap;
      c[3 + k] = t / gap;
    }
    for (let k = 6; k < n; k++) c[k] = o.smoothExpression / gap;
    return c;
  });
  const vectorOf = (s: FrameState, k: number): number => (k < 3 ? s.rotation[k] : k < 6 ? s.translation[k - 3] : s.expression[k - 6]);
  const smoothCost = (sts: readonly FrameState[]): number => {
    let c = 0;
    for (let i = 0; i + 1 < N; i++) {
      const w = couple[i];
      for (let k = 0; k < n; k++) if (w[k] !== 0) c += w[k] * (vectorOf(sts[i], k) - vectorOf(sts[i + 1], k)) ** 2;
    }
    return c;
  };
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
    // Smoothness: both diagonal blocks gain w, the off-diagonal block is -w.
    for (let i = 0; i + 1 < N; i++) {
      const w = couple[i];
      for (let k = 0; k < n; k++) {
        if (w[k] === 0) continue;
        const d = vectorOf(states[i], k) - vectorOf(states[i + 1], k);
        g[i * n + k] += w[k] * d;
        g[(i + 1) * n + k] -= w[k] * d;
      }
    }
    let improved = false;
    for (let attempt = 0; attempt < 8 && !improved; attempt++) {
      for (let i = 0; i < N; i++) {
        const wk = work[i];
        wk.set(hs[i]);
        for (let k = 0; k < n; k++) {
          const smooth = (i > 0 ? couple[i - 1][k] : 0) + (i + 1 < N ? couple[i][k] : 0);
          wk[k * (n + 1)] += lambda * hs[i][k * (n + 1)] + smooth + 1e-12;
        }
      }
      for (let i = 0; i < g.length; i++) rhs[i] = -g[i];
      if (solveBlockTridiagonal(work, couple, rhs, n)) {
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
