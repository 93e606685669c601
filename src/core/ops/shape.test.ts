import * as tf from "@tensorflow/tfjs-core";
import "@tensorflow/tfjs-backend-cpu";
import "@tensorflow/tfjs-core/dist/register_all_gradients";
import { beforeAll, describe, expect, it } from "vitest";
import { backward } from "../autograd.js";
import { checkGradients, expectClose, randomValues } from "../testing/compare.js";
import { scope, tensor, type Shape } from "../tensor.js";
import { concat, reshape, slice, transpose2d } from "./shape.js";
import { withCoreThreads } from "../testing/threads.js";
import { concatBackwardReference, concatReference, sliceBackwardReference, sliceReference, transposeReference } from "./shape.reference.js";

const size = (s: Shape): number => s.reduce((p, d) => p * d, 1);
const exact = { atol: 0, rtol: 0 };

const sliceCases: { shape: Shape; begin: number[]; size: number[] }[] = [
  { shape: [], begin: [], size: [] },
  { shape: [1], begin: [0], size: [1] },
  { shape: [7], begin: [2], size: [3] },
  { shape: [7], begin: [6], size: [-1] },
  { shape: [5, 6], begin: [1, 0], size: [3, 6] },
  { shape: [5, 6], begin: [0, 2], size: [5, 1] },
  { shape: [5, 6], begin: [2, 3], size: [2, -1] },
  { shape: [3, 4, 5], begin: [1, 1, 1], size: [2, 2, 3] },
  { shape: [2, 3, 4, 5], begin: [1, 0, 2, 0], size: [1, 3, 2, 5] },
  { shape: [2, 3, 4, 5], begin: [0, 1, 0, 3], size: [2, 1, 4, 2] },
  { shape: [3, 4], begin: [1, 2], size: [0, 2] },
  { shape: [301, 257], begin: [7, 3], size: [290, 251] },
];

function runSlice(c: (typeof sliceCases)[number], seed: number): void {
  const x = randomValues(size(c.shape), seed);
  const t = tensor(x, c.shape);
  t.requiresGrad = true;
  const y = slice(t, { begin: c.begin, size: c.size });
  const sz = c.size.map((s, k) => (s === -1 ? c.shape[k] - c.begin[k] : s));
  expect(y.shape).toEqual(sz);
  expectClose(y.toArray(), sliceReference(x, c.shape, c.begin, sz), exact, `slice [${c.shape}] forward`);
  if (y.size === 0) return;
  const g = randomValues(y.size, seed + 1);
  backward(y, tensor(g, sz));
  expectClose(t.grad?.toArray() ?? [], sliceBackwardReference(g, c.shape, c.begin, sz), exact, `slice [${c.shape}] backward`);
}

const concatCases: { shapes: Shape[]; axis: number }[] = [
  { shapes: [[1], [1]], axis: 0 },
  { shapes: [[3], [5], [1]], axis: 0 },
  { shapes: [[2, 3], [4, 3]], axis: 0 },
  { shapes: [[2, 3], [2, 5], [2, 1]], axis: 1 },
  { shapes: [[2, 3, 4], [2, 1, 4]], axis: -2 },
  { shapes: [[2, 3, 4, 5], [2, 3, 4, 2]], axis: 3 },
  { shapes: [[2, 3, 4, 5], [1, 3, 4, 5]], axis: 0 },
  { shapes: [[300, 129], [300, 131]], axis: 1 },
];

function runConcat(c: (typeof concatCases)[number], seed: number): void {
  const xs = c.shapes.map((s, i) => randomValues(size(s), seed + i));
  const ts = xs.map((x, i) => {
    const t = tensor(x, c.shapes[i]);
    t.requiresGrad = true;
    return t;
  });
  const axis = c.axis < 0 ? c.axis + c.shapes[0].length : c.axis;
  const y = concat(ts, c.axis);
  expectClose(y.toArray(), concatReference(xs.map((values, i) => ({ values, shape: c.shapes[i] })), axis), exact, "concat forward");
  const g = randomValues(y.size, seed + 9);
  backward(y, tensor(g, y.shape));
  const gref = concatBackwardReference(g, c.shapes, axis);
  ts.forEach((t, i) => expectClose(t.grad?.toArray() ?? [], gref[i], exact, `concat backward ${i}`));
}

describe("reshape", () => {
  it("copies with a new shape, infers -1, and reshapes the gradient back", () => {
    scope(() => {
      const x = randomValues(24, 1);
      const t = tensor(x, [2, 3, 4]);
      t.requiresGrad = true;
      const y = reshape(t, [4, -1]);
      expect(y.shape).toEqual([4, 6]);
      expectClose(y.toArray(), x, exact);
      const g = randomValues(24, 2);
      backward(y, tensor(g, [4, 6]));
      expect(t.grad?.shape).toEqual([2, 3, 4]);
      expectClose(t.grad?.toArray() ?? [], g, exact);
      expect(reshape(tensor([5], []), [1, 1]).shape).toEqual([1, 1]);
      expect(reshape(tensor([5], [1]), []).shape).toEqual([]);
      expect(() => reshape(t, [5, -1])).toThrow(/reshape: cannot reshape \[2,3,4\]/);
      expect(() => reshape(t, [-1, -1])).toThrow(/only one axis/);
      checkGradients({ op: (u) => reshape(u, [3, 2]), inputs: [{ values: randomValues(6, 3), shape: [2, 3] }] });
    });
  });
});

describe("slice", () => {
  it("matches the reference forward and backward over shapes", () => {
    scope(() => sliceCases.forEach((c, i) => runSlice(c, 10 * i)));
  });

  it("matches the reference on 3 threads", async () => {
    await withCoreThreads(3, () => sliceCases.forEach((c, i) => runSlice(c, 10 * i + 5)));
  });

  it("rejects boxes outside the tensor", () => {
    scope(() => {
      const t = tensor(randomValues(6, 1), [2, 3]);
      expect(() => slice(t, { begin: [1, 1], size: [2, 1] })).toThrow(/slice: begin \[1,1\] size \[2,1\] is out of bounds for shape \[2,3\]/);
      expect(() => slice(t, { begin: [0] })).toThrow(/one entry per axis/);
    });
  });

  it("gradient matches finite differences", () => {
    checkGradients({ op: (u) => slice(u, { begin: [1, 0, 1], size: [1, 2, 2] }), inputs: [{ values: randomValues(18, 4), shape: [2, 3, 3] }] });
  });
});

describe("concat", () => {
  it("matches the reference forward and backward over shapes", () => {
    scope(() => concatCases.forEach((c, i) => runConcat(c, 10 * i)));
  });

  it("matches the reference on 3 threads", async () => {
    await withCoreThreads(3, () => concatCases.forEach((c, i) => runConcat(c, 10 * i + 5)));
  });

  it("rejects mismatched shapes, naming them", () => {
    scope(() => {
      expect(() => concat([tensor([1, 2], [1, 2]), tensor([1, 2, 3], [1, 3])], 0)).toThrow(/concat: shapes \[1,2\], \[1,3\] differ off axis 0/);
      expect(() => concat([], 0)).toThrow(/no tensors/);
    });
  });

  it("gradient matches finite differences", () => {
    checkGradients({
      op: (a, b) => concat([a, b], 1),
      inputs: [
        { values: randomValues(6, 1), shape: [2, 3] },
        { values: randomValues(4, 2), shape: [2, 2] },
      ],
    });
  });
});

describe("transpose2d", () => {
  it("matches the reference forward and backward", async () => {
    const run = (): void => {
      for (const [r, c] of [[1, 1], [1, 7], [5, 3], [17, 33], [300, 257]]) {
        const x = randomValues(r * c, r + c);
        const t = tensor(x, [r, c]);
        t.requiresGrad = true;
        const y = transpose2d(t);
        expect(y.shape).toEqual([c, r]);
        expectClose(y.toArray(), transposeReference(x, r, c), exact);
        const g = randomValues(r * c, 3);
        backward(y, tensor(g, [c, r]));
        expectClose(t.grad?.toArray() ?? [], transposeReference(g, c, r), exact);
      }
    };
    scope(run);
    await withCoreThreads(3, run);
    expect(() => transpose2d(tensor([1, 2, 3]))).toThrow(/transpose2d: expected a matrix/);
  });
});

describe("shape ops against tfjs-cpu", () => {
  beforeAll(async () => {
    await tf.setBackend("cpu");
  });

  it("slice and concat agree with tf.slice / tf.concat and tf.grads", () => {
    const x = randomValues(60, 1);
    const g = randomValues(12, 2);
    const [tgx] = tf.tidy(() =>
      tf.grads((t: tf.Tensor) => tf.slice(t, [1, 0, 2], [2, 2, 3]))([tf.tensor(x, [3, 4, 5])], tf.tensor(g, [2, 2, 3])).map((t) => t.dataSync().slice()),
    );
    const ty = tf.tidy(() => tf.slice(tf.tensor(x, [3, 4, 5]), [1, 0, 2], [2, 2, 3]).dataSync().slice());
    scope(() => {
      const t = tensor(x, [3, 4, 5]);
      t.requiresGrad = true;
      const y = slice(t, { begin: [1, 0, 2], size: [2, 2, 3] });
      expectClose(y.toArray(), ty, exact, "slice vs tfjs");
      backward(y, tensor(g, [2, 2, 3]));
      expectClose(t.grad?.toArray() ?? [], tgx, exact, "slice grad vs tfjs");
    });

    const a = randomValues(12, 3);
    const b = randomValues(8, 4);
    const gc = randomValues(20, 5);
    const tgs = tf.tidy(() =>
      tf.grads((u: tf.Tensor, v: tf.Tensor) => tf.concat([u, v], 1))([tf.tensor(a, [2, 3, 2]), tf.tensor(b, [2, 2, 2])], tf.tensor(gc, [2, 5, 2])).map((t) =>
        t.dataSync().slice(),
      ),
    );
    const tc = tf.tidy(() => tf.concat([tf.tensor(a, [2, 3, 2]), tf.tensor(b, [2, 2, 2])], 1).dataSync().slice());
    scope(() => {
      const ta = tensor(a, [2, 3, 2]);
      const tb = tensor(b, [2, 2, 2]);
      ta.requiresGrad = true;
      tb.requiresGrad = true;
      const y = concat([ta, tb], 1);
      expectClose(y.toArray(), tc, exact, "concat vs tfjs");
      backward(y, tensor(gc, [2, 5, 2]));
      expectClose(ta.grad?.toArray() ?? [], tgs[0], exact, "concat grad a vs tfjs");
      expectClose(tb.grad?.toArray() ?? [], tgs[1], exact, "concat grad b vs tfjs");
    });
  });
});
