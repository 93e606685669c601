import { describe, expect, it } from "vitest";
import {
  Random, activate, backward, broadcastTo, dense, getCore, mul, reshape, sampleTriplane, scope, slice, tensor, type Tensor,
} from "../core/index.js";
import { checkGradients, expectClose } from "../core/testing/compare.js";
import { lookAtCamera } from "../geometry/index.js";
import { cameraRays, intersectBox, intersectSphere, untile } from "./rays.js";
import { renderImage, renderRays, type RadianceField, type RayGuide } from "./volume.js";

const camera = lookAtCamera({ eye: [0.3, 0.2, 3], target: [0, 0, 0], widthPx: 20, heightPx: 17, focalPx: 40 });
const rays = cameraRays({ camera });
const box = intersectBox({ origins: rays.origins, directions: rays.directions, min: [-1, -1, -1], max: [1, 1, 1] });
const COLOR = [0.2, 0.6, 0.9];

/** Density `sigma` where `inside(point)`, else 0; colour COLOR everywhere. Evaluated in plain JS. */
function analyticField(inside: (x: number, y: number, z: number) => boolean, sigma: number): RadianceField {
  return (points) => {
    const p = points.toArray();
    const n = points.shape[0];
    const density = new Float32Array(n);
    const rgb = new Float32Array(3 * n);
    for (let i = 0; i < n; i++) {
      density[i] = inside(p[3 * i], p[3 * i + 1], p[3 * i + 2]) ? sigma : 0;
      rgb.set(COLOR, 3 * i);
    }
    return { rgb: tensor(rgb, [n, 3]), density: tensor(density) };
  };
}

const RADIUS = 0.6;
const SIGMA = 3;
const sphereField = analyticField((x, y, z) => x * x + y * y + z * z < RADIUS * RADIUS, SIGMA);

function renderAll(numSamples: number, field: RadianceField, extra: { background?: number[]; numImportanceSamples?: number; guide?: RayGuide } = {}) {
  return scope(() => {
    const r = renderRays({ ...rays, ...box, numSamples, field, ...extra });
    return { rgb: r.rgb.toArray(), opacity: r.opacity.toArray(), depth: r.depth.toArray() };
  });
}

describe("renderRays known answers", () => {
  it("a constant-density sphere gives opacity 1 - exp(-sigma chord), converging with numSamples", () => {
    const { near, far } = intersectSphere({ origins: rays.origins, directions: rays.directions, center: [0, 0, 0], radius: RADIUS });
    const analytic = Float32Array.from(near, (n, i) => 1 - Math.exp(-SIGMA * (far[i] - n)));
    let hits = 0;
    for (const a of analytic) if (a > 0) hits++;
    expect(hits).toBeGreaterThan(50);
    const meanError = (numSamples: number): number => {
      const { opacity, rgb } = renderAll(numSamples, sphereField);
      // No background: colour is COLOR times opacity.
      expectClose(rgb, Float32Array.from(rgb, (_, i) => COLOR[i % 3] * opacity[Math.floor(i / 3)]), { atol: 1e-5 });
      let e = 0;
      for (let i = 0; i < analytic.length; i++) e += Math.abs(opacity[i] - analytic[i]);
      return e / analytic.length;
    };
    const coarse = meanError(16);
    const fine = meanError(256);
    expect(fine).toBeLessThan(coarse / 4);
    expect(fine).toBeLessThan(3e-3);
    // Hierarchical samples refine a coarse pass.
    const { opacity } = renderAll(32, sphereField, { numImportanceSamples: 32 });
    let e = 0;
    for (let i = 0; i < analytic.length; i++) e += Math.abs(opacity[i] - analytic[i]);
    expect(e / analytic.length).toBeLessThan(meanError(32));
  });

  it("an empty field gives the background, rays outside the bounds too", () => {
    const empty = analyticField(() => false, 0);
    const { rgb, opacity, depth } = renderAll(8, empty, { background: [0.1, 0.2, 0.3] });
    expect(opacity.every((o) => o === 0)).toBe(true);
    expect(depth.every((d) => d === 0)).toBe(true);
    expectClose(rgb, Float32Array.from(rgb, (_, i) => [0.1, 0.2, 0.3][i % 3]), { atol: 1e-7 });
    const image = renderImage({ camera, field: sphereField, bounds: { kind: "sphere", center: [0, 0, 0], radius: 0.3 }, numSamples: 8, background: [1, 0, 1] });
    expect(image.rgb.subarray(0, 3)).toEqual(Float32Array.from([1, 0, 1]));
    expect(image.opacity[0]).toBe(0);
  });

  it("the depth of a thin dense shell is the distance to the sphere", () => {
    const shell = analyticField((x, y, z) => {
      const r = Math.hypot(x, y, z);
      return r > RADIUS - 0.02 && r <= RADIUS;
    }, 2000);
    const { near, far } = intersectSphere({ origins: rays.origins, directions: rays.directions, center: [0, 0, 0], radius: RADIUS });
    const { opacity, depth } = renderAll(256, shell);
    let checked = 0;
    for (let i = 0; i < near.length; i++) {
      // Rays well inside the silhouette cross the shell at a steep angle.
      if (far[i] - near[i] < 0.6 * RADIUS) continue;
      checked++;
      expect(opacity[i]).toBeGreaterThan(0.99);
      expect(Math.abs(depth[i] / opacity[i] - near[i])).toBeLessThan(0.02);
    }
    expect(checked).toBeGreaterThan(30);
  });

  it("samples guided to the surface resolve a thin shell that as many stratified samples miss", () => {
    const thickness = 0.01;
    const shell = analyticField((x, y, z) => {
      const r = Math.hypot(x, y, z);
      return r > RADIUS - thickness && r <= RADIUS;
    }, 300);
    const sphere = intersectSphere({ origins: rays.origins, directions: rays.directions, center: [0, 0, 0], radius: RADIUS });
    // The guide: the true distance to the sphere where the ray meets it, none elsewhere.
    const distances = Float32Array.from(sphere.near, (n, i) => (sphere.far[i] > n ? n : Infinity));
    const reference = renderAll(1024, shell).opacity;
    const meanError = (opacity: Float32Array): number => {
      let e = 0, count = 0;
      for (let i = 0; i < opacity.length; i++) {
        if (!Number.isFinite(distances[i])) continue;
        e += Math.abs(opacity[i] - reference[i]);
        count++;
      }
      return e / count;
    };
    const plain = meanError(renderAll(16, shell).opacity);
    const guided = renderAll(16, shell, { guide: { distances, numSamples: 8, halfWidth: 0.02 } });
    expect(meanError(guided.opacity)).toBeLessThan(plain / 3);
    // On a solid sphere, the guided samples (Voronoi deltas) stay a consistent estimate of the optical depth,
    // a little coarser at the far side, where half the samples are gone.
    const analytic = Float32Array.from(sphere.near, (n, i) => 1 - Math.exp(-SIGMA * Math.max(sphere.far[i] - n, 0)));
    const solidError = (opacity: Float32Array): number => opacity.reduce((e, o, i) => e + Math.abs(o - analytic[i]), 0) / opacity.length;
    const guidedSolid = renderAll(16, sphereField, { guide: { distances, numSamples: 8, halfWidth: 0.02 } }).opacity;
    expect(solidError(guidedSolid)).toBeLessThan(2 * solidError(renderAll(16, sphereField).opacity));
    expect(solidError(guidedSolid)).toBeLessThan(0.03);
  });
});

describe("renderRays gradients", () => {
  // density = softplus(p0) in the sphere (a fifth of it outside), colour = sigmoid(p1..p3): smooth in the parameters.
  const inSphere = (points: Tensor): Tensor => {
    const p = points.toArray();
    return tensor(Float32Array.from({ length: points.shape[0] }, (_, i) => (Math.hypot(p[3 * i], p[3 * i + 1], p[3 * i + 2]) < RADIUS ? 1 : 0.2)));
  };
  const some = { origins: rays.origins.subarray(0, 3 * 60), directions: rays.directions.subarray(0, 3 * 60), near: box.near.subarray(0, 60), far: box.far.subarray(0, 60) };
  const field = (param: Tensor): RadianceField => (points) => {
    const n = points.shape[0];
    const sigma = broadcastTo(activate({ x: slice(param, { begin: [0], size: [1] }), kind: "softplus" }), [n]);
    return {
      density: mul(sigma, inSphere(points)),
      rgb: broadcastTo(reshape(activate({ x: slice(param, { begin: [1], size: [3] }), kind: "sigmoid" }), [1, 3]), [n, 3]),
    };
  };

  it("match finite differences for colour, opacity and depth, background included", () => {
    for (const output of ["rgb", "opacity", "depth"] as const) {
      checkGradients({
        op: (param, background) => renderRays({ ...some, numSamples: 12, field: field(param), background })[output],
        inputs: [
          { values: [0.3, -0.5, 0.2, 1.0], shape: [4] },
          { values: [0.4, 0.1, 0.7], shape: [3] },
        ],
        eps: 1e-2,
      });
    }
  });

  it("flows into a tri-plane and MLP field", () => {
    scope(() => {
      const rng = new Random(1);
      const planes = rng.randn([3, 8, 8, 4], 0.5);
      planes.requiresGrad = true;
      const weight = rng.randn([4, 4], 0.5);
      weight.requiresGrad = true;
      const r = renderRays({ ...some, numSamples: 8, field: tinyField(planes, weight) });
      backward(r.rgb, rng.randUniform(r.rgb.shape, -1, 1));
      expect(planes.grad?.toArray().some((g) => g !== 0)).toBe(true);
      expect(weight.grad?.toArray().some((g) => g !== 0)).toBe(true);
    });
  });
});

function tinyField(planes: Tensor, weight: Tensor): RadianceField {
  return (points) => {
    const features = sampleTriplane({ planes, points });
    const out = dense({ x: features, weight });
    const n = points.shape[0];
    return {
      rgb: activate({ x: slice(out, { begin: [0, 0], size: [n, 3] }), kind: "sigmoid" }),
      density: reshape(activate({ x: slice(out, { begin: [0, 3], size: [n, 1] }), kind: "softplus" }), [n]),
    };
  };
}

describe("renderImage", () => {
  const rng = new Random(4);
  const planes = rng.randn([3, 16, 16, 4], 1).asParameter();
  const weight = rng.randn([4, 4], 1).asParameter();
  const field = tinyField(planes, weight);
  const bounds = { kind: "sphere" as const, center: [0, 0, 0] as [number, number, number], radius: 0.9 };

  it("in chunks equals all rays at once, and renderRays over the camera's rays", () => {
    const whole = renderImage({ camera, field, bounds, numSamples: 12, chunkRays: 100000, background: [0, 0.5, 1] });
    const chunked = renderImage({ camera, field, bounds, numSamples: 12, chunkRays: 37, background: [0, 0.5, 1] });
    expectClose(chunked.rgb, whole.rgb, { atol: 1e-6, rtol: 1e-5 });
    expectClose(chunked.opacity, whole.opacity, { atol: 1e-6, rtol: 1e-5 });
    expectClose(chunked.depth, whole.depth, { atol: 1e-6, rtol: 1e-5 });
    expect(whole.opacity.some((o) => o > 0.1)).toBe(true);
    const bs = intersectSphere({ origins: rays.origins, directions: rays.directions, center: [0, 0, 0], radius: 0.9 });
    const direct = scope(() => renderRays({ ...rays, ...bs, numSamples: 12, field, background: [0, 0.5, 1] }).rgb.toArray());
    expectClose(whole.rgb, untile(direct, rays.pixelIndices, 3), { atol: 1e-6, rtol: 1e-5 });
  });

  it("keeps memory flat over repeated calls", () => {
    const alloc = getCore().allocator;
    renderImage({ camera, field, bounds, numSamples: 16, chunkRays: 50, numImportanceSamples: 8 });
    const blocks = alloc.liveBlocks;
    const bytes = alloc.memoryBytes;
    for (let i = 0; i < 3; i++) {
      renderImage({ camera, field, bounds, numSamples: 16, chunkRays: 50, numImportanceSamples: 8 });
      expect(alloc.liveBlocks).toBe(blocks);
      expect(alloc.memoryBytes).toBe(bytes);
    }
  });
});
