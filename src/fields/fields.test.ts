import { describe, expect, it } from "vitest";
import { Random, backward, scope, sum, tensor } from "../core/index.js";
import { DeformationField } from "./deformation-field.js";
import { FieldError } from "./error.js";
import { Mlp } from "./mlp.js";
import { TriplaneField } from "./triplane-field.js";

const triplaneOptions = {
  resolution: 8, channels: 4, hiddenWidth: 16, hiddenLayers: 1, colorWidth: 8, viewFrequencies: 1,
  densityScale: 10, densityBias: -1, planeInitStd: 0.1,
};
const deformationOptions = {
  numFrames: 5, latentDim: 3, conditionDim: 2, numFrequencies: 3, hiddenWidth: 16, hiddenLayers: 2, latentInitStd: 0.1, outputInitStd: 1e-2,
};

describe("Mlp", () => {
  it("names its parameters, is seeded, and checks its input width", () => {
    const a = new Mlp({ name: "m", sizes: [3, 8, 2], rng: new Random(1) });
    const b = new Mlp({ name: "m", sizes: [3, 8, 2], rng: new Random(1) });
    expect([...a.parameters().keys()]).toEqual(["m.0.weight", "m.0.bias", "m.1.weight", "m.1.bias"]);
    expect(a.parameters().get("m.1.weight")!.toArray()).toEqual(b.parameters().get("m.1.weight")!.toArray());
    scope(() => expect(() => a.forward(tensor([1, 2], [1, 2]))).toThrow(FieldError));
  });
});

describe("TriplaneField", () => {
  it("gives non-negative density and colour in (0, 1), with gradients to every parameter", () => {
    const field = new TriplaneField({ ...triplaneOptions, rng: new Random(2) });
    const rng = new Random(3);
    scope(() => {
      const points = rng.randUniform([50, 3], -1, 1);
      const dirs = tensor(Array.from({ length: 50 }, () => [0, 0, -1]).flat(), [50, 3]);
      const { rgb, density } = field.query(points, dirs);
      expect(rgb.shape).toEqual([50, 3]);
      expect(density.shape).toEqual([50]);
      expect(density.toArray().every((d) => d >= 0)).toBe(true);
      expect(rgb.toArray().every((c) => c > 0 && c < 1)).toBe(true);
      backward(sum(sum(rgb)));
      backward(sum(density));
    });
    for (const [name, p] of field.parameters()) expect(p.grad?.toArray().some((g) => g !== 0), name).toBe(true);
  });
});

describe("TriplaneField with a condition", () => {
  it("changes its output with the condition and checks the condition's shape", () => {
    const field = new TriplaneField({ ...triplaneOptions, conditionDim: 2, rng: new Random(9) });
    scope(() => {
      const points = new Random(10).randUniform([6, 3], -1, 1);
      const dirs = tensor(Array.from({ length: 6 }, () => [0, 0, 1]).flat(), [6, 3]);
      const a = field.query(points, dirs, tensor(new Float32Array(12), [6, 2])).rgb.toArray();
      const b = field.query(points, dirs, tensor(new Float32Array(12).fill(1), [6, 2])).rgb.toArray();
      expect(Array.from(a)).not.toEqual(Array.from(b));
      expect(() => field.query(points, dirs)).toThrow(/condition must be \[6, 2\], got none/);
    });
  });
});

describe("DeformationField", () => {
  it("starts near the identity, moves with the condition, and reaches its latent row and MLP", () => {
    const field = new DeformationField({ ...deformationOptions, rng: new Random(4) });
    const rng = new Random(5);
    scope(() => {
      const points = rng.randUniform([20, 3], -1, 1);
      const frameIndices = new Int32Array(20).fill(3);
      const zero = field.deform({ points, frameIndices, condition: tensor(new Float32Array(40), [20, 2]), alpha: 3 });
      const moved = field.deform({ points, frameIndices, condition: tensor(new Float32Array(40).fill(1), [20, 2]), alpha: 3 });
      expect(Math.max(...zero.offsets.toArray().map(Math.abs))).toBeLessThan(0.2);
      expect(moved.offsets.toArray()).not.toEqual(zero.offsets.toArray());
      backward(sum(sum(moved.points)));
    });
    const latentGrad = field.latents.grad!.toArray();
    for (let row = 0; row < 5; row++) {
      const nonzero = latentGrad.subarray(3 * row, 3 * row + 3).some((g) => g !== 0);
      expect(nonzero, `row ${row}`).toBe(row === 3);
    }
    for (const p of field.mlpParameters()) expect(p.grad?.toArray().some((g) => g !== 0)).toBe(true);
  });

  it("opens the coarse-to-fine window with alpha: alpha 0 differs from alpha F, alpha beyond F equals alpha F", () => {
    const field = new DeformationField({ ...deformationOptions, conditionDim: 0, rng: new Random(6) });
    const at = (alpha: number): Float32Array =>
      scope(() => field.deform({ points: tensor([0.3, -0.2, 0.7], [1, 3]), frameIndices: [0], condition: null, alpha }).offsets.toArray());
    expect(at(0)).not.toEqual(at(3));
    expect(at(8)).toEqual(at(3));
  });

  it("with a latentCode, uses that code for every point: the table row's own code gives the table's offsets", () => {
    const field = new DeformationField({ ...deformationOptions, conditionDim: 0, rng: new Random(7) });
    const row = field.latents.toArray().slice(6, 9);
    scope(() => {
      const points = new Random(8).randUniform([4, 3], -1, 1);
      const byRow = field.deform({ points, frameIndices: new Int32Array(4).fill(2), condition: null, alpha: 3 }).offsets.toArray();
      const byCode = field.deform({ points, frameIndices: [], condition: null, alpha: 3, latentCode: row }).offsets.toArray();
      expect(Array.from(byCode)).toEqual(Array.from(byRow));
      expect(() => field.deform({ points, frameIndices: [], condition: null, alpha: 3, latentCode: new Float32Array(2) })).toThrow(/latentCode has 2 values/);
    });
  });
});
