import { accumulateFrame, columnCount, frameDataCost, symmetrize, type FrameObservation, type FrameScratch, type FrameState, type SharedContext } from "./frame-problem.js";
import { squaredNorm, stepState, type ExpressionBounds } from "./frame-solver.js";
import { identityLandmarks } from "./landmark-model.js";
import { choleskyFactor, choleskySolve } from "./linalg.js";

/** Inputs of {@link fitIdentityAndFocal}. */
export interface VideoStepOptions {
  ctx: SharedContext;
  /** The keyframes' observations and starting states (pose and expression). */
  observations: readonly FrameObservation[];
  states: FrameState[];
  /** Starting identity [numIdentity]; updated in place. */
  identity: Float64Array;
  focalGuessPx: number;
  fitIdentity: boolean;
  fitFocal: boolean;
  iterations: number;
  expressionPrior: number;
  identityPrior: number;
  focalPrior: number;
  bounds: ExpressionBounds;
  scratch: FrameScratch;
  onIteration?: (iteration: number, cost: number) => void;
}

/**
 * The per-video step: identity, focal length and every keyframe's pose and
 * expression in one Levenberg-Marquardt problem (a small bundle adjustment).
 * The normal equations have an arrow shape: a dense block per keyframe and a
 * shared block (identity, log focal) coupled to all; the keyframe blocks are
 * eliminated by the Schur complement, so an iteration costs O(K (n^3 + n S^2))
 * for K keyframes of n unknowns and S shared unknowns. Focal length is
 * optimized as log f (positive, scale-free steps). Identity and focal are only
 * separable from pose and depth through perspective and head rotation, so the
 * priors (identity towards 0, focal towards the guess) keep an ill-posed video
 * (a still, frontal face far from the camera) near its defaults.
 * Updates `ctx.neutral`, `ctx.focalPx`, `identity` and `states`; returns the final cost.
 */
export function fitIdentityAndFocal(o: VideoStepOptions): number {
  const { ctx, observations, states, identity, scratch, bounds } = o;
  const m = ctx.model;
  const nI = m.numIdentity, nF = 6 + m.numExpression, nS = nI + 1;
  const n = columnCount(m, { expression: true, shared: true });
  const K = states.length;
  const logF0 = Math.log(o.focalGuessPx);
  const sharedActive = (k: number): boolean => (k < nI ? o.fitIdentity : o.fitFocal);
  const totalCost = (sts: readonly FrameState[], id: Float64Array, logF: number): number => {
    const saved = { neutral: ctx.neutral, focalPx: ctx.focalPx };
    ctx.neutral = identityLandmarks(m, id);
    ctx.focalPx = Math.exp(logF);
    let c = K * (o.identityPrior * squaredNorm(id) + o.focalPrior * (logF - logF0) ** 2);
    sts.forEach((s, k) => { c += frameDataCost(ctx, s, observations[k], scratch) + o.expressionPrior * squaredNorm(s.expression); });
    ctx.neutral = saved.neutral;
    ctx.focalPx = saved.focalPx;
    return c;
  };
  let logF = Math.log(ctx.focalPx);
  ctx.neutral = identityLandmarks(m, identity);
  let cost = totalCost(states, identity, logF);
  let lambda = 1e-4;
  const hs = states.map(() => new Float64Array(n * n));
  const gs = states.map(() => new Float64Array(n));
  const hff = new Float64Array(nF * nF), mfs = new Float64Array(nF * nS), vf = new Float64Array(nF), col = new Float64Array(nF);
  const hred = new Float64Array(nS * nS), gred = new Float64Array(nS);
  for (let it = 0; it < o.iterations; it++) {
    for (let k = 0; k < K; k++) {
      hs[k].fill(0);
      gs[k].fill(0);
      accumulateFrame(ctx, states[k], observations[k], { expression: true, shared: true }, scratch, hs[k], gs[k]);
      for (let e = 0; e < m.numExpression; e++) {
        hs[k][(6 + e) * (n + 1)] += o.expressionPrior;
        gs[k][6 + e] += o.expressionPrior * states[k].expression[e];
      }
      symmetrize(hs[k], n);
    }
    let improved = false;
    for (let attempt = 0; attempt < 8 && !improved; attempt++) {
      // Shared block: sum of the keyframes' shared blocks plus the priors, damped.
      hred.fill(0);
      gred.fill(0);
      for (let k = 0; k < K; k++) {
        for (let i = 0; i < nS; i++) {
          gred[i] += gs[k][nF + i];
          for (let j = 0; j < nS; j++) hred[i * nS + j] += hs[k][(nF + i) * n + nF + j];
        }
      }
      for (let i = 0; i < nI; i++) {
        hred[i * (nS + 1)] += K * o.identityPrior;
        gred[i] += K * o.identityPrior * identity[i];
      }
      hred[nI * (nS + 1)] += K * o.focalPrior;
      gred[nI] += K * o.focalPrior * (logF - logF0);
      for (let i = 0; i < nS; i++) hred[i * (nS + 1)] = hred[i * (nS + 1)] * (1 + lambda) + 1e-12;
      // Frozen shared unknowns: decouple them (unit diagonal, zero gradient).
      for (let i = 0; i < nS; i++) {
        if (sharedActive(i)) continue;
        for (let j = 0; j < nS; j++) hred[i * nS + j] = hred[j * nS + i] = 0;
        hred[i * (nS + 1)] = 1;
        gred[i] = 0;
      }
      const mList: Float64Array[] = [], vList: Float64Array[] = [];
      let ok = true;
      for (let k = 0; k < K && ok; k++) {
        const h = hs[k];
        for (let i = 0; i < nF; i++) for (let j = 0; j < nF; j++) hff[i * nF + j] = h[i * n + j];
        for (let i = 0; i < nF; i++) hff[i * (nF + 1)] += lambda * h[i * (n + 1)] + 1e-12;
        if (!choleskyFactor(hff, nF)) { ok = false; break; }
        // M = Hff^-1 Hfs (columns of frozen shared unknowns are zero), v = Hff^-1 gf.
        mfs.fill(0);
        for (let s = 0; s < nS; s++) {
          if (!sharedActive(s)) continue;
          for (let i = 0; i < nF; i++) col[i] = h[i * n + nF + s];
          choleskySolve(hff, nF, col);
          for (let i = 0; i < nF; i++) mfs[i * nS + s] = col[i];
        }
        for (let i = 0; i < nF; i++) vf[i] = gs[k][i];
        choleskySolve(hff, nF, vf);
        // Hred -= Hsf M; gred -= Hsf v.
        for (let a = 0; a < nS; a++) {
          if (!sharedActive(a)) continue;
          let gv = 0;
          for (let i = 0; i < nF; i++) gv += h[i * n + nF + a] * vf[i];
          gred[a] -= gv;
          for (let b = 0; b < nS; b++) {
            let s = 0;
            for (let i = 0; i < nF; i++) s += h[i * n + nF + a] * mfs[i * nS + b];
            hred[a * nS + b] -= s;
          }
        }
        mList.push(Float64Array.from(mfs));
        vList.push(Float64Array.from(vf));
      }
      if (ok) {
        const l = Float64Array.from(hred);
        ok = choleskyFactor(l, nS);
        if (ok) {
          const ds = Float64Array.from(gred, (x) => -x);
          choleskySolve(l, nS, ds);
          const nextIdentity = Float64Array.from(identity, (v, i) => v + ds[i]);
          const nextLogF = logF + ds[nI];
          const step = new Float64Array(nF);
          const next = states.map((s, k) => {
            for (let i = 0; i < nF; i++) {
              let d = -vList[k][i];
              for (let j = 0; j < nS; j++) d -= mList[k][i * nS + j] * ds[j];
              step[i] = d;
            }
            return stepState(s, step, 0, true, bounds);
          });
          const c = totalCost(next, nextIdentity, nextLogF);
          if (c < cost) {
            improved = cost - c > 1e-6 * cost;
            cost = c;
            identity.set(nextIdentity);
            logF = nextLogF;
            next.forEach((s, k) => { states[k] = s; });
            lambda = Math.max(1e-7, lambda / 4);
            break;
          }
        }
      }
      lambda *= 8;
    }
    ctx.neutral = identityLandmarks(m, identity);
    ctx.focalPx = Math.exp(logF);
    o.onIteration?.(it, cost);
    if (!improved) break;
  }
  ctx.neutral = identityLandmarks(m, identity);
  ctx.focalPx = Math.exp(logF);
  return cost;
}
