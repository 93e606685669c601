import { existsSync, mkdirSync } from "node:fs";
import { join } from "node:path";
import { loadDataset, type ProgressStream } from "../data/index.js";
import { psnr, writePng } from "../eval/index.js";
import { createFaceModel } from "../face/index.js";
import {
  FLAME_IN_NERF_METHOD, FlameInNerfModel, loadTrainingFrames, resolveFlameInNerfConfig,
  type FlameInNerfPreset, type TrainingFrame,
} from "../methods/flame-in-nerf/index.js";
import { renderImage } from "../render/index.js";
import { readAvatarFile } from "./avatar-file.js";
import { loadTensorsInto, restoreAdam, snapshotAdam, snapshotTensors } from "./snapshot.js";
import { train, type TrainResult } from "./trainer.js";

/** Steps of each preset when the caller names none. */
export const DEFAULT_STEPS: Readonly<Record<FlameInNerfPreset, number>> = { tiny: 50, demo: 1500, full: 3000 };

/** Options of {@link trainAvatar}. */
export interface TrainAvatarOptions {
  /** Dataset folder (format v1). */
  datasetDir: string;
  /** The `.avatar` file to write (checkpoints go there too). */
  outPath: string;
  preset: FlameInNerfPreset;
  steps?: number;
  /** Continue from the checkpoint at `outPath`. */
  resume: boolean;
  /** Validate (render a held-out frame, PSNR) every this many steps; the PNGs go to `<out>-renders/`. */
  validateEvery?: number;
  checkpointEvery?: number;
  signal?: AbortSignal;
  progress?: ProgressStream;
}

/** Result of {@link trainAvatar}: the trainer's result and the last held-out PSNR. */
export interface TrainAvatarResult extends TrainResult {
  validationPsnr: number | null;
  rendersDir: string;
}

/** The training frame nearest in time to `t`, whose latent code stands in for a held-out frame's. */
function nearestTrainingFrame(frames: readonly TrainingFrame[], t: number): number {
  let best = 0;
  for (let k = 1; k < frames.length; k++) {
    if (Math.abs(frames[k].frame.timeSeconds - t) < Math.abs(frames[best].frame.timeSeconds - t)) best = k;
  }
  return best;
}

/**
 * `likeness train`: trains a FLAME-in-NeRF avatar on a dataset with the trainer
 * loop (progress, checkpoints, resume, Ctrl-C through `signal`), validating on a
 * held-out frame: it renders the frame with the latent code of the nearest
 * training frame, reports PSNR against it and writes render and truth side by
 * side as PNG.
 */
export async function trainAvatar(options: TrainAvatarOptions): Promise<TrainAvatarResult> {
  const dataset = await loadDataset(options.datasetDir);
  const frames = await loadTrainingFrames(dataset, { split: "train" });
  const valFrames = await loadTrainingFrames(dataset, { split: "val" }).catch(() => []);
  const config = resolveFlameInNerfConfig(options.preset);
  const model = new FlameInNerfModel({ config, frames, faceModel: createFaceModel(), identity: dataset.manifest.identity ?? [] });
  const steps = options.steps ?? DEFAULT_STEPS[options.preset];
  let resumeFrom;
  if (options.resume && existsSync(options.outPath)) {
    resumeFrom = readAvatarFile(options.outPath);
    if (resumeFrom.method !== FLAME_IN_NERF_METHOD) {
      throw new Error(`${options.outPath}: is a '${resumeFrom.method}' avatar; cannot resume it as ${FLAME_IN_NERF_METHOD}`);
    }
    loadTensorsInto(model.parameters(), resumeFrom.parameters, options.outPath);
    if (resumeFrom.training.optimizer) restoreAdam(model.optimizer, resumeFrom.training.optimizer);
  }
  const rendersDir = options.outPath.replace(/\.avatar$/, "") + "-renders";
  mkdirSync(rendersDir, { recursive: true });
  let validationPsnr: number | null = null;
  const validate = async (done: number): Promise<Record<string, number>> => {
    const target = valFrames[0] ?? frames[frames.length - 1];
    const latent = nearestTrainingFrame(frames, target.frame.timeSeconds);
    const pose = target.frame.headPose!;
    const condition = {
      ...model.frameCondition(latent),
      expression: target.expression,
      rotation: target.rotation,
      translation: target.translation,
      faceRegion: model.faceRegionFor(target.expression, pose.rotationAxisAngle, pose.translation),
    };
    const image = renderImage({
      camera: target.camera,
      field: model.fieldFor(condition, model.annealingAlpha(done)),
      bounds: model.boundsFor(target.rotation, target.translation),
      numSamples: config.numSamples,
      background: [1, 1, 1],
    });
    validationPsnr = psnr(image.rgb, target.rgb);
    const { widthPx: w, heightPx: h } = target.camera;
    const side = new Uint8Array(2 * w * h * 3);
    for (let y = 0; y < h; y++) {
      for (let x = 0; x < w; x++) {
        for (let c = 0; c < 3; c++) {
          const p = 3 * (y * w + x) + c;
          side[3 * (y * 2 * w + x) + c] = Math.round(255 * Math.min(1, Math.max(0, image.rgb[p])));
          side[3 * (y * 2 * w + w + x) + c] = Math.round(255 * target.rgb[p]);
        }
      }
    }
    await writePng(join(rendersDir, `val-${String(done).padStart(6, "0")}.png`), side, 2 * w, h);
    return { valPsnr: validationPsnr };
  };
  const result = await train({
    steps,
    step: (i) => model.trainStep(i),
    validate,
    validateEvery: options.validateEvery ?? Math.max(1, Math.floor(steps / 5)),
    checkpoint: {
      path: options.outPath,
      every: options.checkpointEvery ?? Math.max(1, Math.floor(steps / 10)),
      save: () => ({
        method: FLAME_IN_NERF_METHOD,
        config: JSON.parse(JSON.stringify(config)),
        parameters: snapshotTensors(model.parameters()),
        optimizer: snapshotAdam(model.optimizer),
      }),
    },
    resumeFrom,
    signal: options.signal,
    progress: { label: `train ${FLAME_IN_NERF_METHOD} (${options.preset})`, stream: options.progress },
  });
  model.dispose();
  return { ...result, validationPsnr, rendersDir };
}
