import { describe, expect, it } from "vitest";
import { gatherRows, scope, tensor, type Tensor } from "../core/index.js";
import { checkGradients, expectClose } from "../core/testing/compare.js";
import { createFaceModel } from "./model.js";

const model = createFaceModel();
const nI = model.identityNames.length, nE = model.expressionNames.length;

function expression(values: Record<string, number>): Float32Array {
  const e = new Float32Array(nE);
  for (const [k, v] of Object.entries(values)) {
    const i = model.expressionNames.indexOf(k);
    if (i < 0) throw new Error(`no expression ${k}`);
    e[i] = v;
  }
  return e;
}

/** Landmarks [478*3] for an expression. */
function landmarksFor(values: Record<string, number>): Float32Array {
  return scope(() => model.evaluate({ expression: tensor(expression(values)) }).landmarks.toArray());
}

const point = (l: Float32Array, i: number): number[] => [l[3 * i], l[3 * i + 1], l[3 * i + 2]];
const distance = (a: number[], b: number[]): number => Math.hypot(a[0] - b[0], a[1] - b[1], a[2] - b[2]);

describe("face model", () => {
  it("documents at least 24 identity and the required expression parameters", () => {
    expect(nI).toBeGreaterThanOrEqual(24);
    for (const name of [
      "jawOpen", "lipPucker", "lipStretchLeft", "lipStretchRight", "mouthCornerUpLeft", "mouthCornerUpRight", "mouthCornerDownLeft",
      "mouthCornerDownRight", "upperLipRaise", "lowerLipDepress", "cheekPuff", "blinkLeft", "blinkRight", "browInnerRaise",
      "browOuterRaiseLeft", "browOuterRaiseRight", "browLower", "squintLeft", "squintRight", "gazeYaw", "gazePitch",
    ]) expect(model.expressionNames).toContain(name);
    for (const p of [...model.identityParameters, ...model.expressionParameters]) expect(p.description).toMatch(/1\.0/);
    // Every parameter moves something.
    const n3 = 3 * model.numVertices;
    for (const [basis, names] of [[model.identityBasis, model.identityNames], [model.expressionBasis, model.expressionNames]] as const) {
      names.forEach((name, k) => {
        let m = 0;
        for (let i = 0; i < n3; i++) m = Math.max(m, Math.abs(basis[k * n3 + i]));
        expect(m, name).toBeGreaterThan(1e-3);
      });
    }
  });

  it("gives the template for zero parameters and leaves it unchanged under the identity pose", () => {
    scope(() => {
      const a = model.evaluate();
      expectClose(a.vertices.toArray(), model.templateVertices, { atol: 0, rtol: 0 }, "omitted parameters");
      const b = model.evaluate({
        identity: tensor(new Float32Array(nI)), expression: tensor(new Float32Array(nE)),
        pose: { rotation: tensor([0, 0, 0]), translation: tensor([0, 0, 0]) },
      });
      expectClose(b.vertices.toArray(), model.templateVertices, { atol: 1e-7, rtol: 0 }, "zero parameters, identity pose");
      expect(b.landmarks.shape).toEqual([478, 3]);
      expect(b.normals.length).toBe(3 * model.numVertices);
      expect(b.regions.length).toBe(model.numVertices);
    });
  });

  it("shifts every vertex by the translation and rotates about the origin", () => {
    scope(() => {
      const t = [0.01, -0.02, 0.5];
      const out = model.evaluate({ pose: { translation: tensor(t) } }).vertices.toArray();
      const shifted = model.templateVertices.map((v, i) => v + t[i % 3]);
      expectClose(out, shifted, { atol: 1e-6, rtol: 0 }, "translated");
      // A half turn about y maps (x, y, z) to (-x, y, -z).
      const r = model.evaluate({ pose: { rotation: tensor([0, Math.PI, 0]) } }).vertices.toArray();
      expectClose(r, model.templateVertices.map((v, i) => (i % 3 === 1 ? v : -v)), { atol: 1e-6, rtol: 0 }, "rotated");
    });
  });

  it("jawOpen drops the chin 1-4 cm and leaves the forehead", () => {
    const a = landmarksFor({}), b = landmarksFor({ jawOpen: 1 });
    const drop = point(a, 152)[1] - point(b, 152)[1];
    expect(drop).toBeGreaterThan(0.01);
    expect(drop).toBeLessThan(0.04);
    expect(distance(point(a, 10), point(b, 10))).toBeLessThan(0.0005);
    // The lower lip follows, the upper lip stays (within 2 mm).
    expect(point(a, 14)[1] - point(b, 14)[1]).toBeGreaterThan(0.01);
    expect(distance(point(a, 13), point(b, 13))).toBeLessThan(0.002);
  });

  it("blink closes each eyelid, and only its own", () => {
    const open = landmarksFor({});
    expect(distance(point(open, 159), point(open, 145))).toBeGreaterThan(0.004);
    expect(distance(point(open, 386), point(open, 374))).toBeGreaterThan(0.004);
    const right = landmarksFor({ blinkRight: 1 });
    expect(distance(point(right, 159), point(right, 145))).toBeLessThan(0.001);
    expect(distance(point(right, 386), point(right, 374))).toBeGreaterThan(0.004);
    const left = landmarksFor({ blinkLeft: 1 });
    expect(distance(point(left, 386), point(left, 374))).toBeLessThan(0.001);
    expect(distance(point(left, 159), point(left, 145))).toBeGreaterThan(0.004);
  });

  it("gaze yaw moves both iris centres towards +x, gaze pitch up", () => {
    const a = landmarksFor({}), b = landmarksFor({ gazeYaw: 1 }), c = landmarksFor({ gazePitch: 1 });
    for (const l of [468, 473]) {
      expect(point(b, l)[0] - point(a, l)[0]).toBeGreaterThan(0.004);
      expect(Math.abs(point(b, l)[1] - point(a, l)[1])).toBeLessThan(1e-4);
      expect(point(c, l)[1] - point(a, l)[1]).toBeGreaterThan(0.004);
    }
  });

  it("rejects wrongly sized inputs", () => {
    scope(() => {
      expect(() => model.evaluate({ identity: tensor([1, 2]) })).toThrow(/identity must have/);
    });
  });

  it("gradients w.r.t. identity, expression and pose match finite differences", () => {
    // A small probe: a few landmarks of the posed head.
    const probe = [1, 13, 14, 152, 159, 468, 473];
    const op = (identity: Tensor, expressionT: Tensor, rotation: Tensor, translation: Tensor): Tensor => {
      const { landmarks } = model.evaluate({ identity, expression: expressionT, pose: { rotation, translation } });
      return gatherRows({ x: landmarks, indices: probe });
    };
    const values = (n: number, s: number): number[] => Array.from({ length: n }, (_, i) => 0.3 * Math.sin(1.7 * i + s));
    checkGradients({
      op,
      inputs: [
        { values: values(nI, 1), shape: [nI] },
        { values: values(nE, 2), shape: [nE] },
        { values: [0.1, -0.2, 0.05], shape: [3] },
        { values: [0.01, 0, 0.3], shape: [3] },
      ],
      eps: 1e-2,
      maxProbes: 12,
      tolerance: { atol: 2e-4, rtol: 2e-2 },
    });
    // Near zero rotation too.
    checkGradients({
      op,
      inputs: [
        { values: values(nI, 3), shape: [nI], requiresGrad: false },
        { values: values(nE, 4), shape: [nE], requiresGrad: false },
        { values: [0, 0, 0], shape: [3] },
        { values: [0, 0, 0], shape: [3] },
      ],
      eps: 1e-3,
      tolerance: { atol: 2e-4, rtol: 2e-2 },
    });
  });
});
