import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import sharp from "sharp";
import type { Dataset } from "../data/dataset.js";
import { fitLandmarkTracks, type FitResult } from "../data/fit/index.js";
import { readDatasetManifest } from "../data/load.js";
import { captureSynthetic, type SynthSequence } from "../data/synth/capture.js";
import { BUILT_IN_SUBJECTS } from "../data/synth/subjects.js";
import { createFaceTracker, type FaceTracker } from "../data/track/index.js";
import { NUM_LANDMARKS } from "../face/index.js";
import { rotationAngleBetween } from "../geometry/rigid.js";
import type { BenchResult } from "./result.js";

const SIZE_PX = 256;
/** Frames of each subject's head sweep (turn and nod) at 30 frames/s. */
const HEAD_FRAMES = 90;
/** Frames per expression parameter of each subject's expression sweep (21 parameters). */
const FRAMES_PER_EXPRESSION = 8;

const mean = (v: readonly number[]): number => v.reduce((a, b) => a + b, 0) / v.length;

/** Renders a synthetic sweep and tracks every frame as `capture video` does: landmarks and their depths. */
async function trackedSweep(tracker: FaceTracker, dir: string, subject: (typeof BUILT_IN_SUBJECTS)[number], sequence: SynthSequence) {
  const out = join(dir, `${subject.name}-${sequence}`);
  await captureSynthetic({
    subject, outDir: out, sizePx: SIZE_PX, rig: "front", domeCameras: 1, sequence, framesPerExpression: FRAMES_PER_EXPRESSION,
    maxFrames: sequence === "head" ? HEAD_FRAMES : undefined, fps: 30, sentence: "hello", voice: "formant", seed: 1, overwrite: false,
    progress: { write: () => true },
  });
  const ds = readDatasetManifest(out);
  const landmarks2d: (number[][] | null)[] = [], depths: (Float32Array | null)[] = [];
  for (const frame of ds.frames) {
    const { data, info } = await sharp(join(out, frame.image)).removeAlpha().raw().toBuffer({ resolveWithObject: true });
    const face = await tracker.track({ rgb: new Uint8Array(data), widthPx: info.width, heightPx: info.height });
    landmarks2d.push(face ? Array.from({ length: NUM_LANDMARKS }, (_, l) => [face.landmarks[2 * l], face.landmarks[2 * l + 1]]) : null);
    depths.push(face ? Float32Array.from({ length: NUM_LANDMARKS }, (_, l) => face.landmarks3d[3 * l + 2]) : null);
  }
  rmSync(out, { recursive: true, force: true });
  const fit = (withDepth: boolean): FitResult =>
    fitLandmarkTracks({ landmarks2d, landmarkDepthsPx: withDepth ? depths : undefined, widthPx: SIZE_PX, heightPx: SIZE_PX, fps: ds.fps });
  return { ds, fit };
}

function rotationErrors(ds: Dataset, fit: FitResult): number[] {
  return fit.frames.flatMap((f, i) => (f.tracked ? [(rotationAngleBetween(f.headPose.rotationAxisAngle, ds.frames[i].headPose!.rotationAxisAngle) * 180) / Math.PI] : []));
}

/**
 * How right the fit of a tracked video is, where the truth is known: synthetic
 * sweeps of every built-in subject are rendered at 256x256, tracked by Human as
 * any video is, and fitted. A head sweep (90 frames of turning and nodding),
 * fitted with the tracked depths (`capture video --fit-depths`) and from image
 * positions alone (the default), gives the rotation error, mean and largest,
 * per subject and over all; an expression sweep (every parameter in turn, 8
 * frames each), fitted both ways, gives the rotation error and the mean absolute
 * error of each expression parameter over the six subjects.
 * Measures accuracy, not time.
 */
export async function benchFitAccuracy(): Promise<BenchResult[]> {
  const dir = mkdtempSync(join(tmpdir(), "likeness-bench-fit-"));
  const tracker = await createFaceTracker();
  const results: BenchResult[] = [];
  const modes = [["depth", true, ""], ["imageOnly", false, "_image_only"]] as const;
  const head = { depth: [] as number[], imageOnly: [] as number[] };
  const expressionRotation = { depth: [] as number[], imageOnly: [] as number[] };
  let expressionNames: readonly string[] = [];
  const expressionSums = { depth: [] as number[], imageOnly: [] as number[] };
  const expressionFrames = { depth: 0, imageOnly: 0 };
  try {
    for (const subject of BUILT_IN_SUBJECTS) {
      const headSweep = await trackedSweep(tracker, dir, subject, "head");
      const expressionSweep = await trackedSweep(tracker, dir, subject, "expressions");
      expressionNames = expressionSweep.ds.faceModel.expressionNames;
      for (const [key, withDepth, suffix] of modes) {
        const e = rotationErrors(headSweep.ds, headSweep.fit(withDepth));
        head[key].push(...e);
        results.push(
          { name: `fit_head_sweep_${subject.name}_rotation_error_mean_deg${suffix}`, value: mean(e), unit: "deg" },
          { name: `fit_head_sweep_${subject.name}_rotation_error_max_deg${suffix}`, value: Math.max(...e), unit: "deg" },
        );
        const fit = expressionSweep.fit(withDepth);
        expressionRotation[key].push(...rotationErrors(expressionSweep.ds, fit));
        if (expressionSums[key].length === 0) expressionSums[key] = expressionNames.map(() => 0);
        fit.frames.forEach((f, i) => {
          const truth = expressionSweep.ds.frames[i].expression;
          if (!f.tracked || !truth) return;
          f.expression.forEach((v, k) => { expressionSums[key][k] += Math.abs(v - truth[k]); });
          expressionFrames[key]++;
        });
      }
    }
  } finally {
    tracker.close();
    rmSync(dir, { recursive: true, force: true });
  }
  for (const [key, , suffix] of modes) {
    results.push(
      { name: `fit_head_sweep_all_rotation_error_mean_deg${suffix}`, value: mean(head[key]), unit: "deg" },
      { name: `fit_head_sweep_all_rotation_error_max_deg${suffix}`, value: Math.max(...head[key]), unit: "deg" },
      { name: `fit_expression_sweep_all_rotation_error_mean_deg${suffix}`, value: mean(expressionRotation[key]), unit: "deg" },
      { name: `fit_expression_sweep_all_rotation_error_max_deg${suffix}`, value: Math.max(...expressionRotation[key]), unit: "deg" },
    );
    expressionNames.forEach((name, k) =>
      results.push({ name: `fit_expression_sweep_all_${name}_mae${suffix}`, value: expressionSums[key][k] / expressionFrames[key], unit: "coefficient" }));
  }
  return results;
}
