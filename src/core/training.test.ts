import { describe, expect, it } from "vitest";
import { backward } from "./autograd.js";
import { Adam } from "./optim/adam.js";
import { dense } from "./ops/linear.js";
import { l2Loss } from "./ops/loss.js";
import { Random } from "./random.js";
import { getCore } from "./runtime.js";
import { scope, tensor, type Tensor } from "./tensor.js";

/** An MLP 2-32-32-1 with tanh hidden layers, as parameters and a forward function. */
function makeMlp(rng: Random): { params: Tensor[]; forward: (x: Tensor) => Tensor } {
  const sizes = [2, 32, 32, 1];
  const params: Tensor[] = [];
  for (let i = 0; i + 1 < sizes.length; i++) {
    params.push(rng.randn([sizes[i], sizes[i + 1]], Math.sqrt(1 / sizes[i])).asParameter());
    params.push(tensor(new Float32Array(sizes[i + 1]), [sizes[i + 1]]).asParameter());
  }
  const forward = (x: Tensor): Tensor => {
    let h = x;
    for (let i = 0; i < 3; i++) {
      h = dense({ x: h, weight: params[2 * i], bias: params[2 * i + 1], activation: i < 2 ? "tanh" : "none" });
    }
    return h;
  };
  return { params, forward };
}

/** The function to learn: smooth, non-linear, in [-1, 1] on [-1, 1]^2. */
const target = (x: number, y: number): number => Math.sin(2 * x) * Math.cos(1.5 * y);

function batch(rng: Random, n: number): { x: Tensor; y: Tensor } {
  const xs = new Float32Array(2 * n);
  const ys = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    xs[2 * i] = 2 * rng.uniform() - 1;
    xs[2 * i + 1] = 2 * rng.uniform() - 1;
    ys[i] = target(xs[2 * i], xs[2 * i + 1]);
  }
  return { x: tensor(xs, [n, 2]), y: tensor(ys, [n, 1]) };
}

describe("training", () => {
  it("fits a small MLP to a known function in 200 Adam steps (held-out MSE < 4e-3, from about 0.3)", () => {
    const rng = new Random(11);
    const mlp = makeMlp(rng);
    const adam = new Adam({ groups: [{ name: "mlp", params: mlp.params, lr: 1e-2 }] });
    const trainStep = (): number =>
      scope(() => {
        const { x, y } = batch(rng, 256);
        const loss = l2Loss(mlp.forward(x), y);
        backward(loss);
        adam.step();
        return loss.item();
      });
    const first = trainStep();
    for (let step = 1; step < 200; step++) trainStep();
    // Held-out: fresh points from another generator, never trained on.
    const heldOut = scope(() => {
      const { x, y } = batch(new Random(999), 2048);
      return l2Loss(mlp.forward(x), y).item();
    });
    expect(first).toBeGreaterThan(0.1);
    expect(heldOut).toBeLessThan(4e-3);
    adam.dispose();
    for (const p of mlp.params) p.dispose();
  });

  it("keeps the wasm memory size and the live blocks unchanged over 1000 steps after warm-up", () => {
    const rng = new Random(5);
    const mlp = makeMlp(rng);
    const adam = new Adam({ groups: [{ name: "mlp", params: mlp.params, lr: 1e-3 }] });
    const step = (): void =>
      scope(() => {
        const { x, y } = batch(rng, 256);
        backward(l2Loss(mlp.forward(x), y));
        adam.step();
      });
    for (let i = 0; i < 5; i++) step();
    const { allocator } = getCore();
    const memoryBytes = allocator.memoryBytes;
    const liveBlocks = allocator.liveBlocks;
    for (let i = 0; i < 1000; i++) step();
    expect(allocator.memoryBytes).toBe(memoryBytes);
    expect(allocator.liveBlocks).toBe(liveBlocks);
    adam.dispose();
    for (const p of mlp.params) p.dispose();
  });
});
