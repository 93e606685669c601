import { parseArgs } from "node:util";
import { BUILT_IN_SUBJECTS, builtInSubject, DEFAULT_SUBJECT, subjectFromSeed } from "../data/synth/subjects.js";
import { createFaceModel } from "../face/index.js";
import { captureSynthetic, DEFAULT_SAMPLES_PER_AXIS, SYNTH_RIGS, SYNTH_SEQUENCES, SYNTH_VOICES, type SynthRig, type SynthSequence } from "../data/synth/capture.js";

/** What synthetic subjects say unless told otherwise. */
const DEFAULT_SENTENCE = "hello, this is my voice. today we talk about the moon, the light and you.";

/** Help text of `likeness capture synth`. */
export const CAPTURE_SYNTH_HELP = `Usage: likeness capture synth --out <dir> [options]

Renders a scripted performance of a built-in synthetic subject and writes a
dataset (format v1) with exact ground truth, plus contact-sheet.png inside it.

Options:
  --subject <name>      ${BUILT_IN_SUBJECTS.map((s) => s.name).join(", ")} (default ${DEFAULT_SUBJECT}),
                        or seed-<n> for a random subject made from seed n
  --out <dir>           output folder (required); refused if it exists, unless --overwrite
  --rig <rig>           ${SYNTH_RIGS.join(" | ")} (default front)
  --cameras <n>         cameras of the dome rig (default 8)
  --sequence <name>     ${SYNTH_SEQUENCES.join(" | ")} (default all);
                        performance: the expression sweep then speech, the head moving
  --size <px>           image size, square (default 256)
  --frames <n>          stop after n time steps
  --samples <n>         shading samples per pixel along each axis: each pixel is the
                        mean of n x n samples, like a sensor's pixel (default ${DEFAULT_SAMPLES_PER_AXIS})
  --frames-per-expression <n>  length of each expression in the sweep (default 16)
  --fps <n>             frames per second (default 30)
  --sentence <text>     what the subject says, in words of the built-in lexicon
  --voice <voice>       ${SYNTH_VOICES.join(" | ")}: espeak-ng when installed, else the built-in
                        formant synthesizer (default auto)
  --seed <n>            seed of head motion, voice and noise (default 1)
  --overwrite           replace an existing dataset at --out`;

function positiveInt(name: string, value: string | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new Error(`--${name} must be a positive whole number, got '${value}'`);
  return n;
}

/** `--samples`: a whole number from 1 to 16 (the renderer's limit). */
function samplesPerAxis(value: string | undefined): number {
  const n = positiveInt("samples", value, DEFAULT_SAMPLES_PER_AXIS);
  if (n > 16) throw new Error(`--samples must be a whole number from 1 to 16, got '${value}'`);
  return n;
}

function oneOf<T extends string>(name: string, value: string | undefined, allowed: readonly T[], fallback: T): T {
  if (value === undefined) return fallback;
  const v = allowed.find((a) => a === value);
  if (!v) throw new Error(`--${name} must be one of ${allowed.join(", ")}, got '${value}'`);
  return v;
}

/** Runs `likeness capture synth` with `argv` (after the two command words); returns the exit code. */
export async function runCaptureSynth(argv: string[]): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: {
      subject: { type: "string" },
      out: { type: "string" },
      rig: { type: "string" },
      cameras: { type: "string" },
      sequence: { type: "string" },
      size: { type: "string" },
      frames: { type: "string" },
      samples: { type: "string" },
      "frames-per-expression": { type: "string" },
      fps: { type: "string" },
      sentence: { type: "string" },
      seed: { type: "string" },
      voice: { type: "string" },
      overwrite: { type: "boolean" },
      help: { type: "boolean", short: "h" },
    },
    strict: true,
  });
  if (values.help) {
    console.log(CAPTURE_SYNTH_HELP);
    return 0;
  }
  if (!values.out) throw new Error("capture synth: --out <dir> is required");
  const subjectName = values.subject ?? DEFAULT_SUBJECT;
  const seeded = /^seed-(\d+)$/.exec(subjectName);
  const subject = seeded ? subjectFromSeed(Number(seeded[1]), createFaceModel().identityNames) : builtInSubject(subjectName);
  const rig: SynthRig = oneOf("rig", values.rig, SYNTH_RIGS, "front");
  const sequence: SynthSequence = oneOf("sequence", values.sequence, SYNTH_SEQUENCES, "all");
  const result = await captureSynthetic({
    subject,
    outDir: values.out,
    rig,
    sequence,
    domeCameras: positiveInt("cameras", values.cameras, 8),
    sizePx: positiveInt("size", values.size, 256),
    maxFrames: values.frames === undefined ? undefined : positiveInt("frames", values.frames, 1),
    framesPerExpression: positiveInt("frames-per-expression", values["frames-per-expression"], 16),
    fps: positiveInt("fps", values.fps, 30),
    sentence: values.sentence ?? DEFAULT_SENTENCE,
    seed: positiveInt("seed", values.seed, 1),
    samplesPerAxis: samplesPerAxis(values.samples),
    voice: oneOf("voice", values.voice, SYNTH_VOICES, "auto"),
    overwrite: values.overwrite ?? false,
  });
  console.log(
    `wrote ${result.datasetDir}: ${result.timeSteps} time steps, ${result.images} images in ${result.seconds.toFixed(1)} s ` +
      `(${(result.images / result.seconds).toFixed(1)} images/s); contact sheet ${result.contactSheet}`,
  );
  return 0;
}
