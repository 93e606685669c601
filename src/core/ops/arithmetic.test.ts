import * as tf from "@tensorflow/tfjs-core";
import "@tensorflow/tfjs-backend-cpu";
import "@tensorflow/tfjs-core/dist/register_all_gradients";
import { beforeAll, describe, expect, it } from "vitest";
import { backward } from "../autograd.js";
import { checkGradients, expectClose, randomValues } from "../testing/compare.js";
import { scope, tensor, type Shape, type Tensor } from "../tensor.js";
import { abs, add, addScalar, broadcastShapes, div, exp, log, mul, mulScalar, neg, sqrt, square, sub } from "./arithmetic.js";
import { withCoreThreads } from "../testing/threads.js";
import {
  binaryBackwardReference,
  binaryReference,
  unaryBackwardReference,
  unaryReference,
  type BinaryOpName,
  type UnaryOpName,
} from "./arithmetic.reference.js";

const binaryOps: Record<BinaryOpName, (a: Tensor, b: Tensor) => Tensor> = { add, sub, mul, div };
const unaryOps: Record<UnaryOpName, (x: Tensor) => Tensor> = { neg, exp, log, sqrt, square, abs };

const size = (s: Shape): number => s.reduce((p, d) => p * d, 1);

/** Operands for a binary op: b kept away from 0 so division is well conditioned. */
function operands(aShape: Shape, bShape: Shape, seed: number): { a: Float32Array; b: Float32Array } {
  const a = randomValues(size(aShape), seed, -2, 2);
  const b = randomValues(size(bShape), seed + 1, 0.5, 2);
  const signs = randomValues(b.length, seed + 2);
  for (let i = 0; i < b.length; i++) if (signs[i] < 0) b[i] = -b[i];
  return { a, b };
}

/** Same shapes, fast broadcast patterns, general broadcasts; sizes 1, odd sizes, ranks 0..4. */
const shapePairs: [Shape, Shape][] = [
  [[], []],
  [[1], [1]],
  [[7], [7]],
  [[3, 5], [3, 5]],
  [[2, 3, 4, 5], [2, 3, 4, 5]],
  [[3, 1, 5], [4, 1]],
  [[1], [2, 3]],
  [[], [2, 2]],
  [[2, 2], []],
  [[6, 5], [5]],
  [[5], [6, 5]],
  [[6, 5], [6, 1]],
  [[6, 1], [6, 5]],
  [[1, 5], [4, 1]],
  [[2, 1, 3, 1], [1, 4, 1, 5]],
  [[2, 3, 4], [3, 1]],
  [[3, 7, 1], [3, 7, 9]],
];

/** Large enough to run on several threads, with rows split between threads. */
const bigPairs: [Shape, Shape][] = [
  [[301, 257], [301, 257]],
  [[301, 257], [257]],
  [[257], [301, 257]],
  [[301, 257], [301, 1]],
  [[301, 1], [301, 257]],
  [[41, 1, 67], [1, 43, 1]],
  [[40001], []],
];

function checkBinary(op: BinaryOpName, aShape: Shape, bShape: Shape, seed: number): void {
  scope(() => {
    const { a, b } = operands(aShape, bShape, seed);
    const ta = tensor(a, aShape);
    const tb = tensor(b, bShape);
    ta.requiresGrad = true;
    tb.requiresGrad = true;
    const out = binaryOps[op](ta, tb);
    const ref = binaryReference(op, a, aShape, b, bShape);
    expect(out.shape).toEqual(ref.shape);
    // +, -, *, / of float32 values round once, as float64-then-float32 does: exact.
    expectClose(out.toArray(), ref.values, { atol: 0, rtol: 0 }, `${op} [${aShape}] [${bShape}] forward`);
    const g = randomValues(out.size, seed + 3);
    backward(out, tensor(g, out.shape));
    const gref = binaryBackwardReference(op, a, aShape, b, bShape, g);
    const tol = { atol: 1e-5, rtol: 1e-5 };
    expectClose(ta.grad?.toArray() ?? [], gref.ga, tol, `${op} [${aShape}] [${bShape}] grad a`);
    expectClose(tb.grad?.toArray() ?? [], gref.gb, tol, `${op} [${aShape}] [${bShape}] grad b`);
    expect(ta.grad?.shape).toEqual([...aShape]);
    expect(tb.grad?.shape).toEqual([...bShape]);
  });
}

describe("binary ops with broadcasting", () => {
  it("broadcastShapes follows NumPy and names the op on failure", () => {
    expect(broadcastShapes([3, 1, 5], [4, 1])).toEqual([3, 4, 5]);
    expect(broadcastShapes([], [2, 2])).toEqual([2, 2]);
    expect(() => add(tensor([1, 2, 3]), tensor([1, 2]))).toThrow(/add: shapes \[3\] and \[2\] do not broadcast/);
  });

  for (const op of ["add", "sub", "mul", "div"] as const) {
    it(`${op}: forward and backward match the reference over shapes`, () => {
      shapePairs.forEach(([as, bs], i) => checkBinary(op, as, bs, 10 * i));
    });
  }

  it("matches the reference on 1 and 3 threads for large broadcasts", async () => {
    for (const threads of [1, 3]) {
      await withCoreThreads(threads, () => {
        for (const op of ["add", "sub", "mul", "div"] as const) {
          bigPairs.forEach(([as, bs], i) => checkBinary(op, as, bs, 100 + i));
        }
      });
    }
  });

  it("gradients match finite differences", () => {
    const cases: [Shape, Shape][] = [
      [[3, 4], [3, 4]],
      [[3, 1, 5], [4, 1]],
      [[2, 3], [3]],
      [[2, 3], [2, 1]],
      [[], [2, 2]],
    ];
    for (const op of ["add", "sub", "mul", "div"] as const) {
      cases.forEach(([as, bs], i) => {
        const { a, b } = operands(as, bs, 50 + i);
        checkGradients({ op: binaryOps[op], inputs: [{ values: a, shape: as }, { values: b, shape: bs }], eps: 1e-2 });
      });
    }
  });

  it("only computes the gradients that are needed", () => {
    scope(() => {
      const a = tensor([1, 2, 3], [3]);
      const b = tensor([4], [1]);
      a.requiresGrad = true;
      backward(mul(a, b), tensor([1, 1, 1]));
      expectClose(a.grad?.toArray() ?? [], [4, 4, 4]);
      expect(b.grad).toBeNull();
    });
  });
});

describe("scalar ops", () => {
  it("addScalar and mulScalar: forward and backward", () => {
    scope(() => {
      for (const shape of [[], [1], [5], [3, 7]] as Shape[]) {
        const x = randomValues(size(shape), 3);
        const t = tensor(x, shape);
        t.requiresGrad = true;
        const y = addScalar(mulScalar(t, 2.5), -1.25);
        expectClose(y.toArray(), Float32Array.from(x, (v) => Math.fround(Math.fround(v * 2.5) - 1.25)), { atol: 0, rtol: 0 });
        const g = randomValues(y.size, 4);
        backward(y, tensor(g, shape));
        expectClose(t.grad?.toArray() ?? [], Float32Array.from(g, (v) => v * 2.5), { atol: 0, rtol: 0 });
      }
      checkGradients({ op: (x) => mulScalar(addScalar(x, 3), -2), inputs: [{ values: randomValues(6, 5), shape: [2, 3] }] });
      expect(() => mulScalar(tensor([1]), NaN)).toThrow(/mulScalar/);
    });
  });
});

describe("unary ops", () => {
  const domain = (op: UnaryOpName, n: number, seed: number): Float32Array =>
    op === "log" || op === "sqrt" ? randomValues(n, seed, 0.05, 5) : randomValues(n, seed, -4, 4);

  for (const op of ["neg", "exp", "log", "sqrt", "square", "abs"] as const) {
    it(`${op}: forward and backward match the reference over shapes`, async () => {
      const shapes: Shape[] = [[], [1], [3], [5, 7], [2, 3, 4, 5], [401, 203]];
      const run = (): void => {
        shapes.forEach((shape, i) => {
          const x = domain(op, size(shape), i);
          const t = tensor(x, shape);
          t.requiresGrad = true;
          const y = unaryOps[op](t);
          expectClose(y.toArray(), unaryReference(op, x), { atol: 1e-30, rtol: 1e-6 }, `${op} [${shape}] forward`);
          const g = randomValues(y.size, i + 9);
          backward(y, tensor(g, shape));
          expectClose(t.grad?.toArray() ?? [], unaryBackwardReference(op, x, g), { atol: 1e-30, rtol: 2e-6 }, `${op} [${shape}] backward`);
        });
      };
      scope(run);
      await withCoreThreads(3, run);
      checkGradients({ op: unaryOps[op], inputs: [{ values: domain(op, 12, 77), shape: [3, 4] }], eps: 1e-3 });
    });
  }

  it("exp is accurate to 1e-6 relative over its whole range, with IEEE special values", () => {
    scope(() => {
      const n = 200_000;
      const x = randomValues(n, 1, -103, 88.7);
      const y = exp(tensor(x)).toArray();
      let worst = 0;
      for (let i = 0; i < n; i++) {
        const e = Math.exp(x[i]);
        // Below the normal range the result is a subnormal: judge it in absolute terms.
        const err = Math.abs(y[i] - e) / Math.max(e, 2 ** -126);
        worst = Math.max(worst, err);
      }
      expect(worst).toBeLessThan(1e-6);
      const special = exp(tensor([0, -Infinity, Infinity, NaN, 89, 100, -110, 1])).toArray();
      expect(Array.from(special.slice(0, 7))).toEqual([1, 0, Infinity, NaN, Infinity, Infinity, 0]);
      expect(special[7]).toBeCloseTo(Math.E, 6);
    });
  });

  it("log is accurate to 1e-6 relative from subnormals to 1e38, with IEEE special values", () => {
    scope(() => {
      const n = 200_000;
      const u = randomValues(n, 2, -44, 38);
      const x = Float32Array.from(u, (v) => 10 ** v);
      const y = log(tensor(x)).toArray();
      let worst = 0;
      for (let i = 0; i < n; i++) {
        const e = Math.log(x[i]);
        worst = Math.max(worst, Math.abs(y[i] - e) / Math.max(Math.abs(e), 1e-3));
      }
      expect(worst).toBeLessThan(1e-6);
      // Near 1, where log is small, the error must be small relative to the result.
      const near = Float32Array.from(randomValues(10_000, 3, -1e-3, 1e-3), (v) => 1 + v);
      const yn = log(tensor(near)).toArray();
      for (let i = 0; i < near.length; i++) {
        const e = Math.log(near[i]);
        expect(Math.abs(yn[i] - e)).toBeLessThanOrEqual(1e-6 * Math.abs(e) + 1e-12);
      }
      const special = log(tensor([1, 0, -0, -1, Infinity, NaN, -Infinity])).toArray();
      expect(Array.from(special)).toEqual([0, -Infinity, -Infinity, NaN, Infinity, NaN, NaN]);
    });
  });
});

describe("against tfjs-cpu", () => {
  beforeAll(async () => {
    await tf.setBackend("cpu");
  });

  const tfBinary: Record<BinaryOpName, (a: tf.Tensor, b: tf.Tensor) => tf.Tensor> = {
    add: (a, b) => tf.add(a, b),
    sub: (a, b) => tf.sub(a, b),
    mul: (a, b) => tf.mul(a, b),
    div: (a, b) => tf.div(a, b),
  };

  it("binary ops and their gradients agree with tf.grads", () => {
    const pairs: [Shape, Shape][] = [[[3, 1, 5], [4, 1]], [[1], [2, 3]], [[], [2, 2]], [[6, 5], [5]], [[4, 5], [4, 1]], [[2, 3], [2, 3]]];
    for (const op of ["add", "sub", "mul", "div"] as const) {
      pairs.forEach(([as, bs], i) => {
        const { a, b } = operands(as, bs, 200 + i);
        const outShape = broadcastShapes(as, bs);
        const g = randomValues(size(outShape), 300 + i);
        const [tga, tgb] = tf.tidy(() => {
          const f = tf.grads((x: tf.Tensor, y: tf.Tensor) => tfBinary[op](x, y));
          return f([tf.tensor(a, [...as]), tf.tensor(b, [...bs])], tf.tensor(g, outShape)).map((t) => t.dataSync().slice());
        });
        const tout = tf.tidy(() => tfBinary[op](tf.tensor(a, [...as]), tf.tensor(b, [...bs])).dataSync().slice());
        scope(() => {
          const ta = tensor(a, as);
          const tb = tensor(b, bs);
          ta.requiresGrad = true;
          tb.requiresGrad = true;
          const out = binaryOps[op](ta, tb);
          expectClose(out.toArray(), tout, { atol: 1e-6, rtol: 1e-6 }, `${op} forward vs tfjs`);
          backward(out, tensor(g, outShape));
          expectClose(ta.grad?.toArray() ?? [], tga, { atol: 1e-5, rtol: 1e-5 }, `${op} grad a vs tfjs`);
          expectClose(tb.grad?.toArray() ?? [], tgb, { atol: 1e-5, rtol: 1e-5 }, `${op} grad b vs tfjs`);
        });
      });
    }
  });

  it("unary ops and their gradients agree with tf.grads", () => {
    const tfUnary: Record<UnaryOpName, (x: tf.Tensor) => tf.Tensor> = {
      neg: (x) => tf.neg(x),
      exp: (x) => tf.exp(x),
      log: (x) => tf.log(x),
      sqrt: (x) => tf.sqrt(x),
      square: (x) => tf.square(x),
      abs: (x) => tf.abs(x),
    };
    for (const op of ["neg", "exp", "log", "sqrt", "square", "abs"] as const) {
      const x = op === "log" || op === "sqrt" ? randomValues(35, 5, 0.1, 4) : randomValues(35, 5, -3, 3);
      const g = randomValues(35, 6);
      const [tgx] = tf.tidy(() => tf.grads((t: tf.Tensor) => tfUnary[op](t))([tf.tensor(x, [5, 7])], tf.tensor(g, [5, 7])).map((t) => t.dataSync().slice()));
      const ty = tf.tidy(() => tfUnary[op](tf.tensor(x, [5, 7])).dataSync().slice());
      scope(() => {
        const t = tensor(x, [5, 7]);
        t.requiresGrad = true;
        const y = unaryOps[op](t);
        expectClose(y.toArray(), ty, { atol: 1e-6, rtol: 1e-6 }, `${op} forward vs tfjs`);
        backward(y, tensor(g, [5, 7]));
        expectClose(t.grad?.toArray() ?? [], tgx, { atol: 1e-6, rtol: 1e-5 }, `${op} grad vs tfjs`);
      });
    }
  });
});
