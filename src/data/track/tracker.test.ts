import { readFileSync } from "node:fs";
import { join } from "node:path";
import sharp from "sharp";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { IRIS_LANDMARKS, NUM_LANDMARKS } from "../../face/index.js";
import { LEFT_EYE_LOWER, LEFT_EYE_UPPER, RIGHT_EYE_LOWER, RIGHT_EYE_UPPER } from "../../face/landmarks.js";
import { TrackingError } from "./error.js";
import { FACE_MODEL_FILES, humanModelsDir } from "./human.js";
import { REAL_DATA_DIR, extractVideoFrames, readRgbFrame } from "./testing.js";
import { createFaceTracker, FACE_MESH_INPUT_PX, type FaceTracker, type RgbFrame, type TrackedFace } from "./tracker.js";

const PORTRAIT_FILES = ["portrait-s0.jpg", "portrait-s1.jpg", "portrait-s3.jpg", "portrait-s5.jpg"];
const PORTRAITS = PORTRAIT_FILES.map((f) => join(REAL_DATA_DIR, f));
const CLIPS = [
  { file: "expressive-woman-480.mp4", frames: [0, 500, 1000] },
  { file: "woman-turning-512.mp4", frames: [0, 170, 350] },
  { file: "man-mouth-480.mp4", frames: [0, 100, 210] },
];

const point = (face: TrackedFace, i: number): [number, number] => [face.landmarks[2 * i], face.landmarks[2 * i + 1]];

/** Closed eye contour: the lower lid from corner to corner, then the upper lid back. */
function eyeContour(face: TrackedFace, lower: readonly number[], upper: readonly number[]): [number, number][] {
  return [...lower, ...[...upper].reverse()].map((i) => point(face, i));
}

/** Even-odd point-in-polygon test. */
function inside([x, y]: [number, number], polygon: [number, number][]): boolean {
  let odd = false;
  for (let i = 0, j = polygon.length - 1; i < polygon.length; j = i++) {
    const [xi, yi] = polygon[i];
    const [xj, yj] = polygon[j];
    if (yi > y !== yj > y && x < ((xj - xi) * (y - yi)) / (yj - yi) + xi) odd = !odd;
  }
  return odd;
}

function expectWellFormed(face: TrackedFace | null, frame: RgbFrame): asserts face is TrackedFace {
  expect(face).not.toBeNull();
  if (!face) return;
  expect(face.landmarks.length).toBe(2 * NUM_LANDMARKS);
  expect(face.landmarks3d.length).toBe(3 * NUM_LANDMARKS);
  expect(face.confidence).toBeGreaterThanOrEqual(0.5);
  const [x, y, w, h] = face.boxPx;
  expect(w).toBeGreaterThan(0.05 * frame.widthPx);
  // The box may run past the frame edge with the face (a chin below the bottom), by a little.
  expect(x).toBeGreaterThanOrEqual(-0.1 * w);
  expect(y).toBeGreaterThanOrEqual(-0.1 * h);
  expect(x + w).toBeLessThanOrEqual(frame.widthPx + 0.1 * w);
  expect(y + h).toBeLessThanOrEqual(frame.heightPx + 0.1 * h);
  for (let i = 0; i < NUM_LANDMARKS; i++) {
    const [px, py] = point(face, i);
    expect(px).toBeGreaterThanOrEqual(x);
    expect(px).toBeLessThanOrEqual(x + w);
    expect(py).toBeGreaterThanOrEqual(y);
    expect(py).toBeLessThanOrEqual(y + h);
    // z is Human's relative depth; x and y agree with the 2-D landmarks.
    expect(face.landmarks3d[3 * i]).toBe(px);
    expect(face.landmarks3d[3 * i + 1]).toBe(py);
  }
}

describe("createFaceTracker", () => {
  let tracker: FaceTracker;
  beforeAll(async () => {
    tracker = await createFaceTracker();
  });
  afterAll(() => tracker.close());

  it.each(PORTRAIT_FILES)("finds the face in %s with irises inside their eyes, the right iris on the image's left", async (file) => {
    const frame = await readRgbFrame(join(REAL_DATA_DIR, file));
    const face = await tracker.track(frame);
    expectWellFormed(face, frame);
    // The portraits show the whole face.
    const [x, y, w, h] = face.boxPx;
    expect(Math.min(x, y, frame.widthPx - x - w, frame.heightPx - y - h)).toBeGreaterThanOrEqual(0);
    const right = point(face, IRIS_LANDMARKS.rightCenter);
    const left = point(face, IRIS_LANDMARKS.leftCenter);
    expect(inside(right, eyeContour(face, RIGHT_EYE_LOWER, RIGHT_EYE_UPPER))).toBe(true);
    expect(inside(left, eyeContour(face, LEFT_EYE_LOWER, LEFT_EYE_UPPER))).toBe(true);
    // The subject's right eye (mesh point 33) is on the image's left in a photo.
    expect(right[0]).toBeLessThan(left[0]);
    expect(point(face, 33)[0]).toBeLessThan(point(face, 263)[0]);
    // Limbus points of both irises: image right, top, left, bottom of the centre.
    for (const c of [IRIS_LANDMARKS.rightCenter, IRIS_LANDMARKS.leftCenter]) {
      const [cx, cy] = point(face, c);
      expect(point(face, c + 1)[0]).toBeGreaterThan(cx);
      expect(point(face, c + 2)[1]).toBeLessThan(cy);
      expect(point(face, c + 3)[0]).toBeLessThan(cx);
      expect(point(face, c + 4)[1]).toBeGreaterThan(cy);
    }
    // The portraits face the camera.
    expect(face.rotation).not.toBeNull();
    for (const angle of Object.values(face.rotation ?? {})) expect(Math.abs(angle)).toBeLessThan(0.35);
  });

  it.each(CLIPS)("finds a face in sampled frames of $file", async ({ file, frames }) => {
    const decoded = await extractVideoFrames(join(REAL_DATA_DIR, file), frames);
    for (const frame of decoded) expectWellFormed(await tracker.track(frame), frame);
  });

  it("reports yaw with the sign of the head turn (positive: towards the image's left)", async () => {
    // In woman-turning-512.mp4 the subject looks towards the image's right around frame 266 and its left around 308.
    const [right, left] = await extractVideoFrames(join(REAL_DATA_DIR, "woman-turning-512.mp4"), [266, 308]);
    for (const [frame, sign] of [[right, -1], [left, 1]] as const) {
      const face = await tracker.track(frame);
      expectWellFormed(face, frame);
      const eyeMidX = (point(face, 33)[0] + point(face, 263)[0]) / 2;
      expect(Math.sign(eyeMidX - point(face, 1)[0])).toBe(sign);
      expect(Math.sign(face.rotation?.yaw ?? 0)).toBe(sign);
      expect(Math.abs(face.rotation?.yaw ?? 0)).toBeGreaterThan(0.1);
    }
  });

  it("gives depths in image pixels: they scale with the image, as x and y do", async () => {
    const spread = (face: TrackedFace, axis: number): number => {
      const v = Array.from({ length: 468 }, (_, i) => face.landmarks3d[3 * i + axis]);
      const mean = v.reduce((a, b) => a + b, 0) / v.length;
      return Math.sqrt(v.reduce((a, b) => a + (b - mean) ** 2, 0) / v.length);
    };
    const full = await readRgbFrame(PORTRAITS[0]);
    const { data, info } = await sharp(PORTRAITS[0]).removeAlpha().resize({ width: Math.round(full.widthPx / 2) }).raw().toBuffer({ resolveWithObject: true });
    const half: RgbFrame = { rgb: new Uint8Array(data), widthPx: info.width, heightPx: info.height };
    const a = await tracker.track(full), b = await tracker.track(half);
    expectWellFormed(a, full);
    expectWellFormed(b, half);
    const scale = info.width / full.widthPx;
    expect(spread(b, 0) / spread(a, 0)).toBeCloseTo(scale, 1);
    // Human's raw z would stay the same size; converted, it shrinks with the image.
    expect(spread(b, 2) / spread(a, 2)).toBeCloseTo(scale, 1);
    // A frontal face is about half as deep as it is wide (MediaPipe's canonical mesh: 0.54 in standard deviations).
    expect(spread(a, 2) / spread(a, 0)).toBeGreaterThan(0.3);
    expect(spread(a, 2) / spread(a, 0)).toBeLessThan(0.7);
  });

  it("knows the face mesh model's input size, which converts its depths", () => {
    const graph = JSON.parse(readFileSync(join(humanModelsDir(), FACE_MODEL_FILES.mesh), "utf8"));
    const input = Object.values(graph.signature.inputs as Record<string, { tensorShape: { dim: { size: string }[] } }>)[0];
    expect(input.tensorShape.dim.map((d) => Number(d.size))).toEqual([-1, FACE_MESH_INPUT_PX, FACE_MESH_INPUT_PX, 3]);
  });

  it("gives null on images without a face", async () => {
    const grey: RgbFrame = { rgb: new Uint8Array(256 * 256 * 3).fill(128), widthPx: 256, heightPx: 256 };
    expect(await tracker.track(grey)).toBeNull();
    // Background of real photos, far from the face: the wall of portrait-s5, the painted backdrop of s3.
    expect(await tracker.track(await readRgbFrame(PORTRAITS[3], [520, 0, 200, 200]))).toBeNull();
    expect(await tracker.track(await readRgbFrame(PORTRAITS[2], [0, 0, 150, 150]))).toBeNull();
  });

  it("tracks a repeated frame afresh: same landmarks, not served from a cache", async () => {
    const a = await readRgbFrame(PORTRAITS[1]);
    const b = await readRgbFrame(PORTRAITS[3]);
    const first = await tracker.track(a);
    const other = await tracker.track(b);
    const again = await tracker.track(a);
    const twice = await tracker.track(a);
    expect(first && again && twice && other).toBeTruthy();
    expect(Array.from(again?.landmarks ?? [])).toEqual(Array.from(first?.landmarks ?? []));
    expect(Array.from(twice?.landmarks ?? [])).toEqual(Array.from(first?.landmarks ?? []));
    expect(other?.landmarks[0]).not.toBe(first?.landmarks[0]);
  });

  it("serves concurrent calls in order", async () => {
    const frames = await Promise.all([PORTRAITS[0], PORTRAITS[2]].map((p) => readRgbFrame(p)));
    const serial = [await tracker.track(frames[0]), await tracker.track(frames[1])];
    const concurrent = await Promise.all(frames.map((f) => tracker.track(f)));
    expect(concurrent.map((f) => f?.boxPx)).toEqual(serial.map((f) => f?.boxPx));
  });

  it("rejects malformed frames with a TrackingError", async () => {
    await expect(tracker.track({ rgb: new Uint8Array(10), widthPx: 4, heightPx: 4 })).rejects.toThrow(TrackingError);
    await expect(tracker.track({ rgb: new Uint8Array(0), widthPx: 0, heightPx: 4 })).rejects.toThrow(/positive whole number/);
  });

  it("rejects bad options and calls after close()", async () => {
    await expect(createFaceTracker({ minConfidence: 2 })).rejects.toThrow(/minConfidence/);
    const other = await createFaceTracker();
    other.close();
    await expect(other.track({ rgb: new Uint8Array(3), widthPx: 1, heightPx: 1 })).rejects.toThrow(/after close/);
  });
});
