import { existsSync, mkdirSync, readdirSync } from "node:fs";
import { join, resolve } from "node:path";
import { parseArgs } from "node:util";
import { writeFileAtomic } from "../core/index.js";
import { DatasetError, builtInSubject, captureSynthetic, loadDataset, type LoadedDataset } from "../data/index.js";
import { driveFromDataset, takeDriveFrames } from "../drivers/index.js";
import { evaluateAvatar, formatEvalTable, writeEvalReport, type EvalReport } from "../eval/index.js";
import type { FlameInNerfConfigInput } from "../methods/flame-in-nerf/index.js";
import { DEFAULT_STEPS, FlameInNerfAvatar, trainAvatar, withInterruptSave } from "../train/index.js";
import { orbitDrive } from "./render.js";
import { renderDrive } from "./render-drive.js";

/** Defaults of `likeness demo`. */
const DEMO_DEFAULTS = { subject: "ada", driver: "bruno", out: "out/demo", sizePx: 128, steps: DEFAULT_STEPS.demo } as const;
/** What the avatar's subject says in the performance. */
const SUBJECT_SENTENCE = "hello, this is my voice. today we talk about the moon, the light and you.";
/** What the driver subject says in the cross-identity video. */
const DRIVER_SENTENCE = "good morning. my name is bruno, and i like to talk about the sea and the sky.";
/** Frames of the orbit video. */
const ORBIT_FRAMES = 72;
/**
 * The orbit's sweep. A front camera only teaches the avatar the views its head
 * turns showed (about +-15 degrees), and the torso, which does not turn, only one
 * view: past about 10 degrees the shoulders smear.
 */
const ORBIT_SWEEP = { yawDegrees: 8, pitchDegrees: 3 };

/** Help text of `likeness demo`. */
export const DEMO_HELP = `Usage: likeness demo [options]

The whole path on a built-in synthetic subject, in about 9 minutes on 2 cores:
  1. capture: render the subject's performance (expressions, then speech, the head
     moving) into a dataset, and a second subject speaking (the cross-identity driver);
  2. train a FLAME-in-NeRF avatar with the demo preset;
  3. render the held-out frames (self-reenactment, with the speech audio), the
     second subject's speech (cross-identity) and a camera orbit, as MP4 and PNG;
  4. evaluate on the held-out frames and print the table (report folder with contact
     sheet, heat maps and curves).
A stopped demo resumes where it was when run again; delete --out to start over.

Options:
  --subject <name>   the avatar's subject (default ${DEMO_DEFAULTS.subject}); --driver <name> the other (default ${DEMO_DEFAULTS.driver})
  --out <dir>        output folder (default ${DEMO_DEFAULTS.out})
  --size <px>        image size (default ${DEMO_DEFAULTS.sizePx})
  --steps <n>        training steps (default ${DEMO_DEFAULTS.steps})
  --ablations        also train and evaluate the paper's ablations (no expression
                     conditioning; no spatial prior): about twice as long again`;

/** An ablation of FLAME-in-NeRF: its name, what it changes, and the config that does it. */
interface Ablation {
  name: string;
  description: string;
  overrides: FlameInNerfConfigInput;
}

/**
 * The ablations the FLAME-in-NeRF paper shows (without expression conditioning,
 * without the spatial prior), and those of what Likeness adds: the mesh warp,
 * alone and together with the conditioning (then the expression reaches nothing).
 */
export const FLAME_IN_NERF_ABLATIONS: readonly Ablation[] = [
  { name: "no-expression", description: "no expression conditioning of the networks (the mesh warp still follows the expression)", overrides: { expressionConditioning: false } },
  { name: "no-spatial-prior", description: "no spatial prior (expression reaches every sample)", overrides: { spatialPrior: { enabled: false } } },
  { name: "no-mesh-warp", description: "no mesh-guided warp (expression only through the networks, as in the paper)", overrides: { meshWarp: false } },
  { name: "no-expression-at-all", description: "neither conditioning nor mesh warp (latent codes only)", overrides: { expressionConditioning: false, meshWarp: false } },
];

/** A dataset already captured at `dir` (a resumed demo), or null when there is none yet. */
async function existingDataset(dir: string): Promise<LoadedDataset | null> {
  if (!existsSync(join(dir, "dataset.json"))) return null;
  try {
    return await loadDataset(dir);
  } catch (e) {
    if (e instanceof DatasetError) throw new Error(`${dir}: is not a complete dataset (${e.message}); delete it to capture again`, { cause: e });
    throw e;
  }
}

/** Captures a built-in subject into `dir` unless a resumed demo already has it. */
async function captureOnce(
  dir: string, subject: string, sequence: "performance" | "speech", sizePx: number, framesPerExpression: number, sentence: string,
): Promise<LoadedDataset> {
  const existing = await existingDataset(dir);
  if (existing) return existing;
  await captureSynthetic({
    subject: builtInSubject(subject), outDir: dir, sizePx, rig: "front", domeCameras: 1, sequence, framesPerExpression, fps: 30,
    sentence, voice: "auto", seed: 1, overwrite: false,
  });
  return loadDataset(dir);
}

/** Trains (or resumes) an avatar to `steps`; returns false when Ctrl-C stopped it. */
async function trainOnce(datasetDir: string, outPath: string, steps: number, overrides?: FlameInNerfConfigInput): Promise<boolean> {
  const result = await withInterruptSave((signal) =>
    trainAvatar({ datasetDir, outPath, preset: "demo", steps, overrides, resume: existsSync(outPath), signal }),
  );
  return !result.interrupted;
}

/** Evaluates an avatar on the held-out frames and writes its report folder (replacing an earlier one). */
async function evaluateInto(avatarPath: string, dataset: LoadedDataset, reportDir: string, retrack: boolean): Promise<EvalReport> {
  const avatar = FlameInNerfAvatar.load(avatarPath);
  try {
    const { report, renders } = await evaluateAvatar({ avatar, dataset, retrack });
    await writeEvalReport(report, renders, reportDir, { overwrite: true });
    return report;
  } finally {
    avatar.dispose();
  }
}

function positiveInt(name: string, text: string | undefined, fallback: number): number {
  if (text === undefined) return fallback;
  const n = Number(text);
  if (!Number.isInteger(n) || n < 1) throw new Error(`demo: --${name} must be a positive whole number, got '${text}'`);
  return n;
}

/** The ablation table in markdown: held-out PSNR, SSIM and the expression leak outside the face, per variant. */
function ablationTable(rows: { name: string; description: string; report: EvalReport }[]): string {
  const fmt = (v: number | null | undefined, digits: number): string => (v === null || v === undefined ? "-" : v.toFixed(digits));
  const lines = [
    "| variant | held-out PSNR (dB) | SSIM | L1 | mouth PSNR (dB) | change outside the face with expression (L1) |",
    "|---|---|---|---|---|---|",
  ];
  for (const { name, description, report } of rows) {
    const m = report.means;
    lines.push(`| ${name}: ${description} | ${fmt(m.psnrDb, 2)} | ${fmt(m.ssim, 4)} | ${fmt(m.l1, 4)} | ${fmt(m.regions.mouth?.psnrDb, 2)} | ${fmt(m.leakOutsideFaceL1, 5)} |`);
  }
  return lines.join("\n") + "\n";
}

/** Runs `likeness demo` with `argv` (after the command word); returns the exit code. */
export async function runDemo(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    options: {
      subject: { type: "string" },
      driver: { type: "string" },
      out: { type: "string" },
      size: { type: "string" },
      steps: { type: "string" },
      ablations: { type: "boolean" },
      help: { type: "boolean", short: "h" },
    },
    allowPositionals: true,
    strict: true,
  });
  if (values.help) {
    console.log(DEMO_HELP);
    return 0;
  }
  if (positionals.length) throw new Error(`demo: takes no positional arguments, got '${positionals.join(" ")}'`);
  return runDemoPipeline({
    out: values.out ?? DEMO_DEFAULTS.out,
    sizePx: positiveInt("size", values.size, DEMO_DEFAULTS.sizePx),
    steps: positiveInt("steps", values.steps, DEMO_DEFAULTS.steps),
    subject: values.subject ?? DEMO_DEFAULTS.subject,
    driver: values.driver ?? DEMO_DEFAULTS.driver,
    ablations: values.ablations ?? false,
  });
}

/** Options of {@link runDemoPipeline}: the CLI's, and the sizes of each stage (smaller in tests). */
export interface DemoOptions {
  out: string;
  sizePx: number;
  steps: number;
  subject: string;
  driver: string;
  ablations: boolean;
  /** Frames of each expression in the performance's sweep; default 16. */
  framesPerExpression?: number;
  /** What the subject says in the performance. */
  sentence?: string;
  /** What the driver says. */
  driverSentence?: string;
  /** Frames of the cross-identity video (at most); default 180. */
  crossFrames?: number;
  /** Frames of the orbit video; default 72. */
  orbitFrames?: number;
  /** Re-track renders and truth in the evaluation; default true. */
  retrack?: boolean;
}

/** The demo's stages (see {@link DEMO_HELP}); returns the exit code (130 when Ctrl-C stopped the training). */
export async function runDemoPipeline(options: DemoOptions): Promise<number> {
  const { sizePx, steps, subject, driver } = options;
  const out = resolve(options.out);
  const outArg = options.out;
  builtInSubject(subject);
  builtInSubject(driver);
  if (existsSync(out) && readdirSync(out).length > 0 && !existsSync(join(out, "dataset"))) {
    throw new Error(`${out}: exists and is not a demo folder; choose another --out`);
  }
  mkdirSync(out, { recursive: true });
  const started = performance.now();
  const timings: [string, number][] = [];
  const timed = async <T>(name: string, work: () => Promise<T>): Promise<T> => {
    const t = performance.now();
    const result = await work();
    timings.push([name, (performance.now() - t) / 1000]);
    return result;
  };

  const datasetDir = join(out, "dataset");
  const driverDir = join(out, "driver");
  const dataset = await timed("capture", () => captureOnce(datasetDir, subject, "performance", sizePx, options.framesPerExpression ?? 16, options.sentence ?? SUBJECT_SENTENCE));
  const driverDataset = await timed("capture driver", () => captureOnce(driverDir, driver, "speech", sizePx, 16, options.driverSentence ?? DRIVER_SENTENCE));
  const avatarPath = join(out, `${subject}.avatar`);
  if (!(await timed("train", () => trainOnce(datasetDir, avatarPath, steps)))) {
    console.log(`stopped; run 'likeness demo${outArg === DEMO_DEFAULTS.out ? "" : ` --out ${outArg}`}' again to resume`);
    return 130;
  }

  const avatar = FlameInNerfAvatar.load(avatarPath);
  try {
    const self = await timed("render reenactment", () =>
      renderDrive({ avatar, drive: driveFromDataset(dataset, { split: "val" }), outDir: join(out, "reenactment"), overwrite: true }),
    );
    const crossDrive = driveFromDataset(driverDataset, { split: "all", mode: "cross", referencePose: avatar.state.reference.headPose });
    const cross = await timed("render cross-identity", () =>
      renderDrive({ avatar, drive: takeDriveFrames(crossDrive, options.crossFrames ?? 180), outDir: join(out, "cross-identity"), overwrite: true }),
    );
    const orbit = await timed("render orbit", () =>
      renderDrive({ avatar, drive: orbitDrive(avatar, options.orbitFrames ?? ORBIT_FRAMES, 30, null, ORBIT_SWEEP), outDir: join(out, "orbit"), overwrite: true }),
    );
    const report = await timed("evaluate", () => evaluateInto(avatarPath, dataset, join(out, "report"), options.retrack ?? true));
    console.log("");
    console.log(formatEvalTable(report));
    if (options.ablations) {
      const rows = [{ name: "full model", description: "FLAME-in-NeRF", report }];
      for (const ablation of FLAME_IN_NERF_ABLATIONS) {
        const path = join(out, "ablations", `${ablation.name}.avatar`);
        mkdirSync(join(out, "ablations"), { recursive: true });
        if (!(await timed(`train ${ablation.name}`, () => trainOnce(datasetDir, path, steps, ablation.overrides)))) return 130;
        const r = await timed(`evaluate ${ablation.name}`, () => evaluateInto(path, dataset, join(out, "ablations", `${ablation.name}-report`), false));
        rows.push({ name: ablation.name, description: ablation.description, report: r });
      }
      const table = ablationTable(rows);
      writeFileAtomic(join(out, "ablations", "ablations.md"), `# FLAME-in-NeRF ablations (held-out frames, ${steps} steps each)\n\n${table}`);
      console.log("");
      console.log(table);
    }
    const total = (performance.now() - started) / 1000;
    console.log(timings.map(([name, s]) => `${name} ${s.toFixed(0)} s`).join(", ") + `; total ${total.toFixed(0)} s`);
    console.log(`avatar      ${avatarPath}`);
    console.log(`videos      ${self.videoPath}\n            ${cross.videoPath}\n            ${orbit.videoPath}`);
    console.log(`report      ${join(out, "report")}`);
  } finally {
    avatar.dispose();
  }
  return 0;
}
