import { describe, expect, it } from "vitest";
import { Random } from "../../core/index.js";
import { createFaceModel } from "../../face/index.js";
import { fittedVertices } from "../../data/index.js";
import { buildFaceRegionGrid, faceRegionMask, faceRegionMaskReference, faceRegionWarp, faceRegionWarpReference } from "./face-region.js";

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

describe("faceRegionWarp (mesh-guided warp)", () => {
  const model = createFaceModel();
  const pose = { rotationAxisAngle: [0.1, -0.2, 0] as [number, number, number], translation: [0, 0.01, 0.02] as [number, number, number] };
  const expression = new Float32Array(model.expressionNames.length);
  expression[model.expressionNames.indexOf("jawOpen")] = 1;
  const vertices = fittedVertices({ model, identity: [], expression, ...pose });
  const neutral = fittedVertices({ model, identity: [], expression: [], ...pose });
  const displacements = Float32Array.from(vertices, (v, i) => neutral[i] - v);
  const grid = buildFaceRegionGrid(vertices, 0.02);

  it("matches the brute-force reference, and its mask is the spatial prior's", () => {
    const rng = new Random(6);
    const points = Float32Array.from({ length: 3 * 1500 }, () => (rng.uniform() - 0.5) * 0.4);
    const warp = faceRegionWarp(grid, displacements, points);
    const reference = faceRegionWarpReference(vertices, displacements, points, 0.02);
    expect(warp.mask).toEqual(reference.mask);
    expect(warp.mask).toEqual(faceRegionMask(grid, points));
    for (let i = 0; i < warp.offsets.length; i++) expect(warp.offsets[i]).toBeCloseTo(reference.offsets[i], 6);
    expect(warp.offsets.some((o) => Math.abs(o) > 1e-3), "the open jaw moves points").toBe(true);
  });

  it("moves a point on the mesh by about its vertex's displacement, and is 0 outside the region", () => {
    // A lower-lip-ish vertex: the one the open jaw moves most.
    let best = 0;
    for (let v = 0; v < displacements.length; v += 3) if (Math.hypot(displacements[v], displacements[v + 1], displacements[v + 2]) > Math.hypot(displacements[best], displacements[best + 1], displacements[best + 2])) best = v;
    const on = faceRegionWarp(grid, displacements, vertices.slice(best, best + 3)).offsets;
    for (let k = 0; k < 3; k++) expect(on[k]).toBeCloseTo(displacements[best + k], 3);
    const far = faceRegionWarp(grid, displacements, Float32Array.from([0.5, 0, 0, 0, -0.5, 0.3]));
    expect(Array.from(far.offsets)).toEqual([0, 0, 0, 0, 0, 0]);
    expect(Array.from(far.mask)).toEqual([0, 0]);
  });
});
