/**
 * `likeness eval`'s measurements: renders an avatar on the held-out frames of a
 * dataset and compares each with its real frame (PSNR, SSIM, L1, per-region
 * errors, re-tracked landmark distance), and measures the spatial-prior leak.
 */
import { ProgressBar, createFaceTracker, type FaceTracker, type LoadedDataset, type ProgressStream } from "../../data/index.js";
import { loadTrainingFrames, type TrainingFrame } from "../../methods/flame-in-nerf/index.js";
import { spreadEvenly, type FlameInNerfAvatar, type TrainingHistory } from "../../train/index.js";
import { EvalError } from "../error.js";
import { meanAbsoluteError, psnr } from "../metrics.js";
import { ssim } from "../ssim.js";
import { landmarkDistance } from "./landmarks.js";
import { dilateMask, invertMask, readMask, toBytes } from "./masks.js";
import {
  EVAL_REPORT_FORMAT, EVAL_REPORT_VERSION,
  type EvalFrame, type EvalRegion, type EvalReport, type LeakFrame, type RegionMetrics,
} from "./schema.js";

/** Frames rendered a second time with a neutral expression for the leak measure, unless told otherwise. */
export const DEFAULT_LEAK_FRAMES = 3;

/** Options of {@link evaluateAvatar}. */
export interface EvaluateAvatarOptions {
  avatar: FlameInNerfAvatar;
  dataset: LoadedDataset;
  /** The split to evaluate; default "val" (held-out frames). "train" needs {@link allowTrainingFrames}. */
  split?: "val" | "train";
  /** Allow `split: "train"`; the report is then labelled `onTrainingFrames`. */
  allowTrainingFrames?: boolean;
  /** Evaluate at most this many frames, spread evenly over the split (first and last included); default all. */
  maxFrames?: number;
  /** Re-track real and rendered frames with the capture's face tracker for the landmark distance; default true. */
  retrack?: boolean;
  /** Frames also rendered with a neutral expression for the leak measure (the evaluated frames with the largest expression norm); default {@link DEFAULT_LEAK_FRAMES}. */
  leakFrames?: number;
  /** Dilation of the face mask for the leak measure, pixels; default `max(1, round(width / 64))`. */
  faceDilationPx?: number;
  /** Where the progress bar goes; default stderr. */
  progress?: ProgressStream;
}

/** One evaluated frame's images, 8-bit RGB `[heightPx * widthPx * 3]`, for the report's pictures. */
export interface EvalFrameImages {
  /** The frame's index in dataset.json. */
  index: number;
  widthPx: number;
  heightPx: number;
  /** The real frame as compared (composited over the avatar's background). */
  truth: Uint8Array;
  /** The avatar's render. */
  render: Uint8Array;
}

/** What the report's pictures are drawn from: the frames' images and the avatar's training history. */
export interface EvalRenders {
  frames: EvalFrameImages[];
  history: TrainingHistory;
}

/** The result of {@link evaluateAvatar}: the numbers and the images. */
export interface EvaluateAvatarResult {
  report: EvalReport;
  renders: EvalRenders;
}

function expressionNorm(frame: TrainingFrame): number {
  return Math.hypot(...frame.expression);
}

/** The `count` frames with the largest expression norm (earlier frames first on ties), in their original order. */
function mostExpressive(frames: readonly TrainingFrame[], count: number): TrainingFrame[] {
  const ranked = frames.map((f, i) => ({ i, norm: expressionNorm(f) })).sort((a, b) => b.norm - a.norm || a.i - b.i);
  return ranked.slice(0, count).sort((a, b) => a.i - b.i).map((r) => frames[r.i]);
}

/** A number as stored in the report: null for NaN and infinities. */
function finiteOrNull(v: number): number | null {
  return Number.isFinite(v) ? v : null;
}

/** Mean of the non-null values; null if none. */
function meanOf(values: readonly (number | null)[]): number | null {
  const kept = values.filter((v): v is number => v !== null);
  return kept.length ? kept.reduce((a, b) => a + b, 0) / kept.length : null;
}

function regionMetrics(render: Float32Array, truth: Float32Array, mask: Float32Array | null): RegionMetrics | null {
  if (!mask) return null;
  let pixels = 0;
  for (const w of mask) pixels += w;
  return {
    psnrDb: finiteOrNull(psnr(render, truth, { mask })),
    l1: finiteOrNull(meanAbsoluteError(render, truth, { mask })),
    pixels,
  };
}

function meanRegion(rows: readonly (RegionMetrics | null)[]): RegionMetrics | null {
  const kept = rows.filter((r): r is RegionMetrics => r !== null && r.pixels > 0);
  if (!kept.length) return null;
  return { psnrDb: meanOf(kept.map((r) => r.psnrDb)), l1: meanOf(kept.map((r) => r.l1)), pixels: kept.reduce((a, r) => a + r.pixels, 0) / kept.length };
}

/** The masks of one frame: the dataset's face, mouth and eyes masks, and the background (outside the foreground). */
async function frameMasks(frame: TrainingFrame): Promise<Record<EvalRegion, Float32Array | null>> {
  const { widthPx: w, heightPx: h } = frame.camera;
  const paths = frame.frame.maskPaths;
  const read = (path: string | undefined): Promise<Float32Array | null> => (path ? readMask(path, w, h) : Promise.resolve(null));
  const [face, mouth, eyes] = await Promise.all([read(paths.face), read(paths.mouth), read(paths.eyes)]);
  return { face, mouth, eyes, background: frame.foreground ? invertMask(frame.foreground) : null };
}

/**
 * Renders the avatar on every frame of a split (held-out `val` by default) from
 * the frame's own camera, expression and head pose with the mean latent code,
 * and measures it against the frame composited over the avatar's background
 * colour, as `loadTrainingFrames` gives it: PSNR, SSIM and L1 over the image,
 * PSNR and L1 inside the face, mouth and eyes masks and outside the foreground
 * mask. With `retrack`, both images are tracked with the capture's face tracker
 * and the mean distance of the 478 landmarks reported (frames without a face in
 * one of them are counted by status). For a few frames it also renders a
 * neutral (zero) expression at the same pose (the most expressive frames) and
 * reports the mean change outside the dilated face mask: the spatial prior's
 * leak, which should be near zero. Throws {@link EvalError} for a split with no tracked frames or a
 * training split not explicitly allowed.
 */
export async function evaluateAvatar(options: EvaluateAvatarOptions): Promise<EvaluateAvatarResult> {
  const { avatar, dataset, retrack = true } = options;
  const split = options.split ?? "val";
  if (split === "train" && !options.allowTrainingFrames) {
    throw new EvalError(`${dataset.dir}: evaluating on training frames needs allowTrainingFrames; the report measures held-out frames`);
  }
  if (options.maxFrames !== undefined && !(Number.isInteger(options.maxFrames) && options.maxFrames >= 1)) {
    throw new EvalError(`evaluateAvatar: maxFrames must be a positive whole number, got ${options.maxFrames}`);
  }
  const inSplit = dataset.frames.filter((f) => f.split === split && f.tracked && f.expression && f.headPose);
  if (inSplit.length === 0) {
    throw new EvalError(`${dataset.dir}: has no tracked frames in the '${split}' split to evaluate on${split === "val" ? " (held-out frames only)" : ""}`);
  }
  const background = avatar.config.background;
  const all = await loadTrainingFrames(dataset, { split, background: [background[0], background[1], background[2]] });
  const frames = options.maxFrames === undefined ? all : spreadEvenly(all, options.maxFrames);
  const leakCount = Math.min(options.leakFrames ?? DEFAULT_LEAK_FRAMES, frames.length);
  const leakSet = new Set(mostExpressive(frames, leakCount));
  const widthPx = frames[0].camera.widthPx;
  const faceDilationPx = options.faceDilationPx ?? Math.max(1, Math.round(widthPx / 64));

  let tracker: FaceTracker | null = null;
  const rows: EvalFrame[] = [];
  const leak: LeakFrame[] = [];
  const images: EvalFrameImages[] = [];
  let renderSeconds = 0;
  const bar = new ProgressBar({ label: "eval", total: frames.length, unit: "frames", stream: options.progress });
  try {
    if (retrack) tracker = await createFaceTracker();
    for (const target of frames) {
      const { widthPx: w, heightPx: h } = target.camera;
      const pose = target.frame.headPose!;
      // The pose as the avatar's training frames had it: tracked with the frame's expression.
      const drive = { rotationAxisAngle: pose.rotationAxisAngle, translation: pose.translation, trackedExpression: target.expression };
      const started = performance.now();
      const image = avatar.render({ ...drive, expression: target.expression }, target.camera);
      renderSeconds += (performance.now() - started) / 1000;
      const render = image.rgb;
      const masks = await frameMasks(target);
      const region = (r: EvalRegion): RegionMetrics | null => regionMetrics(render, target.rgb, masks[r]);
      const regions = { face: region("face"), mouth: region("mouth"), eyes: region("eyes"), background: region("background") };
      const truth8 = toBytes(target.rgb);
      const render8 = toBytes(render);
      let landmarks = null;
      if (tracker) {
        const truthFace = await tracker.track({ rgb: truth8, widthPx: w, heightPx: h });
        const renderFace = await tracker.track({ rgb: render8, widthPx: w, heightPx: h });
        landmarks = landmarkDistance(truthFace, renderFace);
      }
      rows.push({
        index: target.frame.index,
        cameraId: target.frame.cameraId,
        timeSeconds: target.frame.timeSeconds,
        psnrDb: finiteOrNull(psnr(render, target.rgb)),
        ssim: finiteOrNull(ssim(render, target.rgb, { widthPx: w, heightPx: h })),
        l1: finiteOrNull(meanAbsoluteError(render, target.rgb)),
        regions,
        landmarks,
      });
      images.push({ index: target.frame.index, widthPx: w, heightPx: h, truth: truth8, render: render8 });
      if (leakSet.has(target)) {
        const neutral = avatar.render({ ...drive, expression: new Float32Array(target.expression.length) }, target.camera).rgb;
        const face = masks.face ? dilateMask(masks.face, w, h, faceDilationPx) : null;
        leak.push({
          index: target.frame.index,
          expressionNorm: expressionNorm(target),
          outsideFaceL1: face ? finiteOrNull(meanAbsoluteError(render, neutral, { mask: invertMask(face) })) : null,
          backgroundL1: masks.background ? finiteOrNull(meanAbsoluteError(render, neutral, { mask: masks.background })) : null,
          insideFaceL1: face ? finiteOrNull(meanAbsoluteError(render, neutral, { mask: face })) : null,
        });
      }
      bar.tick(1, { psnr: rows[rows.length - 1].psnrDb ?? Number.NaN });
    }
  } finally {
    tracker?.close();
  }
  bar.finish();

  const count = (status: string): number => rows.filter((r) => r.landmarks?.status === status).length;
  const report: EvalReport = {
    format: EVAL_REPORT_FORMAT,
    version: EVAL_REPORT_VERSION,
    avatarPath: avatar.path,
    datasetPath: dataset.dir,
    datasetName: dataset.manifest.name,
    avatarDataset: avatar.state.dataset,
    trainedSteps: avatar.trainedSteps,
    split,
    onTrainingFrames: split === "train",
    settings: {
      maxFrames: options.maxFrames ?? null,
      retrack,
      background: [background[0], background[1], background[2]],
      numSamples: avatar.config.numSamples,
      leakFrames: leakCount,
      faceDilationPx,
    },
    counts: {
      framesInSplit: all.length,
      framesEvaluated: rows.length,
      landmarksBoth: count("both"),
      landmarksNoFaceInTruth: count("no-face-in-truth"),
      landmarksNoFaceInRender: count("no-face-in-render"),
      landmarksNoFaceInEither: count("no-face-in-either"),
    },
    means: {
      psnrDb: meanOf(rows.map((r) => r.psnrDb)),
      ssim: meanOf(rows.map((r) => r.ssim)),
      l1: meanOf(rows.map((r) => r.l1)),
      regions: {
        face: meanRegion(rows.map((r) => r.regions.face)),
        mouth: meanRegion(rows.map((r) => r.regions.mouth)),
        eyes: meanRegion(rows.map((r) => r.regions.eyes)),
        background: meanRegion(rows.map((r) => r.regions.background)),
      },
      landmarkDistancePx: meanOf(rows.map((r) => r.landmarks?.meanDistancePx ?? null)),
      landmarkFaceFraction: meanOf(rows.map((r) => r.landmarks?.faceFraction ?? null)),
      leakOutsideFaceL1: meanOf(leak.map((l) => l.outsideFaceL1)),
      leakBackgroundL1: meanOf(leak.map((l) => l.backgroundL1)),
      leakInsideFaceL1: meanOf(leak.map((l) => l.insideFaceL1)),
    },
    renderSecondsPerFrame: rows.length ? renderSeconds / rows.length : 0,
    frames: rows,
    leak,
  };
  return { report, renders: { frames: images, history: avatar.history } };
}
