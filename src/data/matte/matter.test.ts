import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { REAL_DATA_DIR, extractVideoFrames, readRgbFrame } from "../track/testing.js";
import { createFaceTracker, type RgbFrame } from "../track/tracker.js";
import { MatteError } from "./error.js";
import { MATTE_MODELS, createMatter, type Matter, type MatteModel } from "./matter.js";

/** A real frame with the face tracker's landmarks. */
interface Sample {
  name: string;
  frame: RgbFrame;
  landmarks: Float32Array;
}

/** Convex hull (counter-clockwise in image axes, Andrew's monotone chain) of x, y pairs. */
function convexHull(points: Float32Array): [number, number][] {
  const p: [number, number][] = [];
  for (let i = 0; i < points.length; i += 2) p.push([points[i], points[i + 1]]);
  p.sort((a, b) => a[0] - b[0] || a[1] - b[1]);
  const cross = (o: number[], a: number[], b: number[]): number => (a[0] - o[0]) * (b[1] - o[1]) - (a[1] - o[1]) * (b[0] - o[0]);
  const half = (pts: [number, number][]): [number, number][] => {
    const h: [number, number][] = [];
    for (const q of pts) {
      while (h.length >= 2 && cross(h[h.length - 2], h[h.length - 1], q) <= 0) h.pop();
      h.push(q);
    }
    h.pop();
    return h;
  };
  return [...half(p), ...half([...p].reverse())];
}

/** Fraction of in-frame pixels of region `inside` whose alpha is at least 128. */
function foregroundFraction(alpha: Uint8Array, frame: RgbFrame, inside: (x: number, y: number) => boolean): number {
  let fg = 0;
  let n = 0;
  for (let y = 0; y < frame.heightPx; y++) {
    for (let x = 0; x < frame.widthPx; x++) {
      if (!inside(x + 0.5, y + 0.5)) continue;
      n++;
      if (alpha[y * frame.widthPx + x] >= 128) fg++;
    }
  }
  return fg / n;
}

/** The face: pixels inside the convex hull of the 478 tracked landmarks. */
function faceHullFraction(alpha: Uint8Array, s: Sample): number {
  const hull = convexHull(s.landmarks);
  return foregroundFraction(alpha, s.frame, (x, y) =>
    hull.every((a, i) => {
      const b = hull[(i + 1) % hull.length];
      return (b[0] - a[0]) * (y - a[1]) - (b[1] - a[1]) * (x - a[0]) >= 0;
    }),
  );
}

/** The landmarks' bounding box shrunk by `inset` of its size on each side. */
function faceBoxFraction(alpha: Uint8Array, s: Sample, inset: number): number {
  let [x0, y0, x1, y1] = [Infinity, Infinity, -Infinity, -Infinity];
  for (let i = 0; i < s.landmarks.length; i += 2) {
    [x0, x1] = [Math.min(x0, s.landmarks[i]), Math.max(x1, s.landmarks[i])];
    [y0, y1] = [Math.min(y0, s.landmarks[i + 1]), Math.max(y1, s.landmarks[i + 1])];
  }
  const [dx, dy] = [inset * (x1 - x0), inset * (y1 - y0)];
  return foregroundFraction(alpha, s.frame, (x, y) => x >= x0 + dx && x <= x1 - dx && y >= y0 + dy && y <= y1 - dy);
}

/** Mean alpha in [0, 1] of the 24x24 patches 8 px in from the top-left and top-right corners (wall in every sample; checked by eye). */
function topCornersAlpha(alpha: Uint8Array, frame: RgbFrame): [number, number] {
  const patch = (x0: number): number => {
    let sum = 0;
    for (let y = 8; y < 32; y++) for (let x = x0; x < x0 + 24; x++) sum += alpha[y * frame.widthPx + x];
    return sum / (24 * 24 * 255);
  };
  return [patch(8), patch(frame.widthPx - 32)];
}

const CLIPS = ["expressive-woman-480.mp4", "woman-turning-512.mp4", "man-mouth-480.mp4"];
const PORTRAITS = ["portrait-s0.jpg", "portrait-s1.jpg", "portrait-s3.jpg", "portrait-s5.jpg"];

let samples: Sample[] = [];
const matters = new Map<MatteModel, Matter>();

beforeAll(async () => {
  const frames: { name: string; frame: RgbFrame }[] = [];
  for (const clip of CLIPS) {
    const [a, b] = await extractVideoFrames(join(REAL_DATA_DIR, clip), [30, 200]);
    frames.push({ name: `${clip}#30`, frame: a }, { name: `${clip}#200`, frame: b });
  }
  for (const p of PORTRAITS) frames.push({ name: p, frame: await readRgbFrame(join(REAL_DATA_DIR, p)) });
  const tracker = await createFaceTracker();
  try {
    for (const { name, frame } of frames) {
      const face = await tracker.track(frame);
      if (!face) throw new Error(`${name}: no face tracked`);
      samples.push({ name, frame, landmarks: face.landmarks });
    }
  } finally {
    tracker.close();
  }
  for (const model of MATTE_MODELS) matters.set(model, await createMatter({ model }));
});

afterAll(() => {
  for (const m of matters.values()) m.close();
  samples = [];
});

function matterOf(model: MatteModel): Matter {
  const m = matters.get(model);
  if (!m) throw new Error(`no ${model} matter`);
  return m;
}

describe.each(MATTE_MODELS)("createMatter({ model: %s })", (model) => {
  // The per-image models are checked on the clip frames; RVM (the default, ~20x slower) on the portraits too.
  const chosen = (): Sample[] => (model === "rvm" ? samples : samples.filter((s) => s.name.includes(".mp4")));

  it("covers the face, leaves the top corners as background, and spans 0..255", async () => {
    const matter = matterOf(model);
    for (const s of chosen()) {
      matter.reset();
      const alpha = await matter.matte(s.frame);
      expect(alpha).toBeInstanceOf(Uint8Array);
      expect(alpha.length, s.name).toBe(s.frame.widthPx * s.frame.heightPx);
      expect(faceHullFraction(alpha, s), `${s.name}: face (landmark hull) foreground`).toBeGreaterThanOrEqual(0.99);
      // The landmark box's corners beside the chin hold some background (neck, wall): 10% inset keeps to the face.
      expect(faceBoxFraction(alpha, s, 0.1), `${s.name}: inset landmark box foreground`).toBeGreaterThanOrEqual(0.95);
      for (const corner of topCornersAlpha(alpha, s.frame)) expect(corner, `${s.name}: top corner alpha`).toBeLessThan(0.1);
      expect(alpha.includes(0) && alpha.includes(255), `${s.name}: both 0 and 255 present`).toBe(true);
    }
  });

  it("gives the same matte for the same frame twice", async () => {
    const matter = matterOf(model);
    const frame = samples[0].frame;
    matter.reset();
    const first = await matter.matte(frame);
    matter.reset();
    expect(await matter.matte(frame)).toEqual(first);
  });

  it("finds almost no foreground in a uniform grey image", async () => {
    const matter = matterOf(model);
    matter.reset();
    const alpha = await matter.matte({ rgb: new Uint8Array(256 * 256 * 3).fill(128), widthPx: 256, heightPx: 256 });
    expect(alpha.reduce((a, v) => a + v, 0) / (alpha.length * 255)).toBeLessThan(0.02);
  });
});

describe("createMatter", () => {
  it("keeps RVM's recurrent state between frames until reset()", async () => {
    const matter = matterOf("rvm");
    const [a, b] = samples.filter((s) => s.name.startsWith("man-mouth"));
    matter.reset();
    const fresh = await matter.matte(b.frame);
    matter.reset();
    await matter.matte(a.frame);
    const afterA = await matter.matte(b.frame);
    expect(afterA).not.toEqual(fresh);
    matter.reset();
    expect(await matter.matte(b.frame)).toEqual(fresh);
  });

  it("rejects bad frames and options with a MatteError naming the problem", async () => {
    const matter = matterOf("selfie");
    await expect(matter.matte({ rgb: new Uint8Array(10), widthPx: 4, heightPx: 4 })).rejects.toThrow(/frame: rgb has 10 bytes, expected 4x4x3 = 48/);
    await expect(matter.matte({ rgb: new Uint8Array(0), widthPx: 0, heightPx: 4 })).rejects.toThrow(MatteError);
    await expect(createMatter(JSON.parse('{"model": "deeplab"}'))).rejects.toThrow(/matter options: .*model/);
    await expect(createMatter({ rvmDownsampleRatio: 2 })).rejects.toThrow(MatteError);
  });

  it("throws after close()", async () => {
    const matter = await createMatter({ model: "meet" });
    matter.close();
    await expect(matter.matte({ rgb: new Uint8Array(12), widthPx: 2, heightPx: 2 })).rejects.toThrow(/after close\(\)/);
  });
});
