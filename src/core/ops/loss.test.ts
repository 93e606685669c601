import * as tf from "@tensorflow/tfjs-core";
import "@tensorflow/tfjs-backend-cpu";
import "@tensorflow/tfjs-core/dist/register_all_gradients";
import { beforeAll, describe, expect, it } from "vitest";
import { backward } from "../autograd.js";
import { checkGradients, expectClose, randomValues } from "../testing/compare.js";
import { scope, tensor, type Shape, type Tensor } from "../tensor.js";
import { huberLoss, l1Loss, l2Loss, type RegressionLossOptions } from "./loss.js";
import { withCoreThreads } from "../testing/threads.js";
import { lossBackwardReference, lossReference, type LossName } from "./loss.reference.js";

const size = (s: Shape): number => s.reduce((p, d) => p * d, 1);
const DELTA = 0.7;

const losses: Record<LossName, (p: Tensor, t: Tensor, o?: RegressionLossOptions) => Tensor> = {
  l1: (p, t, o) => l1Loss(p, t, o),
  l2: (p, t, o) => l2Loss(p, t, o),
  huber: (p, t, o) => huberLoss(p, t, { ...o, delta: DELTA }),
};

const shapes: Shape[] = [[], [1], [7], [3, 5], [2, 3, 4], [2, 3, 4, 5], [301, 257]];

function runCase(kind: LossName, shape: Shape, weighted: boolean, seed: number): number[] {
  const n = size(shape);
  const p = randomValues(n, seed, -2, 2);
  const q = randomValues(n, seed + 1, -2, 2);
  const w = weighted ? randomValues(n, seed + 2, 0, 1) : undefined;
  const tp = tensor(p, shape);
  const tq = tensor(q, shape);
  tp.requiresGrad = true;
  tq.requiresGrad = true;
  const loss = losses[kind](tp, tq, w ? { weights: tensor(w, shape) } : {});
  expect(loss.shape).toEqual([]);
  const what = `${kind} [${shape}]${weighted ? " weighted" : ""}`;
  expectClose([loss.item()], [lossReference(kind, p, q, w, DELTA)], { atol: 1e-7, rtol: 2e-6 }, `${what} forward`);
  backward(loss, tensor([1.5], []));
  const gref = lossBackwardReference(kind, p, q, 1.5, w, DELTA);
  expectClose(tp.grad?.toArray() ?? [], gref, { atol: 1e-9, rtol: 1e-6 }, `${what} grad pred`);
  expectClose(tq.grad?.toArray() ?? [], gref.map((v) => -v), { atol: 1e-9, rtol: 1e-6 }, `${what} grad target`);
  return [loss.item(), ...(tp.grad?.toArray() ?? [])];
}

describe("regression losses", () => {
  for (const kind of ["l1", "l2", "huber"] as const) {
    it(`${kind}: forward and backward match the reference, with and without weights`, () => {
      scope(() => shapes.forEach((s, i) => [false, true].forEach((wt) => runCase(kind, s, wt, 10 * i))));
    });
  }

  it("give bit-identical results on 1, 2 and 3 threads", async () => {
    const run = (): number[][] => (["l1", "l2", "huber"] as const).map((k, i) => runCase(k, [1000, 301], i === 1, 5 + i));
    const one = await withCoreThreads(1, run);
    for (const threads of [2, 3]) expect(await withCoreThreads(threads, run)).toEqual(one);
  });

  it("only compute the gradients that are needed, and reject bad arguments", () => {
    scope(() => {
      const p = tensor([1, 2, 3]);
      const q = tensor([0, 2, 5]);
      p.requiresGrad = true;
      backward(l2Loss(p, q));
      expectClose(p.grad?.toArray() ?? [], [2 / 3, 0, -4 / 3]);
      expect(q.grad).toBeNull();
      expect(() => l1Loss(p, tensor([1, 2]))).toThrow(/l1Loss: pred \[3\] and target \[2\] differ in shape/);
      expect(() => l2Loss(p, q, { weights: tensor([1]) })).toThrow(/l2Loss: weights \[1\] must have pred's shape \[3\]/);
      expect(() => huberLoss(p, q, { delta: 0 })).toThrow(/huberLoss: delta must be a positive number/);
      const w = tensor([1, 1, 1]).asParameter();
      expect(() => l1Loss(p, q, { weights: w })).toThrow(/weights that require grad/);
      w.dispose();
    });
  });

  it("gradients match finite differences", () => {
    // Values kept away from the kinks (d = 0 for l1, |d| = delta for huber).
    const p = Float32Array.from([0.9, -1.2, 0.1, 2.0, -0.4, 0.5]);
    const q = Float32Array.from([0.2, 0.3, -0.5, 0.1, 0.6, -0.1]);
    // Made outside any scope: it lives until disposed below.
    const w = tensor(randomValues(6, 3, 0.2, 1), [2, 3]);
    for (const kind of ["l1", "l2", "huber"] as const) {
      for (const weights of [undefined, w]) {
        checkGradients({
          op: (a, b) => losses[kind](a, b, weights ? { weights } : {}),
          inputs: [
            { values: p, shape: [2, 3] },
            { values: q, shape: [2, 3] },
          ],
          eps: 1e-3,
        });
      }
    }
    w.dispose();
  });
});

describe("losses against tfjs-cpu", () => {
  beforeAll(async () => {
    await tf.setBackend("cpu");
  });

  it("agree with tf.losses and tf.grads", () => {
    const shape = [4, 7];
    const p = randomValues(28, 1, -2, 2);
    const q = randomValues(28, 2, -2, 2);
    const w = randomValues(28, 3, 0, 1);
    const n = 28;
    // tf's MEAN reduction divides by the weight sum; ours by the element count, so use SUM / n.
    const tfLoss = (kind: LossName, a: tf.Tensor, b: tf.Tensor, wt: tf.Tensor | undefined): tf.Scalar => {
      const r = tf.Reduction.SUM;
      const l =
        kind === "l1"
          ? tf.losses.absoluteDifference(b, a, wt, r)
          : kind === "l2"
            ? tf.losses.meanSquaredError(b, a, wt, r)
            : tf.losses.huberLoss(b, a, wt, DELTA, r);
      return tf.div(l, n);
    };
    for (const kind of ["l1", "l2", "huber"] as const) {
      for (const weighted of [false, true]) {
        const [value, gp, gq] = tf.tidy(() => {
          const wt = weighted ? tf.tensor(w, shape) : undefined;
          const f = (a: tf.Tensor, b: tf.Tensor): tf.Scalar => tfLoss(kind, a, b, wt);
          const grads = tf.grads(f)([tf.tensor(p, shape), tf.tensor(q, shape)]);
          return [f(tf.tensor(p, shape), tf.tensor(q, shape)).dataSync().slice(), ...grads.map((t) => t.dataSync().slice())];
        });
        scope(() => {
          const tp = tensor(p, shape);
          const tq = tensor(q, shape);
          tp.requiresGrad = true;
          tq.requiresGrad = true;
          const loss = losses[kind](tp, tq, weighted ? { weights: tensor(w, shape) } : {});
          expectClose([loss.item()], value, { atol: 1e-6, rtol: 1e-5 }, `${kind} vs tfjs`);
          backward(loss);
          expectClose(tp.grad?.toArray() ?? [], gp, { atol: 1e-7, rtol: 1e-5 }, `${kind} grad pred vs tfjs`);
          expectClose(tq.grad?.toArray() ?? [], gq, { atol: 1e-7, rtol: 1e-5 }, `${kind} grad target vs tfjs`);
        });
      }
    }
  });
});
