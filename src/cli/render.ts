import { parseArgs } from "node:util";
import {
  DRIVE_SPLITS, EXPRESSION_FILE_HELP, EXPRESSION_NAMES, datasetDrive, orbitCameras, readExpressionFile, takeDriveFrames,
  type Drive, type DriveFrame,
} from "../drivers/index.js";
import { rotationFromAxisAngle, type Vec3 } from "../geometry/index.js";
import { FlameInNerfAvatar } from "../train/index.js";
import { checkRenderOutput, renderDrive, RENDER_FRAMES_DIR, RENDER_VIDEO_FILE } from "./render-drive.js";

/** Frames of an orbit when neither --frames nor an expression file says how many. */
const DEFAULT_ORBIT_FRAMES = 60;
/** Frame rate of an orbit without an expression file. */
const DEFAULT_ORBIT_FPS = 30;

/** Help text of `likeness render`. */
export const RENDER_HELP = `Usage: likeness render <file.avatar> --out <dir> <drive> [options]

Renders a trained avatar along a drive and writes <dir>/${RENDER_FRAMES_DIR}/000000.png ...
and <dir>/${RENDER_VIDEO_FILE} (with the driving audio when the drive has some).

Drives (one of):
  --drive <dataset dir>   a dataset's tracked frames: its own cameras and head poses
                          (self-reenactment, e.g. of the avatar's held-out frames)
    --split <s>           ${DRIVE_SPLITS.join(" | ")} (default val)
    --camera <id>         the dataset camera whose frames to use (default its first)
    --cross               another person's capture: transfer its expressions and its
                          head rotation relative to its first frame onto the avatar's
                          reference pose, seen from the avatar's reference camera
  --expressions <file>    a JSON file of expression vectors (see below)
  --orbit                 cameras circling the head, neutral expression; with --expressions,
                          those expressions. A monocular avatar only knows the views its
                          video showed: keep the sweep near the head turns it saw
    --yaw <deg>           half range of the sweep left and right (default 30)
    --pitch <deg>         half range up and down (default 10)

Options:
  --out <dir>             the folder to write (required; refused if it exists)
  --frames <n>            at most n frames (orbit: the number of frames, default ${DEFAULT_ORBIT_FRAMES})
  --fps <f>               video frame rate (default the drive's; orbit ${DEFAULT_ORBIT_FPS}); audio is left
                          out when it differs from the drive's
  --size <px>             output width: rescales every camera's intrinsics
  --samples <n>           samples per ray (default the avatar's)
  --overwrite             replace an existing render folder at --out

${EXPRESSION_FILE_HELP}`;

function positiveNumber(name: string, text: string | undefined, integer: boolean): number | undefined {
  if (text === undefined) return undefined;
  const value = Number(text);
  if (!Number.isFinite(value) || value <= 0 || (integer && !Number.isInteger(value))) {
    throw new Error(`render: --${name} must be a positive ${integer ? "whole number" : "number"}, got '${text}'`);
  }
  return value;
}

/** The orbit drive: the avatar's reference pose (or the expression file's poses) with cameras circling the head centre. */
export function orbitDrive(
  avatar: FlameInNerfAvatar, count: number, fps: number, expressions: Drive | null, sweep: { yawDegrees?: number; pitchDegrees?: number } = {},
): Drive {
  const pose = avatar.state.reference.headPose;
  const bounds = avatar.model.boundsFor(rotationFromAxisAngle(pose.rotationAxisAngle), pose.translation);
  const center: Vec3 = bounds.kind === "sphere"
    ? bounds.center
    : [(bounds.min[0] + bounds.max[0]) / 2, (bounds.min[1] + bounds.max[1]) / 2, (bounds.min[2] + bounds.max[2]) / 2];
  const cameras = orbitCameras({ reference: avatar.referenceCamera(), center, frames: count, ...sweep });
  const neutral = new Float32Array(EXPRESSION_NAMES.length);
  const frames = cameras.map((camera, i): DriveFrame => {
    const source = expressions?.frames[i % expressions.frames.length];
    return { timeSeconds: i / fps, expression: source?.expression ?? neutral, headPose: source?.headPose ?? null, headPoseTracked: source?.headPoseTracked, camera };
  });
  return { description: expressions ? `orbit with ${expressions.description}` : "orbit", fps, frames, audio: null };
}

/** Runs `likeness render` with `argv` (after the command word); returns the exit code. */
export async function runRender(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    options: {
      out: { type: "string" },
      drive: { type: "string" },
      split: { type: "string" },
      cross: { type: "boolean" },
      camera: { type: "string" },
      expressions: { type: "string" },
      orbit: { type: "boolean" },
      yaw: { type: "string" },
      pitch: { type: "string" },
      frames: { type: "string" },
      fps: { type: "string" },
      size: { type: "string" },
      samples: { type: "string" },
      overwrite: { type: "boolean" },
      help: { type: "boolean", short: "h" },
    },
    allowPositionals: true,
    strict: true,
  });
  if (values.help) {
    console.log(RENDER_HELP);
    return 0;
  }
  const [avatarPath, ...extra] = positionals;
  if (!avatarPath) throw new Error("render: give the .avatar file to render");
  if (extra.length) throw new Error(`render: one avatar only, got also '${extra.join(" ")}'`);
  if (!values.out) throw new Error("render: --out <dir> is required");
  const orbit = values.orbit ?? false;
  const sources = [values.drive !== undefined, values.expressions !== undefined, orbit].filter(Boolean).length;
  if (sources === 0) throw new Error("render: choose a drive: --drive <dataset dir>, --expressions <file.json> or --orbit");
  if (sources > 1 && !(orbit && values.expressions !== undefined && values.drive === undefined)) {
    throw new Error("render: choose one drive: --drive, --expressions or --orbit (only --orbit and --expressions combine)");
  }
  if (values.drive === undefined && (values.split !== undefined || values.cross || values.camera !== undefined)) {
    throw new Error("render: --split, --cross and --camera go with --drive");
  }
  const split = DRIVE_SPLITS.find((s) => s === (values.split ?? "val"));
  if (!split) throw new Error(`render: --split must be one of ${DRIVE_SPLITS.join(", ")}, got '${values.split}'`);
  const frameLimit = positiveNumber("frames", values.frames, true);
  const fps = positiveNumber("fps", values.fps, false);
  const widthPx = positiveNumber("size", values.size, true);
  const numSamples = positiveNumber("samples", values.samples, true);
  const overwrite = values.overwrite ?? false;
  checkRenderOutput(values.out, overwrite);

  // Read the drive's files before the avatar so that a typo fails fast.
  const expressions = values.expressions === undefined ? null : readExpressionFile(values.expressions);
  const avatar = FlameInNerfAvatar.load(avatarPath);
  try {
    let drive: Drive;
    if (orbit) {
      drive = orbitDrive(avatar, frameLimit ?? expressions?.frames.length ?? DEFAULT_ORBIT_FRAMES, expressions?.fps ?? DEFAULT_ORBIT_FPS, expressions, {
        yawDegrees: positiveNumber("yaw", values.yaw, false), pitchDegrees: positiveNumber("pitch", values.pitch, false),
      });
    } else if (expressions) {
      drive = expressions;
    } else {
      drive = await datasetDrive(values.drive!, {
        split, cameraId: values.camera, mode: values.cross ? "cross" : "self", referencePose: avatar.state.reference.headPose,
      });
    }
    if (frameLimit !== undefined) drive = takeDriveFrames(drive, frameLimit);
    if (drive.audio && fps !== undefined && fps !== drive.fps) {
      console.error(`likeness: --fps ${fps} differs from the drive's ${drive.fps} fps; the video has no audio`);
    }
    const result = await renderDrive({ avatar, drive, outDir: values.out, overwrite, fps, widthPx, numSamples });
    console.log(
      `rendered ${result.frameCount} frames (${result.widthPx}x${result.heightPx}) of ${drive.description} at ${result.renderFps.toFixed(2)} frames/s; ` +
        `video ${result.videoPath} (${result.fps} fps${result.hasAudio ? ", with audio" : ""}); PNGs in ${result.framesDir}`,
    );
    return 0;
  } finally {
    avatar.dispose();
  }
}
