import { weakPerspectivePose } from "./init.js";
import { choleskyFactor, choleskySolve } from "./linalg.js";
import {
  accumulateFrame, columnCount, frameDataCost, symmetrize,
  type ColumnSet, type FrameObservation, type FrameScratch, type FrameState, type SharedContext,
} from "./frame-problem.js";
import { STABLE_LANDMARKS } from "./landmark-model.js";

/** Box bounds of the expression coefficients. */
export interface ExpressionBounds {
  readonly lower: Float64Array;
  readonly upper: Float64Array;
}

/** Clamps `expression` into `bounds` in place. */
export function clampExpression(expression: Float64Array, bounds: ExpressionBounds): void {
  for (let k = 0; k < expression.length; k++) expression[k] = Math.min(bounds.upper[k], Math.max(bounds.lower[k], expression[k]));
}

/** A deep copy of a frame state. */
export function copyState(s: FrameState): FrameState {
  return { rotation: Float64Array.from(s.rotation), translation: Float64Array.from(s.translation), expression: Float64Array.from(s.expression) };
}

/** `state` moved by `step` (pose, then expression if present), clamped; a new state. */
export function stepState(state: FrameState, step: Float64Array, offset: number, withExpression: boolean, bounds: ExpressionBounds): FrameState {
  const next = copyState(state);
  for (let k = 0; k < 3; k++) {
    next.rotation[k] += step[offset + k];
    next.translation[k] += step[offset + 3 + k];
  }
  if (withExpression) {
    for (let k = 0; k < next.expression.length; k++) next.expression[k] += step[offset + 6 + k];
    clampExpression(next.expression, bounds);
  }
  return next;
}

/** Squared norm. */
export function squaredNorm(v: Float64Array): number {
  let s = 0;
  for (const x of v) s += x * x;
  return s;
}

/**
 * A frame's starting state: the closed-form weak-perspective pose of the stable
 * landmarks (see init.ts) at zero expression, then `iterations` pose-only
 * Levenberg-Marquardt steps on all landmarks under full perspective. Null when
 * the landmarks are degenerate (all on a line, say).
 */
export function initializeFrame(
  ctx: SharedContext, obs: FrameObservation, iterations: number, bounds: ExpressionBounds, scratch: FrameScratch,
): FrameState | null {
  const pose = weakPerspectivePose({
    pointsHead: ctx.neutral,
    pixels: obs.pixels,
    indices: STABLE_LANDMARKS,
    focalPx: ctx.focalPx,
    principalPx: ctx.principalPx,
    cameraDistance: ctx.cameraDistance,
  });
  if (!pose) return null;
  const state: FrameState = { ...pose, expression: new Float64Array(ctx.model.numExpression) };
  return refineFrame(ctx, state, obs, { expression: false, shared: false }, iterations, 0, bounds, scratch);
}

/**
 * Levenberg-Marquardt on one frame's pose (and expression when
 * `columns.expression`), identity and focal fixed; `expressionPrior` is the L2
 * weight towards zero expression. Returns the improved state.
 */
export function refineFrame(
  ctx: SharedContext, start: FrameState, obs: FrameObservation, columns: ColumnSet,
  iterations: number, expressionPrior: number, bounds: ExpressionBounds, scratch: FrameScratch,
): FrameState {
  const n = columnCount(ctx.model, columns);
  const h = new Float64Array(n * n), g = new Float64Array(n), hd = new Float64Array(n * n), step = new Float64Array(n);
  const total = (s: FrameState): number => frameDataCost(ctx, s, obs, scratch) + (columns.expression ? expressionPrior * squaredNorm(s.expression) : 0);
  let state = start, cost = total(state), lambda = 1e-4;
  for (let it = 0; it < iterations; it++) {
    h.fill(0);
    g.fill(0);
    accumulateFrame(ctx, state, obs, columns, scratch, h, g);
    if (columns.expression) {
      for (let k = 0; k < ctx.model.numExpression; k++) {
        h[(6 + k) * (n + 1)] += expressionPrior;
        g[6 + k] += expressionPrior * state.expression[k];
      }
    }
    symmetrize(h, n);
    let improved = false;
    for (let attempt = 0; attempt < 6 && !improved; attempt++) {
      hd.set(h);
      for (let i = 0; i < n; i++) hd[i * (n + 1)] += lambda * h[i * (n + 1)] + 1e-12;
      if (choleskyFactor(hd, n)) {
        for (let i = 0; i < n; i++) step[i] = -g[i];
        choleskySolve(hd, n, step);
        const next = stepState(state, step, 0, columns.expression, bounds);
        const c = total(next);
        if (c < cost) {
          improved = cost - c > 1e-8 * cost;
          state = next;
          cost = c;
          lambda = Math.max(1e-7, lambda / 4);
          if (!improved) return state;
          break;
        }
      }
      lambda *= 8;
    }
    if (!improved) break;
  }
  return state;
}
