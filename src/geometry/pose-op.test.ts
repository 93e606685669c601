import { describe, expect, it } from "vitest";
import { backward, scope, tensor } from "../core/index.js";
import { checkGradients, expectClose, randomValues } from "../core/testing/compare.js";
import { rigidTransformPoints, rotationAndDerivatives } from "./pose-op.js";
import { rigidTransformPointsBackwardReference, rigidTransformPointsReference, rotationDerivativesReference } from "./pose-op.reference.js";
import { rotationFromAxisAngle } from "./rigid.js";

const axes: number[][] = [
  [0, 0, 0],
  [1e-7, -2e-7, 3e-8],
  [3e-3, -1e-3, 2e-3],
  [0.2, -0.5, 0.1],
  [1.2, 0.4, -2.0],
  [0, Math.PI - 1e-3, 0],
];

describe("rigidTransformPoints", () => {
  it("rotation derivatives agree with Gallego and Yezzi's formula and finite differences", () => {
    for (const w of axes) {
      const { rotation, derivatives } = rotationAndDerivatives(w);
      expectClose(rotation, rotationFromAxisAngle([w[0], w[1], w[2]]), { atol: 1e-12, rtol: 0 }, `R(${w})`);
      const ref = rotationDerivativesReference(w);
      for (let l = 0; l < 3; l++) {
        expectClose(derivatives[l], ref[l], { atol: 1e-9, rtol: 1e-9 }, `dR/dw${l} at ${w}`);
        const h = 1e-6;
        const wp = [...w], wm = [...w];
        wp[l] += h;
        wm[l] -= h;
        const rp = rotationAndDerivatives(wp).rotation, rm = rotationAndDerivatives(wm).rotation;
        expectClose(derivatives[l], rp.map((v, i) => (v - rm[i]) / (2 * h)), { atol: 1e-7, rtol: 1e-6 }, `dR/dw${l} fd at ${w}`);
      }
    }
  });

  it("forward and backward match the float64 reference", () => {
    for (const [k, w] of axes.entries()) {
      for (const n of [1, 7, 50]) {
        scope(() => {
          const pv = randomValues(3 * n, 10 + k + n);
          const tv = [0.1, -0.2, 0.3];
          const p = tensor(pv, [n, 3]), a = tensor(w, [3]), t = tensor(tv, [3]);
          for (const x of [p, a, t]) x.requiresGrad = true;
          const out = rigidTransformPoints({ points: p, axisAngle: a, translation: t });
          expectClose(out.toArray(), rigidTransformPointsReference(pv, w, tv), { atol: 1e-6, rtol: 1e-6 }, "forward");
          const g = randomValues(3 * n, 99 + n);
          backward(out, tensor(g, [n, 3]));
          const ref = rigidTransformPointsBackwardReference(pv, w, g);
          expectClose(p.grad!.toArray(), ref.points, { atol: 1e-5, rtol: 1e-5 }, "d points");
          expectClose(a.grad!.toArray(), ref.axisAngle, { atol: 1e-4, rtol: 1e-5 }, "d axisAngle");
          expectClose(t.grad!.toArray(), ref.translation, { atol: 1e-5, rtol: 1e-5 }, "d translation");
        });
      }
    }
  });

  it("gradients match finite differences, including at angle zero", () => {
    for (const w of [[0, 0, 0], [2e-3, 0, -1e-3], [0.3, -0.4, 0.2]]) {
      checkGradients({
        op: (p, a, t) => rigidTransformPoints({ points: p, axisAngle: a, translation: t }),
        inputs: [{ values: randomValues(12, 3), shape: [4, 3] }, { values: w, shape: [3] }, { values: [0.5, 0, -0.5], shape: [3] }],
        eps: 1e-3,
      });
    }
  });

  it("rejects bad shapes", () => {
    scope(() => {
      expect(() => rigidTransformPoints({ points: tensor([1, 2], [1, 2]), axisAngle: tensor([0, 0, 0]), translation: tensor([0, 0, 0]) })).toThrow(/points must be \[N, 3\]/);
      expect(() => rigidTransformPoints({ points: tensor([1, 2, 3], [1, 3]), axisAngle: tensor([0, 0]), translation: tensor([0, 0, 0]) })).toThrow(/axisAngle/);
    });
  });
});
