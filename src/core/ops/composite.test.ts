import * as tf from "@tensorflow/tfjs-core";
import "@tensorflow/tfjs-backend-cpu";
// tfjs-core registers no gradients of its own; tf.grads needs them.
import "@tensorflow/tfjs-core/dist/register_all_gradients";
import { describe, expect, it } from "vitest";
import { backward } from "../autograd.js";
import { runKernel } from "../runtime.js";
import { empty, scope, tensor, type Tensor } from "../tensor.js";
import { checkGradients, expectClose, randomValues } from "../testing/compare.js";
import { compositeAlongRays } from "./composite.js";
import { compositeBackwardReference, compositeReference, type CompositeReferenceShape } from "./composite.reference.js";

interface Case extends CompositeReferenceShape {
  /** Upper end of the random densities; large values saturate the rays early. */
  maxDensity: number;
}

const CASES: Case[] = [
  { numRays: 1, numSamples: 1, channels: 1, background: "none", maxDensity: 2 },
  { numRays: 3, numSamples: 5, channels: 3, background: "shared", maxDensity: 5 },
  { numRays: 4, numSamples: 7, channels: 4, background: "perRay", maxDensity: 3 },
  { numRays: 2, numSamples: 9, channels: 5, background: "none", maxDensity: 1e4 },
  { numRays: 5, numSamples: 3, channels: 8, background: "perRay", maxDensity: 1e3 },
  { numRays: 6, numSamples: 1, channels: 2, background: "shared", maxDensity: 50 },
  // Large enough to run on every thread.
  { numRays: 1500, numSamples: 64, channels: 3, background: "shared", maxDensity: 40 },
];

function describeCase(c: Case): string {
  return `R ${c.numRays}, S ${c.numSamples}, C ${c.channels}, background ${c.background}, density < ${c.maxDensity}`;
}

function caseData(c: Case, seed: number): { rgb: Float32Array; density: Float32Array; deltas: Float32Array; background?: Float32Array } {
  const { numRays: R, numSamples: S, channels: C } = c;
  const density = randomValues(R * S, seed + 1, 0, c.maxDensity);
  // Some empty space: exact zeros.
  for (let i = 0; i < density.length; i += 7) density[i] = 0;
  return {
    rgb: randomValues(R * S * C, seed, 0, 1),
    density,
    deltas: randomValues(R * S, seed + 2, 0.01, 0.1),
    background:
      c.background === "none" ? undefined : randomValues(c.background === "perRay" ? R * C : C, seed + 3, 0, 1),
  };
}

function backgroundShape(c: Case): number[] {
  return c.background === "perRay" ? [c.numRays, c.channels] : [c.channels];
}

/** Which output gradients a backward test feeds. */
const GRAD_SETS = [
  { rgb: true, opacity: true, weights: true },
  { rgb: true, opacity: false, weights: false },
  { rgb: false, opacity: true, weights: false },
  { rgb: false, opacity: false, weights: true },
];

describe("exp of the compositing kernels", () => {
  it("matches Math.exp to 1e-6 relative over [-87, 20], is 0 below, finite above", () => {
    scope(() => {
      const n = 100_001;
      const x = new Float32Array(n);
      for (let i = 0; i < n; i++) x[i] = -87 + (107 * i) / (n - 1);
      const extremes = [-87.5, -100, -1e30, -Infinity, 0, 100, 1e30];
      const all = new Float32Array([...x, ...extremes]);
      const xt = tensor(all);
      const out = empty([all.length]);
      runKernel("fieldsExp", [xt.ptr, out.ptr, all.length], all.length * 20);
      const got = out.toArray();
      expectClose(got.subarray(0, n), Float64Array.from(x, Math.exp), { atol: 0, rtol: 1e-6 }, "exp");
      expect(Array.from(got.subarray(n, n + 4))).toEqual([0, 0, 0, 0]);
      expect(got[n + 4]).toBe(1);
      expect(Number.isFinite(got[n + 5]) && got[n + 5] > 1e38).toBe(true);
      expect(Number.isFinite(got[n + 6])).toBe(true);
    });
  });
});

describe("compositeAlongRays", () => {
  for (const c of CASES) {
    it(`matches the reference forward and backward (${describeCase(c)})`, () => {
      scope(() => {
        const d = caseData(c, 70 + c.numSamples);
        const ref = compositeReference(d, c);
        const gradRgb = randomValues(c.numRays * c.channels, 80);
        const gradOpacity = randomValues(c.numRays, 81);
        const gradWeights = randomValues(c.numRays * c.numSamples, 82);
        for (const set of GRAD_SETS) {
          const rgb = tensor(d.rgb, [c.numRays, c.numSamples, c.channels]);
          const density = tensor(d.density, [c.numRays, c.numSamples]);
          const deltas = tensor(d.deltas, [c.numRays, c.numSamples]);
          const background = d.background ? tensor(d.background, backgroundShape(c)) : null;
          for (const t of [rgb, density, deltas, background]) if (t) t.requiresGrad = true;
          const out = compositeAlongRays({ rgb, density, deltas, background });
          expectClose(out.rgb.toArray(), ref.rgb, { atol: 1e-5, rtol: 1e-4 }, "rgb");
          expectClose(out.opacity.toArray(), ref.opacity, { atol: 1e-5, rtol: 1e-4 }, "opacity");
          expectClose(out.weights.toArray(), ref.weights, { atol: 1e-6, rtol: 1e-4 }, "weights");
          // Feed gradients to any subset of the outputs through the recorded node.
          const node = out.rgb.gradNode!;
          const grads = node.backward([
            set.rgb ? tensor(gradRgb, out.rgb.shape) : null,
            set.opacity ? tensor(gradOpacity, out.opacity.shape) : null,
            set.weights ? tensor(gradWeights, out.weights.shape) : null,
          ]);
          const expected = compositeBackwardReference(
            d,
            {
              rgb: set.rgb ? gradRgb : undefined,
              opacity: set.opacity ? gradOpacity : undefined,
              weights: set.weights ? gradWeights : undefined,
            },
            c,
          );
          const what = `(gradients on ${Object.keys(set).filter((k) => set[k as keyof typeof set]).join(", ")})`;
          const tol = { atol: 2e-5, rtol: 1e-4 };
          expectClose(grads[0]!.toArray(), expected.dRgb, tol, `dRgb ${what}`);
          expectClose(grads[1]!.toArray(), expected.dDensity, tol, `dDensity ${what}`);
          expectClose(grads[2]!.toArray(), expected.dDeltas, { atol: 2e-4, rtol: 1e-3 }, `dDeltas ${what}`);
          if (background) expectClose(grads[3]!.toArray(), expected.dBackground, { atol: 1e-4, rtol: 1e-4 }, `dBackground ${what}`);
        }
      });
    });
  }

  it("flows gradients only to inputs that require them, through backward()", () => {
    scope(() => {
      const c = CASES[1];
      const d = caseData(c, 90);
      const rgb = tensor(d.rgb, [c.numRays, c.numSamples, c.channels]);
      const density = tensor(d.density, [c.numRays, c.numSamples]);
      const deltas = tensor(d.deltas, [c.numRays, c.numSamples]);
      const background = tensor(d.background!, backgroundShape(c));
      density.requiresGrad = true;
      const gradRgb = randomValues(c.numRays * c.channels, 91);
      const out = compositeAlongRays({ rgb, density, deltas, background });
      backward(out.rgb, tensor(gradRgb, out.rgb.shape));
      expect(rgb.grad).toBeNull();
      expect(deltas.grad).toBeNull();
      expect(background.grad).toBeNull();
      const expected = compositeBackwardReference(d, { rgb: gradRgb }, c);
      expectClose(density.grad!.toArray(), expected.dDensity, { atol: 2e-5, rtol: 1e-4 }, "dDensity");
    });
  });

  it("matches finite differences from each output", () => {
    const R = 2;
    const S = 4;
    const C = 3;
    const inputs = [
      { values: randomValues(R * S * C, 100, 0, 1), shape: [R, S, C] },
      { values: randomValues(R * S, 101, 0, 8), shape: [R, S] },
      { values: randomValues(R * S, 102, 0.05, 0.3), shape: [R, S] },
      { values: randomValues(C, 103, 0, 1), shape: [C] },
    ];
    for (const output of ["rgb", "opacity", "weights"] as const) {
      checkGradients({
        op: (rgb, density, deltas, background) => compositeAlongRays({ rgb, density, deltas, background })[output],
        inputs,
        eps: 1e-3,
      });
    }
  });

  it("agrees with a tfjs composition (exclusive cumsum) and tf.grads", async () => {
    await tf.setBackend("cpu");
    const c: Case = { numRays: 4, numSamples: 6, channels: 3, background: "perRay", maxDensity: 20 };
    const { numRays: R, numSamples: S, channels: C } = c;
    const d = caseData(c, 110);
    const gR = randomValues(R * C, 111);
    const gO = randomValues(R, 112);
    const gW = randomValues(R * S, 113);
    const deltasTf = tf.tensor2d(d.deltas, [R, S]);
    const f = (rgb: tf.Tensor, density: tf.Tensor, bg: tf.Tensor): tf.Tensor[] => {
      const tau = tf.mul(density, deltasTf);
      const trans = tf.exp(tf.neg(tf.cumsum(tau, 1, true)));
      const w = tf.mul(trans, tf.sub(1, tf.exp(tf.neg(tau))));
      const opacity = tf.sum(w, 1);
      const colour = tf.add(tf.sum(tf.mul(tf.reshape(w, [R, S, 1]), rgb), 1), tf.mul(tf.reshape(tf.sub(1, opacity), [R, 1]), bg));
      return [colour, opacity, w];
    };
    const loss = (rgb: tf.Tensor, density: tf.Tensor, bg: tf.Tensor): tf.Scalar => {
      const [colour, opacity, w] = f(rgb, density, bg);
      return tf.addN([
        tf.sum(tf.mul(colour, tf.tensor2d(gR, [R, C]))),
        tf.sum(tf.mul(opacity, tf.tensor1d(gO))),
        tf.sum(tf.mul(w, tf.tensor2d(gW, [R, S]))),
      ]) as tf.Scalar;
    };
    const args = [tf.tensor3d(d.rgb, [R, S, C]), tf.tensor2d(d.density, [R, S]), tf.tensor2d(d.background!, [R, C])];
    const expectedOut = f(args[0], args[1], args[2]).map((t) => t.dataSync());
    const expectedGrads = tf.grads(loss)(args).map((t) => t.dataSync());
    scope(() => {
      const rgb = tensor(d.rgb, [R, S, C]);
      const density = tensor(d.density, [R, S]);
      const background = tensor(d.background!, [R, C]);
      for (const t of [rgb, density, background]) t.requiresGrad = true;
      const out = compositeAlongRays({ rgb, density, deltas: tensor(d.deltas, [R, S]), background });
      const outs: Tensor[] = [out.rgb, out.opacity, out.weights];
      outs.forEach((t, i) => expectClose(t.toArray(), expectedOut[i], { atol: 1e-5, rtol: 1e-4 }, `output ${i} vs tfjs`));
      const grads = out.rgb.gradNode!.backward([tensor(gR, [R, C]), tensor(gO, [R]), tensor(gW, [R, S])]);
      expectClose(grads[0]!.toArray(), expectedGrads[0], { atol: 1e-5, rtol: 1e-4 }, "dRgb vs tfjs");
      expectClose(grads[1]!.toArray(), expectedGrads[1], { atol: 1e-5, rtol: 1e-3 }, "dDensity vs tfjs");
      expectClose(grads[3]!.toArray(), expectedGrads[2], { atol: 1e-5, rtol: 1e-4 }, "dBackground vs tfjs");
    });
  });

  it("rejects bad shapes with the op's name", () => {
    scope(() => {
      const rgb = empty([2, 3, 4]);
      const rs = empty([2, 3]);
      expect(() => compositeAlongRays({ rgb: empty([2, 3]), density: rs, deltas: rs })).toThrow(/compositeAlongRays: rgb must be \[R, S, C\]/);
      expect(() => compositeAlongRays({ rgb, density: empty([3, 2]), deltas: rs })).toThrow(/density and deltas/);
      expect(() => compositeAlongRays({ rgb, density: rs, deltas: rs, background: empty([3]) })).toThrow(/background must be/);
      expect(() => compositeAlongRays({ rgb, density: rs, deltas: rs, background: empty([3, 4]) })).toThrow(/background must be/);
    });
  });
});
