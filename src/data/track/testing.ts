import { spawnSync } from "node:child_process";
import { mkdtempSync, readdirSync, rmSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import sharp from "sharp";
import { TrackingError } from "./error.js";
import type { RgbFrame } from "./tracker.js";

/**
 * Real test media (see its PROVENANCE.md): `../shared/data/real` beside the
 * repository root, as CI lays it out. For tests and benchmarks only.
 */
export const REAL_DATA_DIR = resolve(import.meta.dirname, "../../../../shared/data/real");

/** Decodes an image file to an RGB frame (alpha dropped), optionally a region `[left, top, width, height]` of it. */
export async function readRgbFrame(path: string, region?: readonly [number, number, number, number]): Promise<RgbFrame> {
  let image = sharp(path).removeAlpha();
  if (region) image = image.extract({ left: region[0], top: region[1], width: region[2], height: region[3] });
  const { data, info } = await image.raw().toBuffer({ resolveWithObject: true });
  return { rgb: new Uint8Array(data.buffer, data.byteOffset, data.length), widthPx: info.width, heightPx: info.height };
}

/** Path of the ffmpeg binary inside `@ffmpeg-installer/ffmpeg`. */
function installerFfmpeg(): string {
  const installer: unknown = createRequire(import.meta.url)("@ffmpeg-installer/ffmpeg");
  if (typeof installer === "object" && installer !== null && "path" in installer && typeof installer.path === "string") return installer.path;
  throw new TrackingError("@ffmpeg-installer/ffmpeg: no binary path");
}

/**
 * Decodes the frames numbered `indices` (0-based) of a video with the ffmpeg
 * binary of `@ffmpeg-installer/ffmpeg` (a separate program), through a temporary
 * folder that is removed afterwards. Test helper; the video layer does real decoding.
 */
export async function extractVideoFrames(videoPath: string, indices: readonly number[]): Promise<RgbFrame[]> {
  const dir = mkdtempSync(join(tmpdir(), "likeness-track-frames-"));
  try {
    const select = indices.map((i) => `eq(n\\,${i})`).join("+");
    const run = spawnSync(installerFfmpeg(), ["-v", "error", "-i", videoPath, "-vf", `select=${select}`, "-vsync", "0", join(dir, "out%02d.png")], {
      encoding: "utf8",
    });
    if (run.status !== 0) throw new TrackingError(`${videoPath}: ffmpeg failed: ${(run.stderr || String(run.error)).trim().split("\n")[0]}`);
    const files = readdirSync(dir).filter((f) => f.endsWith(".png")).sort();
    if (files.length !== indices.length) throw new TrackingError(`${videoPath}: ffmpeg gave ${files.length} frames, expected ${indices.length}`);
    return await Promise.all(files.map((f) => readRgbFrame(join(dir, f))));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** A real portrait (`portrait-s5.jpg`, square) resized to `sizePx` square, for benchmarks. */
export async function readPortraitFrame(sizePx: number): Promise<RgbFrame> {
  const { data, info } = await sharp(join(REAL_DATA_DIR, "portrait-s5.jpg")).removeAlpha().resize(sizePx, sizePx).raw().toBuffer({ resolveWithObject: true });
  return { rgb: new Uint8Array(data.buffer, data.byteOffset, data.length), widthPx: info.width, heightPx: info.height };
}
