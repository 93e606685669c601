import { createFaceModel, NUM_LANDMARKS, type FaceModel } from "../../face/index.js";
import { lookAtCamera, type PinholeCamera } from "../../geometry/camera.js";
import { FrameScratch, frameReprojection, type FrameObservation, type FrameState, type SharedContext } from "./frame-problem.js";
import { initializeFrame, refineFrame, type ExpressionBounds } from "./frame-solver.js";
import { FACE_OVAL_LANDMARKS, identityLandmarks, isIrisLandmark, landmarkModel } from "./landmark-model.js";
import { fitSequence } from "./sequence-step.js";
import { FitError, resolveFitSettings, type FitSettings, type FitSettingsInput } from "./settings.js";
import { fitIdentityAndFocal } from "./video-step.js";

/** Number of mesh landmarks (without the iris points); the face box is their bounds. */
const MESH_LANDMARKS = 468;

/** Stages reported by {@link FitLandmarkTracksOptions.onProgress}, in order. */
export type FitStage = "keyframes" | "video" | "initialize" | "sequence";

/** A progress report: `done` of `total` units of `stage` (frames or iterations), and the current cost where there is one. */
export interface FitProgress {
  stage: FitStage;
  done: number;
  total: number;
  cost?: number;
}

/** Options of {@link fitLandmarkTracks}. */
export interface FitLandmarkTracksOptions {
  /**
   * Per frame, 478 (or 468, without irises) tracked landmarks as `[x, y]`
   * pixels in MediaPipe face-mesh order (see src/face/landmarks.ts), or null
   * for a frame where tracking found no face (such frames are skipped and
   * reported, never filled).
   */
  landmarks2d: readonly (readonly (readonly number[])[] | null)[];
  /**
   * Optional, per frame: the tracker's relative depths of the 468 mesh landmarks
   * (or all 478; the iris points are not used), in the pixels of `landmarks2d`,
   * larger farther from the camera, any common offset (a face-mesh network's z,
   * as `TrackedFace.landmarks3d` holds it); null for a frame without. They pin
   * the head's pitch and yaw, which image positions alone under-read (see
   * `settings.depthWeight`).
   */
  landmarkDepthsPx?: readonly (ArrayLike<number> | null)[];
  /** Image size, pixels. */
  widthPx: number;
  heightPx: number;
  /** A guess of the focal length, pixels; default `settings.defaultFocalFactor` times the larger side. */
  focalPxGuess?: number;
  /** Starting (or, with `settings.fitIdentity` false, fixed) identity coefficients. */
  identity?: readonly number[];
  /** The face model; default {@link createFaceModel}. */
  model?: FaceModel;
  /**
   * Frame rate of the tracks, frames/s (default 30). The second-difference weights
   * of the settings hold at 30 frames/s and scale with the rate to the fourth
   * power, so that they smooth out the same frequencies (in Hz) at any rate.
   */
  fps?: number;
  /** Tunables; see {@link FitSettingsSchema}. */
  settings?: FitSettingsInput;
  /** Called as the fit goes (a few hundred times at most). */
  onProgress?: (progress: FitProgress) => void;
}

/** The fit of one frame. */
export type FitFrame =
  | {
    index: number;
    tracked: true;
    /** Model to world: p_world = R(rotationAxisAngle) p_model + translation (metres, radians). */
    headPose: { rotationAxisAngle: [number, number, number]; translation: [number, number, number] };
    /** Expression coefficients, one per model expression parameter. */
    expression: number[];
    /** Mean over the observed landmarks of the reprojection error, pixels. */
    meanErrorPx: number;
    /** The largest landmark error of the frame, pixels. */
    maxErrorPx: number;
    /** Diagonal of the face box (bounds of the 468 mesh landmarks), pixels. */
    faceSizePx: number;
    /** meanErrorPx / faceSizePx. */
    meanErrorFraction: number;
  }
  | { index: number; tracked: false };

/** Summary of a fit. */
export interface FitReport {
  /** What the error fractions divide by. */
  faceSizeMeasure: "face-box diagonal (bounds of the 468 mesh landmarks)";
  trackedFrames: number;
  /** Indices of frames without landmarks (skipped, not filled). */
  untrackedFrames: number[];
  /** Indices of tracked frames whose landmarks were degenerate for the pose initialization (reported like untracked ones). */
  failedFrames: number[];
  /** Means over fitted frames of the per-frame mean landmark error. */
  meanErrorPx: number;
  meanErrorFraction: number;
  /** The worst frame's mean error fraction, and which frame. */
  maxFrameErrorFraction: number;
  maxFrameErrorIndex: number;
  /** Seconds of the per-video step (keyframes, identity, focal) and of the per-frame step over all frames. */
  videoStepSeconds: number;
  sequenceStepSeconds: number;
  /** Fitted frames per second of the per-frame step (initialization included). */
  sequenceFramesPerSecond: number;
  /** Frame-to-frame jitter of the fitted head pose (see {@link poseJitter}). */
  poseJitter: PoseJitter;
}

/**
 * Jitter of a fitted head-pose track: means over triples of consecutive tracked
 * frames of the absolute second difference (acceleration per frame squared) and
 * of the absolute first difference (speed per frame), of the axis-angle
 * components in degrees and of the translation components in millimetres. A
 * smooth head motion has accelerations far below its speeds; a track whose
 * accelerations come near its speeds is mostly noise.
 */
export interface PoseJitter {
  rotationAccelDeg: number;
  rotationSpeedDeg: number;
  translationAccelMm: number;
  translationSpeedMm: number;
  /** Triples measured. */
  triples: number;
}

/** {@link PoseJitter} of a fit's frames (untracked frames break the triples). */
export function poseJitter(frames: readonly FitFrame[]): PoseJitter {
  let ra = 0, rs = 0, ta = 0, ts = 0, triples = 0;
  for (let i = 1; i + 1 < frames.length; i++) {
    const a = frames[i - 1], b = frames[i], c = frames[i + 1];
    if (!a.tracked || !b.tracked || !c.tracked) continue;
    for (let k = 0; k < 3; k++) {
      const r = [a, b, c].map((f) => (f.headPose.rotationAxisAngle[k] * 180) / Math.PI);
      const t = [a, b, c].map((f) => f.headPose.translation[k] * 1000);
      ra += Math.abs(r[0] - 2 * r[1] + r[2]) / 3;
      rs += Math.abs(r[2] - r[1]) / 3;
      ta += Math.abs(t[0] - 2 * t[1] + t[2]) / 3;
      ts += Math.abs(t[2] - t[1]) / 3;
    }
    triples++;
  }
  const d = Math.max(1, triples);
  return { rotationAccelDeg: ra / d, rotationSpeedDeg: rs / d, translationAccelMm: ta / d, translationSpeedMm: ts / d, triples };
}

/** Result of {@link fitLandmarkTracks}. */
export interface FitResult {
  /** Identity coefficients, one per model identity parameter. */
  identity: number[];
  focalPx: number;
  /** The fixed camera the poses are relative to (look-at from (0, 0, cameraDistance) to the origin, y up). */
  camera: PinholeCamera;
  /** One entry per input frame, in order. */
  frames: FitFrame[];
  report: FitReport;
}

/**
 * The fixed camera of a fit: a look-at camera on the world's +z axis at
 * `cameraDistance` metres, looking at the origin with +y up, principal point at
 * the image centre: the convention of the synthetic front rig (frontRig in
 * src/data/synth/rigs.ts, whose camera is the same up to a shift along y).
 */
export function fitCamera(options: { widthPx: number; heightPx: number; focalPx: number; cameraDistance?: number }): PinholeCamera {
  const { widthPx, heightPx, focalPx, cameraDistance = 0.75 } = options;
  return lookAtCamera({ eye: [0, 0, cameraDistance], target: [0, 0, 0], widthPx, heightPx, focalPx });
}

/** Parses and checks one frame's landmark depths: 468 finite values (of 468 or 478), or null. */
function observeDepth(depth: ArrayLike<number> | null | undefined, index: number): Float64Array | null {
  if (depth === null || depth === undefined) return null;
  if (typeof depth !== "object" || (depth.length !== NUM_LANDMARKS && depth.length !== MESH_LANDMARKS)) {
    throw new FitError(`fitLandmarkTracks: landmarkDepthsPx[${index}] must hold ${MESH_LANDMARKS} (or ${NUM_LANDMARKS}) depths in pixels, or be null`);
  }
  const out = new Float64Array(MESH_LANDMARKS);
  for (let l = 0; l < MESH_LANDMARKS; l++) {
    const z = depth[l];
    if (typeof z !== "number" || !Number.isFinite(z)) throw new FitError(`fitLandmarkTracks: landmarkDepthsPx[${index}][${l}] is not a finite number`);
    out[l] = z;
  }
  return out;
}

/** Parses and checks one frame's landmarks (and depths) into an observation, or null when untracked. */
function observe(frame: readonly (readonly number[])[] | null, depth: ArrayLike<number> | null | undefined, index: number): FrameObservation | null {
  if (frame === null) return null;
  if (!Array.isArray(frame) || (frame.length !== NUM_LANDMARKS && frame.length !== MESH_LANDMARKS)) {
    throw new FitError(`fitLandmarkTracks: landmarks2d[${index}] has ${Array.isArray(frame) ? frame.length : typeof frame} entries; expected ${NUM_LANDMARKS} (or ${MESH_LANDMARKS} without irises) [x, y] pixels, or null`);
  }
  const pixels = new Float64Array(2 * frame.length);
  let x0 = Infinity, y0 = Infinity, x1 = -Infinity, y1 = -Infinity;
  for (let l = 0; l < frame.length; l++) {
    const p = frame[l];
    const x = p?.[0], y = p?.[1];
    if (typeof x !== "number" || typeof y !== "number" || !Number.isFinite(x) || !Number.isFinite(y)) {
      throw new FitError(`fitLandmarkTracks: landmarks2d[${index}][${l}] is not a pair of finite numbers`);
    }
    pixels[2 * l] = x;
    pixels[2 * l + 1] = y;
    if (l < MESH_LANDMARKS) {
      x0 = Math.min(x0, x); x1 = Math.max(x1, x);
      y0 = Math.min(y0, y); y1 = Math.max(y1, y);
    }
  }
  const faceSizePx = Math.hypot(x1 - x0, y1 - y0);
  if (!(faceSizePx > 0)) throw new FitError(`fitLandmarkTracks: landmarks2d[${index}] are all at one point`);
  return { pixels, numLandmarks: frame.length, faceSizePx, depthPx: observeDepth(depth, index) };
}

/** Up to `count` entries of `items`, spread evenly, first and last included. */
function spread<T>(items: readonly T[], count: number): T[] {
  if (items.length <= count) return [...items];
  if (count === 1) return [items[Math.floor(items.length / 2)]];
  return Array.from({ length: count }, (_, i) => items[Math.round((i * (items.length - 1)) / (count - 1))]);
}

function expressionBounds(model: FaceModel, s: FitSettings): ExpressionBounds {
  const gaze = (name: string): boolean => name.startsWith("gaze");
  return {
    lower: Float64Array.from(model.expressionNames, (n) => (gaze(n) ? -s.gazeLimit : s.expressionLower)),
    upper: Float64Array.from(model.expressionNames, (n) => (gaze(n) ? s.gazeLimit : s.expressionUpper)),
  };
}

/**
 * Fits the Likeness face model to 2D landmark tracks of one video: per-video
 * identity and focal length, per-frame head pose and expression, seen by a
 * fixed camera ({@link fitCamera}), and reports the landmark reprojection error.
 *
 * Method: nonlinear least squares solved by Levenberg-Marquardt with analytic
 * Jacobians in plain TypeScript (float64). The problem is small and
 * structured (27 unknowns per frame, 27 shared), so exact second-order steps
 * converge in a handful of iterations where a first-order optimizer (Adam over
 * the core tensors) would need hundreds, and the structure makes the big
 * solves cheap:
 * 1. every frame starts from a closed-form weak-perspective pose of stable
 *    landmarks (eye corners, nose, forehead, cheekbones; see init.ts) and a
 *    few pose-only steps, so no frame depends on a neighbour's result;
 * 2. per-video step: identity, log focal and the pose and expression of up to
 *    `maxKeyframes` evenly spread frames, jointly (bundle adjustment with a
 *    Schur complement on the shared unknowns; see video-step.ts);
 * 3. per-frame step: pose and expression of all tracked frames jointly with
 *    temporal smoothness, whose normal equations are block tridiagonal and are
 *    solved exactly (see sequence-step.ts).
 * Cost: Huber reprojection error normalized by the face-box diagonal, mean
 * over landmarks with per-landmark weights (face-oval points, which a tracker
 * slides along the silhouette, weigh less; iris points drive only gaze), L2
 * priors on identity and expression, a log-focal prior towards the guess, box
 * bounds on expression (projected steps), and squared differences of pose and
 * expression between neighbouring tracked frames.
 * Related: the per-frame Gauss-Newton landmark fits of face trackers such as
 * Thies et al., "Face2Face", CVPR 2016 (data-parallel GN with temporal terms),
 * and the landmark stage of the metrical tracker (Zielonka et al., "Towards
 * metrical reconstruction of human faces", ECCV 2022).
 *
 * Throws a {@link FitError} when no frame is tracked or an input is malformed.
 */
export function fitLandmarkTracks(options: FitLandmarkTracksOptions): FitResult {
  const s = resolveFitSettings(options.settings);
  const { widthPx, heightPx } = options;
  if (!(Number.isInteger(widthPx) && widthPx > 0 && Number.isInteger(heightPx) && heightPx > 0)) {
    throw new FitError(`fitLandmarkTracks: image size must be positive whole pixels, got ${widthPx}x${heightPx}`);
  }
  const fps = options.fps ?? 30;
  if (!(Number.isFinite(fps) && fps > 0)) throw new FitError(`fitLandmarkTracks: fps must be a positive number, got ${fps}`);
  // A second difference per frame shrinks with the square of the frame interval.
  const rateScale = (fps / 30) ** 4;
  const focalGuessPx = options.focalPxGuess ?? s.defaultFocalFactor * Math.max(widthPx, heightPx);
  if (!(Number.isFinite(focalGuessPx) && focalGuessPx > 0)) throw new FitError(`fitLandmarkTracks: focalPxGuess must be a positive number of pixels, got ${focalGuessPx}`);
  if (!Array.isArray(options.landmarks2d)) throw new FitError("fitLandmarkTracks: landmarks2d must be an array with one entry per frame");
  const model = options.model ?? createFaceModel();
  const lm = landmarkModel(model);
  const identity = new Float64Array(lm.numIdentity);
  if (options.identity) {
    if (options.identity.length !== lm.numIdentity || !options.identity.every(Number.isFinite)) {
      throw new FitError(`fitLandmarkTracks: identity must have ${lm.numIdentity} finite values, got ${options.identity.length}`);
    }
    identity.set(options.identity);
  }
  const depths = options.landmarkDepthsPx;
  if (depths !== undefined && (!Array.isArray(depths) || depths.length !== options.landmarks2d.length)) {
    throw new FitError(`fitLandmarkTracks: landmarkDepthsPx must have one entry per frame (${options.landmarks2d.length})`);
  }
  const observations = options.landmarks2d.map((f, i) => observe(f, depths?.[i], i));
  const untrackedFrames = observations.flatMap((o, i) => (o ? [] : [i]));
  const trackedIndices = observations.flatMap((o, i) => (o ? [i] : []));
  if (trackedIndices.length === 0) throw new FitError(`fitLandmarkTracks: none of the ${observations.length} frames has landmarks`);

  const landmarkWeights = new Float64Array(NUM_LANDMARKS).fill(1);
  for (const l of FACE_OVAL_LANDMARKS) landmarkWeights[l] = s.contourWeight;
  for (let l = 0; l < NUM_LANDMARKS; l++) if (isIrisLandmark(l)) landmarkWeights[l] = s.irisWeight;
  const ctx: SharedContext = {
    model: lm,
    neutral: identityLandmarks(lm, identity),
    focalPx: focalGuessPx,
    principalPx: [widthPx / 2, heightPx / 2],
    cameraDistance: s.cameraDistance,
    landmarkWeights,
    huberFraction: s.huberFraction,
    depthWeight: s.depthWeight,
  };
  const bounds = expressionBounds(model, s);
  const scratch = new FrameScratch(6 + lm.numExpression + lm.numIdentity + 1);
  const progress = options.onProgress;
  const obsAt = (i: number): FrameObservation => observations[i] as FrameObservation;

  // Per-video step.
  const videoStarted = performance.now();
  if (s.fitIdentity || s.fitFocal) {
    const keyIndices = spread(trackedIndices, s.maxKeyframes);
    const keys: { obs: FrameObservation; state: FrameState }[] = [];
    keyIndices.forEach((i, k) => {
      const start = initializeFrame(ctx, obsAt(i), s.initIterations, bounds, scratch);
      if (start) {
        const state = refineFrame(ctx, start, obsAt(i), { expression: true, shared: false }, s.initIterations, s.expressionPrior, bounds, scratch);
        keys.push({ obs: obsAt(i), state });
      }
      progress?.({ stage: "keyframes", done: k + 1, total: keyIndices.length });
    });
    if (keys.length > 0) {
      fitIdentityAndFocal({
        ctx,
        observations: keys.map((k) => k.obs),
        states: keys.map((k) => k.state),
        identity,
        focalGuessPx,
        fitIdentity: s.fitIdentity,
        fitFocal: s.fitFocal,
        iterations: s.videoIterations,
        expressionPrior: s.expressionPrior,
        identityPrior: s.identityPrior,
        focalPrior: s.focalPrior,
        bounds,
        scratch,
        onIteration: (it, cost) => progress?.({ stage: "video", done: it + 1, total: s.videoIterations, cost }),
      });
    }
  }
  const videoStepSeconds = (performance.now() - videoStarted) / 1000;

  // Per-frame step over all tracked frames.
  const sequenceStarted = performance.now();
  const fitted: { index: number; obs: FrameObservation; state: FrameState }[] = [];
  const failedFrames: number[] = [];
  const initEvery = Math.max(1, Math.floor(trackedIndices.length / 100));
  trackedIndices.forEach((i, k) => {
    const state = initializeFrame(ctx, obsAt(i), s.initIterations, bounds, scratch);
    if (state) fitted.push({ index: i, obs: obsAt(i), state });
    else failedFrames.push(i);
    if ((k + 1) % initEvery === 0 || k + 1 === trackedIndices.length) progress?.({ stage: "initialize", done: k + 1, total: trackedIndices.length });
  });
  const states = fitted.map((f) => f.state);
  fitSequence({
    ctx,
    observations: fitted.map((f) => f.obs),
    states,
    frameIndices: fitted.map((f) => f.index),
    iterations: s.sequenceIterations,
    expressionPrior: s.expressionPrior,
    smoothRotation: s.smoothRotation,
    smoothTranslation: s.smoothTranslation,
    smoothExpression: s.smoothExpression,
    accelRotation: s.accelRotation * rateScale,
    accelTranslation: s.accelTranslation * rateScale,
    maxGap: s.maxGap,
    bounds,
    scratch,
    onIteration: (it, cost) => progress?.({ stage: "sequence", done: it + 1, total: s.sequenceIterations, cost }),
  });
  const sequenceStepSeconds = (performance.now() - sequenceStarted) / 1000;

  const frames: FitFrame[] = observations.map((_, index) => ({ index, tracked: false }));
  fitted.forEach((f, k) => {
    const state = states[k];
    const { errorsPx } = frameReprojection(ctx, state, f.obs, scratch);
    let sum = 0, max = 0;
    for (const e of errorsPx) { sum += e; max = Math.max(max, e); }
    const meanErrorPx = sum / errorsPx.length;
    const v3 = (a: Float64Array): [number, number, number] => [a[0], a[1], a[2]];
    frames[f.index] = {
      index: f.index,
      tracked: true,
      headPose: { rotationAxisAngle: v3(state.rotation), translation: v3(state.translation) },
      expression: Array.from(state.expression),
      meanErrorPx,
      maxErrorPx: max,
      faceSizePx: f.obs.faceSizePx,
      meanErrorFraction: meanErrorPx / f.obs.faceSizePx,
    };
  });
  let sumPx = 0, sumFraction = 0, maxFraction = 0, maxIndex = -1;
  for (const f of frames) {
    if (!f.tracked) continue;
    sumPx += f.meanErrorPx;
    sumFraction += f.meanErrorFraction;
    if (f.meanErrorFraction > maxFraction) { maxFraction = f.meanErrorFraction; maxIndex = f.index; }
  }
  const count = Math.max(1, fitted.length);
  return {
    identity: Array.from(identity),
    focalPx: ctx.focalPx,
    camera: fitCamera({ widthPx, heightPx, focalPx: ctx.focalPx, cameraDistance: s.cameraDistance }),
    frames,
    report: {
      faceSizeMeasure: "face-box diagonal (bounds of the 468 mesh landmarks)",
      trackedFrames: fitted.length,
      untrackedFrames,
      failedFrames,
      meanErrorPx: sumPx / count,
      meanErrorFraction: sumFraction / count,
      maxFrameErrorFraction: maxFraction,
      maxFrameErrorIndex: maxIndex,
      videoStepSeconds,
      sequenceStepSeconds,
      sequenceFramesPerSecond: fitted.length / Math.max(1e-9, sequenceStepSeconds),
      poseJitter: poseJitter(frames),
    },
  };
}
