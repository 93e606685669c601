/**
 * The rendering loop of `likeness render` (and of `likeness demo`): renders an
 * avatar along a drive, writes PNG frames and an MP4 (with the drive's audio),
 * and puts the folder in place atomically.
 */
import { existsSync, mkdirSync, readdirSync, renameSync, rmSync, statSync } from "node:fs";
import { join, resolve } from "node:path";
import { encodeVideo, ProgressBar, readWav, type Audio, type ProgressStream } from "../data/index.js";
import type { Drive, DriveAudio } from "../drivers/index.js";
import { writePng } from "../eval/index.js";
import { rescaleCamera, type PinholeCamera } from "../geometry/index.js";
import type { FlameInNerfAvatar } from "../train/index.js";

/** Folder of the PNG frames inside a render folder. */
export const RENDER_FRAMES_DIR = "frames";
/** File name of the video inside a render folder. */
export const RENDER_VIDEO_FILE = "render.mp4";

/** An error about a render's options or output folder; its one-line message names the folder. */
export class RenderOutputError extends Error {
  override readonly name = "RenderOutputError";
}

/** Options of {@link renderDrive}. */
export interface RenderDriveOptions {
  avatar: FlameInNerfAvatar;
  drive: Drive;
  /** The folder to write (`frames/000000.png ...` and `render.mp4`); it appears complete or not at all. */
  outDir: string;
  /** Replace an existing render folder at `outDir` (default false: refuse). */
  overwrite?: boolean;
  /** Frame rate of the video (default the drive's). The drive's audio is left out when it differs. */
  fps?: number;
  /** Output width in pixels: every camera's intrinsics are rescaled to it (height keeps the aspect ratio). Default the cameras' own size. */
  widthPx?: number;
  /** Samples per ray (default the avatar's config). */
  numSamples?: number;
  /** Where the progress bar goes (default stderr). */
  progress?: ProgressStream;
}

/** What {@link renderDrive} wrote. */
export interface RenderDriveResult {
  readonly outDir: string;
  readonly framesDir: string;
  readonly videoPath: string;
  readonly frameCount: number;
  readonly widthPx: number;
  readonly heightPx: number;
  /** Frame rate of the video. */
  readonly fps: number;
  /** Frames rendered (and written) per second of wall time. */
  readonly renderFps: number;
  /** Whether the video has the drive's audio. */
  readonly hasAudio: boolean;
}

/**
 * Throws {@link RenderOutputError} when `outDir` exists and may not be replaced:
 * always without `overwrite`; with it, when it is a file or a folder that is
 * neither empty nor a render folder (one with `render.mp4`).
 */
export function checkRenderOutput(outDir: string, overwrite: boolean): void {
  const out = resolve(outDir);
  if (!existsSync(out)) return;
  if (!overwrite) throw new RenderOutputError(`${out}: already exists; pass --overwrite to replace it`);
  if (!statSync(out).isDirectory()) throw new RenderOutputError(`${out}: exists and is a file, not a render folder; refusing to replace it`);
  // A dataset also has a frames/ folder, so only the video marks a render folder.
  const entries = readdirSync(out);
  if (entries.length > 0 && !entries.includes(RENDER_VIDEO_FILE)) {
    throw new RenderOutputError(`${out}: exists and is not a render folder (no ${RENDER_VIDEO_FILE}); refusing to replace it`);
  }
}

/** The stretch of a WAV file a drive plays, as audio (zeros where it runs past either end of the file). */
export function cutDriveAudio(audio: DriveAudio): Audio {
  const wav = readWav(audio.path);
  const rate = wav.sampleRate;
  const start = Math.round(audio.startSeconds * rate);
  const length = Math.max(1, Math.round(audio.durationSeconds * rate));
  const channels = wav.channels.map((source) => {
    const out = new Float32Array(length);
    const from = Math.max(0, start), to = Math.min(source.length, start + length);
    if (to > from) out.set(source.subarray(from, to), from - start);
    return out;
  });
  return { sampleRate: rate, channels };
}

function toBytes(rgb: Float32Array): Uint8Array {
  const bytes = new Uint8Array(rgb.length);
  for (let i = 0; i < rgb.length; i++) {
    const v = rgb[i];
    bytes[i] = v >= 1 ? 255 : v > 0 ? Math.round(v * 255) : 0;
  }
  return bytes;
}

/**
 * Renders `avatar` at every frame of `drive` (head pose and camera from the
 * frame, else the avatar's reference ones; the mean deformation code) with a
 * progress bar, writing `frames/000000.png ...` and `render.mp4` (H.264, with
 * the drive's audio cut to the frames' span) into a staging folder beside
 * `outDir` that is renamed into place at the end; on any failure nothing is left.
 */
export async function renderDrive(options: RenderDriveOptions): Promise<RenderDriveResult> {
  const { avatar, drive, overwrite = false, numSamples, progress } = options;
  const outDir = resolve(options.outDir);
  const fps = options.fps ?? drive.fps;
  if (!(fps > 0) || !Number.isFinite(fps)) throw new RenderOutputError(`${outDir}: fps must be positive, got ${fps}`);
  if (drive.frames.length === 0) throw new RenderOutputError(`${outDir}: the drive (${drive.description}) has no frames`);
  checkRenderOutput(outDir, overwrite);
  const referenceCamera = avatar.referenceCamera();
  const referencePose = avatar.state.reference.headPose;
  const cameraOf = (camera: PinholeCamera | null): PinholeCamera => {
    const c = camera ?? referenceCamera;
    return options.widthPx === undefined ? c : rescaleCamera(c, options.widthPx);
  };
  const first = cameraOf(drive.frames[0].camera);
  const { widthPx, heightPx } = first;
  drive.frames.forEach((f, i) => {
    const c = cameraOf(f.camera);
    if (c.widthPx !== widthPx || c.heightPx !== heightPx) {
      throw new RenderOutputError(`${outDir}: frame ${i} renders ${c.widthPx}x${c.heightPx}, frame 0 ${widthPx}x${heightPx}; a video needs one size (pass --size)`);
    }
  });
  const withAudio = drive.audio !== null && fps === drive.fps;
  const audio = withAudio && drive.audio ? cutDriveAudio(drive.audio) : undefined;

  const staging = `${outDir}.partial-${process.pid}`;
  rmSync(staging, { recursive: true, force: true });
  const framesDir = join(staging, RENDER_FRAMES_DIR);
  mkdirSync(framesDir, { recursive: true });
  try {
    const bar = new ProgressBar({ label: "render", total: drive.frames.length, unit: "frames", stream: progress });
    const started = performance.now();
    async function* frames(): AsyncGenerator<Uint8Array> {
      for (const [i, f] of drive.frames.entries()) {
        const pose = f.headPose ?? referencePose;
        const image = avatar.render(
          {
            expression: f.expression, rotationAxisAngle: pose.rotationAxisAngle, translation: pose.translation,
            trackedExpression: f.headPose && f.headPoseTracked ? f.expression : undefined,
          },
          cameraOf(f.camera),
          numSamples === undefined ? {} : { numSamples },
        );
        const bytes = toBytes(image.rgb);
        await writePng(join(framesDir, `${String(i).padStart(6, "0")}.png`), bytes, widthPx, heightPx);
        bar.tick(1);
        yield bytes;
      }
    }
    const video = await encodeVideo({ outPath: join(staging, RENDER_VIDEO_FILE), widthPx, heightPx, fps, frames: frames(), audio, padToEven: true });
    bar.finish();
    const seconds = (performance.now() - started) / 1000;
    checkRenderOutput(outDir, overwrite);
    const old = `${outDir}.old-${process.pid}`;
    if (existsSync(outDir)) renameSync(outDir, old);
    renameSync(staging, outDir);
    rmSync(old, { recursive: true, force: true });
    return {
      outDir,
      framesDir: join(outDir, RENDER_FRAMES_DIR),
      videoPath: join(outDir, RENDER_VIDEO_FILE),
      frameCount: video.frameCount,
      widthPx,
      heightPx,
      fps,
      renderFps: seconds > 0 ? video.frameCount / seconds : 0,
      hasAudio: audio !== undefined,
    };
  } catch (e) {
    rmSync(staging, { recursive: true, force: true });
    throw e;
  }
}
