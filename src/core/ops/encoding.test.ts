import * as tf from "@tensorflow/tfjs-core";
import "@tensorflow/tfjs-backend-cpu";
// tfjs-core registers no gradients of its own; tf.grads needs them.
import "@tensorflow/tfjs-core/dist/register_all_gradients";
import { describe, expect, it } from "vitest";
import { backward } from "../autograd.js";
import { runKernel } from "../runtime.js";
import { empty, scope, tensor } from "../tensor.js";
import { checkGradients, expectClose, randomValues } from "../testing/compare.js";
import { annealingWindow, encodedWidth, encodePositions } from "./encoding.js";
import { encodePositionsBackwardReference, encodePositionsReference, type EncodingReferenceShape } from "./encoding.reference.js";

const CASES: EncodingReferenceShape[] = [
  { numPoints: 1, dims: 1, numFrequencies: 1, includeInput: true },
  { numPoints: 7, dims: 3, numFrequencies: 10, includeInput: true },
  { numPoints: 5, dims: 2, numFrequencies: 4, includeInput: false },
  { numPoints: 33, dims: 5, numFrequencies: 6, includeInput: true },
  { numPoints: 3, dims: 3, numFrequencies: 0, includeInput: true },
  // Large enough to run on every thread, with a ragged last block of points.
  { numPoints: 20001, dims: 3, numFrequencies: 8, includeInput: false },
];

function describeCase(c: EncodingReferenceShape): string {
  return `N ${c.numPoints}, D ${c.dims}, F ${c.numFrequencies}${c.includeInput ? ", with input" : ""}`;
}

describe("sin(pi y) and cos(pi y) of the encoding", () => {
  it("match Math.sin / Math.cos to 1e-6 for |y| up to 2^11 (arguments up to 2^11 pi)", () => {
    scope(() => {
      const n = 200_003;
      const y = new Float32Array(n);
      for (let i = 0; i < n; i++) y[i] = (i / (n - 1)) * 2 ** 12 - 2 ** 11;
      // Exact quarter turns and their neighbours, and huge values (in float32, even integers).
      y.set([0, 0.5, 1, 1.5, 2, -0.5, -1, 0.25, 1e7, -3e9, 2 ** 24 + 2, 0.49999997], 0);
      const huge = [8, 9, 10];
      const yt = tensor(y);
      const s = empty([n]);
      const c = empty([n]);
      runKernel("fieldsSinCosPi", [yt.ptr, s.ptr, c.ptr, n], n * 40);
      // Math.sin(Math.PI * v) has its own error of ~|v| 1e-16, too much for the huge values: they are exact below.
      const expectedSin = Float64Array.from(y, (v, i) => (huge.includes(i) ? 0 : Math.sin(Math.PI * v)));
      const expectedCos = Float64Array.from(y, (v, i) => (huge.includes(i) ? 1 : Math.cos(Math.PI * v)));
      expectClose(s.toArray(), expectedSin, { atol: 1e-6, rtol: 0 }, "sin(pi y)");
      expectClose(c.toArray(), expectedCos, { atol: 1e-6, rtol: 0 }, "cos(pi y)");
      // Whole and half turns are exact (up to the sign of zero).
      expect(Math.abs(s.data[2])).toBe(0);
      expect(Math.abs(c.data[1])).toBe(0);
      for (const i of huge) expect([Math.abs(s.data[i]), c.data[i]]).toEqual([0, 1]);
    });
  });
});

describe("encodePositions", () => {
  for (const c of CASES) {
    it(`matches the reference forward and backward (${describeCase(c)})`, () => {
      scope(() => {
        const xs = randomValues(c.numPoints * c.dims, 40 + c.numPoints, -1.3, 1.3);
        const window = randomValues(c.numFrequencies, 41, 0, 1);
        const width = encodedWidth(c.dims, c.numFrequencies, c.includeInput);
        const grad = randomValues(c.numPoints * width, 42);
        for (const windowWeights of [undefined, window]) {
          const x = tensor(xs, [c.numPoints, c.dims]);
          x.requiresGrad = true;
          const out = encodePositions({ x, numFrequencies: c.numFrequencies, windowWeights, includeInput: c.includeInput });
          expect(out.shape).toEqual([c.numPoints, width]);
          expectClose(out.toArray(), encodePositionsReference(xs, c, windowWeights), { atol: 2e-6, rtol: 1e-5 }, "forward");
          backward(out, tensor(grad, out.shape));
          // The gradient sums 2^k pi-scaled terms: absolute error grows with the top frequency.
          const atol = 2e-6 * 2 ** c.numFrequencies;
          expectClose(x.grad!.toArray(), encodePositionsBackwardReference(xs, grad, c, windowWeights), { atol, rtol: 1e-5 }, "dX");
        }
      });
    });
  }

  it("matches finite differences", () => {
    checkGradients({
      op: (x) => encodePositions({ x, numFrequencies: 3, windowWeights: [1, 0.7, 0.2] }),
      inputs: [{ values: randomValues(4 * 3, 50), shape: [4, 3] }],
      eps: 1e-3,
    });
  });

  it("agrees with tf.sin / tf.cos and tf.grads", async () => {
    await tf.setBackend("cpu");
    const N = 9;
    const D = 3;
    const F = 5;
    const xs = randomValues(N * D, 60);
    const window = annealingWindow(3.4, F);
    const grad = randomValues(N * (D + 2 * D * F), 61);
    const f = (x: tf.Tensor): tf.Tensor => {
      const parts: tf.Tensor[] = [x];
      for (let k = 0; k < F; k++) {
        const a = tf.mul(x, 2 ** k * Math.PI);
        parts.push(tf.mul(tf.sin(a), window[k]), tf.mul(tf.cos(a), window[k]));
      }
      return tf.concat(parts, 1);
    };
    const xt = tf.tensor2d(xs, [N, D]);
    const expected = f(xt).dataSync();
    const [gx] = tf.grads((x: tf.Tensor) => f(x))([xt], tf.tensor2d(grad, [N, D + 2 * D * F]));
    const expectedGrad = gx.dataSync();
    scope(() => {
      const x = tensor(xs, [N, D]);
      x.requiresGrad = true;
      const out = encodePositions({ x, numFrequencies: F, windowWeights: window });
      // tfjs rounds 2^k pi x to float32 before sin: its own error is ~2^k 1e-7.
      expectClose(out.toArray(), expected, { atol: 1e-5, rtol: 1e-5 }, "forward vs tfjs");
      backward(out, tensor(grad, out.shape));
      expectClose(x.grad!.toArray(), expectedGrad, { atol: 1e-4, rtol: 1e-4 }, "dX vs tfjs");
    });
  });

  it("annealingWindow follows the Nerfies schedule", () => {
    expect(Array.from(annealingWindow(0, 3))).toEqual([0, 0, 0]);
    expect(Array.from(annealingWindow(3, 3))).toEqual([1, 1, 1]);
    const w = annealingWindow(1.5, 4);
    expectClose(w, [1, 0.5, 0, 0], { atol: 1e-7 }, "window at alpha 1.5");
    expectClose(annealingWindow(0.25, 1), [(1 - Math.cos(Math.PI / 4)) / 2], { atol: 1e-7 }, "window at alpha 0.25");
    expect(() => annealingWindow(Number.NaN, 2)).toThrow(/alpha/);
  });

  it("rejects bad arguments with the op's name", () => {
    scope(() => {
      const x = empty([4, 3]);
      expect(() => encodePositions({ x: empty([4]), numFrequencies: 2 })).toThrow(/encodePositions: x must be \[N, D\]/);
      expect(() => encodePositions({ x, numFrequencies: 2.5 })).toThrow(/numFrequencies/);
      expect(() => encodePositions({ x, numFrequencies: 2, windowWeights: [1] })).toThrow(/windowWeights has 1 values/);
      expect(() => encodePositions({ x, numFrequencies: 0, includeInput: false })).toThrow(/encodes nothing/);
    });
  });
});
