import { describe, expect, it } from "vitest";
import { Adam } from "./adam.js";
import { adamStepReference } from "./adam.reference.js";
import { tensor, keep, scope } from "../tensor.js";
import { expectClose, randomValues } from "../testing/compare.js";
import { getCore } from "../runtime.js";

describe("Adam", () => {
  for (const n of [1, 3, 4, 7, 64, 100_001]) {
    it(`matches the float64 reference over 5 steps, ${n} parameters, two groups`, () => {
      const p1 = tensor(randomValues(n, 1)).asParameter();
      const p2 = tensor(randomValues(5, 2)).asParameter();
      const adam = new Adam({
        groups: [
          { name: "a", params: [p1], lr: 1e-2 },
          { name: "b", params: [p2], lr: 3e-3, weightDecay: 0.1 },
        ],
      });
      const ref = [
        { param: Float64Array.from(p1.data), m: new Float64Array(n), v: new Float64Array(n), lr: 1e-2, weightDecay: 0 },
        { param: Float64Array.from(p2.data), m: new Float64Array(5), v: new Float64Array(5), lr: 3e-3, weightDecay: 0.1 },
      ];
      for (let t = 1; t <= 5; t++) {
        const g1 = randomValues(n, 10 + t);
        const g2 = randomValues(5, 20 + t);
        p1.grad = keep(tensor(g1));
        p2.grad = keep(tensor(g2));
        adam.step();
        expect(p1.grad).toBeNull();
        adamStepReference({ ...ref[0], grad: g1, t, beta1: 0.9, beta2: 0.999, eps: 1e-8 });
        adamStepReference({ ...ref[1], grad: g2, t, beta1: 0.9, beta2: 0.999, eps: 1e-8 });
      }
      expectClose(p1.data, ref[0].param, { atol: 1e-6, rtol: 1e-5 });
      expectClose(p2.data, ref[1].param, { atol: 1e-6, rtol: 1e-5 });
      adam.dispose();
      p1.dispose();
      p2.dispose();
    });
  }

  it("skips parameters without a gradient", () => {
    const p = tensor([1, 2, 3]).asParameter();
    const adam = new Adam({ groups: [{ name: "g", params: [p], lr: 0.1 }] });
    adam.step();
    expect(Array.from(p.data)).toEqual([1, 2, 3]);
    expect(adam.stepCounts()).toEqual({});
    p.dispose();
  });

  it("round-trips its state", () => {
    const make = () => tensor([0.5, -0.5]).asParameter();
    const p = make();
    const adam = new Adam({ groups: [{ name: "g", params: [p], lr: 0.1 }] });
    for (let i = 0; i < 3; i++) {
      p.grad = keep(tensor([1, -2]));
      adam.step();
    }
    const saved = new Map([...adam.stateTensors()].map(([k, t]) => [k, t.toArray()]));
    const counts = adam.stepCounts();
    const q = tensor(p.toArray()).asParameter();
    const adam2 = new Adam({ groups: [{ name: "g", params: [q], lr: 0.1 }] });
    adam2.loadState(saved, counts);
    p.grad = keep(tensor([0.3, 0.7]));
    q.grad = keep(tensor([0.3, 0.7]));
    adam.step();
    adam2.step();
    expect(Array.from(q.data)).toEqual(Array.from(p.data));
  });

  it("leaves the memory size unchanged over many steps", () => {
    const p = tensor(randomValues(4096, 3)).asParameter();
    const adam = new Adam({ groups: [{ name: "g", params: [p], lr: 1e-3 }] });
    const step = () =>
      scope(() => {
        p.grad = keep(tensor(randomValues(4096, 4)));
        adam.step();
      });
    step();
    const bytes = getCore().allocator.memoryBytes;
    const live = getCore().allocator.liveBlocks;
    for (let i = 0; i < 200; i++) step();
    expect(getCore().allocator.memoryBytes).toBe(bytes);
    expect(getCore().allocator.liveBlocks).toBe(live);
  });
});
