import { readFileSync } from "node:fs";
import * as tf from "@tensorflow/tfjs-core";
import "@tensorflow/tfjs-backend-cpu";
// tfjs-core registers no gradients of its own; tf.grads needs them.
import "@tensorflow/tfjs-core/dist/register_all_gradients";
import { beforeAll, describe, expect, it } from "vitest";
import { backward } from "../autograd.js";
import { getCore } from "../runtime.js";
import { empty, scope, tensor } from "../tensor.js";
import { checkGradients, expectClose, randomValues } from "../testing/compare.js";
import { sampleTriplane, type TriplaneReduction } from "./triplane.js";
import { sampleTriplaneBackwardReference, sampleTriplaneReference, type TriplaneReferenceShape } from "./triplane.reference.js";

interface Case {
  res: number;
  channels: number;
  numPoints: number;
  reduce: TriplaneReduction;
}

const CASES: Case[] = [
  { res: 1, channels: 1, numPoints: 1, reduce: "sum" },
  { res: 2, channels: 3, numPoints: 5, reduce: "concat" },
  { res: 4, channels: 4, numPoints: 37, reduce: "sum" },
  { res: 5, channels: 13, numPoints: 50, reduce: "concat" },
  { res: 7, channels: 1, numPoints: 9, reduce: "concat" },
  { res: 8, channels: 32, numPoints: 301, reduce: "sum" },
  // Large enough that the kernels run on every thread of the pool.
  { res: 16, channels: 36, numPoints: 4001, reduce: "concat" },
];

function describeCase(c: Case): string {
  return `R ${c.res}, C ${c.channels}, N ${c.numPoints}, ${c.reduce}`;
}

function caseData(c: Case, seed: number): { planes: Float32Array; points: Float32Array; grad: Float32Array; shape: TriplaneReferenceShape } {
  const shape = { resolution: c.res, channels: c.channels, numPoints: c.numPoints, reduce: c.reduce };
  const width = c.reduce === "concat" ? 3 * c.channels : c.channels;
  return {
    planes: randomValues(3 * c.res * c.res * c.channels, seed),
    // A little outside [-1, 1] so that the border clamp is exercised.
    points: randomValues(c.numPoints * 3, seed + 1, -1.15, 1.15),
    grad: randomValues(c.numPoints * width, seed + 2),
    shape,
  };
}

type KernelFunction = (...args: number[]) => void;

/** The kernel module instantiated once more on the runtime's memory, to run kernels one thread id at a time. */
let kernels: WebAssembly.Instance;

/** Runs every thread's share of a kernel on this thread, one after the other: the result of a race-free kernel equals a parallel run. */
function runAsThreads(name: string, args: number[], numThreads: number): void {
  const fn = kernels.exports[name];
  if (typeof fn !== "function") throw new Error(`no kernel ${name}`);
  const kernel = fn as KernelFunction;
  for (let tid = 0; tid < numThreads; tid++) kernel(...args, tid, numThreads);
}

beforeAll(() => {
  const module = new WebAssembly.Module(readFileSync(new URL("../../../build/kernels.wasm", import.meta.url)));
  kernels = new WebAssembly.Instance(module, { env: { memory: getCore().memory } });
});

describe("sampleTriplane", () => {
  for (const c of CASES) {
    it(`matches the reference forward and backward (${describeCase(c)})`, () => {
      scope(() => {
        const d = caseData(c, 11 + c.res);
        const planes = tensor(d.planes, [3, c.res, c.res, c.channels]);
        const points = tensor(d.points, [c.numPoints, 3]);
        planes.requiresGrad = true;
        points.requiresGrad = true;
        const out = sampleTriplane({ planes, points, reduce: c.reduce });
        expectClose(out.toArray(), sampleTriplaneReference(d.planes, d.points, d.shape), { atol: 1e-5, rtol: 1e-4 }, "forward");
        backward(out, tensor(d.grad, out.shape));
        const ref = sampleTriplaneBackwardReference(d.planes, d.points, d.grad, d.shape);
        expectClose(planes.grad!.toArray(), ref.dPlanes, { atol: 1e-5, rtol: 1e-4 }, "dPlanes");
        expectClose(points.grad!.toArray(), ref.dPoints, { atol: 1e-4, rtol: 1e-4 }, "dPoints");
      });
    });
  }

  it("gives each input's gradient alone when only one requires it", () => {
    scope(() => {
      const c: Case = { res: 6, channels: 20, numPoints: 3000, reduce: "sum" };
      const d = caseData(c, 5);
      const ref = sampleTriplaneBackwardReference(d.planes, d.points, d.grad, d.shape);
      for (const which of ["planes", "points"] as const) {
        const planes = tensor(d.planes, [3, c.res, c.res, c.channels]);
        const points = tensor(d.points, [c.numPoints, 3]);
        (which === "planes" ? planes : points).requiresGrad = true;
        const out = sampleTriplane({ planes, points });
        backward(out, tensor(d.grad, out.shape));
        if (which === "planes") {
          expect(points.grad).toBeNull();
          expectClose(planes.grad!.toArray(), ref.dPlanes, { atol: 1e-5, rtol: 1e-4 }, "dPlanes");
        } else {
          expect(planes.grad).toBeNull();
          expectClose(points.grad!.toArray(), ref.dPoints, { atol: 1e-4, rtol: 1e-4 }, "dPoints");
        }
      }
    });
  });

  it("backward gives the same planes gradient on any number of threads, and matching point gradients", () => {
    scope(() => {
      const c: Case = { res: 9, channels: 37, numPoints: 500, reduce: "concat" };
      const d = caseData(c, 3);
      const planes = tensor(d.planes, [3, c.res, c.res, c.channels]);
      const points = tensor(d.points, [c.numPoints, 3]);
      const grad = tensor(d.grad, [c.numPoints, 3 * c.channels]);
      const ref = sampleTriplaneBackwardReference(d.planes, d.points, d.grad, d.shape);
      let firstPlanes: Float32Array | null = null;
      for (const numThreads of [1, 2, 3, 5, 8]) {
        const dPlanes = empty(planes.shape);
        const dPoints = empty(points.shape);
        const scratch = empty([4 + Math.max(numThreads - 1, 0) * c.numPoints * 3]);
        const args = [planes.ptr, points.ptr, grad.ptr, dPlanes.ptr, dPoints.ptr, scratch.ptr, c.numPoints, c.res, c.channels, 1];
        runAsThreads("triplaneBackward", args, numThreads);
        runAsThreads("triplaneSumPointGrads", [dPoints.ptr, scratch.ptr, c.numPoints], numThreads);
        const planesGrad = dPlanes.toArray();
        if (firstPlanes) expect(planesGrad).toEqual(firstPlanes);
        else firstPlanes = planesGrad;
        expectClose(planesGrad, ref.dPlanes, { atol: 1e-5, rtol: 1e-4 }, `dPlanes on ${numThreads} threads`);
        expectClose(dPoints.toArray(), ref.dPoints, { atol: 1e-4, rtol: 1e-4 }, `dPoints on ${numThreads} threads`);
        // Frozen planes: threads split the points instead.
        const dPointsOnly = empty(points.shape);
        runAsThreads("triplaneBackward", [planes.ptr, points.ptr, grad.ptr, 0, dPointsOnly.ptr, 0, c.numPoints, c.res, c.channels, 1], numThreads);
        expectClose(dPointsOnly.toArray(), ref.dPoints, { atol: 1e-4, rtol: 1e-4 }, `dPoints alone on ${numThreads} threads`);
      }
    });
  });

  it("matches finite differences", () => {
    for (const reduce of ["sum", "concat"] as const) {
      const res = 3;
      const channels = 2;
      const numPoints = 4;
      checkGradients({
        op: (planes, points) => sampleTriplane({ planes, points, reduce }),
        inputs: [
          { values: randomValues(3 * res * res * channels, 21), shape: [3, res, res, channels] },
          { values: randomValues(numPoints * 3, 22, -0.9, 0.9), shape: [numPoints, 3] },
        ],
        eps: 1e-3,
      });
    }
  });

  it("agrees with a tfjs composition of gathers (forward and tf.grads)", async () => {
    await tf.setBackend("cpu");
    for (const c of [
      { res: 5, channels: 3, numPoints: 17, reduce: "sum" },
      { res: 4, channels: 8, numPoints: 10, reduce: "concat" },
    ] satisfies Case[]) {
      const d = caseData(c, 31);
      const { res: R, channels: C, numPoints: N } = c;
      const pointsConst = tf.tensor2d(d.points, [N, 3]);
      const f = (planesFlat: tf.Tensor, pts: tf.Tensor): tf.Tensor => {
        const axes = [
          [0, 1],
          [0, 2],
          [1, 2],
        ];
        const samples = axes.map(([au, av], p) => {
          const coord = (axis: number): { i0: tf.Tensor; i1: tf.Tensor; t: tf.Tensor } => {
            const texel = (from: tf.Tensor): tf.Tensor => {
              const w = tf.reshape(tf.slice(from, [0, axis], [N, 1]), [N]);
              return tf.clipByValue(tf.div(tf.sub(tf.mul(tf.add(w, 1), R), 1), 2), 0, R - 1);
            };
            // Texel indices from a constant copy of the points: tf.grads cannot pass through integer casts.
            const i0 = tf.minimum(tf.floor(texel(pointsConst)), Math.max(R - 2, 0));
            return { i0, i1: tf.minimum(tf.add(i0, 1), R - 1), t: tf.sub(texel(pts), i0) };
          };
          const u = coord(au);
          const v = coord(av);
          const tap = (row: tf.Tensor, col: tf.Tensor): tf.Tensor =>
            tf.gather(planesFlat, tf.cast(tf.add(tf.add(tf.mul(row, R), col), p * R * R), "int32"), 0);
          const weight = (a: tf.Tensor, b: tf.Tensor): tf.Tensor => tf.reshape(tf.mul(a, b), [N, 1]);
          const su = tf.sub(1, u.t);
          const sv = tf.sub(1, v.t);
          return tf.addN([
            tf.mul(tap(v.i0, u.i0), weight(su, sv)),
            tf.mul(tap(v.i0, u.i1), weight(u.t, sv)),
            tf.mul(tap(v.i1, u.i0), weight(su, v.t)),
            tf.mul(tap(v.i1, u.i1), weight(u.t, v.t)),
          ]);
        });
        return c.reduce === "sum" ? tf.addN(samples) : tf.concat(samples, 1);
      };
      const planesTf = tf.tensor2d(d.planes, [3 * R * R, C]);
      const pointsTf = tf.tensor2d(d.points, [N, 3]);
      const expected = f(planesTf, pointsTf);
      const width = c.reduce === "concat" ? 3 * C : C;
      const [gPlanes, gPoints] = tf.grads((a: tf.Tensor, b: tf.Tensor) => f(a, b))([planesTf, pointsTf], tf.tensor2d(d.grad, [N, width]));
      const expectedForward = expected.dataSync();
      const expectedPlanes = gPlanes.dataSync();
      const expectedPoints = gPoints.dataSync();
      scope(() => {
        const planes = tensor(d.planes, [3, R, R, C]);
        const points = tensor(d.points, [N, 3]);
        planes.requiresGrad = true;
        points.requiresGrad = true;
        const out = sampleTriplane({ planes, points, reduce: c.reduce });
        expectClose(out.toArray(), expectedForward, { atol: 1e-5, rtol: 1e-4 }, "forward vs tfjs");
        backward(out, tensor(d.grad, out.shape));
        expectClose(planes.grad!.toArray(), expectedPlanes, { atol: 1e-5, rtol: 1e-4 }, "dPlanes vs tfjs");
        expectClose(points.grad!.toArray(), expectedPoints, { atol: 1e-4, rtol: 1e-3 }, "dPoints vs tfjs");
      });
    }
  });

  it("rejects bad shapes with the op's name", () => {
    scope(() => {
      const planes = empty([3, 4, 4, 2]);
      expect(() => sampleTriplane({ planes: empty([2, 4, 4, 2]), points: empty([5, 3]) })).toThrow(/sampleTriplane: planes/);
      expect(() => sampleTriplane({ planes: empty([3, 4, 5, 2]), points: empty([5, 3]) })).toThrow(/\[3,4,5,2\]/);
      expect(() => sampleTriplane({ planes, points: empty([5, 2]) })).toThrow(/sampleTriplane: points must be \[N, 3\]/);
      // @ts-expect-error: an unknown reduction is refused at run time too.
      expect(() => sampleTriplane({ planes, points: empty([5, 3]), reduce: "mean" })).toThrow(/reduce/);
    });
  });
});
