import * as tf from "@tensorflow/tfjs-core";
import "@tensorflow/tfjs-backend-cpu";
import "@tensorflow/tfjs-core/dist/register_all_gradients";
import { beforeAll, describe, expect, it } from "vitest";
import { backward } from "../autograd.js";
import { Random } from "../random.js";
import { getCore } from "../runtime.js";
import { checkGradients, expectClose, randomValues } from "../testing/compare.js";
import { scope, tensor } from "../tensor.js";
import { gatherRows, scatterAddRows } from "./gather.js";
import { withCoreThreads } from "../testing/threads.js";
import { gatherRowsReference, scatterAddRowsReference } from "./gather.reference.js";

function randomIndices(m: number, n: number, seed: number): Int32Array {
  const rng = new Random(seed);
  return Int32Array.from({ length: m }, () => rng.int(n));
}

/** [N, C] tables and M indices (repeats included): size 1, odd widths, wide rows for threads. */
const cases: { n: number; c: number; m: number }[] = [
  { n: 1, c: 1, m: 1 },
  { n: 1, c: 3, m: 5 },
  { n: 7, c: 1, m: 9 },
  { n: 10, c: 5, m: 3 },
  { n: 13, c: 17, m: 40 },
  { n: 500, c: 3, m: 20_000 },
  { n: 300, c: 67, m: 1000 },
  { n: 50, c: 130, m: 700 },
];

function runCase(n: number, c: number, m: number, seed: number): Float32Array[] {
  const x = randomValues(n * c, seed);
  const idx = randomIndices(m, n, seed + 1);
  const t = tensor(x, [n, c]);
  t.requiresGrad = true;
  const y = gatherRows({ x: t, indices: idx });
  expect(y.shape).toEqual([m, c]);
  expectClose(y.toArray(), gatherRowsReference(x, c, idx), { atol: 0, rtol: 0 }, `gatherRows [${n},${c}] m=${m}`);
  const g = randomValues(m * c, seed + 2);
  backward(y, tensor(g, [m, c]));
  const gx = t.grad?.toArray() ?? new Float32Array();
  expectClose(gx, scatterAddRowsReference(g, c, idx, n), { atol: 1e-5, rtol: 1e-5 }, `gatherRows backward [${n},${c}]`);

  const u = tensor(g, [m, c]);
  u.requiresGrad = true;
  const s = scatterAddRows({ x: u, indices: idx, numRows: n });
  expect(s.shape).toEqual([n, c]);
  const sv = s.toArray();
  expectClose(sv, scatterAddRowsReference(g, c, idx, n), { atol: 1e-5, rtol: 1e-5 }, `scatterAddRows [${m},${c}] -> ${n}`);
  backward(s, tensor(x, [n, c]));
  expectClose(u.grad?.toArray() ?? [], gatherRowsReference(x, c, idx), { atol: 0, rtol: 0 }, `scatterAddRows backward`);
  return [y.toArray(), gx, sv];
}

describe("gatherRows and scatterAddRows", () => {
  it("match the reference forward and backward over shapes", () => {
    scope(() => cases.forEach(({ n, c, m }, i) => runCase(n, c, m, 10 * i)));
  });

  it("give bit-identical results on 1, 2 and 3 threads", async () => {
    const run = (): Float32Array[] => cases.flatMap(({ n, c, m }, i) => runCase(n, c, m, 10 * i));
    const one = await withCoreThreads(1, run);
    for (const threads of [2, 3]) {
      const many = await withCoreThreads(threads, run);
      many.forEach((r, i) => expect(r, `result ${i} on ${threads} threads`).toEqual(one[i]));
    }
  });

  it("accept number[] indices and carry trailing axes", () => {
    scope(() => {
      const x = randomValues(24, 1);
      const y = gatherRows({ x: tensor(x, [4, 3, 2]), indices: [3, 0, 3] });
      expect(y.shape).toEqual([3, 3, 2]);
      expectClose(y.toArray(), gatherRowsReference(x, 6, [3, 0, 3]), { atol: 0, rtol: 0 });
      expect(gatherRows({ x: tensor(x, [4, 6]), indices: [] }).shape).toEqual([0, 6]);
    });
  });

  it("name the op, the index and the row count for bad indices", () => {
    scope(() => {
      const x = tensor(randomValues(6, 1), [3, 2]);
      expect(() => gatherRows({ x, indices: [0, 3] })).toThrow(/gatherRows: index 3 \(at position 1\) is out of range for 3 rows/);
      expect(() => gatherRows({ x, indices: [-1] })).toThrow(/gatherRows: index -1 .* 3 rows/);
      expect(() => gatherRows({ x, indices: [0.5] })).toThrow(/gatherRows: index 0.5/);
      expect(() => scatterAddRows({ x, indices: [0, 1, 9], numRows: 9 })).toThrow(/scatterAddRows: index 9 .* 9 rows/);
      expect(() => scatterAddRows({ x, indices: [0, 1], numRows: 9 })).toThrow(/scatterAddRows: 2 indices for x of shape \[3,2\]/);
    });
  });

  it("free their index scratch blocks", () => {
    scope(() => {
      const x = tensor(randomValues(40, 1), [10, 4]);
      const before = getCore().allocator.liveBlocks;
      const y = gatherRows({ x, indices: [1, 2, 2] });
      const s = scatterAddRows({ x: y, indices: [0, 0, 5], numRows: 6 });
      expect(getCore().allocator.liveBlocks).toBe(before + 2);
      s.dispose();
      y.dispose();
    });
  });

  it("gradients match finite differences", () => {
    checkGradients({ op: (x) => gatherRows({ x, indices: [2, 0, 2, 1] }), inputs: [{ values: randomValues(9, 1), shape: [3, 3] }] });
    checkGradients({ op: (x) => scatterAddRows({ x, indices: [1, 1, 0], numRows: 4 }), inputs: [{ values: randomValues(6, 2), shape: [3, 2] }] });
  });
});

describe("gatherRows against tfjs-cpu", () => {
  beforeAll(async () => {
    await tf.setBackend("cpu");
  });

  it("agrees with tf.gather and its gradient (a scatter-add)", () => {
    const x = randomValues(35, 1);
    const idx = [4, 0, 4, 2, 6, 4];
    const g = randomValues(30, 2);
    const ty = tf.tidy(() => tf.gather(tf.tensor(x, [7, 5]), tf.tensor1d(idx, "int32")).dataSync().slice());
    const [tgx] = tf.tidy(() =>
      tf.grads((t: tf.Tensor) => tf.gather(t, tf.tensor1d(idx, "int32")))([tf.tensor(x, [7, 5])], tf.tensor(g, [6, 5])).map((t) => t.dataSync().slice()),
    );
    scope(() => {
      const t = tensor(x, [7, 5]);
      t.requiresGrad = true;
      const y = gatherRows({ x: t, indices: idx });
      expectClose(y.toArray(), ty, { atol: 0, rtol: 0 }, "gather vs tfjs");
      backward(y, tensor(g, [6, 5]));
      expectClose(t.grad?.toArray() ?? [], tgx, { atol: 1e-6, rtol: 1e-6 }, "gather grad vs tfjs");
    });
  });
});
