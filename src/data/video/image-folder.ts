import { readdirSync, statSync } from "node:fs";
import { extname, join } from "node:path";
import sharp from "sharp";
import { resolveFrameGeometry, type DecodeFramesOptions, type VideoFrame } from "./decode.js";
import { VideoError } from "./error.js";

/** File extensions {@link readImageFolder} reads (lower case; matched case-insensitively). */
export const IMAGE_FOLDER_EXTENSIONS = [".png", ".jpg", ".jpeg"] as const;

/** Options for {@link readImageFolder}: those of a video, plus the frame rate the images were taken at. */
export interface ReadImageFolderOptions extends DecodeFramesOptions {
  /** Frames per second, for `timeSeconds` (default 30). */
  fps?: number;
}

const naturalOrder = new Intl.Collator("en", { numeric: true, sensitivity: "base" });

/** The PNG and JPEG files of `dir` in natural sort order (`frame2.png` before `frame10.png`). */
export function listImageFiles(dir: string): string[] {
  let stats;
  try {
    stats = statSync(dir);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new VideoError(code === "ENOENT" ? `${dir}: no such folder` : `${dir}: cannot read (${code ?? (e as Error).message})`);
  }
  if (!stats.isDirectory()) throw new VideoError(`${dir}: not a folder (for a video file use decodeVideoFrames)`);
  const extensions: readonly string[] = IMAGE_FOLDER_EXTENSIONS;
  const names = readdirSync(dir, { withFileTypes: true })
    .filter((e) => e.isFile() && extensions.includes(extname(e.name).toLowerCase()))
    .map((e) => e.name)
    .sort(naturalOrder.compare);
  if (names.length === 0) throw new VideoError(`${dir}: no images (${IMAGE_FOLDER_EXTENSIONS.join(", ")}) in this folder`);
  return names.map((n) => join(dir, n));
}

/** Displayed size of an image (EXIF orientations 5-8 swap width and height). */
async function displayedSize(path: string): Promise<{ width: number; height: number }> {
  let meta;
  try {
    meta = await sharp(path).metadata();
  } catch (e) {
    throw new VideoError(`${path}: not an image sharp can read (${(e as Error).message})`);
  }
  if (!meta.width || !meta.height) throw new VideoError(`${path}: image has no size`);
  const swap = (meta.orientation ?? 1) >= 5;
  return swap ? { width: meta.height, height: meta.width } : { width: meta.width, height: meta.height };
}

/**
 * Reads the PNG and JPEG images of a folder, in natural sort order, as the same
 * frames {@link decodeVideoFrames} gives for a video (EXIF orientation applied,
 * alpha dropped, grey widened to RGB). All the images' headers are checked
 * before the first frame: a folder with no images, an unreadable image, or
 * images of differing sizes (the first one that differs from the first image
 * is named) is refused with a {@link VideoError}.
 */
export async function* readImageFolder(dir: string, options: ReadImageFolderOptions = {}): AsyncGenerator<VideoFrame, void, undefined> {
  const { fps = 30, fromFrame = 0, maxFrames } = options;
  if (!(fps > 0)) throw new VideoError(`${dir}: fps must be positive, got ${fps}`);
  const files = listImageFiles(dir);
  const first = await displayedSize(files[0]);
  for (const file of files.slice(1)) {
    const size = await displayedSize(file);
    if (size.width !== first.width || size.height !== first.height) {
      throw new VideoError(`${file}: ${size.width}x${size.height} differs from the folder's first image (${files[0]}, ${first.width}x${first.height})`);
    }
  }
  const geometry = resolveFrameGeometry(dir, first.width, first.height, options);
  const end = maxFrames === undefined ? files.length : Math.min(files.length, fromFrame + maxFrames);
  const { crop, widthPx, heightPx } = geometry;
  for (let index = fromFrame; index < end; index++) {
    let image = sharp(files[index]).rotate().removeAlpha().toColourspace("srgb");
    if (crop) image = image.extract({ left: crop.x, top: crop.y, width: crop.width, height: crop.height });
    if (widthPx !== (crop?.width ?? first.width) || heightPx !== (crop?.height ?? first.height)) {
      image = image.resize(widthPx, heightPx, { fit: "fill", kernel: "lanczos3" });
    }
    const { data, info } = await image.raw().toBuffer({ resolveWithObject: true });
    if (info.channels !== 3 || info.width !== widthPx || info.height !== heightPx) {
      throw new VideoError(`${files[index]}: decoded to ${info.width}x${info.height}x${info.channels}, expected ${widthPx}x${heightPx}x3`);
    }
    yield { index, timeSeconds: index / fps, rgb: new Uint8Array(data.buffer, data.byteOffset, data.byteLength), widthPx, heightPx };
  }
}
