import { parseArgs } from "node:util";
import { captureVideo, type CaptureMatting } from "../data/capture-video.js";
import { MATTE_MODELS } from "../data/matte/index.js";

/** Help text of `likeness capture video`. */
export const CAPTURE_VIDEO_HELP = `Usage: likeness capture video <video file or folder of frames> --out <dir> [options]

Decodes the video, tracks the face in every frame, fits the face model, mattes
the person, and writes a dataset (format v1) with contact-sheet.png and
capture-report.json inside it.

Options:
  --out <dir>        output folder (required); refused if it exists, unless --overwrite
  --size <px>        side of the square, head-centred output frames (default 256)
  --frames <n>       only the first n frames
  --fps <n>          frame rate of a folder of frames (default 30)
  --matte <model>    foreground masks: selfie (fast, default) | meet | rvm (best hair edges, ~0.3 s a frame) | none
  --fit-depths       also fit the tracker's landmark depths: a truer rotation of a
                     moving head, for a video that drives another avatar (captures
                     for training an avatar fit image positions only: they scored higher)
  --overlay          also write tracking-overlay.mp4, the fitted mesh over the frames
  --overwrite        replace an existing dataset at --out`;

function positiveInt(name: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new Error(`--${name} must be a positive whole number, got '${value}'`);
  return n;
}

function matting(value: string | undefined): CaptureMatting {
  if (value === undefined) return "selfie";
  const allowed: readonly CaptureMatting[] = [...MATTE_MODELS, "none"];
  const found = allowed.find((m) => m === value);
  if (!found) throw new Error(`--matte must be one of ${allowed.join(", ")}, got '${value}'`);
  return found;
}

/** Runs `likeness capture video` with `argv` (after the two command words); returns the exit code. */
export async function runCaptureVideo(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    options: {
      out: { type: "string" },
      size: { type: "string" },
      frames: { type: "string" },
      fps: { type: "string" },
      overlay: { type: "boolean" },
      "fit-depths": { type: "boolean" },
      matte: { type: "string" },
      overwrite: { type: "boolean" },
      help: { type: "boolean", short: "h" },
    },
    allowPositionals: true,
    strict: true,
  });
  if (values.help) {
    console.log(CAPTURE_VIDEO_HELP);
    return 0;
  }
  const [input, ...extra] = positionals;
  if (!input) throw new Error("capture video: give the video file (or folder of frames) to read");
  if (extra.length) throw new Error(`capture video: one input only, got also '${extra.join(" ")}'`);
  if (!values.out) throw new Error("capture video: --out <dir> is required");
  const { datasetDir, contactSheet, overlayVideo, report } = await captureVideo({
    input,
    outDir: values.out,
    sizePx: positiveInt("size", values.size) ?? 256,
    maxFrames: positiveInt("frames", values.frames),
    folderFps: positiveInt("fps", values.fps),
    overlay: values.overlay ?? false,
    matting: matting(values.matte),
    fitDepths: values["fit-depths"] ?? false,
    overwrite: values.overwrite ?? false,
  });
  const pct = (x: number): string => `${(100 * x).toFixed(2)}%`;
  console.log(
    [
      `wrote ${datasetDir}: ${report.trackedFrames}/${report.frames} frames tracked` +
        (report.untrackedFrames.length ? ` (no face in ${report.untrackedFrames.length}: flagged, not filled)` : ""),
      `fit${report.fitDepths ? " (image positions and depths)" : ""}: mean landmark error ${report.fitMeanErrorPx.toFixed(2)} px = ${pct(report.fitMeanErrorOfBoxSide)} of the face box side ` +
        `(${pct(report.fitMeanErrorOfBoxDiagonal)} of its diagonal; worst frame ${pct(report.fitWorstFrameErrorOfBoxDiagonal)})`,
      `jitter: ${report.jitterRaw.meanAccelPx.toFixed(2)} px raw, ${report.jitterSmoothed.meanAccelPx.toFixed(2)} px smoothed (mean frame-to-frame acceleration)`,
      `head pose: rotation ${report.poseJitter.rotationAccelDeg.toFixed(3)} deg acceleration against ${report.poseJitter.rotationSpeedDeg.toFixed(3)} deg speed per frame, ` +
        `translation ${report.poseJitter.translationAccelMm.toFixed(2)} mm against ${report.poseJitter.translationSpeedMm.toFixed(2)} mm`,
      `time: track ${report.seconds.track.toFixed(1)} s, fit ${report.seconds.fit.toFixed(1)} s, write ${report.seconds.write.toFixed(1)} s; ` +
        `${report.framesPerSecond.toFixed(1)} frames/s overall`,
      `contact sheet ${contactSheet}` + (overlayVideo ? `; overlay ${overlayVideo}` : ""),
    ].join("\n"),
  );
  return 0;
}
