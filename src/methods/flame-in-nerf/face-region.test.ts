import { describe, expect, it } from "vitest";
import { Random } from "../../core/index.js";
import { createFaceModel } from "../../face/index.js";
import { fittedVertices } from "../../data/index.js";
import { buildFaceRegionGrid, faceRegionMask, faceRegionMaskReference } from "./face-region.js";

describe("faceRegionMask (spatial prior)", () => {
  const model = createFaceModel();
  const vertices = fittedVertices({
    model, identity: [], expression: [], rotationAxisAngle: [0, 0.3, 0], translation: [0.01, -0.02, 0.03],
  });
  const grid = buildFaceRegionGrid(vertices, 0.02);

  it("is 1 on and near the posed mesh and 0 far from it", () => {
    const near = new Float32Array(30);
    for (let k = 0; k < 10; k++) {
      const v = 3 * (k * 251);
      near.set([vertices[v] + 0.01, vertices[v + 1], vertices[v + 2] - 0.005], 3 * k);
    }
    expect(Array.from(faceRegionMask(grid, near))).toEqual(Array(10).fill(1));
    const far = Float32Array.from([0.5, 0, 0, 0, 0.5, 0, 0, 0, 0.6, -0.3, 0.3, 0.2]);
    expect(Array.from(faceRegionMask(grid, far))).toEqual([0, 0, 0, 0]);
  });

  it("matches the brute-force reference on random points", () => {
    const rng = new Random(5);
    const points = Float32Array.from({ length: 3 * 2000 }, () => (rng.uniform() - 0.5) * 0.5);
    const mask = faceRegionMask(grid, points);
    expect(mask).toEqual(faceRegionMaskReference(vertices, points, 0.02));
    const inside = mask.reduce((s, m) => s + m, 0);
    expect(inside).toBeGreaterThan(20);
    expect(inside).toBeLessThan(1980);
  });
});
