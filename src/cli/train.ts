import { parseArgs } from "node:util";
import { FLAME_IN_NERF_PRESETS, type FlameInNerfPreset } from "../methods/flame-in-nerf/index.js";
import { DEFAULT_STEPS, trainAvatar } from "../train/train-avatar.js";
import { withInterruptSave } from "../train/interrupt.js";

/** Help text of `likeness train`. */
export const TRAIN_HELP = `Usage: likeness train <dataset dir> --out <file.avatar> [options]

Trains a FLAME-in-NeRF avatar on a dataset (from 'likeness capture video' or
'likeness capture synth'). Shows progress with loss, PSNR and time left; writes
checkpoints to --out as it goes; Ctrl-C saves and exits; --resume continues.
Validation renders (render | truth, held-out frame) go to <out>-renders/.

Options:
  --out <file>        the .avatar file (required)
  --preset <name>     ${FLAME_IN_NERF_PRESETS.join(" | ")} (default demo; steps: ${FLAME_IN_NERF_PRESETS.map((p) => `${p} ${DEFAULT_STEPS[p]}`).join(", ")})
  --steps <n>         training steps (default: the preset's)
  --resume            continue from the checkpoint at --out`;

/** Runs `likeness train` with `argv` (after the command word); returns the exit code. */
export async function runTrain(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    options: {
      out: { type: "string" },
      preset: { type: "string" },
      steps: { type: "string" },
      resume: { type: "boolean" },
      method: { type: "string" },
      help: { type: "boolean", short: "h" },
    },
    allowPositionals: true,
    strict: true,
  });
  if (values.help) {
    console.log(TRAIN_HELP);
    return 0;
  }
  const [datasetDir, ...extra] = positionals;
  if (!datasetDir) throw new Error("train: give the dataset folder to train on");
  if (extra.length) throw new Error(`train: one dataset only, got also '${extra.join(" ")}'`);
  if (!values.out) throw new Error("train: --out <file.avatar> is required");
  if (values.method !== undefined && values.method !== "flame-in-nerf") {
    throw new Error(`train: --method '${values.method}' is not available yet; available: flame-in-nerf`);
  }
  const preset = FLAME_IN_NERF_PRESETS.find((p) => p === (values.preset ?? "demo"));
  if (!preset) throw new Error(`--preset must be one of ${FLAME_IN_NERF_PRESETS.join(", ")}, got '${values.preset}'`);
  let steps: number | undefined;
  if (values.steps !== undefined) {
    steps = Number(values.steps);
    if (!Number.isInteger(steps) || steps < 1) throw new Error(`--steps must be a positive whole number, got '${values.steps}'`);
  }
  const result = await withInterruptSave((signal) =>
    trainAvatar({ datasetDir, outPath: values.out!, preset: preset satisfies FlameInNerfPreset, steps, resume: values.resume ?? false, signal }),
  );
  const psnrText = result.validationPsnr === null ? "" : `; held-out PSNR ${result.validationPsnr.toFixed(2)} dB`;
  console.log(
    `${result.interrupted ? "stopped" : "trained"} ${result.step} steps; checkpoint ${values.out} at step ${result.checkpointStep}${psnrText}; renders in ${result.rendersDir}`,
  );
  return 0;
}
