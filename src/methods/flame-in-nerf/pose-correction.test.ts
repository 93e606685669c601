import { describe, expect, it } from "vitest";
import { backward, scope, tensor } from "../../core/index.js";
import { checkGradients, expectClose, randomValues } from "../../core/testing/compare.js";
import { PoseCorrection, applyPoseCorrection, applyPoseCorrectionBackwardReference, applyPoseCorrectionReference } from "./pose-correction.js";

describe("applyPoseCorrection", () => {
  const points = randomValues(3 * 40, 1);
  const correction = Float32Array.from([0.05, -0.03, 0.02, 0.01, -0.02, 0.03]);

  it("matches the reference forward and backward", () => {
    const gradOut = randomValues(3 * 40, 2);
    scope(() => {
      const p = tensor(points, [40, 3]);
      const c = tensor(correction, [1, 6]);
      p.requiresGrad = c.requiresGrad = true;
      const out = applyPoseCorrection(p, c);
      expectClose(out.toArray(), applyPoseCorrectionReference(points, correction), { atol: 1e-6, rtol: 1e-5 }, "forward");
      backward(out, tensor(gradOut, [40, 3]));
      const ref = applyPoseCorrectionBackwardReference(points, correction, gradOut);
      expectClose(p.grad!.toArray(), ref.dPoints, { atol: 1e-5, rtol: 1e-4 }, "dPoints");
      expectClose(c.grad!.toArray(), ref.dCorrection, { atol: 1e-4, rtol: 1e-4 }, "dCorrection");
    });
  });

  it("has gradients that match finite differences", () => {
    checkGradients({ op: applyPoseCorrection, inputs: [{ values: points, shape: [40, 3] }, { values: correction, shape: [1, 6] }] });
  });

  it("is a rotation to first order: a small turn about y moves +x towards -z", () => {
    const out = applyPoseCorrectionReference([1, 0, 0], [0, 0.01, 0, 0, 0, 0]);
    expect(Array.from(out)).toEqual([1, 0, -0.01]);
    expect(() => scope(() => applyPoseCorrection(tensor([1, 2, 3], [1, 3]), tensor([0, 0, 0], [1, 3])))).toThrow(/must be \[1, 6\]/);
  });
});

describe("PoseCorrection", () => {
  it("maps an expression to a correction linearly, and sends its gradient to the map and bias", () => {
    const correction = new PoseCorrection(2);
    correction.weights.data.set([1, 2, 3, 4, 5, 6, -1, -2, -3, -4, -5, -6]);
    correction.bias.data.set([0.5, 0, 0, 0, 0, 0.25]);
    scope(() => {
      const out = correction.correctionFor(Float32Array.from([2, 1]));
      expectClose(out.toArray(), [1.5, 2, 3, 4, 5, 6.25], { atol: 1e-6, rtol: 0 }, "correction");
      backward(out, tensor([1, 1, 1, 1, 1, 1], [1, 6]));
    });
    expectClose(correction.weights.grad!.toArray(), [...Array(6).fill(2), ...Array(6).fill(1)], { atol: 0, rtol: 0 }, "dWeights");
    expectClose(correction.bias.grad!.toArray(), Array(6).fill(1), { atol: 0, rtol: 0 }, "dBias");
    expect([...correction.parameters().keys()]).toEqual(["pose.weights", "pose.bias"]);
  });
});
