import * as tf from "@tensorflow/tfjs-core";
import "@tensorflow/tfjs-backend-cpu";
// tfjs-core registers no gradients of its own; tf.grads needs them.
import "@tensorflow/tfjs-core/dist/register_all_gradients";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { backward } from "../autograd.js";
import { getCore, initCore, shutdownCore } from "../runtime.js";
import { scope, tensor, type Tensor } from "../tensor.js";
import { checkGradients, expectClose, randomValues } from "../testing/compare.js";
import { conv2d, pixelShuffle, upsampleNearest } from "./conv.js";
import {
  conv2dBackwardReference,
  conv2dForwardReference,
  conv2dReferenceOutputSize,
  pixelShuffleBackwardReference,
  pixelShuffleReference,
  upsampleNearestBackwardReference,
  upsampleNearestReference,
  type Conv2dReferenceShape,
} from "./conv.reference.js";

/** One convolution test case. */
interface ConvCase {
  batch: number;
  height: number;
  width: number;
  cin: number;
  cout: number;
  kh: number;
  kw: number;
  stride: number;
  padding: number | "same";
  bias: boolean;
}

function convCase(c: Partial<ConvCase> & Pick<ConvCase, "cin" | "cout">): ConvCase {
  return { batch: 1, height: 5, width: 5, kh: 3, kw: 3, stride: 1, padding: 0, bias: true, ...c };
}

function referenceShape(c: ConvCase): Conv2dReferenceShape {
  const padY = c.padding === "same" ? (c.kh - 1) / 2 : c.padding;
  const padX = c.padding === "same" ? (c.kw - 1) / 2 : c.padding;
  return {
    batch: c.batch,
    height: c.height,
    width: c.width,
    inChannels: c.cin,
    outChannels: c.cout,
    kernelHeight: c.kh,
    kernelWidth: c.kw,
    stride: c.stride,
    padY,
    padX,
  };
}

function describeCase(c: ConvCase): string {
  return (
    `x [${c.batch},${c.height},${c.width},${c.cin}] k ${c.kh}x${c.kw} -> ${c.cout}, ` +
    `stride ${c.stride}, padding ${c.padding}${c.bias ? "" : ", no bias"}`
  );
}

const cases: ConvCase[] = [
  convCase({ cin: 3, cout: 5, kh: 1, kw: 1, height: 5, width: 7 }),
  convCase({ cin: 5, cout: 3, height: 7, width: 5 }),
  convCase({ cin: 1, cout: 1, batch: 3, padding: 1 }),
  convCase({ cin: 16, cout: 16, height: 16, width: 16, padding: "same" }),
  convCase({ cin: 3, cout: 16, batch: 3, height: 7, width: 7, stride: 2, padding: 1 }),
  convCase({ cin: 5, cout: 64, height: 16, width: 5, stride: 2, bias: false }),
  convCase({ cin: 64, cout: 3, batch: 3, height: 1, width: 1, padding: 1 }),
  convCase({ cin: 1, cout: 5, height: 1, width: 7, kh: 1, kw: 3, padding: "same" }),
  convCase({ cin: 64, cout: 5, batch: 3, height: 16, width: 16, kh: 1, kw: 1 }),
  convCase({ cin: 3, cout: 64, height: 16, width: 7, padding: 1 }),
  convCase({ cin: 16, cout: 5, batch: 3, height: 7, width: 16, kh: 5, kw: 5, stride: 2, padding: 2 }),
  convCase({ cin: 5, cout: 16, height: 16, width: 16, kh: 3, kw: 3, stride: 3, padding: 2 }),
  convCase({ cin: 3, cout: 8, batch: 3, height: 4, width: 6, padding: 2 }),
  convCase({ cin: 64, cout: 64, batch: 3, height: 16, width: 16, padding: 1 }),
];

/** Runs conv2d forward and backward (with a fixed random output gradient) and compares with the reference. */
function compareWithReference(c: ConvCase, seed: number): void {
  const s = referenceShape(c);
  const { outHeight, outWidth } = conv2dReferenceOutputSize(s);
  const xValues = randomValues(c.batch * c.height * c.width * c.cin, seed);
  const wValues = randomValues(c.kh * c.kw * c.cin * c.cout, seed + 1);
  const bValues = randomValues(c.cout, seed + 2);
  const gValues = randomValues(c.batch * outHeight * outWidth * c.cout, seed + 3);
  const expected = conv2dForwardReference(xValues, wValues, c.bias ? bValues : null, s);
  const grads = conv2dBackwardReference(xValues, wValues, gValues, s);
  const tol = { atol: 2e-4, rtol: 2e-4 };
  scope(() => {
    const x = tensor(xValues, [c.batch, c.height, c.width, c.cin]);
    const weight = tensor(wValues, [c.kh, c.kw, c.cin, c.cout]);
    const bias = c.bias ? tensor(bValues, [c.cout]) : undefined;
    for (const t of [x, weight, bias]) if (t) t.requiresGrad = true;
    const out = conv2d({ x, weight, bias, stride: c.stride, padding: c.padding });
    expect(out.shape).toEqual([c.batch, outHeight, outWidth, c.cout]);
    expectClose(out.toArray(), expected, tol, `forward, ${describeCase(c)}`);
    backward(out, tensor(gValues, out.shape));
    expectClose(x.grad!.toArray(), grads.dx, tol, `dx, ${describeCase(c)}`);
    expectClose(weight.grad!.toArray(), grads.dWeight, tol, `dWeight, ${describeCase(c)}`);
    if (bias) expectClose(bias.grad!.toArray(), grads.dBias, tol, `dBias, ${describeCase(c)}`);
  });
}

describe("conv2d", () => {
  it("matches the reference, forward and all gradients, over many shapes", () => {
    cases.forEach((c, i) => compareWithReference(c, 100 + 10 * i));
  });

  it("computes only the gradients asked for", () => {
    scope(() => {
      const x = tensor(randomValues(2 * 5 * 5 * 3, 1), [2, 5, 5, 3]);
      const weight = tensor(randomValues(3 * 3 * 3 * 4, 2), [3, 3, 3, 4]);
      const bias = tensor(randomValues(4, 3), [4]);
      weight.requiresGrad = true;
      const out = conv2d({ x, weight, bias, padding: 1 });
      backward(out, tensor(randomValues(out.size, 4), out.shape));
      expect(x.grad).toBeNull();
      expect(bias.grad).toBeNull();
      expect(weight.grad?.shape).toEqual([3, 3, 3, 4]);
    });
  });

  it("agrees with central finite differences", () => {
    for (const c of [
      convCase({ cin: 2, cout: 3, batch: 2, height: 4, width: 3, padding: 1 }),
      convCase({ cin: 3, cout: 2, height: 5, width: 5, stride: 2 }),
      convCase({ cin: 1, cout: 9, height: 3, width: 4, kh: 1, kw: 1 }),
    ]) {
      checkGradients({
        op: (x, weight, bias) => conv2d({ x, weight, bias, stride: c.stride, padding: c.padding }),
        inputs: [
          { values: randomValues(c.batch * c.height * c.width * c.cin, 11), shape: [c.batch, c.height, c.width, c.cin] },
          { values: randomValues(c.kh * c.kw * c.cin * c.cout, 12), shape: [c.kh, c.kw, c.cin, c.cout] },
          { values: randomValues(c.cout, 13), shape: [c.cout] },
        ],
      });
    }
  });

  it("rejects bad shapes and options with the op's name", () => {
    scope(() => {
      const x = tensor(new Float32Array(2 * 4 * 4 * 3), [2, 4, 4, 3]);
      const w = tensor(new Float32Array(3 * 3 * 2 * 4), [3, 3, 2, 4]);
      expect(() => conv2d({ x, weight: w })).toThrow(/conv2d: .*3 channels/);
      const w2 = tensor(new Float32Array(2 * 2 * 3 * 4), [2, 2, 3, 4]);
      expect(() => conv2d({ x, weight: w2, padding: "same" })).toThrow(/conv2d: padding "same"/);
      const w3 = tensor(new Float32Array(5 * 5 * 3 * 1), [5, 5, 3, 1]);
      expect(() => conv2d({ x, weight: w3 })).toThrow(/no output pixels/);
      expect(() => conv2d({ x, weight: w2, bias: tensor([1, 2]) })).toThrow(/conv2d: bias/);
      expect(() => conv2d({ x, weight: w2, stride: 0 })).toThrow(/stride/);
    });
  });
});

describe("pixelShuffle and upsampleNearest", () => {
  const shapes: [number, number, number, number, number][] = [
    // batch, height, width, channels (of the wide side), factor
    [1, 1, 1, 1, 2],
    [3, 5, 7, 3, 2],
    [1, 4, 3, 5, 3],
    [2, 16, 16, 16, 2],
    [1, 3, 2, 4, 1],
  ];

  it("pixelShuffle matches the reference, forward and backward", () => {
    shapes.forEach(([b, h, w, c, r], i) => {
      const shape: [number, number, number, number] = [b, h, w, c * r * r];
      const xValues = randomValues(b * h * w * c * r * r, 300 + i);
      const gValues = randomValues(xValues.length, 400 + i);
      scope(() => {
        const x = tensor(xValues, shape);
        x.requiresGrad = true;
        const out = pixelShuffle({ x, factor: r });
        expect(out.shape).toEqual([b, h * r, w * r, c]);
        expectClose(out.toArray(), pixelShuffleReference(xValues, shape, r), { atol: 0, rtol: 0 }, "pixelShuffle");
        backward(out, tensor(gValues, out.shape));
        expectClose(x.grad!.toArray(), pixelShuffleBackwardReference(gValues, shape, r), { atol: 0, rtol: 0 }, "pixelShuffle grad");
      });
    });
  });

  it("upsampleNearest matches the reference, forward and backward", () => {
    shapes.forEach(([b, h, w, c, r], i) => {
      const shape: [number, number, number, number] = [b, h, w, c];
      const xValues = randomValues(b * h * w * c, 500 + i);
      const gValues = randomValues(xValues.length * r * r, 600 + i);
      scope(() => {
        const x = tensor(xValues, shape);
        x.requiresGrad = true;
        const out = upsampleNearest({ x, factor: r });
        expect(out.shape).toEqual([b, h * r, w * r, c]);
        expectClose(out.toArray(), upsampleNearestReference(xValues, shape, r), { atol: 0, rtol: 0 }, "upsampleNearest");
        backward(out, tensor(gValues, out.shape));
        expectClose(x.grad!.toArray(), upsampleNearestBackwardReference(gValues, shape, r), { atol: 1e-6, rtol: 1e-6 }, "upsampleNearest grad");
      });
    });
  });

  it("agree with central finite differences", () => {
    checkGradients({
      op: (x) => pixelShuffle({ x, factor: 2 }),
      inputs: [{ values: randomValues(2 * 2 * 3 * 8, 21), shape: [2, 2, 3, 8] }],
    });
    checkGradients({
      op: (x) => upsampleNearest({ x, factor: 3 }),
      inputs: [{ values: randomValues(2 * 2 * 3 * 3, 22), shape: [2, 2, 3, 3] }],
    });
  });

  it("reject bad factors and channel counts", () => {
    scope(() => {
      const x = tensor(new Float32Array(2 * 2 * 6), [1, 2, 2, 6]);
      expect(() => pixelShuffle({ x, factor: 2 })).toThrow(/pixelShuffle: .*not a multiple/);
      expect(() => upsampleNearest({ x, factor: 0 })).toThrow(/upsampleNearest: factor/);
      expect(() => pixelShuffle({ x: tensor([1, 2, 3]), factor: 1 })).toThrow(/pixelShuffle: x must be/);
    });
  });
});

describe("conv group vs tfjs-cpu", () => {
  beforeAll(async () => {
    await tf.setBackend("cpu");
  });

  function toTf(t: Tensor): tf.Tensor {
    return tf.tensor(t.toArray(), [...t.shape]);
  }

  it("conv2d forward and gradients match tf.conv2d with tf.grads", () => {
    const configs: ConvCase[] = [
      convCase({ cin: 3, cout: 5, batch: 2, height: 7, width: 6, padding: 1 }),
      convCase({ cin: 4, cout: 9, height: 9, width: 8, stride: 2, padding: 1 }),
      convCase({ cin: 16, cout: 8, batch: 3, height: 5, width: 5, kh: 1, kw: 1 }),
      convCase({ cin: 6, cout: 3, height: 8, width: 8, padding: "same" }),
    ];
    configs.forEach((c, i) => {
      scope(() => {
        const x = tensor(randomValues(c.batch * c.height * c.width * c.cin, 700 + i), [c.batch, c.height, c.width, c.cin]);
        const weight = tensor(randomValues(c.kh * c.kw * c.cin * c.cout, 710 + i), [c.kh, c.kw, c.cin, c.cout]);
        const bias = tensor(randomValues(c.cout, 720 + i), [c.cout]);
        for (const t of [x, weight, bias]) t.requiresGrad = true;
        const out = conv2d({ x, weight, bias, stride: c.stride, padding: c.padding });
        const g = tensor(randomValues(out.size, 730 + i), out.shape);
        backward(out, g);
        const tfG = toTf(g);
        const pad = c.padding === "same" ? "same" : c.padding;
        const f = (a: tf.Tensor, b: tf.Tensor, bb: tf.Tensor): tf.Tensor =>
          tf.add(tf.conv2d(a as tf.Tensor4D, b as tf.Tensor4D, c.stride, pad), bb);
        const tfOut = f(toTf(x), toTf(weight), toTf(bias));
        const [dx, dw, db] = tf.grads((a, b, bb) => tf.sum(tf.mul(f(a, b, bb), tfG)))([toTf(x), toTf(weight), toTf(bias)]);
        const tol = { atol: 2e-4, rtol: 2e-4 };
        expectClose(out.toArray(), tfOut.dataSync(), tol, `forward vs tfjs, ${describeCase(c)}`);
        expectClose(x.grad!.toArray(), dx.dataSync(), tol, `dx vs tfjs, ${describeCase(c)}`);
        expectClose(weight.grad!.toArray(), dw.dataSync(), tol, `dWeight vs tfjs, ${describeCase(c)}`);
        expectClose(bias.grad!.toArray(), db.dataSync(), tol, `dBias vs tfjs, ${describeCase(c)}`);
        tf.dispose([tfG, tfOut, dx, dw, db]);
      });
    });
  });

  it("pixelShuffle matches tf.depthToSpace; upsampleNearest matches tf.image.resizeNearestNeighbor", () => {
    scope(() => {
      const x = tensor(randomValues(2 * 3 * 4 * 12, 800), [2, 3, 4, 12]);
      x.requiresGrad = true;
      const out = pixelShuffle({ x, factor: 2 });
      const g = tensor(randomValues(out.size, 801), out.shape);
      backward(out, g);
      const tfG = toTf(g);
      const tfOut = tf.depthToSpace(toTf(x) as tf.Tensor4D, 2, "NHWC");
      expectClose(out.toArray(), tfOut.dataSync(), { atol: 0, rtol: 0 }, "pixelShuffle vs tfjs");
      // tfjs has no gradient for depthToSpace: take it through the same map written
      // as reshape and transpose, checked equal to tf.depthToSpace first.
      const f = (a: tf.Tensor): tf.Tensor =>
        tf.reshape(tf.transpose(tf.reshape(a, [2, 3, 4, 2, 2, 3]), [0, 1, 3, 2, 4, 5]), [2, 6, 8, 3]);
      expectClose(f(toTf(x)).dataSync(), tfOut.dataSync(), { atol: 0, rtol: 0 }, "reshape-transpose vs tf.depthToSpace");
      const [dx] = tf.grads((a) => tf.sum(tf.mul(f(a), tfG)))([toTf(x)]);
      expectClose(x.grad!.toArray(), dx.dataSync(), { atol: 0, rtol: 0 }, "pixelShuffle grad vs tfjs");

      // Batch 1: tfjs-cpu's ResizeNearestNeighborGrad (4.22) mixes up the batches
      // beyond the first (a [2,1,1,1] input upsampled to 2x2 under a gradient of
      // 1s and 10s gets [4, 13], not [4, 40]).
      const y = tensor(randomValues(1 * 3 * 4 * 5, 802), [1, 3, 4, 5]);
      y.requiresGrad = true;
      const up = upsampleNearest({ x: y, factor: 3 });
      const gu = tensor(randomValues(up.size, 803), up.shape);
      backward(up, gu);
      const tfGu = toTf(gu);
      const fu = (a: tf.Tensor): tf.Tensor => tf.image.resizeNearestNeighbor(a as tf.Tensor4D, [9, 12]);
      expectClose(up.toArray(), fu(toTf(y)).dataSync(), { atol: 0, rtol: 0 }, "upsampleNearest vs tfjs");
      const [dy] = tf.grads((a) => tf.sum(tf.mul(fu(a), tfGu)))([toTf(y)]);
      expectClose(y.grad!.toArray(), dy.dataSync(), { atol: 1e-6, rtol: 1e-6 }, "upsampleNearest grad vs tfjs");
    });
  });
});

describe("conv group on three threads (uneven splits)", () => {
  beforeAll(async () => {
    await shutdownCore();
    initCore({ numThreads: 3 });
  });
  afterAll(async () => {
    await shutdownCore();
  });

  it("matches the reference", () => {
    expect(getCore().numThreads).toBe(3);
    for (const [i, c] of [
      convCase({ cin: 5, cout: 11, batch: 1, height: 13, width: 11, padding: 1 }),
      convCase({ cin: 7, cout: 24, batch: 2, height: 9, width: 10, stride: 2, padding: 1 }),
      convCase({ cin: 32, cout: 3, batch: 1, height: 10, width: 9, kh: 1, kw: 1 }),
    ].entries()) {
      compareWithReference(c, 900 + 10 * i);
    }
  });
});
