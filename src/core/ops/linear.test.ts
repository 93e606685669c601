import * as tf from "@tensorflow/tfjs-core";
import "@tensorflow/tfjs-backend-cpu";
import "@tensorflow/tfjs-core/dist/register_all_gradients";
import { afterAll, beforeAll, describe, it } from "vitest";
import { backward } from "../autograd.js";
import { initCore, shutdownCore } from "../runtime.js";
import { scope, tensor, type Tensor } from "../tensor.js";
import { checkGradients, expectClose, randomValues } from "../testing/compare.js";
import { ACTIVATIONS, activate, dense, matmul, type Activation } from "./linear.js";
import {
  activationDerivativeReference,
  activationReference,
  denseBackwardReference,
  denseReference,
  matmulBackwardReference,
  matmulReference,
} from "./linear.reference.js";

/** [M, K, N] */
const MATMUL_SHAPES: [number, number, number][] = [
  [1, 1, 1],
  [3, 5, 7],
  [17, 33, 9],
  [64, 64, 64],
  [130, 257, 67],
  [2, 300, 1],
  [2, 0, 3],
  [0, 4, 5],
  [37, 20, 3],
];

/** [N, in, out]; 130 rows span several backward chunks per thread. */
const DENSE_SHAPES: [number, number, number][] = [
  [1, 1, 1],
  [5, 3, 7],
  [33, 17, 9],
  [130, 64, 4],
  [301, 3, 64],
  [0, 3, 5],
  [45, 6, 3],
];

const TRANSPOSES: [boolean, boolean][] = [
  [false, false],
  [true, false],
  [false, true],
  [true, true],
];

/** Runs `fn` with gradients from the kernels: returns the forward output and the input grads. */
function forwardBackward(
  inputs: { values: Float32Array; shape: number[]; requiresGrad?: boolean }[],
  op: (...ts: Tensor[]) => Tensor,
  gradOut: Float32Array,
): { out: Float32Array; grads: (Float32Array | null)[] } {
  return scope(() => {
    const ts = inputs.map((inp) => {
      const t = tensor(inp.values, inp.shape);
      t.requiresGrad = inp.requiresGrad ?? true;
      return t;
    });
    const out = op(...ts);
    backward(out, tensor(gradOut, out.shape));
    const result = { out: out.toArray(), grads: ts.map((t) => t.grad?.toArray() ?? null) };
    for (const t of ts) t.dispose();
    return result;
  });
}

function storedShape(rows: number, cols: number, transposed: boolean): [number, number] {
  return transposed ? [cols, rows] : [rows, cols];
}

for (const threads of [1, 2, 3]) {
  describe(`linear kernels vs reference, ${threads} thread(s)`, () => {
    beforeAll(async () => {
      await shutdownCore();
      initCore({ numThreads: threads });
    });
    afterAll(async () => {
      await shutdownCore();
    });

    it("matmul forward and backward, every transpose", () => {
      let seed = 1;
      for (const [m, k, n] of MATMUL_SHAPES) {
        for (const [ta, tb] of TRANSPOSES) {
          const aShape = storedShape(m, k, ta);
          const bShape = storedShape(k, n, tb);
          const a = randomValues(m * k, seed++);
          const b = randomValues(k * n, seed++);
          const g = randomValues(m * n, seed++);
          const { out, grads } = forwardBackward(
            [
              { values: a, shape: aShape },
              { values: b, shape: bShape },
            ],
            (x, y) => matmul(x, y, { transposeA: ta, transposeB: tb }),
            g,
          );
          const am = { values: a, rows: aShape[0], cols: aShape[1] };
          const bm = { values: b, rows: bShape[0], cols: bShape[1] };
          const what = `matmul ${m}x${k}x${n} tA=${ta} tB=${tb}`;
          const tol = { atol: 1e-4, rtol: 1e-4 };
          expectClose(out, matmulReference(am, bm, ta, tb), tol, `${what} forward`);
          const ref = matmulBackwardReference(am, bm, g, ta, tb);
          expectClose(grads[0] ?? [], ref.da, tol, `${what} da`);
          expectClose(grads[1] ?? [], ref.db, tol, `${what} db`);
        }
      }
    });

    it("dense forward and backward, every activation, with and without bias", () => {
      let seed = 100;
      for (const [n, inF, outF] of DENSE_SHAPES) {
        for (const activation of ACTIVATIONS) {
          for (const withBias of [true, false]) {
            const x = randomValues(n * inF, seed++);
            const w = randomValues(inF * outF, seed++, -0.7, 0.7);
            const b = randomValues(outF, seed++);
            const g = randomValues(n * outF, seed++);
            const inputs = [
              { values: x, shape: [n, inF] },
              { values: w, shape: [inF, outF] },
              ...(withBias ? [{ values: b, shape: [outF] }] : []),
            ];
            const { out, grads } = forwardBackward(
              inputs,
              (xt, wt, bt) => dense({ x: xt, weight: wt, bias: bt ?? null, activation, negativeSlope: 0.05 }),
              g,
            );
            const p = { x, weight: w, bias: withBias ? b : null, n, inF, outF, activation, slope: 0.05 };
            const what = `dense ${n}x${inF}->${outF} ${activation} bias=${withBias}`;
            const tol = { atol: 2e-5, rtol: 1e-4 };
            expectClose(out, denseReference(p).y, tol, `${what} forward`);
            const ref = denseBackwardReference(p, g);
            expectClose(grads[0] ?? [], ref.dx, tol, `${what} dx`);
            expectClose(grads[1] ?? [], ref.dw, tol, `${what} dW`);
            if (withBias) expectClose(grads[2] ?? [], ref.db, tol, `${what} db`);
          }
        }
      }
    });

    it("dense computes only the gradients asked for", () => {
      const [n, inF, outF] = [70, 5, 6];
      const x = randomValues(n * inF, 3);
      const w = randomValues(inF * outF, 4);
      const b = randomValues(outF, 5);
      const g = randomValues(n * outF, 6);
      const p = { x, weight: w, bias: b, n, inF, outF, activation: "tanh" as const };
      const ref = denseBackwardReference(p, g);
      const cases: [boolean, boolean, boolean][] = [
        [false, true, true],
        [true, false, false],
        [false, false, true],
      ];
      for (const [gx, gw, gb] of cases) {
        const { grads } = forwardBackward(
          [
            { values: x, shape: [n, inF], requiresGrad: gx },
            { values: w, shape: [inF, outF], requiresGrad: gw },
            { values: b, shape: [outF], requiresGrad: gb },
          ],
          (xt, wt, bt) => dense({ x: xt, weight: wt, bias: bt, activation: "tanh" }),
          g,
        );
        const tol = { atol: 2e-5, rtol: 1e-4 };
        if (gx) expectClose(grads[0] ?? [], ref.dx, tol, "dx");
        else if (grads[0]) throw new Error("dx computed though x needs no grad");
        if (gw) expectClose(grads[1] ?? [], ref.dw, tol, "dW");
        else if (grads[1]) throw new Error("dW computed though weight needs no grad");
        if (gb) expectClose(grads[2] ?? [], ref.db, tol, "db");
        else if (grads[2]) throw new Error("db computed though bias needs no grad");
      }
    });
  });
}

describe("linear kernels are deterministic", () => {
  afterAll(async () => {
    await shutdownCore();
  });

  it("give bitwise the same results on 1, 2 and 3 threads", async () => {
    const [n, inF, outF] = [1000, 40, 24];
    const x = randomValues(n * inF, 41);
    const w = randomValues(inF * outF, 42);
    const b = randomValues(outF, 43);
    const g = randomValues(n * outF, 44);
    const runs: Float32Array[][] = [];
    for (const threads of [1, 2, 3]) {
      await shutdownCore();
      initCore({ numThreads: threads });
      const dense3 = forwardBackward(
        [
          { values: x, shape: [n, inF] },
          { values: w, shape: [inF, outF] },
          { values: b, shape: [outF] },
        ],
        (xt, wt, bt) => dense({ x: xt, weight: wt, bias: bt, activation: "softplus" }),
        g,
      );
      const mm = forwardBackward(
        [
          { values: x, shape: [inF, n] },
          { values: w, shape: [inF, outF] },
        ],
        (at, bt) => matmul(at, bt, { transposeA: true }),
        g,
      );
      runs.push([dense3.out, ...dense3.grads, mm.out, ...mm.grads].map((v) => v ?? new Float32Array()));
    }
    for (let r = 1; r < runs.length; r++) {
      runs[r].forEach((v, i) => {
        if (!v.every((e, j) => Object.is(e, runs[0][i][j]))) throw new Error(`result ${i} differs between 1 and ${r + 1} threads`);
      });
    }
  });
});

describe("activations", () => {
  beforeAll(() => {
    initCore();
  });

  /** Inputs over a wide range, plus tiny ones where cancellation would show. */
  function wideInputs(limit: number): Float32Array {
    const v: number[] = [];
    for (let i = -2000; i <= 2000; i++) v.push((limit * i) / 2000);
    for (let e = -12; e <= 0; e += 0.25) v.push(10 ** e, -(10 ** e));
    return Float32Array.from(v);
  }

  const TOLERANCES: Record<Activation, { atol: number; rtol: number }> = {
    none: { atol: 0, rtol: 0 },
    relu: { atol: 0, rtol: 0 },
    leakyRelu: { atol: 0, rtol: 1e-7 },
    softplus: { atol: 1e-30, rtol: 1e-6 },
    sigmoid: { atol: 1e-30, rtol: 1e-6 },
    tanh: { atol: 1e-30, rtol: 1e-6 },
    // Absolute near the zeros of sin; the range reduction is good to about 1e-7.
    sin: { atol: 3e-7, rtol: 1e-6 },
  };

  for (const kind of ACTIVATIONS) {
    it(`${kind}: forward and backward match Math.* over a wide range`, () => {
      const limit = kind === "sin" ? 200 : 100;
      const x = wideInputs(limit);
      const g = randomValues(x.length, 9, 0.5, 1.5);
      const { out, grads } = forwardBackward([{ values: x, shape: [x.length] }], (t) => activate({ x: t, kind }), g);
      const ref = Float64Array.from(x, (z) => activationReference(kind, z));
      expectClose(out, ref, TOLERANCES[kind], `${kind} forward`);
      const refGrad = Float64Array.from(x, (z, i) => g[i] * activationDerivativeReference(kind, z));
      // Derivatives read off the float32 output carry its rounding: 1 - y^2 for tanh
      // near y = 1 is off by up to 2 ulp(1), about 2.4e-7.
      expectClose(grads[0] ?? [], refGrad, { atol: 4e-7, rtol: 2e-6 }, `${kind} backward`);
    });

    it(`${kind}: backward vs finite differences`, () => {
      // Away from 0 so relu's kink is not crossed by the probe.
      const x = Float32Array.from(randomValues(23, 11, 0.2, 2), (v, i) => (i % 2 ? v : -v));
      checkGradients({ op: (t) => activate({ x: t, kind }), inputs: [{ values: x, shape: [23] }] });
    });
  }

  it("dense: backward vs finite differences, every activation", () => {
    for (const activation of ACTIVATIONS) {
      const [n, inF, outF] = [6, 3, 5];
      // |x W| <= 0.75 and |b| >= 1.25 keep pre-activations away from relu's kink.
      const x = randomValues(n * inF, 21, -0.5, 0.5);
      const w = randomValues(inF * outF, 22, -0.5, 0.5);
      const b = Float32Array.from(randomValues(outF, 23, 1.25, 2), (v, i) => (i % 2 ? v : -v));
      checkGradients({
        op: (xt, wt, bt) => dense({ x: xt, weight: wt, bias: bt, activation }),
        inputs: [
          { values: x, shape: [n, inF] },
          { values: w, shape: [inF, outF] },
          { values: b, shape: [outF] },
        ],
      });
    }
  });

  it("matmul: backward vs finite differences", () => {
    for (const [ta, tb] of TRANSPOSES) {
      const [m, k, n] = [4, 6, 5];
      checkGradients({
        op: (a, b) => matmul(a, b, { transposeA: ta, transposeB: tb }),
        inputs: [
          { values: randomValues(m * k, 31), shape: storedShape(m, k, ta) },
          { values: randomValues(k * n, 32), shape: storedShape(k, n, tb) },
        ],
      });
    }
  });

  it("relu passes NaN through, so a diverged value is not hidden", () => {
    scope(() => {
      const x = tensor([Number.NaN, -1, 2, Number.NaN, 0.5], [5, 1]);
      const w = tensor([1, -1], [1, 2]);
      const y = activate({ x, kind: "relu" }).toArray();
      const d = dense({ x, weight: w, activation: "relu" }).toArray();
      const nan = (v: Float32Array, i: number): boolean => Number.isNaN(v[i]);
      if (!nan(y, 0) || !nan(y, 3) || y[1] !== 0 || y[2] !== 2) throw new Error(`activate relu: ${y}`);
      if (!nan(d, 0) || !nan(d, 1) || d[2] !== 0 || d[3] !== 1 || d[4] !== 2 || d[5] !== 0) throw new Error(`dense relu: ${d}`);
    });
  });

  it("validates shapes and options with clear errors", () => {
    scope(() => {
      const a = tensor(randomValues(6, 1), [2, 3]);
      const b = tensor(randomValues(8, 2), [4, 2]);
      const msg = (fn: () => unknown): string => {
        try {
          fn();
        } catch (e) {
          return String(e);
        }
        return "no error";
      };
      const checks: [string, RegExp][] = [
        [msg(() => matmul(a, b)), /matmul: inner sizes differ.*\[2,3\].*\[4,2\]/],
        [msg(() => dense({ x: a, weight: b })), /dense: x must be \[N, in\]/],
        [msg(() => dense({ x: b, weight: a, bias: a })), /dense: bias must be \[3\]/],
        [msg(() => activate({ x: a, kind: "leakyRelu", negativeSlope: -1 })), /negativeSlope/],
      ];
      for (const [got, want] of checks) if (!want.test(got)) throw new Error(`expected ${want}, got ${got}`);
    });
  });
});

describe("linear vs tfjs-cpu", () => {
  beforeAll(async () => {
    initCore();
    await tf.setBackend("cpu");
  });

  it("matmul with transposes, forward and gradients", () => {
    let seed = 500;
    for (const [m, k, n] of [
      [3, 5, 7],
      [17, 33, 9],
      [40, 70, 30],
    ]) {
      for (const [ta, tb] of TRANSPOSES) {
        const aShape = storedShape(m, k, ta);
        const bShape = storedShape(k, n, tb);
        const a = randomValues(m * k, seed++);
        const b = randomValues(k * n, seed++);
        const g = randomValues(m * n, seed++);
        const { out, grads } = forwardBackward(
          [
            { values: a, shape: aShape },
            { values: b, shape: bShape },
          ],
          (x, y) => matmul(x, y, { transposeA: ta, transposeB: tb }),
          g,
        );
        const [tfOut, tfDa, tfDb] = tf.tidy(() => {
          const at = tf.tensor2d(a, aShape);
          const bt = tf.tensor2d(b, bShape);
          const f = (x: tf.Tensor, y: tf.Tensor): tf.Tensor => tf.matMul(x as tf.Tensor2D, y as tf.Tensor2D, ta, tb);
          const [da, db] = tf.grads(f)([at, bt], tf.tensor2d(g, [m, n]));
          return [f(at, bt).dataSync(), da.dataSync(), db.dataSync()];
        });
        const tol = { atol: 1e-4, rtol: 1e-4 };
        const what = `matmul ${m}x${k}x${n} tA=${ta} tB=${tb} vs tfjs`;
        expectClose(out, tfOut, tol, `${what} forward`);
        expectClose(grads[0] ?? [], tfDa, tol, `${what} da`);
        expectClose(grads[1] ?? [], tfDb, tol, `${what} db`);
      }
    }
  });

  it("dense with every activation, forward and gradients", () => {
    const tfActivation: Record<Activation, (z: tf.Tensor) => tf.Tensor> = {
      none: (z) => z,
      relu: (z) => tf.relu(z),
      leakyRelu: (z) => tf.leakyRelu(z, 0.01),
      softplus: (z) => tf.softplus(z),
      sigmoid: (z) => tf.sigmoid(z),
      tanh: (z) => tf.tanh(z),
      sin: (z) => tf.sin(z),
    };
    let seed = 700;
    const [n, inF, outF] = [97, 13, 11];
    for (const activation of ACTIVATIONS) {
      const x = randomValues(n * inF, seed++);
      const w = randomValues(inF * outF, seed++, -0.7, 0.7);
      const b = randomValues(outF, seed++);
      const g = randomValues(n * outF, seed++);
      const { out, grads } = forwardBackward(
        [
          { values: x, shape: [n, inF] },
          { values: w, shape: [inF, outF] },
          { values: b, shape: [outF] },
        ],
        (xt, wt, bt) => dense({ x: xt, weight: wt, bias: bt, activation }),
        g,
      );
      const tfResults = tf.tidy(() => {
        const f = (xt: tf.Tensor, wt: tf.Tensor, bt: tf.Tensor): tf.Tensor =>
          tfActivation[activation](tf.add(tf.matMul(xt as tf.Tensor2D, wt as tf.Tensor2D), bt));
        const ins = [tf.tensor2d(x, [n, inF]), tf.tensor2d(w, [inF, outF]), tf.tensor1d(b)];
        const gs = tf.grads(f)(ins, tf.tensor2d(g, [n, outF]));
        return [f(ins[0], ins[1], ins[2]).dataSync(), ...gs.map((t) => t.dataSync())];
      });
      const tol = { atol: 3e-5, rtol: 1e-4 };
      const names = ["forward", "dx", "dW", "db"];
      expectClose(out, tfResults[0], tol, `dense ${activation} vs tfjs forward`);
      for (let i = 0; i < 3; i++) expectClose(grads[i] ?? [], tfResults[i + 1], tol, `dense ${activation} vs tfjs ${names[i + 1]}`);
    }
  });
});
