import { z } from "zod";
import type { Config, FaceResult } from "@vladmandic/human";
import { NUM_LANDMARKS } from "../../face/index.js";
import { describeSchemaError } from "../dataset.js";
import { TrackingError } from "./error.js";
import { FACE_MODEL_FILES, loadHuman } from "./human.js";

/** An RGB frame: `rgb` is `[heightPx, widthPx, 3]` row-major, 8 bits per channel, no alpha (a video layer `VideoFrame` is one). */
export interface RgbFrame {
  readonly rgb: Uint8Array;
  readonly widthPx: number;
  readonly heightPx: number;
}

/** Head rotation in radians, as `@vladmandic/human` estimates it from the mesh (signs checked on woman-turning-512.mp4). */
export interface FaceRotation {
  /** Turn about the vertical axis; positive when the subject turns towards the image's left (their right). */
  yaw: number;
  /** Nod; positive when the subject looks down. */
  pitch: number;
  /** In-plane tilt; positive when the face turns clockwise in the image. */
  roll: number;
}

/** One tracked face in a frame. All pixel coordinates have (0, 0) at the image's top-left corner. */
export interface TrackedFace {
  /**
   * Face box `[x, y, w, h]` in pixels: the bounding box of `landmarks`. Not clipped:
   * where the face runs past the frame edge (a chin below the bottom), so do the
   * mesh's extrapolated points and the box.
   */
  boxPx: [number, number, number, number];
  /**
   * `[478 * 2]` landmark x, y in pixels, in MediaPipe's order: 468 mesh points, then
   * the subject's right iris (centre 468, limbus 469-472), then the left (473-477);
   * see `IRIS_LANDMARKS` in src/face/landmarks.ts. Human reports whole pixels.
   */
  landmarks: Float32Array;
  /**
   * `[478 * 3]`: x, y as in `landmarks`, then the mesh model's relative depth z,
   * converted to image pixels like x and y (larger is farther from the camera; the
   * zero is arbitrary: only differences between points mean something). Human
   * reports z in whole pixels of the mesh model's input crop; see
   * {@link FACE_MESH_INPUT_PX}.
   */
  landmarks3d: Float32Array;
  /** Head rotation, or null where Human gives none. */
  rotation: FaceRotation | null;
  /** Mesh confidence in [0, 1] (Human's face score). */
  confidence: number;
}

/** A face tracker; `track` calls are served one at a time in call order. */
export interface FaceTracker {
  /** Tracks the largest face of `frame`; null when there is none. */
  track(frame: RgbFrame): Promise<TrackedFace | null>;
  /** Ends the tracker; later `track` calls throw. */
  close(): void;
}

/** Options of {@link createFaceTracker}. */
export const FaceTrackerOptionsSchema = z.strictObject({
  minConfidence: z
    .number()
    .min(0)
    .max(1)
    .default(0.5)
    .describe("Faces whose detection or mesh confidence is below this are dropped."),
  maxFaces: z
    .number()
    .int()
    .min(1)
    .max(16)
    .default(4)
    .describe("Faces detected per frame; the largest is returned."),
  correctRoll: z
    .boolean()
    .default(true)
    .describe("Rotate the face crop upright before the mesh model (Human's detector.rotation): steadier points on tilted heads."),
});
export type FaceTrackerOptions = z.input<typeof FaceTrackerOptionsSchema>;

/**
 * Index map from Human's 478 points to MediaPipe's order: `ours[i] = human[HUMAN_INDEX[i]]`.
 * Human's default iris path (config.face.iris) appends the subject's LEFT iris first
 * (its 468-472 lie around mesh point 263), with limbus points towards the image's
 * left, top, right, bottom; its second group (the subject's right iris) goes right,
 * top, left, bottom. MediaPipe puts the right iris first and orders both groups
 * right, top, left, bottom (checked on the real portraits in tracker.test.ts).
 */
const HUMAN_INDEX: Int32Array = (() => {
  const map = new Int32Array(NUM_LANDMARKS);
  for (let i = 0; i < 468; i++) map[i] = i;
  [473, 474, 475, 476, 477, 468, 471, 470, 469, 472].forEach((h, k) => (map[468 + k] = h));
  return map;
})();

/** Human's configuration: face detector, mesh and iris only; no result cache, no frame skipping. */
function humanConfig(o: z.output<typeof FaceTrackerOptionsSchema>): Partial<Config> {
  const off = { enabled: false };
  return {
    // 0 turns off the input cache: a repeated frame is tracked again, not served from the last result.
    cacheSensitivity: 0,
    async: false,
    filter: { enabled: false },
    gesture: off,
    body: off,
    hand: off,
    object: off,
    segmentation: off,
    face: {
      enabled: true,
      detector: {
        enabled: true,
        modelPath: FACE_MODEL_FILES.detector,
        rotation: o.correctRoll,
        maxDetected: o.maxFaces,
        minConfidence: o.minConfidence,
        // Detect on every frame: with the cache off Human never reuses boxes, this makes it explicit.
        skipFrames: 0,
        skipTime: 0,
        return: false,
      },
      mesh: { enabled: true, modelPath: FACE_MODEL_FILES.mesh, keepInvalid: false },
      iris: { enabled: true, modelPath: FACE_MODEL_FILES.iris },
      attention: off,
      description: off,
      emotion: off,
      antispoof: off,
      liveness: off,
      gear: off,
    },
  };
}

function checkFrame(frame: RgbFrame): void {
  const { rgb, widthPx, heightPx } = frame;
  if (!Number.isInteger(widthPx) || !Number.isInteger(heightPx) || widthPx < 1 || heightPx < 1) {
    throw new TrackingError(`frame: size ${widthPx}x${heightPx} is not a positive whole number of pixels`);
  }
  if (!(rgb instanceof Uint8Array)) throw new TrackingError("frame: rgb must be a Uint8Array");
  if (rgb.length !== widthPx * heightPx * 3) {
    throw new TrackingError(`frame: rgb has ${rgb.length} bytes, expected ${widthPx}x${heightPx}x3 = ${widthPx * heightPx * 3}`);
  }
}

/**
 * Side of the face mesh model's square input, pixels: Human crops the face box,
 * resizes it to this size and reports z in these pixels, while it maps x and y
 * back to the image (checked against the model file in tracker.test.ts).
 */
export const FACE_MESH_INPUT_PX = 192;

/**
 * Converts one of Human's faces to a {@link TrackedFace} in MediaPipe's landmark
 * order. `frameWidthPx` is the width of the frame it was found in: Human gives
 * the crop box as a fraction of it (`boxRaw`), which scales z to image pixels.
 */
export function faceFromHuman(face: FaceResult, frameWidthPx: number): TrackedFace {
  if (face.mesh.length !== NUM_LANDMARKS) {
    throw new TrackingError(`tracker: Human gave ${face.mesh.length} landmarks, expected ${NUM_LANDMARKS} (iris model off?)`);
  }
  const landmarks = new Float32Array(2 * NUM_LANDMARKS);
  const landmarks3d = new Float32Array(3 * NUM_LANDMARKS);
  // Human keeps the size of the crop box the mesh ran on in boxRaw (it re-centres the box on the mesh).
  const zScale = (face.boxRaw[2] * frameWidthPx) / FACE_MESH_INPUT_PX;
  let x0 = Infinity;
  let y0 = Infinity;
  let x1 = -Infinity;
  let y1 = -Infinity;
  for (let i = 0; i < NUM_LANDMARKS; i++) {
    const [x, y, z] = face.mesh[HUMAN_INDEX[i]];
    landmarks[2 * i] = x;
    landmarks[2 * i + 1] = y;
    landmarks3d.set([x, y, (z ?? 0) * zScale], 3 * i);
    x0 = Math.min(x0, x);
    y0 = Math.min(y0, y);
    x1 = Math.max(x1, x);
    y1 = Math.max(y1, y);
  }
  const angle = face.rotation?.angle;
  return {
    boxPx: [x0, y0, x1 - x0, y1 - y0],
    landmarks,
    landmarks3d,
    rotation: angle ? { yaw: angle.yaw, pitch: angle.pitch, roll: angle.roll } : null,
    confidence: face.score,
  };
}

/**
 * Loads `@vladmandic/human` (MIT, https://github.com/vladmandic/human) on tfjs's
 * WebAssembly backend with its bundled BlazeFace detector, face mesh and iris
 * models (MediaPipe's 468-point mesh plus 10 iris points), offline, and returns a
 * tracker. Every frame is detected afresh (no cache, no box reuse), so results do
 * not depend on earlier calls. Human keeps loaded models in module scope, so they
 * load from disk once per process (~0.2-0.3 s) and later trackers reuse them.
 * Runs on one thread (tfjs's wasm backend has no threads in Node); about 35 ms a
 * frame on a quiet core of the 2-core machine, 480x480 or 256x256 alike.
 */
export async function createFaceTracker(options: FaceTrackerOptions = {}): Promise<FaceTracker> {
  const parsed = FaceTrackerOptionsSchema.safeParse(options);
  if (!parsed.success) throw new TrackingError(`face tracker options: ${describeSchemaError(parsed.error)}`);
  const { human, tf } = await loadHuman(humanConfig(parsed.data), Object.values(FACE_MODEL_FILES));
  let closed = false;
  let queue: Promise<unknown> = Promise.resolve();

  const trackNow = async (frame: RgbFrame): Promise<TrackedFace | null> => {
    if (closed) throw new TrackingError("tracker: track() called after close()");
    const input = tf.tensor4d(frame.rgb, [1, frame.heightPx, frame.widthPx, 3], "int32");
    let result;
    try {
      result = await human.detect(input);
    } finally {
      input.dispose();
    }
    if (result.error) throw new TrackingError(`tracker: Human failed on a ${frame.widthPx}x${frame.heightPx} frame: ${result.error}`);
    let best: FaceResult | null = null;
    for (const face of result.face) {
      if (face.mesh.length === 0) continue;
      if (!best || face.box[2] * face.box[3] > best.box[2] * best.box[3]) best = face;
    }
    return best ? faceFromHuman(best, frame.widthPx) : null;
  };

  return {
    track(frame: RgbFrame): Promise<TrackedFace | null> {
      try {
        checkFrame(frame);
      } catch (e) {
        return Promise.reject(e);
      }
      const run = queue.then(() => trackNow(frame));
      queue = run.catch(() => undefined);
      return run;
    },
    close(): void {
      closed = true;
    },
  };
}
