import { describe, expect, it } from "vitest";
import { Adam, keep, tensor, type Tensor } from "../core/index.js";
import { SnapshotError, loadTensorsInto, restoreAdam, snapshotAdam, snapshotTensors } from "./snapshot.js";

describe("snapshots", () => {
  it("copies tensors out and back in place", () => {
    const a = tensor([1, 2, 3, 4], [2, 2]).asParameter();
    const live = new Map<string, Tensor>([["a", a]]);
    const saved = snapshotTensors(live);
    a.data.set([9, 9, 9, 9]);
    expect(Array.from(saved.get("a")!.data)).toEqual([1, 2, 3, 4]);
    loadTensorsInto(live, saved);
    expect(Array.from(a.data)).toEqual([1, 2, 3, 4]);
    a.dispose();
  });

  it("names a missing tensor, a shape mismatch and an extra tensor", () => {
    const a = tensor([1, 2, 3, 4], [2, 2]).asParameter();
    const live = new Map<string, Tensor>([["a", a]]);
    expect(() => loadTensorsInto(live, new Map(), "x.avatar")).toThrow(new SnapshotError("x.avatar: has no tensor 'a'"));
    expect(() => loadTensorsInto(live, new Map([["a", { shape: [4], data: new Float32Array(4) }]]), "x.avatar"))
      .toThrow("x.avatar: tensor 'a' has shape [4], the model expects [2,2]");
    expect(() => loadTensorsInto(live, new Map([
      ["a", { shape: [2, 2], data: new Float32Array(4) }], ["b", { shape: [1], data: new Float32Array(1) }],
    ]), "x.avatar")).toThrow("x.avatar: has tensor 'b', which the model does not have");
    expect(Array.from(a.data)).toEqual([1, 2, 3, 4]);
    a.dispose();
  });

  it("round-trips Adam's state", () => {
    const make = () => tensor([0.5, -0.5]).asParameter();
    const p = make();
    const adam = new Adam({ groups: [{ name: "g", params: [p], lr: 0.1 }] });
    for (let i = 0; i < 3; i++) {
      p.grad = keep(tensor([1, -2]));
      adam.step();
    }
    const state = snapshotAdam(adam);
    expect(state.steps).toEqual({ "g.0": 3 });
    const q = tensor(p.toArray()).asParameter();
    const adam2 = new Adam({ groups: [{ name: "g", params: [q], lr: 0.1 }] });
    restoreAdam(adam2, state);
    p.grad = keep(tensor([0.3, 0.7]));
    q.grad = keep(tensor([0.3, 0.7]));
    adam.step();
    adam2.step();
    expect(Array.from(q.data)).toEqual(Array.from(p.data));
    adam.dispose();
    adam2.dispose();
    p.dispose();
    q.dispose();
  });
});
