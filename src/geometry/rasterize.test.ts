import { describe, expect, it } from "vitest";
import { lookAtCamera, projectPoints, generateRays, cameraCenterWorld } from "./camera.js";
import { interpolateAttributes, rasterizeMesh, rayDistances } from "./rasterize.js";
import { rasterizeMeshReference } from "./rasterize.reference.js";
import { makeUvSphere } from "./sphere.js";
import { Random } from "../core/random.js";

const camera = (w: number, h: number) =>
  lookAtCamera({ eye: [0.3, 0.2, 3], target: [0, 0, 0], widthPx: w, heightPx: h, focalPx: 1.2 * w });

describe("camera", () => {
  it("projects the target to the image centre and gives depth along the view", () => {
    const cam = camera(64, 48);
    const { pixels, depth } = projectPoints(cam, Float32Array.from([0, 0, 0]));
    expect(pixels[0]).toBeCloseTo(32, 4);
    expect(pixels[1]).toBeCloseTo(24, 4);
    expect(depth[0]).toBeCloseTo(Math.hypot(0.3, 0.2, 3), 5);
    expect(cameraCenterWorld(cam).map((x) => Number(x.toFixed(6)))).toEqual([0.3, 0.2, 3]);
  });

  it("puts world up at the top of the image", () => {
    const cam = lookAtCamera({ eye: [0, 0, 3], target: [0, 0, 0], widthPx: 10, heightPx: 10, focalPx: 10 });
    const { pixels } = projectPoints(cam, Float32Array.from([0, 1, 0, 1, 0, 0]));
    expect(pixels[1]).toBeLessThan(5); // +y is up: smaller row index
    expect(pixels[2]).toBeGreaterThan(5); // +x is right when looking down -z
  });

  it("generates rays that project back to their pixel centres", () => {
    const cam = camera(7, 5);
    const { origins, directions } = generateRays(cam);
    const pts = new Float32Array(7 * 5 * 3);
    for (let i = 0; i < pts.length; i++) pts[i] = origins[i] + 2 * directions[i];
    const { pixels } = projectPoints(cam, pts);
    for (let y = 0; y < 5; y++) {
      for (let x = 0; x < 7; x++) {
        expect(pixels[2 * (y * 7 + x)]).toBeCloseTo(x + 0.5, 3);
        expect(pixels[2 * (y * 7 + x) + 1]).toBeCloseTo(y + 0.5, 3);
      }
    }
  });
});

describe("rasterizeMesh", () => {
  it("matches the ray-casting reference on random overlapping triangles", () => {
    const rng = new Random(4);
    const numTriangles = 60;
    const verts = new Float32Array(numTriangles * 9);
    for (let i = 0; i < verts.length; i++) verts[i] = rng.uniform() * 2 - 1;
    const tris = Uint32Array.from({ length: numTriangles * 3 }, (_, i) => i);
    for (const [w, h] of [[1, 1], [17, 9], [40, 40]]) {
      const cam = camera(w, h);
      const fast = rasterizeMesh({ camera: cam, verticesWorld: verts, triangles: tris });
      const ref = rasterizeMeshReference({ camera: cam, verticesWorld: verts, triangles: tris });
      let mismatches = 0;
      for (let p = 0; p < w * h; p++) {
        if (fast.triangleId[p] !== ref.triangleId[p]) {
          mismatches++;
          continue;
        }
        if (ref.triangleId[p] < 0) continue;
        expect(fast.depth[p]).toBeCloseTo(ref.depth[p], 4);
        expect(fast.barycentrics[2 * p]).toBeCloseTo(ref.barycentrics[2 * p], 3);
        expect(fast.barycentrics[2 * p + 1]).toBeCloseTo(ref.barycentrics[2 * p + 1], 3);
      }
      // Only pixel centres within rounding of an edge may disagree.
      expect(mismatches).toBeLessThanOrEqual(Math.max(1, Math.floor(w * h * 0.002)));
    }
  });

  it("gives each pixel-centre ray's distance to the surface (rayDistances), Infinity off the mesh", () => {
    // A square in the plane z = 0, seen obliquely: a ray o + t d meets it at t = -o_z / d_z.
    const cam = lookAtCamera({ eye: [0.7, -0.4, 3], target: [0, 0, 0], widthPx: 24, heightPx: 20, focalPx: 20 });
    const verts = Float32Array.from([-1, -1, 0, 1, -1, 0, 1, 1, 0, -1, 1, 0]);
    const raster = rasterizeMesh({ camera: cam, verticesWorld: verts, triangles: Uint32Array.from([0, 1, 2, 0, 2, 3]) });
    const distances = rayDistances(raster, cam);
    const { origins, directions } = generateRays(cam);
    let hits = 0;
    for (let p = 0; p < 24 * 20; p++) {
      if (raster.triangleId[p] < 0) {
        expect(distances[p]).toBe(Infinity);
        continue;
      }
      hits++;
      expect(distances[p]).toBeCloseTo(-origins[3 * p + 2] / directions[3 * p + 2], 4);
    }
    expect(hits).toBeGreaterThan(50);
  });

  it("draws each pixel of a square split along its diagonal exactly once, with no gap", () => {
    const cam = lookAtCamera({ eye: [0, 0, 4], target: [0, 0, 0], widthPx: 32, heightPx: 32, focalPx: 32 });
    const verts = Float32Array.from([-1, -1, 0, 1, -1, 0, 1, 1, 0, -1, 1, 0]);
    const r = rasterizeMesh({ camera: cam, verticesWorld: verts, triangles: Uint32Array.from([0, 1, 2, 0, 2, 3]) });
    // The square spans pixels 8..23 in both axes (focal 32 at depth 4: 8 px per unit).
    for (let y = 0; y < 32; y++) {
      for (let x = 0; x < 32; x++) {
        const inside = x >= 8 && x < 24 && y >= 8 && y < 24;
        expect(r.triangleId[y * 32 + x] >= 0).toBe(inside);
      }
    }
  });

  it("interpolates vertex attributes perspective-correctly and keeps the nearer surface", () => {
    const cam = lookAtCamera({ eye: [0, 0, 3], target: [0, 0, 0], widthPx: 48, heightPx: 48, focalPx: 40 });
    const sphere = makeUvSphere(1, 24, 32);
    const r = rasterizeMesh({ camera: cam, verticesWorld: sphere.vertices, triangles: sphere.triangles });
    // Interpolated position's z at the image centre is the front of the sphere.
    const pos = interpolateAttributes(r, sphere.triangles, sphere.vertices, 3);
    const c = 24 * 48 + 24;
    expect(pos[3 * c + 2]).toBeGreaterThan(0.98);
    expect(r.depth[c]).toBeCloseTo(2, 1);
    expect(r.triangleId[0]).toBe(-1);
    expect(r.depth[0]).toBe(Infinity);
  });
});
