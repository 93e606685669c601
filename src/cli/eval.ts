import { existsSync } from "node:fs";
import { resolve } from "node:path";
import { parseArgs } from "node:util";
import { loadDataset } from "../data/index.js";
import { EVAL_REPORT_FILES, evaluateAvatar, formatEvalTable, writeEvalReport } from "../eval/index.js";
import { FlameInNerfAvatar } from "../train/index.js";

/** Help text of `likeness eval`. */
export const EVAL_HELP = `Usage: likeness eval <file.avatar> <dataset dir> --out <report dir> [options]

Evaluates a trained avatar on the held-out (val) frames of a dataset: renders each
from its own camera, expression and head pose, and measures PSNR, SSIM and L1,
errors in the face, mouth, eyes and background, the landmark distance between the
re-tracked real and rendered frames, and the spatial prior's leak (how much the
image outside the face changes from a neutral to the frame's expression).
Prints the table and writes the report folder: ${Object.values(EVAL_REPORT_FILES).map((f) => (f === EVAL_REPORT_FILES.heatmaps ? `${f}/` : f)).join(", ")}.

Options:
  --out <dir>       the report folder (required); refused if it exists, unless --overwrite
  --frames <n>      evaluate at most n frames, spread over the held-out split (default all)
  --no-retrack      skip re-tracking (no landmark distance; faster)
  --overwrite       replace an existing report folder`;

/** Runs `likeness eval` with `argv` (after the command word); returns the exit code. */
export async function runEval(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    options: {
      out: { type: "string" },
      frames: { type: "string" },
      "no-retrack": { type: "boolean" },
      overwrite: { type: "boolean" },
      help: { type: "boolean", short: "h" },
    },
    allowPositionals: true,
    strict: true,
  });
  if (values.help) {
    console.log(EVAL_HELP);
    return 0;
  }
  const [avatarPath, datasetDir, ...extra] = positionals;
  if (!avatarPath || !datasetDir) throw new Error("eval: give the .avatar file and the dataset folder to evaluate on");
  if (extra.length) throw new Error(`eval: one avatar and one dataset only, got also '${extra.join(" ")}'`);
  if (!values.out) throw new Error("eval: --out <report dir> is required");
  const out = resolve(values.out);
  if (existsSync(out) && !values.overwrite) throw new Error(`${out}: already exists; pass --overwrite to replace it`);
  let maxFrames: number | undefined;
  if (values.frames !== undefined) {
    maxFrames = Number(values.frames);
    if (!Number.isInteger(maxFrames) || maxFrames < 1) throw new Error(`--frames must be a positive whole number, got '${values.frames}'`);
  }
  if (!existsSync(avatarPath)) throw new Error(`${resolve(avatarPath)}: no such avatar file`);
  const dataset = await loadDataset(datasetDir);
  const avatar = FlameInNerfAvatar.load(avatarPath);
  try {
    const { report, renders } = await evaluateAvatar({ avatar, dataset, maxFrames, retrack: !values["no-retrack"] });
    const dir = await writeEvalReport(report, renders, out, { overwrite: values.overwrite ?? false });
    console.log(formatEvalTable(report));
    console.log(`report in ${dir}`);
  } finally {
    avatar.dispose();
  }
  return 0;
}
