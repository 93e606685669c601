import { describe, expect, it } from "vitest";
import { FaceMaterial, FaceRegion, HeadPart, boundaryLoops, buildHeadTopology } from "./topology.js";
import { IRIS_LANDMARKS } from "./landmarks.js";

const rigid = new Set<number>([FaceMaterial.teeth, FaceMaterial.sclera, FaceMaterial.iris, FaceMaterial.pupil]);

describe("head topology", () => {
  const h = buildHeadTopology();

  it("keeps the 468 MediaPipe vertices first, in metres around the head centre", () => {
    expect(h.numVertices).toBeGreaterThan(2000);
    const y = (v: number): number => h.templateVertices[3 * v + 1];
    const z = (v: number): number => h.templateVertices[3 * v + 2];
    // Forehead (10) above the chin (152) by about 17.7 cm, as in the canonical mesh.
    expect(y(10) - y(152)).toBeCloseTo(0.17665, 4);
    // The nose tip is the front of the head, the skull reaches about 20 cm behind it.
    expect(z(4)).toBeGreaterThan(0.1);
    let minZ = Infinity;
    for (let v = 0; v < h.numVertices; v++) minZ = Math.min(minZ, h.templateVertices[3 * v + 2]);
    expect(z(4) - minZ).toBeGreaterThan(0.19);
    expect(z(4) - minZ).toBeLessThan(0.23);
  });

  it("closes the skin surface: every edge shared by exactly two consistently wound triangles", () => {
    const skin: number[] = [];
    for (let t = 0; t < h.materials.length; t++) if (!rigid.has(h.materials[t])) skin.push(h.triangles[3 * t], h.triangles[3 * t + 1], h.triangles[3 * t + 2]);
    expect(skin.length / 3).toBe(h.skinTriangleCount);
    expect(boundaryLoops(skin)).toEqual([]);
    // Each directed edge once and its reverse once: closed, manifold and oriented.
    const directed = new Map<string, number>();
    for (let t = 0; t < h.triangles.length; t += 3) {
      for (let e = 0; e < 3; e++) {
        const k = `${h.triangles[t + e]},${h.triangles[t + ((e + 1) % 3)]}`;
        directed.set(k, (directed.get(k) ?? 0) + 1);
      }
    }
    const bad = [...directed].filter(([k, n]) => {
      const [a, b] = k.split(",");
      return n !== 1 || !directed.has(`${b},${a}`);
    });
    expect(bad).toEqual([]);
  });

  it("has no degenerate triangles", () => {
    const p = h.templateVertices;
    let minArea = Infinity;
    for (let t = 0; t < h.triangles.length; t += 3) {
      const [a, b, c] = [0, 1, 2].map((e) => 3 * h.triangles[t + e]);
      const u = [0, 1, 2].map((i) => p[b + i] - p[a + i]), w = [0, 1, 2].map((i) => p[c + i] - p[a + i]);
      minArea = Math.min(minArea, Math.hypot(u[1] * w[2] - u[2] * w[1], u[2] * w[0] - u[0] * w[2], u[0] * w[1] - u[1] * w[0]) / 2);
    }
    expect(minArea).toBeGreaterThan(1e-8);
  });

  it("labels every part, and no vertex of the skin lies inside an eyeball", () => {
    const seen = new Set(h.regions);
    for (const r of [FaceRegion.faceSkin, FaceRegion.lips, FaceRegion.eyelids, FaceRegion.eyeSocket, FaceRegion.mouthInterior, FaceRegion.teeth, FaceRegion.eyeball, FaceRegion.iris, FaceRegion.pupil, FaceRegion.scalp, FaceRegion.neck]) {
      expect(seen.has(r)).toBe(true);
    }
    for (const [k, c] of h.eyeCenters.entries()) {
      const ball = k === 0 ? HeadPart.eyeballRight : HeadPart.eyeballLeft;
      for (let v = 0; v < h.numVertices; v++) {
        if (h.parts[v] === ball) continue;
        const d = Math.hypot(h.templateVertices[3 * v] - c[0], h.templateVertices[3 * v + 1] - c[1], h.templateVertices[3 * v + 2] - c[2]);
        expect(d).toBeGreaterThan(h.eyeRadius * 0.999);
      }
    }
  });

  it("puts iris 468 on the subject's right eye (-x) and 473 on the left (+x), at the front of each eyeball", () => {
    const x = (l: number): number => h.templateVertices[3 * h.landmarkVertices[l]];
    expect(x(IRIS_LANDMARKS.rightCenter)).toBeLessThan(0);
    expect(x(IRIS_LANDMARKS.leftCenter)).toBeGreaterThan(0);
    expect(Math.sign(x(IRIS_LANDMARKS.rightCenter))).toBe(Math.sign(h.templateVertices[3 * 33]));
    expect(h.regions[h.landmarkVertices[468]]).toBe(FaceRegion.pupil);
    // Limbus points: +x, +y, -x, -y of the centre.
    const p = (l: number, i: number): number => h.templateVertices[3 * h.landmarkVertices[l] + i];
    expect(p(469, 0)).toBeGreaterThan(p(468, 0));
    expect(p(470, 1)).toBeGreaterThan(p(468, 1));
    expect(p(471, 0)).toBeLessThan(p(468, 0));
    expect(p(472, 1)).toBeLessThan(p(468, 1));
  });
});
