import * as tf from "@tensorflow/tfjs-core";
import "@tensorflow/tfjs-backend-cpu";
import "@tensorflow/tfjs-core/dist/register_all_gradients";
import { beforeAll, describe, expect, it } from "vitest";
import { backward } from "../autograd.js";
import { checkGradients, expectClose, randomValues } from "../testing/compare.js";
import { scope, tensor, type Shape } from "../tensor.js";
import { broadcastTo, mean, sum, sumToShape, type ReduceOptions } from "./reduce.js";
import { withCoreThreads } from "../testing/threads.js";
import { sumBackwardReference, sumReference } from "./reduce.reference.js";

const size = (s: Shape): number => s.reduce((p, d) => p * d, 1);

/** Shapes and axes: all-reduce, each pattern of the kernels (rows, blocks, columns, several runs). */
const cases: { shape: Shape; axis?: number | number[] }[] = [
  { shape: [] },
  { shape: [1] },
  { shape: [7] },
  { shape: [1], axis: 0 },
  { shape: [3, 5] },
  { shape: [3, 5], axis: 0 },
  { shape: [3, 5], axis: -1 },
  { shape: [1, 5], axis: 0 },
  { shape: [2, 3, 4], axis: 1 },
  { shape: [2, 3, 4], axis: [0, 2] },
  { shape: [2, 3, 4, 5], axis: [1, 3] },
  { shape: [2, 3, 4, 5], axis: -4 },
  { shape: [5, 20, 33], axis: 1 },
  { shape: [4097] },
  { shape: [3, 9001], axis: -1 },
  { shape: [9001, 3], axis: 0 },
  { shape: [301, 257], axis: 0 },
  { shape: [301, 257], axis: 1 },
  { shape: [7, 301, 37], axis: [0, 2] },
];

function runCase(shape: Shape, axis: number | number[] | undefined, isMean: boolean, keepDims: boolean, seed: number): void {
  const op = isMean ? mean : sum;
  const x = randomValues(size(shape), seed);
  const t = tensor(x, shape);
  t.requiresGrad = true;
  const options: ReduceOptions = { keepDims };
  if (axis !== undefined) options.axis = axis;
  const y = op(t, options);
  const ref = sumReference(x, shape, axis, isMean);
  expect(y.shape).toEqual(keepDims ? ref.keptShape : ref.shape);
  const what = `${isMean ? "mean" : "sum"} [${shape}] axis ${axis}`;
  expectClose(y.toArray(), ref.values, { atol: 1e-5, rtol: 1e-5 }, `${what} forward`);
  const g = randomValues(y.size, seed + 1);
  backward(y, tensor(g, y.shape));
  expectClose(t.grad?.toArray() ?? [], sumBackwardReference(g, shape, axis, isMean), { atol: 1e-7, rtol: 1e-6 }, `${what} backward`);
}

describe("sum and mean", () => {
  it("match the reference forward and backward over shapes and axes", () => {
    scope(() => {
      cases.forEach(({ shape, axis }, i) => {
        for (const isMean of [false, true]) for (const keepDims of [false, true]) runCase(shape, axis, isMean, keepDims, i);
      });
    });
  });

  it("match the reference on 3 threads", async () => {
    await withCoreThreads(3, () => {
      cases.forEach(({ shape, axis }, i) => runCase(shape, axis, i % 2 === 0, false, 40 + i));
    });
  });

  it("reject bad axes with the op's name", () => {
    scope(() => {
      const t = tensor(randomValues(6, 1), [2, 3]);
      expect(() => sum(t, { axis: 2 })).toThrow(/sum: axis 2 is out of range for shape \[2,3\]/);
      expect(() => mean(t, { axis: [0, -2] })).toThrow(/mean: axis -2 is given twice/);
    });
  });

  it("sum a million values as accurately as float64 allows", () => {
    scope(() => {
      const n = 1_000_000;
      const x = randomValues(n, 11, 0, 1);
      let exact = 0;
      for (let i = 0; i < n; i++) exact += x[i];
      const s = sum(tensor(x)).item();
      // A float32 loop drifts by ~1e-4 here; pairwise blocks stay near float32 rounding.
      expect(Math.abs(s - exact) / exact).toBeLessThan(3e-7);
      // Narrow columns (Kahan on every row): [250000, 4] summed over rows.
      const cols = sum(tensor(x, [250_000, 4]), { axis: 0 }).toArray();
      const exactCols = sumReference(x, [250_000, 4], 0).values;
      for (let c = 0; c < 4; c++) expect(Math.abs(cols[c] - exactCols[c]) / exactCols[c]).toBeLessThan(3e-7);
      // Whole cache lines of columns (blocked, then Kahan): [62500, 16] summed over rows.
      const wide = sum(tensor(x, [62_500, 16]), { axis: 0 }).toArray();
      const exactWide = sumReference(x, [62_500, 16], 0).values;
      for (let c = 0; c < 16; c++) expect(Math.abs(wide[c] - exactWide[c]) / exactWide[c]).toBeLessThan(3e-7);
      // Mixed signs: judged against the sum of magnitudes.
      const z = randomValues(n, 12, -1, 1);
      let exactZ = 0;
      let mag = 0;
      for (let i = 0; i < n; i++) {
        exactZ += z[i];
        mag += Math.abs(z[i]);
      }
      expect(Math.abs(sum(tensor(z)).item() - exactZ) / mag).toBeLessThan(1e-7);
    });
  });

  it("give bit-identical results on 1, 2 and 3 threads", async () => {
    const x = randomValues(1_000_003, 21);
    const run = (): Float32Array[] => {
      const results: Float32Array[] = [];
      const t = tensor(x);
      t.requiresGrad = true;
      results.push(sum(t).toArray());
      results.push(mean(t).toArray());
      const m = tensor(x.subarray(0, 20_000 * 40), [20_000, 40]);
      m.requiresGrad = true;
      results.push(sum(m, { axis: 0 }).toArray());
      results.push(mean(m, { axis: -1 }).toArray());
      const w = tensor(x.subarray(0, 40 * 20_000), [40, 20_000]);
      results.push(sum(w, { axis: 1 }).toArray());
      const y = mean(m, { axis: 0 });
      backward(y, tensor(randomValues(40, 3), [40]));
      results.push(m.grad?.toArray() ?? new Float32Array());
      return results;
    };
    const one = await withCoreThreads(1, run);
    for (const threads of [2, 3]) {
      const many = await withCoreThreads(threads, run);
      many.forEach((r, i) => expect(r, `result ${i} on ${threads} threads`).toEqual(one[i]));
    }
  });

  it("gradients match finite differences", () => {
    const x = randomValues(24, 5);
    checkGradients({ op: (t) => sum(t), inputs: [{ values: x, shape: [2, 3, 4] }] });
    checkGradients({ op: (t) => mean(t, { axis: 1 }), inputs: [{ values: x, shape: [2, 3, 4] }] });
    checkGradients({ op: (t) => sum(t, { axis: [0, 2], keepDims: true }), inputs: [{ values: x, shape: [2, 3, 4] }] });
    checkGradients({ op: (t) => mean(t, { axis: -1 }), inputs: [{ values: x, shape: [4, 6] }] });
  });
});

describe("sumToShape and broadcastTo", () => {
  const pairs: [Shape, Shape][] = [
    [[3, 4, 5], [4, 1]],
    [[2, 3], [1]],
    [[2, 2], []],
    [[6, 5], [5]],
    [[6, 5], [6, 1]],
    [[2, 3, 4, 5], [3, 1, 5]],
    [[3, 4], [3, 4]],
  ];

  it("sum over broadcast axes and repeat along them, forward and backward", () => {
    scope(() => {
      pairs.forEach(([big, small], i) => {
        const x = randomValues(size(big), i);
        const t = tensor(x, big);
        t.requiresGrad = true;
        const s = sumToShape(t, small);
        expect(s.shape).toEqual(small);
        // Reference: sum over the leading axes the small shape lacks and where it has size 1.
        const pad = big.length - small.length;
        const axes = big.map((d, k) => (k < pad || (small[k - pad] === 1 && d !== 1) ? k : -1)).filter((k) => k >= 0);
        const ref = axes.length ? sumReference(x, big, axes).values : Float64Array.from(x);
        expectClose(s.toArray(), ref, { atol: 1e-5, rtol: 1e-5 }, `sumToShape [${big}] -> [${small}]`);
        const g = randomValues(s.size, i + 50);
        backward(s, tensor(g, small));
        const gref = axes.length ? sumBackwardReference(g, big, axes) : Float64Array.from(g);
        expectClose(t.grad?.toArray() ?? [], gref, { atol: 0, rtol: 0 }, `sumToShape backward`);

        const u = tensor(g, small);
        u.requiresGrad = true;
        const b = broadcastTo(u, big);
        expect(b.shape).toEqual(big);
        expectClose(b.toArray(), gref, { atol: 0, rtol: 0 }, `broadcastTo [${small}] -> [${big}]`);
        backward(b, tensor(x, big));
        expectClose(u.grad?.toArray() ?? [], ref, { atol: 1e-5, rtol: 1e-5 }, `broadcastTo backward`);
      });
      expect(() => sumToShape(tensor([1, 2, 3]), [2])).toThrow(/sumToShape: shape \[2\] does not broadcast to \[3\]/);
    });
  });
});

describe("sum and mean against tfjs-cpu", () => {
  beforeAll(async () => {
    await tf.setBackend("cpu");
  });

  it("agree with tf.sum / tf.mean and tf.grads", () => {
    const tfCases: { shape: number[]; axis?: number | number[]; keepDims: boolean }[] = [
      { shape: [3, 5], keepDims: false },
      { shape: [3, 5], axis: 0, keepDims: true },
      { shape: [2, 3, 4], axis: [0, 2], keepDims: false },
      { shape: [2, 3, 4], axis: -1, keepDims: true },
      { shape: [7], axis: 0, keepDims: false },
    ];
    tfCases.forEach(({ shape, axis, keepDims }, i) => {
      for (const isMean of [false, true]) {
        const x = randomValues(size(shape), 60 + i);
        const tfOp = (t: tf.Tensor): tf.Tensor => (isMean ? tf.mean(t, axis, keepDims) : tf.sum(t, axis, keepDims));
        const ty = tf.tidy(() => tfOp(tf.tensor(x, shape)));
        const g = randomValues(ty.size, 70 + i);
        const [tgx] = tf.tidy(() => tf.grads((t: tf.Tensor) => tfOp(t))([tf.tensor(x, shape)], tf.tensor(g, ty.shape)).map((t) => t.dataSync().slice()));
        scope(() => {
          const t = tensor(x, shape);
          t.requiresGrad = true;
          const options: ReduceOptions = { keepDims };
          if (axis !== undefined) options.axis = axis;
          const y = (isMean ? mean : sum)(t, options);
          expect(y.shape).toEqual(ty.shape);
          expectClose(y.toArray(), ty.dataSync(), { atol: 1e-6, rtol: 1e-5 }, "forward vs tfjs");
          backward(y, tensor(g, y.shape));
          expectClose(t.grad?.toArray() ?? [], tgx, { atol: 1e-7, rtol: 1e-6 }, "grad vs tfjs");
        });
        ty.dispose();
      }
    });
  });
});
