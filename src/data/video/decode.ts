import { VideoError } from "./error.js";
import { ffmpegFileUrl, startFfmpeg } from "./ffmpeg.js";
import { probeVideo, type VideoInfo } from "./probe.js";

/** swscale flags for exact rounding and full-resolution chroma in YUV/RGB conversions. */
export const ACCURATE_SWS_FLAGS = "accurate_rnd+full_chroma_int";

/** A pixel rectangle in a frame: top-left corner and size, in pixels of the decoded frame. */
export interface CropRect {
  readonly x: number;
  readonly y: number;
  readonly width: number;
  readonly height: number;
}

/** Options for {@link decodeVideoFrames} and {@link readImageFolder}. */
export interface DecodeFramesOptions {
  /** Index of the first frame to return (default 0). Videos seek to it without decoding what comes before. */
  fromFrame?: number;
  /** At most this many frames (default: to the end). */
  maxFrames?: number;
  /** Crop applied to every frame before resizing, in pixels of the source frame (default: the whole frame). */
  crop?: CropRect;
  /** Resize the (cropped) frame to outSizePx x outSizePx (default: keep its size). Area filter when shrinking, bicubic when enlarging. */
  outSizePx?: number;
}

/** One decoded frame. */
export interface VideoFrame {
  /** Index of the frame in the source (fromFrame counts from 0). */
  readonly index: number;
  /** Presentation time in seconds from the start: index / fps. */
  readonly timeSeconds: number;
  /** Interleaved RGB bytes, row-major from the top-left, [heightPx * widthPx * 3]; the consumer owns it. */
  readonly rgb: Uint8Array;
  readonly widthPx: number;
  readonly heightPx: number;
}

/** Frame geometry after options: the crop rectangle (or whole frame) and the output size. */
export interface FrameGeometry {
  readonly crop: CropRect | undefined;
  readonly widthPx: number;
  readonly heightPx: number;
}

function isWholeNumber(v: number, min: number): boolean {
  return Number.isInteger(v) && v >= min;
}

/**
 * Checks the options against a source of `sourceWidth` x `sourceHeight` pixels
 * and returns the output geometry; `name` (the file) starts every error.
 */
export function resolveFrameGeometry(name: string, sourceWidth: number, sourceHeight: number, options: DecodeFramesOptions): FrameGeometry {
  const { fromFrame = 0, maxFrames, crop, outSizePx } = options;
  if (!isWholeNumber(fromFrame, 0)) throw new VideoError(`${name}: fromFrame must be a whole number >= 0, got ${fromFrame}`);
  if (maxFrames !== undefined && !isWholeNumber(maxFrames, 0)) throw new VideoError(`${name}: maxFrames must be a whole number >= 0, got ${maxFrames}`);
  if (outSizePx !== undefined && !isWholeNumber(outSizePx, 1)) throw new VideoError(`${name}: outSizePx must be a whole number >= 1, got ${outSizePx}`);
  if (crop) {
    const { x, y, width, height } = crop;
    const whole = isWholeNumber(x, 0) && isWholeNumber(y, 0) && isWholeNumber(width, 1) && isWholeNumber(height, 1);
    if (!whole || x + width > sourceWidth || y + height > sourceHeight) {
      throw new VideoError(
        `${name}: crop {x: ${x}, y: ${y}, width: ${width}, height: ${height}} must be whole pixels inside the ${sourceWidth}x${sourceHeight} frame`,
      );
    }
  }
  const width = crop?.width ?? sourceWidth;
  const height = crop?.height ?? sourceHeight;
  return { crop, widthPx: outSizePx ?? width, heightPx: outSizePx ?? height };
}

/** The ffmpeg filter chain for the geometry, ending in RGB so one swscale pass resizes and converts. */
function filterChain(info: VideoInfo, geometry: FrameGeometry): string | undefined {
  const filters: string[] = [];
  const { crop } = geometry;
  const width = crop?.width ?? info.widthPx;
  const height = crop?.height ?? info.heightPx;
  // exact=1: odd offsets are kept, not rounded to the chroma grid.
  if (crop) filters.push(`crop=${crop.width}:${crop.height}:${crop.x}:${crop.y}:exact=1`);
  if (geometry.widthPx !== width || geometry.heightPx !== height) {
    const shrinking = geometry.widthPx <= width && geometry.heightPx <= height;
    filters.push(`scale=${geometry.widthPx}:${geometry.heightPx}:flags=${shrinking ? "area" : "bicubic"}+${ACCURATE_SWS_FLAGS}`);
  }
  if (filters.length === 0) return undefined;
  filters.push("format=rgb24");
  return filters.join(",");
}

/**
 * Decodes a video's frames as RGB through an ffmpeg pipe (`-f rawvideo -pix_fmt
 * rgb24`), optionally from a frame index, cropped and resized to a square.
 *
 * Frames come on a constant-rate timeline: frame `i` is the picture shown at
 * `i / fps` (a variable-frame-rate phone video is resampled to its nominal rate
 * by repeating or dropping frames, which keeps frames aligned with the audio).
 * `fromFrame` seeks by time, (fromFrame - 0.1) / fps, which lands on the same
 * frame as decoding from the start when the video stream starts at the file's
 * start (as phone and web videos do).
 *
 * ffmpeg's output is read as it arrives and reassembled into whole frames with
 * one copy per byte. Stopping early (`break`, `return`, a throw in the loop)
 * kills ffmpeg and waits for it to exit; a consumer that neither finishes nor
 * returns (drops the generator mid-way) leaves ffmpeg blocked on its pipe
 * until the process ends. A failing ffmpeg, including at damaged data (a
 * truncated file), surfaces after the frames decoded before it as a
 * {@link VideoError} with the last lines of ffmpeg's stderr.
 */
export async function* decodeVideoFrames(path: string, options: DecodeFramesOptions = {}): AsyncGenerator<VideoFrame, void, undefined> {
  const info = await probeVideo(path, { countFrames: false });
  const geometry = resolveFrameGeometry(path, info.widthPx, info.heightPx, options);
  const { fromFrame = 0, maxFrames } = options;
  if (maxFrames === 0) return;
  // -xerror: a damaged or truncated file is an error, not a silently shorter video.
  const args: string[] = ["-v", "error", "-xerror"];
  if (fromFrame > 0) args.push("-ss", ((fromFrame - 0.1) / info.fps).toFixed(6));
  args.push("-i", ffmpegFileUrl(path), "-map", info.streamSpec, "-an", "-sn", "-dn");
  const filters = filterChain(info, geometry);
  if (filters) args.push("-vf", filters);
  // swscale's fast YUV-to-RGB path is biased by about -1.3 levels; exact rounding removes that (full-size decode: ~645 -> ~385 frames/s here).
  args.push("-sws_flags", `bicubic+${ACCURATE_SWS_FLAGS}`);
  args.push("-vsync", "cfr", "-r", info.fpsArg);
  if (maxFrames !== undefined) args.push("-frames:v", String(maxFrames));
  args.push("-f", "rawvideo", "-pix_fmt", "rgb24", "-");

  const { child, stderr, exited, spawnError } = startFfmpeg(args);

  const { widthPx, heightPx } = geometry;
  const frameBytes = widthPx * heightPx * 3;
  let frame = new Uint8Array(frameBytes);
  let filled = 0;
  let produced = 0;
  const stdout = child.stdout;
  if (!stdout) throw new VideoError(`${path}: ffmpeg started without an output pipe`);
  try {
    for await (const chunk of stdout as AsyncIterable<Buffer>) {
      let at = 0;
      while (at < chunk.length) {
        const take = Math.min(frameBytes - filled, chunk.length - at);
        frame.set(chunk.subarray(at, at + take), filled);
        filled += take;
        at += take;
        if (filled === frameBytes) {
          const index = fromFrame + produced;
          produced++;
          const rgb = frame;
          frame = new Uint8Array(frameBytes);
          filled = 0;
          yield { index, timeSeconds: index / info.fps, rgb, widthPx, heightPx };
          if (maxFrames !== undefined && produced >= maxFrames) return;
        }
      }
    }
    const { code, signal } = await exited;
    const startError = spawnError();
    if (startError) throw new VideoError(`${path}: cannot run ffmpeg (${startError.message})`);
    if (code !== 0) {
      throw new VideoError(`${path}: ffmpeg failed while decoding (${signal ? `signal ${signal}` : `exit code ${code}`}): ${stderr.lastLines() || "no message"}`);
    }
    if (filled !== 0) throw new VideoError(`${path}: ffmpeg's output ended inside a frame (${filled} of ${frameBytes} bytes)`);
  } finally {
    // The consumer stopped early, or enough frames were read: ffmpeg is not needed any more.
    if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
    await exited;
  }
}
