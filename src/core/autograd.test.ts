import { describe, expect, it } from "vitest";
import { backward, isGradEnabled, noGrad, zeroGrad } from "./autograd.js";
import { add, addScalar, div, exp, mul, mulScalar, sub } from "./ops/arithmetic.js";
import { gatherRows, scatterAddRows } from "./ops/gather.js";
import { huberLoss } from "./ops/loss.js";
import { mean, sum } from "./ops/reduce.js";
import { concat, reshape, slice, transpose2d } from "./ops/shape.js";
import { getCore } from "./runtime.js";
import { expectClose } from "./testing/compare.js";
import { scope, tensor, zeros, type Tensor } from "./tensor.js";

function param(values: number[], shape: number[] = [values.length]): Tensor {
  return tensor(values, shape).asParameter();
}

describe("autograd graph", () => {
  it("sums the gradients of a value used twice", () => {
    const x = param([1, -2, 3]);
    scope(() => backward(sum(mul(x, x))));
    expectClose(x.grad?.toArray() ?? [], [2, -4, 6], { atol: 0, rtol: 0 });
    zeroGrad([x]);
    scope(() => backward(sum(add(x, x))));
    expectClose(x.grad?.toArray() ?? [], [2, 2, 2], { atol: 0, rtol: 0 });
    x.dispose();
  });

  it("differentiates a diamond graph", () => {
    // y = exp(x); z = y * 2 + y * y; d z / d x = (2 + 2y) y.
    const x = param([0.5, -1, 0.25, 2]);
    scope(() => {
      const y = exp(x);
      const z = add(mulScalar(y, 2), mul(y, y));
      backward(sum(z));
    });
    const expected = [0.5, -1, 0.25, 2].map((v) => (2 + 2 * Math.exp(v)) * Math.exp(v));
    expectClose(x.grad?.toArray() ?? [], expected, { atol: 1e-6, rtol: 1e-6 });
    x.dispose();
  });

  it("accumulates gradients across backward calls until zeroGrad", () => {
    const x = param([1, 2]);
    const w = param([3, -1]);
    for (let i = 0; i < 2; i++) scope(() => backward(sum(mul(x, w))));
    expectClose(x.grad?.toArray() ?? [], [6, -2], { atol: 0, rtol: 0 });
    expectClose(w.grad?.toArray() ?? [], [2, 4], { atol: 0, rtol: 0 });
    zeroGrad([x, w]);
    expect(x.grad).toBeNull();
    scope(() => backward(sum(mul(x, w))));
    expectClose(x.grad?.toArray() ?? [], [3, -1], { atol: 0, rtol: 0 });
    x.dispose();
    w.dispose();
  });

  it("refuses a non-scalar root without gradRoot", () => {
    const x = param([1, 2, 3]);
    scope(() => {
      const y = mul(x, x);
      expect(() => backward(y)).toThrow(/shape \[3\]; pass its gradient/);
      backward(y, tensor([1, 0, 1]));
    });
    expectClose(x.grad?.toArray() ?? [], [2, 0, 6], { atol: 0, rtol: 0 });
    x.dispose();
  });

  it("reports a disposed intermediate that backward needs", () => {
    const x = param([1, 2, 3]);
    scope(() => {
      const y = mul(x, x);
      const z = mul(y, y);
      y.dispose();
      expect(() => backward(sum(z))).toThrow(/disposed/);
    });
    x.dispose();
  });

  it("records nothing under noGrad", () => {
    const x = param([1, 2]);
    scope(() => {
      const y = noGrad(() => {
        expect(isGradEnabled()).toBe(false);
        return sum(mul(x, x));
      });
      expect(isGradEnabled()).toBe(true);
      expect(y.requiresGrad).toBe(false);
      expect(y.gradNode).toBeNull();
      expect(() => backward(y)).toThrow(/does not depend on any tensor that requires grad/);
    });
    expect(x.grad).toBeNull();
    x.dispose();
  });

  it("frees every intermediate of a forward and backward pass in a scope", () => {
    const alloc = getCore().allocator;
    const x = param([0.1, 0.2, 0.3, 0.4, 0.5, 0.6], [2, 3]);
    const b = param([1, -1, 2]);
    const frozen = tensor([2, 2, 2]);
    const before = alloc.liveBlocks;
    for (let step = 0; step < 2; step++) {
      scope(() => {
        const h = exp(add(x, b));
        const s = slice(mul(h, frozen), { begin: [0, 1], size: [2, 2] });
        const loss = mean(sub(s, mulScalar(s, 0.5)));
        backward(loss);
      });
      // Only the two leaf gradients remain (the frozen tensor gets none).
      expect(alloc.liveBlocks).toBe(before + 2);
    }
    expect(frozen.grad).toBeNull();
    zeroGrad([x, b]);
    expect(alloc.liveBlocks).toBe(before);
    for (const t of [x, b, frozen]) t.dispose();
  });

  it("leaves no temporaries of the ops' backward passes behind, even outside a scope", () => {
    const alloc = getCore().allocator;
    const before = alloc.liveBlocks;
    const x = param(Array.from({ length: 5000 * 3 }, (_, i) => Math.sin(i)), [5000, 3]);
    const c = param([0.5, 2, -1], [1, 3]);
    const made: Tensor[] = [];
    const own = <T extends Tensor>(t: T): T => {
      made.push(t);
      return t;
    };
    // Broadcasts (sumToShape in backward), long reductions (partial sums), gather/scatter (index blocks), loss.
    const y = own(div(own(mul(x, c)), own(addScalar(c, 3))));
    const rows = own(gatherRows({ x: y, indices: [4999, 0, 7, 0] }));
    const back = own(scatterAddRows({ x: rows, indices: [1, 1, 0, 2], numRows: 3 }));
    const flat = own(concat([own(sum(y, { axis: 0 })), own(reshape(back, [-1])), own(reshape(own(transpose2d(back)), [-1]))], 0));
    const loss = own(add(own(huberLoss(flat, own(zeros([flat.size])))), own(mean(y))));
    backward(loss);
    expect(x.grad?.shape).toEqual([5000, 3]);
    expect(c.grad?.shape).toEqual([1, 3]);
    for (const t of made) t.dispose();
    zeroGrad([x, c]);
    x.dispose();
    c.dispose();
    expect(alloc.liveBlocks).toBe(before);
  });
});
