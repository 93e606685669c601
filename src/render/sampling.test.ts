import { describe, expect, it } from "vitest";
import { Random, scope } from "../core/index.js";
import { expectClose } from "../core/testing/compare.js";
import { guidedDistances, mergeSortedDistances, sampleAlongRays, samplePiecewiseConstant, samplesAtDistances, voronoiEdges } from "./sampling.js";

const origins = Float32Array.from([0, 0, 3, 1, 0, 0]);
const directions = Float32Array.from([0, 0, -1, 0, 1, 0]);
const near = Float32Array.from([2, 0]);
const far = Float32Array.from([4, 0]);

/** A plain inverse-CDF reference: for each u, scan the normalized CDF. */
function samplePdfReference(edges: number[], weights: number[], us: number[], padding: number): number[] {
  const w = weights.map((x) => Math.max(x, 0) + padding);
  const total = w.reduce((a, b) => a + b, 0);
  return us.map((u) => {
    let acc = 0;
    for (let b = 0; b < w.length; b++) {
      if (u * total < acc + w[b] || b === w.length - 1) return edges[b] + ((u * total - acc) / w[b]) * (edges[b + 1] - edges[b]);
      acc += w[b];
    }
    return NaN;
  });
}

describe("stratified samples", () => {
  it("puts midpoints at bin centres, deltas summing to far - near, nothing on empty rays", () => {
    scope(() => {
      const s = sampleAlongRays({ origins, directions, near, far, numSamples: 4 });
      expect([...s.tValues.toArray()]).toEqual([2.25, 2.75, 3.25, 3.75, 0, 0, 0, 0]);
      expect([...s.deltas.toArray()]).toEqual([0.5, 0.5, 0.5, 0.5, 0, 0, 0, 0]);
      expect(s.pointsWorld.shape).toEqual([8, 3]);
      expect([...s.pointsWorld.toArray().subarray(0, 6)]).toEqual([0, 0, 0.75, 0, 0, 0.25]);
      expect([...s.viewDirs.toArray().subarray(12, 15)]).toEqual([0, 1, 0]);
    });
  });

  it("jitters within the bins, the same for the same seed", () => {
    scope(() => {
      const a = sampleAlongRays({ origins, directions, near, far, numSamples: 8, rng: new Random(3) }).tValues.toArray();
      const b = sampleAlongRays({ origins, directions, near, far, numSamples: 8, rng: new Random(3) }).tValues.toArray();
      expect(a).toEqual(b);
      for (let k = 0; k < 8; k++) {
        expect(a[k]).toBeGreaterThanOrEqual(2 + k * 0.25);
        expect(a[k]).toBeLessThan(2 + (k + 1) * 0.25);
      }
    });
  });

  it("gives Voronoi deltas for arbitrary distances", () => {
    scope(() => {
      const s = samplesAtDistances({ origins, directions, near, far, tValues: Float32Array.from([2.5, 3, 3, 3.9, 0, 0, 0, 0]) });
      expectClose(s.deltas.toArray(), [0.75, 0.25, 0.45, 0.55, 0, 0, 0, 0], { atol: 1e-6 });
    });
  });
});

describe("hierarchical sampling", () => {
  it("matches the plain reference, evenly spaced and jittered", () => {
    const edges = [1, 1.5, 2, 2.5, 3, 3.5];
    const weights = [0, 0.2, 1.5, 0.05, 0.25];
    for (const rng of [undefined, new Random(11)]) {
      const n = 16;
      const jitter = new Random(11);
      const us = [...Array(n).keys()].map((j) => (j + (rng ? jitter.uniform() : 0.5)) / n);
      const got = samplePiecewiseConstant({
        edges: Float32Array.from([...edges, ...edges.map((e) => e + 10)]),
        weights: Float32Array.from([...weights, ...weights]),
        numSamples: n,
        rng,
        padding: 0.01,
      });
      const usSecond = rng ? [...Array(n).keys()].map((j) => (j + jitter.uniform()) / n) : us;
      const want = [...samplePdfReference(edges, weights, us, 0.01), ...samplePdfReference(edges.map((e) => e + 10), weights, usSecond, 0.01)];
      expectClose(got, want, { atol: 1e-5 });
      for (let j = 1; j < n; j++) expect(got[j]).toBeGreaterThanOrEqual(got[j - 1]);
    }
  });

  it("puts every sample in the one bin that has weight, and follows the weights in distribution", () => {
    const one = samplePiecewiseConstant({ edges: Float32Array.from([0, 1, 2, 3]), weights: Float32Array.from([0, 5, 0]), numSamples: 4, padding: 0 });
    expect([...one]).toEqual([1.125, 1.375, 1.625, 1.875]);
    const weights = Float32Array.from([1, 3, 0, 4]);
    const got = samplePiecewiseConstant({ edges: Float32Array.from([0, 1, 2, 3, 4]), weights, numSamples: 8000, rng: new Random(2) });
    const counts = [0, 0, 0, 0];
    for (const t of got) counts[Math.min(Math.floor(t), 3)]++;
    expectClose(counts.map((c) => c / 8000), [1 / 8, 3 / 8, 0, 4 / 8], { atol: 2e-3 });
  });

  it("merges sorted distances per ray", () => {
    const merged = mergeSortedDistances(Float32Array.from([1, 3, 10, 12]), Float32Array.from([0, 2, 4, 11, 11.5, 13]), 2);
    expect([...merged]).toEqual([0, 1, 2, 3, 4, 10, 11, 11.5, 12, 13]);
  });
});

describe("guidedDistances", () => {
  const near4 = Float32Array.from([1, 1, 1, 2]);
  const far4 = Float32Array.from([3, 3, 3, 2]);
  const guides = Float32Array.from([2, Infinity, 3.5, 2]);

  it("puts G samples in the window around the guide and the rest stratified, sorted, inside [near, far]", () => {
    const t = guidedDistances({ near: near4, far: far4, guides, numSamples: 8, numGuided: 4, halfWidth: 0.1 });
    const ray = (r: number): number[] => [...t.subarray(8 * r, 8 * r + 8)];
    // Ray 0: 4 midpoints of [1, 3] and 4 of [1.9, 2.1], merged.
    expectClose(Float32Array.from(ray(0)), Float32Array.from([1.25, 1.75, 1.925, 1.975, 2.025, 2.075, 2.25, 2.75]), { atol: 1e-6 });
    // Ray 1 (no guide) and ray 2 (window outside [near, far]): plain stratified midpoints.
    const plain = [1.125, 1.375, 1.625, 1.875, 2.125, 2.375, 2.625, 2.875];
    expectClose(Float32Array.from(ray(1)), Float32Array.from(plain), { atol: 1e-6 });
    expectClose(Float32Array.from(ray(2)), Float32Array.from(plain), { atol: 1e-6 });
    // Ray 3 is empty.
    expect(ray(3)).toEqual(Array(8).fill(0));
    const jittered = guidedDistances({ near: near4, far: far4, guides, numSamples: 8, numGuided: 4, halfWidth: 0.1, rng: new Random(3) });
    for (let r = 0; r < 3; r++) {
      for (let k = 0; k < 8; k++) {
        expect(jittered[8 * r + k]).toBeGreaterThanOrEqual(1);
        expect(jittered[8 * r + k]).toBeLessThanOrEqual(3);
        if (k > 0) expect(jittered[8 * r + k]).toBeGreaterThanOrEqual(jittered[8 * r + k - 1]);
      }
    }
    expect([...jittered.subarray(0, 8)].filter((x) => Math.abs(x - 2) <= 0.1).length).toBeGreaterThanOrEqual(4);
  });

  it("refuses counts that leave no stratified samples", () => {
    expect(() => guidedDistances({ near: near4, far: far4, guides, numSamples: 4, numGuided: 4, halfWidth: 0.1 })).toThrow(/numGuided/);
  });

  it("voronoiEdges are near, the midpoints and far", () => {
    expectClose(voronoiEdges(Float32Array.from([1.5, 2, 2.5]), Float32Array.from([1]), Float32Array.from([3])), Float32Array.from([1, 1.75, 2.25, 3]));
  });
});
