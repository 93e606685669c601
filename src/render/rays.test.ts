import { describe, expect, it } from "vitest";
import { Random } from "../core/index.js";
import { generateRays, lookAtCamera } from "../geometry/index.js";
import { cameraRays, intersectBox, intersectSphere, sampleRayBatch, tileOrder, toTileOrder, untile } from "./rays.js";

const camera = lookAtCamera({ eye: [0, 0, 3], target: [0, 0, 0], widthPx: 13, heightPx: 10, focalPx: 15 });

describe("tile order", () => {
  it("is a permutation, tile by tile, and untile inverts it for sizes not divisible by the tile", () => {
    for (const [w, h, tile] of [[13, 10, 8], [16, 16, 8], [5, 3, 4], [7, 9, 1], [3, 2, 8]]) {
      const order = tileOrder({ widthPx: w, heightPx: h, tileSizePx: tile });
      expect([...order].sort((a, b) => a - b)).toEqual([...Array(w * h).keys()]);
      const image = Float32Array.from({ length: w * h * 3 }, (_, i) => i * 0.5 - 7);
      const tiled = toTileOrder(image, order, 3);
      expect(untile(tiled, order, 3)).toEqual(image);
    }
    const order = tileOrder({ widthPx: 13, heightPx: 10, tileSizePx: 8 });
    // First tile: rows 0..7, columns 0..7; then the clipped tile of columns 8..12.
    expect([...order.subarray(0, 9)]).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 13]);
    expect(order[64]).toBe(8);
    expect([...order.subarray(64, 70)]).toEqual([8, 9, 10, 11, 12, 21]);
  });

  it("rejects mismatched sizes", () => {
    expect(() => untile(new Float32Array(5), tileOrder({ widthPx: 2, heightPx: 2 }), 1)).toThrow(/untile/);
  });
});

describe("camera rays", () => {
  it("gives geometry's ray for each pixel in tile order", () => {
    const rays = cameraRays({ camera });
    const all = generateRays(camera);
    for (let k = 0; k < rays.pixelIndices.length; k++) {
      const p = rays.pixelIndices[k];
      for (let a = 0; a < 3; a++) {
        expect(rays.directions[3 * k + a]).toBe(all.directions[3 * p + a]);
        expect(rays.origins[3 * k + a]).toBe(all.origins[3 * p + a]);
      }
    }
  });

  it("draws deterministic batches, only from pixels of positive weight, sorted by tile rank", () => {
    const weights = new Float32Array(130);
    for (let i = 0; i < 130; i++) weights[i] = i % 13 < 4 ? 1 : i % 13 === 6 ? 3 : 0;
    const a = sampleRayBatch({ camera, count: 2000, rng: new Random(5), weights });
    const b = sampleRayBatch({ camera, count: 2000, rng: new Random(5), weights });
    expect(a.pixelIndices).toEqual(b.pixelIndices);
    expect(a.directions).toEqual(b.directions);
    let col6 = 0;
    for (const p of a.pixelIndices) {
      expect(weights[p]).toBeGreaterThan(0);
      if (p % 13 === 6) col6++;
    }
    // Column 6 holds 30 of the 70 weight units.
    expect(col6 / 2000).toBeCloseTo(30 / 70, 1);
    const order = tileOrder({ widthPx: 13, heightPx: 10 });
    const rank = new Map([...order].map((p, k) => [p, k]));
    for (let k = 1; k < a.pixelIndices.length; k++) {
      expect(rank.get(a.pixelIndices[k]) ?? -1).toBeGreaterThanOrEqual(rank.get(a.pixelIndices[k - 1]) ?? -1);
    }
    const uniform = sampleRayBatch({ camera, count: 64, rng: new Random(1) });
    expect(uniform.pixelIndices.length).toBe(64);
    expect(() => sampleRayBatch({ camera, count: 4, rng: new Random(1), weights: new Float32Array(130) })).toThrow(/sum to zero/);
  });
});

describe("ray bounds", () => {
  const origins = Float32Array.from([0, 0, 3, 0, 2, 3, 0, 0, 0.2, 0, 0, 3]);
  const directions = Float32Array.from([0, 0, -1, 0, 0, -1, 0, 0, -1, 0, 0, 1]);

  it("intersects a sphere: through the centre, missing, from inside, behind", () => {
    const { near, far } = intersectSphere({ origins, directions, center: [0, 0, 0], radius: 0.5 });
    expect([...near]).toEqual([2.5, 0, 0, 0]);
    expect(far[0]).toBeCloseTo(3.5, 6);
    expect(far[1]).toBe(0);
    expect(far[2]).toBeCloseTo(0.7, 6);
    expect(far[3]).toBe(0);
  });

  it("intersects a box", () => {
    const { near, far } = intersectBox({ origins, directions, min: [-1, -1, -1], max: [1, 1, 1] });
    expect([...near]).toEqual([2, 0, 0, 0]);
    expect([...far]).toEqual([4, 0, Math.fround(1.2), 0]);
    const oblique = intersectBox({
      origins: Float32Array.from([-3, 0.5, 0]),
      directions: Float32Array.from([Math.SQRT1_2, Math.SQRT1_2, 0]),
      min: [-1, -1, -1],
      max: [1, 1, 1],
    });
    expect(oblique.far[0]).toBe(0);
  });
});
