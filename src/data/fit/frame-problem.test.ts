import { describe, expect, it } from "vitest";
import { Random } from "../../core/random.js";
import { createFaceModel, NUM_LANDMARKS } from "../../face/index.js";
import { rotationFromAxisAngle } from "../../geometry/rigid.js";
import {
  accumulateFrame, columnCount, DEPTH_LANDMARKS, FrameScratch, frameDataCost, symmetrize,
  type ColumnSet, type FrameObservation, type FrameState, type SharedContext,
} from "./frame-problem.js";
import { addExpression, identityLandmarks, landmarkModel } from "./landmark-model.js";

const lm = landmarkModel(createFaceModel());
const nE = lm.numExpression, nI = lm.numIdentity;
const ALL: ColumnSet = { expression: true, shared: true };
const n = columnCount(lm, ALL);
const FOCAL = 500, DIST = 0.75;

/** The unknowns of the frame problem in column order: rotation, translation, expression, identity, log focal. */
type Params = Float64Array;

function context(p: Params, depthWeight: number): SharedContext {
  const weights = new Float64Array(NUM_LANDMARKS).fill(1);
  for (let l = 0; l < NUM_LANDMARKS; l += 7) weights[l] = 0.3;
  // The iris points drive gaze only, by design (their pose derivatives are left out), so they are not compared here.
  weights.fill(0, DEPTH_LANDMARKS);
  return {
    model: lm,
    neutral: identityLandmarks(lm, p.subarray(6 + nE, 6 + nE + nI)),
    focalPx: FOCAL * Math.exp(p[n - 1]),
    principalPx: [128, 128],
    cameraDistance: DIST,
    landmarkWeights: weights,
    // Large enough that every landmark stays in Huber's quadratic zone: the cost is then a plain weighted least squares.
    huberFraction: 10,
    depthWeight,
  };
}

const stateOf = (p: Params): FrameState => ({ rotation: p.slice(0, 3), translation: p.slice(3, 6), expression: p.slice(6, 6 + nE) });

/** Landmark pixels and depths (the file comment's d_l) of the model at `p`, plus Gaussian noise. */
function observe(p: Params, noisePx: number, rng: Random): FrameObservation {
  const ctx = context(p, 1);
  const x = addExpression(lm, ctx.neutral, p.subarray(6, 6 + nE), new Float64Array(NUM_LANDMARKS * 3));
  const r = rotationFromAxisAngle([p[0], p[1], p[2]]);
  const pixels = new Float64Array(2 * NUM_LANDMARKS), depthPx = new Float64Array(DEPTH_LANDMARKS);
  for (let l = 0; l < NUM_LANDMARKS; l++) {
    const q = [0, 1, 2].map((i) => r[3 * i] * x[3 * l] + r[3 * i + 1] * x[3 * l + 1] + r[3 * i + 2] * x[3 * l + 2]);
    const zc = DIST - (q[2] + p[5]);
    pixels[2 * l] = (ctx.focalPx * (q[0] + p[3])) / zc + 128 + noisePx * rng.normal();
    pixels[2 * l + 1] = (-ctx.focalPx * (q[1] + p[4])) / zc + 128 + noisePx * rng.normal();
    // An arbitrary common offset: only differences between landmarks may count.
    if (l < DEPTH_LANDMARKS) depthPx[l] = (-ctx.focalPx * q[2]) / (DIST - p[5]) + 37 + noisePx * rng.normal();
  }
  return { pixels, numLandmarks: NUM_LANDMARKS, faceSizePx: 180, depthPx };
}

function truthParams(rng: Random): Params {
  const p = new Float64Array(n);
  p.set([0.12, -0.2, 0.05, 0.01, -0.02, 0.03]);
  for (let k = 0; k < nE; k++) p[6 + k] = 0.3 * rng.uniform();
  for (let k = 0; k < nI; k++) p[6 + nE + k] = 0.5 * rng.normal();
  p[n - 1] = 0.05;
  return p;
}

function normalEquations(p: Params, obs: FrameObservation, depthWeight: number): { h: Float64Array; g: Float64Array; cost: number } {
  const h = new Float64Array(n * n), g = new Float64Array(n);
  const cost = accumulateFrame(context(p, depthWeight), stateOf(p), obs, ALL, new FrameScratch(n), h, g);
  symmetrize(h, n);
  return { h, g, cost };
}

const cost = (p: Params, obs: FrameObservation, depthWeight: number): number => frameDataCost(context(p, depthWeight), stateOf(p), obs, new FrameScratch(n));

describe("frame problem", () => {
  it("gives the gradient of half its cost, image positions and depths alike (finite differences)", () => {
    const rng = new Random(5);
    const truth = truthParams(rng);
    const obs = observe(truth, 2, rng);
    const p = truth.map((v, i) => v + (i < 6 ? 0.01 : 0.05) * rng.normal());
    for (const depthWeight of [0, 1, 4]) {
      const { g, cost: c } = normalEquations(p, obs, depthWeight);
      expect(c).toBeCloseTo(cost(p, obs, depthWeight), 12);
      const eps = 1e-6;
      let worst = 0, scale = 0;
      for (let k = 0; k < n; k++) {
        const plus = p.slice(), minus = p.slice();
        plus[k] += eps;
        minus[k] -= eps;
        const fd = (cost(plus, obs, depthWeight) - cost(minus, obs, depthWeight)) / (4 * eps);
        worst = Math.max(worst, Math.abs(fd - g[k]));
        scale = Math.max(scale, Math.abs(fd));
      }
      expect(worst).toBeLessThan(1e-5 * scale);
    }
    // The depth term counts: with depths the cost at a wrong pose is higher.
    expect(cost(p, obs, 1)).toBeGreaterThan(cost(p, obs, 0) * 1.01);
  });

  it("gives the Hessian of half its cost where the residuals vanish (Gauss-Newton is exact there)", () => {
    const rng = new Random(6);
    const truth = truthParams(rng);
    const obs = observe(truth, 0, rng);
    const { h, g } = normalEquations(truth, obs, 1);
    for (const v of g) expect(Math.abs(v)).toBeLessThan(1e-9);
    const eps = 1e-6;
    let worst = 0, scale = 0;
    for (let k = 0; k < n; k++) {
      const plus = truth.slice(), minus = truth.slice();
      plus[k] += eps;
      minus[k] -= eps;
      const gp = normalEquations(plus, obs, 1).g, gm = normalEquations(minus, obs, 1).g;
      for (let j = 0; j < n; j++) {
        const fd = (gp[j] - gm[j]) / (2 * eps);
        worst = Math.max(worst, Math.abs(fd - h[j * n + k]));
        scale = Math.max(scale, Math.abs(fd));
      }
    }
    expect(worst).toBeLessThan(1e-5 * scale);
  });

  it("ignores a common offset of the tracked depths", () => {
    const rng = new Random(7);
    const truth = truthParams(rng);
    const obs = observe(truth, 1, rng);
    const shifted = { ...obs, depthPx: (obs.depthPx as Float64Array).map((z) => z + 250) };
    const p = truth.map((v) => v + 0.01);
    expect(cost(p, shifted, 1)).toBeCloseTo(cost(p, obs, 1), 12);
  });
});
