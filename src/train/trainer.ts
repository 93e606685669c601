import { z } from "zod";
import { scope, type StoredTensor } from "../core/index.js";
import { describeSchemaError, ProgressBar, type ProgressStream } from "../data/index.js";
import {
  writeAvatarFile,
  type AvatarContents, type JsonValue, type OptimizerState, type TrainingHistory,
} from "./avatar-file.js";

/** What a training step reports. */
export interface StepResult {
  /** The step's training loss (must be finite). */
  loss: number;
  /** Other numbers to log and show (e.g. `psnr` in dB). */
  metrics?: Record<string, number>;
}

/** What a method hands the trainer to save: everything in an avatar file but the trainer's own bookkeeping. */
export interface ModelSnapshot {
  /** Method id, e.g. `flame-in-nerf`. */
  method: string;
  /** The resolved config. */
  config: JsonValue;
  /** Named parameter tensors (copies; see `snapshotTensors`). */
  parameters: Map<string, StoredTensor>;
  /** Optimizer state (see `snapshotAdam`), or null. */
  optimizer: OptimizerState | null;
  /** Anything else needed to resume (e.g. a random generator's state). */
  methodState?: JsonValue;
}

/** Where and how often the trainer writes checkpoints (each an avatar file, written atomically). */
export interface CheckpointOptions {
  /** The `.avatar` file; each checkpoint replaces it. */
  path: string;
  /** Write one every this many completed steps (and at the end, and when interrupted). */
  every: number;
  /** Called to capture the model's state at a checkpoint. */
  save: () => ModelSnapshot;
}

/** Reported to `onProgress` after every step. */
export interface TrainProgress {
  /** Steps completed. */
  step: number;
  /** Steps the run will take in all. */
  totalSteps: number;
  loss: number;
  metrics: Record<string, number>;
  /** Validation numbers, on the steps where validation ran. */
  validation?: Record<string, number>;
}

/**
 * When a run counts as diverged: once `warmupSteps` losses are logged, the last
 * `patienceSteps` losses all above `factor` times the median of the `windowSteps`
 * losses before them (one unlucky batch is not a divergence). A NaN or infinite
 * loss always counts, at once.
 */
export const DivergenceSettingsSchema = z.strictObject({
  factor: z.number().finite().gt(1).default(10).describe("losses above factor x the running median stop the run"),
  warmupSteps: z.number().int().nonnegative().default(20).describe("losses logged before the median test starts (early losses fall fast)"),
  windowSteps: z.number().int().positive().default(50).describe("recent losses the running median is taken over"),
  patienceSteps: z.number().int().positive().default(5).describe("consecutive losses that must all be above the limit"),
}).describe("divergence detection");

/** Resolved divergence settings. */
export type DivergenceSettings = z.output<typeof DivergenceSettingsSchema>;

/** Options of {@link train}. */
export interface TrainOptions {
  /** Total steps of the run (a resumed run ends at the same step as an uninterrupted one). */
  steps: number;
  /**
   * Runs 0-based step `i`: forward, backward, optimizer update. Derive all randomness
   * (batch sampling) from `i`, so a resumed run repeats an uninterrupted one exactly.
   * Runs inside `scope`, so tensors it makes and does not keep are freed.
   */
  step: (i: number) => StepResult;
  /** Validation, given the steps completed; runs every `validateEvery` steps and at the end. Manages its own tensor memory. */
  validate?: (completedSteps: number) => Record<string, number> | Promise<Record<string, number>>;
  /** Steps between validations (default: only at the end). */
  validateEvery?: number;
  /** Checkpoints; none are written without. */
  checkpoint?: CheckpointOptions;
  /**
   * A checkpoint to continue: the run starts at its step and extends its history.
   * Loading its parameters and optimizer state into the model is the method's job
   * (see `loadTensorsInto`, `restoreAdam`), done before calling {@link train}.
   */
  resumeFrom?: AvatarContents;
  /** Called after every step. */
  onProgress?: (progress: TrainProgress) => void;
  /** Stops the run cleanly after the current step, writing a checkpoint (see `withInterruptSave`). */
  signal?: AbortSignal;
  /** Divergence detection settings, or false to test only for NaN and infinite losses. */
  divergence?: z.input<typeof DivergenceSettingsSchema> | false;
  /** The progress bar: its label and stream, or false for none. Default: `train` on stderr. */
  progress?: { label?: string; stream?: ProgressStream } | false;
}

/** What {@link train} returns. */
export interface TrainResult {
  /** Steps completed. */
  step: number;
  /** Whether the run stopped early on its signal. */
  interrupted: boolean;
  /** Per-step losses and validation numbers, including a resumed checkpoint's. */
  history: TrainingHistory;
  /** Step of the last checkpoint written or resumed from, or null. */
  checkpointStep: number | null;
}

/** Thrown when the loss is NaN, infinite or far above its running median; no checkpoint is written for it. */
export class TrainingDivergedError extends Error {
  override readonly name = "TrainingDivergedError";
  constructor(
    message: string,
    /** 0-based index of the step whose loss diverged. */
    readonly step: number,
    /** The history up to the step before. */
    readonly history: TrainingHistory,
    /** Step of the checkpoint that is kept, or null. */
    readonly checkpointStep: number | null,
  ) {
    super(message);
  }
}

/** Thrown for invalid {@link TrainOptions}. */
export class TrainOptionsError extends Error {
  override readonly name = "TrainOptionsError";
}

/**
 * Runs a training loop, method-agnostic: calls `step(i)` for every step from the
 * resumed step (or 0) to `steps`, shows a progress bar (loss, other metrics, time
 * left), validates, writes checkpoints atomically every `checkpoint.every` steps and
 * at the end, stops cleanly on `signal` (after a checkpoint), and stops with a
 * {@link TrainingDivergedError} on a NaN, infinite or diverging loss, leaving the
 * last good checkpoint as it was. Yields to the event loop between steps, so a
 * SIGINT handler can fire.
 */
export async function train(options: TrainOptions): Promise<TrainResult> {
  const { steps, checkpoint, resumeFrom, signal } = options;
  const divergence = resolveDivergence(options.divergence);
  checkCount("steps", steps, 0);
  if (checkpoint) checkCount("checkpoint.every", checkpoint.every, 1);
  if (options.validateEvery !== undefined) checkCount("validateEvery", options.validateEvery, 1);
  const start = resumeFrom?.training.step ?? 0;
  if (start > steps) throw new TrainOptionsError(`train: the checkpoint is at step ${start}, past the run's ${steps} steps`);

  const history: TrainingHistory = {
    steps: [...(resumeFrom?.training.history.steps ?? [])],
    validations: [...(resumeFrom?.training.history.validations ?? [])],
  };
  let checkpointStep: number | null = resumeFrom ? start : null;
  const saveCheckpoint = (completed: number): void => {
    if (!checkpoint) return;
    const snapshot = checkpoint.save();
    writeAvatarFile(checkpoint.path, {
      method: snapshot.method,
      config: snapshot.config,
      parameters: snapshot.parameters,
      training: { step: completed, optimizer: snapshot.optimizer, methodState: snapshot.methodState ?? null, history },
    });
    checkpointStep = completed;
  };
  const bar = options.progress === false
    ? null
    : new ProgressBar({
      label: options.progress?.label ?? (start > 0 ? `train (from step ${start})` : "train"),
      total: steps - start,
      unit: "steps",
      stream: options.progress?.stream,
    });

  let completed = start;
  let interrupted = false;
  try {
    while (completed < steps) {
      if (signal?.aborted) {
        interrupted = true;
        break;
      }
      const i = completed;
      const result = scope(() => options.step(i));
      const metrics = { ...(result.metrics ?? {}) };
      const why = divergenceReason(result.loss, history, divergence);
      if (why) {
        const kept = checkpointStep === null ? "no checkpoint was written" : `the checkpoint at step ${checkpointStep} in ${checkpoint?.path ?? "the resumed file"} is kept`;
        throw new TrainingDivergedError(
          `training diverged at step ${i + 1} of ${steps}: ${why}; ${kept} (try a lower learning rate)`,
          i, history, checkpointStep,
        );
      }
      history.steps.push({ step: i, loss: result.loss, metrics });
      completed = i + 1;
      bar?.tick(1, { loss: result.loss, ...metrics });

      let validation: Record<string, number> | undefined;
      const every = options.validateEvery;
      if (options.validate && ((every !== undefined && completed % every === 0) || completed === steps)) {
        validation = await options.validate(completed);
        history.validations.push({ step: completed, metrics: { ...validation } });
      }
      options.onProgress?.({ step: completed, totalSteps: steps, loss: result.loss, metrics, validation });
      if (checkpoint && (completed % checkpoint.every === 0 || completed === steps)) saveCheckpoint(completed);
      await new Promise<void>((resolve) => setImmediate(resolve));
    }
    if (interrupted && checkpointStep !== completed) saveCheckpoint(completed);
  } finally {
    bar?.finish();
  }
  return { step: completed, interrupted, history, checkpointStep };
}

function resolveDivergence(input: TrainOptions["divergence"]): DivergenceSettings | null {
  if (input === false) return null;
  const parsed = DivergenceSettingsSchema.safeParse(input ?? {});
  if (!parsed.success) throw new TrainOptionsError(`train: divergence: ${describeSchemaError(parsed.error)}`);
  return parsed.data;
}

function checkCount(name: string, value: number, min: number): void {
  if (!Number.isInteger(value) || value < min) throw new TrainOptionsError(`train: ${name} must be an integer >= ${min}, got ${value}`);
}

/** Why `loss` counts as diverged given the losses logged so far, or null if it does not. */
export function divergenceReason(loss: number, history: TrainingHistory, settings: DivergenceSettings | null): string | null {
  if (Number.isNaN(loss)) return "the loss is NaN";
  if (!Number.isFinite(loss)) return `the loss is ${loss}`;
  if (!settings || history.steps.length < Math.max(1, settings.warmupSteps)) return null;
  const previous = history.steps.map((s) => s.loss);
  const run = settings.patienceSteps;
  const split = previous.length - (run - 1);
  if (split < 1) return null;
  const recent = previous.slice(Math.max(0, split - settings.windowSteps), split);
  const m = median(recent);
  const limit = settings.factor * m;
  if (!(loss > limit) || previous.slice(split).some((l) => !(l > limit))) return null;
  const over = run === 1 ? `the loss ${formatLoss(loss)} is` : `the last ${run} losses (now ${formatLoss(loss)}) are all`;
  return `${over} more than ${settings.factor}x the median ${formatLoss(m)} of the ${recent.length} steps before`;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : 0.5 * (sorted[mid - 1] + sorted[mid]);
}

function formatLoss(v: number): string {
  return v.toPrecision(4);
}
