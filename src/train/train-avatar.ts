import { existsSync, mkdirSync } from "node:fs";
import { join } from "node:path";
import { loadDataset, type ProgressStream } from "../data/index.js";
import { psnr, writePng } from "../eval/index.js";
import { createFaceModel } from "../face/index.js";
import {
  FLAME_IN_NERF_METHOD, FlameInNerfModel, configForDataset, loadTrainingFrames, resolveFlameInNerfConfig,
  type FlameInNerfConfigInput, type FlameInNerfPreset,
} from "../methods/flame-in-nerf/index.js";
import { readAvatarFile } from "./avatar-file.js";
import { avatarStateOf, savedConfig } from "./avatar.js";
import { loadTensorsInto, restoreAdam, snapshotAdam, snapshotTensors } from "./snapshot.js";
import { train, type TrainResult } from "./trainer.js";

/** Steps of each preset when the caller names none. */
export const DEFAULT_STEPS: Readonly<Record<FlameInNerfPreset, number>> = { tiny: 50, demo: 4500, full: 6500 };

/** Options of {@link trainAvatar}. */
export interface TrainAvatarOptions {
  /** Dataset folder (format v1). */
  datasetDir: string;
  /** The `.avatar` file to write (checkpoints go there too). */
  outPath: string;
  preset: FlameInNerfPreset;
  /** Config fields that replace the preset's (e.g. `{ expressionConditioning: false }` for an ablation). */
  overrides?: FlameInNerfConfigInput;
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

/** Up to `count` items spread evenly over `items` (first and last included). */
export function spreadEvenly<T>(items: readonly T[], count: number): T[] {
  if (items.length <= count) return [...items];
  if (count <= 0) return [];
  if (count === 1) return [items[0]];
  return Array.from({ length: count }, (_, i) => items[Math.round((i * (items.length - 1)) / (count - 1))]);
}

/** Validation frames rendered at each validation during training (the `likeness eval` report uses all of them). */
export const VALIDATION_FRAMES = 4;

/**
 * `likeness train`: trains a FLAME-in-NeRF avatar on a dataset with the trainer
 * loop (progress, checkpoints, resume, Ctrl-C through `signal`), validating on up
 * to {@link VALIDATION_FRAMES} held-out frames: each is rendered from its own
 * expression and head pose with the mean latent code (as a drive would be), the
 * mean PSNR is reported, and the first is written beside its truth as PNG.
 */
export async function trainAvatar(options: TrainAvatarOptions): Promise<TrainAvatarResult> {
  const dataset = await loadDataset(options.datasetDir);
  const frames = await loadTrainingFrames(dataset, { split: "train" });
  const valFrames = await loadTrainingFrames(dataset, { split: "val" }).catch(() => []);
  const config = configForDataset(resolveFlameInNerfConfig(options.preset, options.overrides), { posesTracked: dataset.manifest.source.kind !== "synthetic" });
  const model = new FlameInNerfModel({ config, frames, faceModel: createFaceModel(), identity: dataset.manifest.identity ?? [] });
  const steps = options.steps ?? DEFAULT_STEPS[options.preset];
  let resumeFrom;
  if (options.resume && existsSync(options.outPath)) {
    resumeFrom = readAvatarFile(options.outPath);
    if (resumeFrom.method !== FLAME_IN_NERF_METHOD) {
      throw new Error(`${options.outPath}: is a '${resumeFrom.method}' avatar; cannot resume it as ${FLAME_IN_NERF_METHOD}`);
    }
    // Compare resolved configs: a file written before a field existed holds the value it was trained with (savedConfig).
    const saved = savedConfig(resumeFrom.config, options.outPath) as Record<string, unknown>;
    const current = config as Record<string, unknown>;
    const changed = Object.keys({ ...saved, ...current }).find((key) => JSON.stringify(saved[key]) !== JSON.stringify(current[key]));
    if (changed !== undefined) {
      throw new Error(`${options.outPath}: was trained with another config ('${changed}' differs); resume with the same preset and overrides, or train a new avatar`);
    }
    loadTensorsInto(model.parameters(), resumeFrom.parameters, options.outPath);
    if (resumeFrom.training.optimizer) restoreAdam(model.optimizer, resumeFrom.training.optimizer);
  }
  const state = avatarStateOf(dataset, frames);
  const rendersDir = options.outPath.replace(/\.avatar$/, "") + "-renders";
  mkdirSync(rendersDir, { recursive: true });
  let validationPsnr: number | null = null;
  const picked = spreadEvenly(valFrames.length ? valFrames : [frames[frames.length - 1]], VALIDATION_FRAMES);
  const validate = async (done: number): Promise<Record<string, number>> => {
    const alpha = model.annealingAlpha(done);
    let sum = 0;
    for (const [i, target] of picked.entries()) {
      const pose = target.frame.headPose!;
      const condition = model.driveCondition({
        expression: target.expression, rotationAxisAngle: pose.rotationAxisAngle, translation: pose.translation, trackedExpression: target.expression,
      });
      const image = model.renderView(condition, target.camera, alpha);
      sum += psnr(image.rgb, target.rgb);
      if (i === 0) {
        const { widthPx: w, heightPx: h } = target.camera;
        await writePng(join(rendersDir, `val-${String(done).padStart(6, "0")}.png`), sideBySide(image.rgb, target.rgb, w, h), 2 * w, h);
      }
    }
    validationPsnr = sum / picked.length;
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
        methodState: state,
      }),
    },
    resumeFrom,
    signal: options.signal,
    progress: { label: `train ${FLAME_IN_NERF_METHOD} (${options.preset})`, stream: options.progress },
  });
  model.dispose();
  return { ...result, validationPsnr, rendersDir };
}

/** Render and truth side by side, 8-bit RGB [H * 2W * 3]. */
function sideBySide(render: Float32Array, truth: Float32Array, w: number, h: number): Uint8Array {
  const out = new Uint8Array(2 * w * h * 3);
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      for (let c = 0; c < 3; c++) {
        const p = 3 * (y * w + x) + c;
        out[3 * (y * 2 * w + x) + c] = Math.round(255 * Math.min(1, Math.max(0, render[p])));
        out[3 * (y * 2 * w + w + x) + c] = Math.round(255 * Math.min(1, Math.max(0, truth[p])));
      }
    }
  }
  return out;
}
