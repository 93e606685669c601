import { describe, expect, it } from "vitest";
import { TrackingError } from "./error.js";
import { FACE_ONE_EURO_30FPS, OneEuroFilter, createLandmarkSmoother, landmarkJitter, measureFilterLag, smoothTrack } from "./smooth.js";

/** Deterministic standard normal samples (LCG + Box-Muller). */
function normalSampler(seed: number): () => number {
  let s = seed >>> 0;
  const uniform = (): number => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return (s + 0.5) / 2 ** 32;
  };
  return () => Math.sqrt(-2 * Math.log(uniform())) * Math.cos(2 * Math.PI * uniform());
}

/** A 40-point face of 250 px drifting slowly (0.1 Hz, 5% of its size), 10 s at 30 fps, with 1 px noise. */
function noisyTrack(): { truth: Float32Array[]; noisy: Float32Array[] } {
  const normal = normalSampler(7);
  const base = Array.from({ length: 40 }, (_, i) => [100 + ((i * 37) % 250), 100 + ((i * 91) % 250)]);
  const truth: Float32Array[] = [];
  const noisy: Float32Array[] = [];
  for (let t = 0; t < 300; t++) {
    const dx = 12.5 * Math.sin((2 * Math.PI * 0.1 * t) / 30);
    const clean = new Float32Array(base.flatMap(([x, y]) => [x + dx, y + 0.5 * dx]));
    truth.push(clean);
    noisy.push(clean.map((v) => v + normal()));
  }
  return { truth, noisy };
}

function rmsError(track: readonly (Float32Array | null)[], truth: readonly Float32Array[]): number {
  let sum = 0;
  let n = 0;
  track.forEach((f, t) => f?.forEach((v, i) => ((sum += (v - truth[t][i]) ** 2), n++)));
  return Math.sqrt(sum / n);
}

describe("OneEuroFilter", () => {
  it("passes the first sample and a constant signal through, and restarts after reset", () => {
    const f = new OneEuroFilter(FACE_ONE_EURO_30FPS, 4, 2);
    expect(Array.from(f.filter([1, 2, 3, 4], 0))).toEqual([1, 2, 3, 4]);
    expect(Array.from(f.filter([1, 2, 3, 4], 1 / 30))).toEqual([1, 2, 3, 4]);
    const moved = f.filter([11, 2, 3, 4], 2 / 30);
    expect(moved[0]).toBeGreaterThan(1);
    expect(moved[0]).toBeLessThan(11);
    f.reset();
    expect(Array.from(f.filter([5, 6, 7, 8], 0))).toEqual([5, 6, 7, 8]);
  });

  it("refuses bad parameters, sizes and times", () => {
    expect(() => new OneEuroFilter({ ...FACE_ONE_EURO_30FPS, minCutoffHz: 0 }, 2)).toThrow(TrackingError);
    expect(() => new OneEuroFilter(FACE_ONE_EURO_30FPS, 3, 2)).toThrow(/multiple/);
    const f = new OneEuroFilter(FACE_ONE_EURO_30FPS, 2);
    expect(() => f.filter([1], 0)).toThrow(/expected 2/);
    f.filter([1, 2], 1);
    expect(() => f.filter([1, 2], 1)).toThrow(/does not follow/);
  });
});

describe("landmarkJitter", () => {
  it("is zero for uniform motion and 4d for a point alternating by +-d", () => {
    const uniform = [0, 1, 2, 3].map((t) => new Float32Array([10 + 3 * t, 5 - t, 20, 40 + 2 * t]));
    expect(landmarkJitter(uniform).meanAccelPx).toBeCloseTo(0, 5);
    const shaking = [0, 1, 2, 3].map((t) => new Float32Array([t % 2 ? -0.5 : 0.5, 0, 100, 100]));
    const j = landmarkJitter(shaking);
    // Point 0 accelerates by 4 * 0.5 = 2 px, point 1 not at all; the face is 100 px.
    expect(j.meanAccelPx).toBeCloseTo(1, 5);
    expect(j.meanAccelFraction).toBeCloseTo(0.01, 5);
    expect(j.triples).toBe(2);
  });

  it("skips triples that touch an untracked frame", () => {
    const f = (x: number): Float32Array => new Float32Array([x, 0, 50, 50]);
    expect(landmarkJitter([f(0), f(1), null, f(3), f(4), f(9)]).triples).toBe(1);
    expect(landmarkJitter([f(0), null, f(2)]).meanAccelPx).toBe(0);
  });
});

describe("landmark smoothing", () => {
  it("lags the input by under half a frame on a 0.5 face/s ramp and follows a 10% step within a frame", () => {
    const lag = measureFilterLag();
    // Measured with the defaults: ramp lag 0.14 frames, step: 50% at once, 90% after 0.31 frames.
    expect(lag.rampLagFrames).toBeGreaterThan(0);
    expect(lag.rampLagFrames).toBeLessThan(0.5);
    expect(lag.stepHalfFrames).toBeLessThanOrEqual(0.5);
    expect(lag.step90Frames).toBeLessThan(1);
    // A slow drift (0.05 face/s) is smoothed harder but still lags under 1.5 frames (measured 0.79).
    expect(measureFilterLag({ rampSpeed: 0.05 }).rampLagFrames).toBeLessThan(1.5);
  });

  it("reduces jitter and error on a noisy, slowly moving track", () => {
    const { truth, noisy } = noisyTrack();
    const smoothed = smoothTrack(noisy, 30);
    const raw = landmarkJitter(noisy);
    const filtered = landmarkJitter(smoothed);
    expect(filtered.meanAccelPx).toBeLessThan(0.5 * raw.meanAccelPx);
    expect(rmsError(smoothed, truth)).toBeLessThan(0.8 * rmsError(noisy, truth));
  });

  it("keeps untracked frames empty and restarts after them", () => {
    const { noisy } = noisyTrack();
    const track = noisy.slice(0, 10).map((f, i) => (i === 5 ? null : f));
    const smoothed = smoothTrack(track, 30);
    expect(smoothed[5]).toBeNull();
    expect(Array.from(smoothed[6] ?? [])).toEqual(Array.from(noisy[6]));
    expect(Array.from(smoothed[7] ?? [])).not.toEqual(Array.from(noisy[7]));
  });

  it("measures speed in face sizes, so a scaled track is smoothed the same", () => {
    const { noisy } = noisyTrack();
    const a = createLandmarkSmoother();
    const b = createLandmarkSmoother();
    for (let t = 0; t < 30; t++) {
      const out = a.smooth(noisy[t], t / 30);
      const scaled = b.smooth(noisy[t].map((v) => 3 * v), t / 30);
      out.forEach((v, i) => expect(scaled[i]).toBeCloseTo(3 * v, 2));
    }
  });
});
