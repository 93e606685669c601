import { existsSync, rmSync, statSync, renameSync, writeFileSync } from "node:fs";
import { basename, dirname, join, resolve } from "node:path";
import { encodeWav, type Audio } from "../wav.js";
import { ACCURATE_SWS_FLAGS } from "./decode.js";
import { VideoError } from "./error.js";
import { ffmpegEncoders, ffmpegFileUrl, startFfmpeg } from "./ffmpeg.js";

/** Video codecs {@link encodeVideo} writes: H.264 (libx264) when the ffmpeg binary has it, else MPEG-4 part 2. */
export type EncodedVideoCodec = "h264" | "mpeg4";

/** Options for {@link encodeVideo}. */
export interface EncodeVideoOptions {
  /** The MP4 file to write; its folder must exist. An existing file is replaced, atomically. */
  outPath: string;
  /** Width of every frame in pixels. */
  widthPx: number;
  /** Height of every frame in pixels. */
  heightPx: number;
  /** Frames per second (> 0; fractional rates such as 29.97 are fine). */
  fps: number;
  /**
   * Frames as interleaved RGB bytes, row-major from the top-left, [heightPx * widthPx * 3] each.
   * Each frame is written out before the next is requested, so a producer may reuse one buffer.
   */
  frames: AsyncIterable<Uint8Array> | Iterable<Uint8Array>;
  /** Audio to mux in (AAC when the binary has it, else MP3); any sample rate, mono or stereo. */
  audio?: Audio;
  /**
   * yuv420p needs even width and height. When true, an odd size is padded by one
   * black row or column at the bottom or right; when false (default), it is refused.
   */
  padToEven?: boolean;
  /** Constant rate factor of H.264 (0 lossless .. 51; default 18, visually near lossless). Ignored for MPEG-4. */
  crf?: number;
}

/** What {@link encodeVideo} wrote. */
export interface EncodedVideo {
  readonly outPath: string;
  readonly frameCount: number;
  /** Size of the encoded frames (after any padding to even). */
  readonly widthPx: number;
  readonly heightPx: number;
  readonly videoCodec: EncodedVideoCodec;
  /** ffmpeg encoder of the audio track (`aac`, `libmp3lame`), or null without audio. */
  readonly audioEncoder: string | null;
}

let tempCounter = 0;

function tempPathBeside(outPath: string, suffix: string): string {
  return join(dirname(outPath), `.${basename(outPath)}.partial-${process.pid}-${tempCounter++}${suffix}`);
}

/** The frame rate as an exact fraction for ffmpeg: 30 -> "30", 30000/1001 -> "30000/1001", 12.5 -> "25/2". */
export function rateArg(fps: number): string {
  for (const den of [1, 2, 1001, 1000]) {
    const num = Math.round(fps * den);
    if (Math.abs(fps * den - num) < 1e-6 * den) return den === 1 ? String(num) : `${num}/${den}`;
  }
  return `${Math.round(fps * 1e6)}/1000000`;
}

/** Writes one chunk to a pipe and resolves when it has been handed to the OS (or rejects when the pipe broke). */
function writeChunk(stream: NodeJS.WritableStream, bytes: Uint8Array): Promise<void> {
  return new Promise((resolvePromise, reject) => {
    stream.write(bytes, (e) => (e ? reject(e) : resolvePromise()));
  });
}

/**
 * Encodes RGB frames (and optional audio) into an MP4 file through an ffmpeg
 * pipe: H.264 in yuv420p (BT.601 matrix, tagged) with `-movflags +faststart`
 * when the binary has libx264, else MPEG-4 part 2. The file appears at
 * `outPath` complete or not at all: ffmpeg writes a hidden temporary file in
 * the same folder, renamed at the end and removed on any error. Audio is handed
 * to ffmpeg as a temporary WAV beside it, also removed. Errors are
 * {@link VideoError}s naming the output file; ffmpeg failures carry the last
 * lines of its stderr.
 */
export async function encodeVideo(options: EncodeVideoOptions): Promise<EncodedVideo> {
  const { outPath, widthPx, heightPx, fps, frames, audio, padToEven = false, crf = 18 } = options;
  const outDir = dirname(resolve(outPath));
  if (!existsSync(outDir) || !statSync(outDir).isDirectory()) throw new VideoError(`${outPath}: folder ${outDir} does not exist`);
  if (existsSync(outPath) && statSync(outPath).isDirectory()) throw new VideoError(`${outPath}: is a directory`);
  if (!Number.isInteger(widthPx) || !Number.isInteger(heightPx) || widthPx < 1 || heightPx < 1) {
    throw new VideoError(`${outPath}: frame size must be whole pixels >= 1, got ${widthPx}x${heightPx}`);
  }
  const odd = widthPx % 2 !== 0 || heightPx % 2 !== 0;
  if (odd && !padToEven) {
    throw new VideoError(`${outPath}: ${widthPx}x${heightPx} frames: yuv420p video needs an even width and height; resize or crop to even, or pass padToEven: true`);
  }
  if (!(fps > 0) || !Number.isFinite(fps)) throw new VideoError(`${outPath}: fps must be positive, got ${fps}`);
  if (!Number.isInteger(crf) || crf < 0 || crf > 51) throw new VideoError(`${outPath}: crf must be a whole number in [0, 51], got ${crf}`);
  if (audio && (audio.channels.length < 1 || audio.channels.length > 2)) {
    throw new VideoError(`${outPath}: audio must be mono or stereo, got ${audio.channels.length} channels`);
  }

  const encoders = ffmpegEncoders();
  const videoCodec: EncodedVideoCodec = encoders.has("libx264") ? "h264" : "mpeg4";
  const audioEncoder = !audio ? null : encoders.has("aac") ? "aac" : encoders.has("libmp3lame") ? "libmp3lame" : undefined;
  if (audioEncoder === undefined) throw new VideoError(`${outPath}: this ffmpeg has neither an AAC nor an MP3 encoder; cannot add the audio`);
  const outWidth = widthPx + (widthPx % 2);
  const outHeight = heightPx + (heightPx % 2);

  const tempVideo = tempPathBeside(outPath, ".mp4");
  const tempAudio = audio ? tempPathBeside(outPath, ".wav") : undefined;
  const rate = rateArg(fps);
  const args = ["-v", "error", "-f", "rawvideo", "-pix_fmt", "rgb24", "-s", `${widthPx}x${heightPx}`, "-framerate", rate, "-i", "-"];
  if (tempAudio) args.push("-i", ffmpegFileUrl(tempAudio));
  args.push("-map", "0:v:0");
  if (tempAudio) args.push("-map", "1:a:0");
  if (odd) args.push("-vf", `pad=${outWidth}:${outHeight}:0:0:black`);
  if (videoCodec === "h264") args.push("-c:v", "libx264", "-preset", "fast", "-crf", String(crf));
  else args.push("-c:v", "mpeg4", "-q:v", "2");
  args.push("-sws_flags", `bicubic+${ACCURATE_SWS_FLAGS}`);
  args.push("-pix_fmt", "yuv420p", "-colorspace", "smpte170m", "-color_range", "tv");
  if (audioEncoder) args.push("-c:a", audioEncoder, "-b:a", "128k");
  args.push("-movflags", "+faststart", "-f", "mp4", "-y", ffmpegFileUrl(tempVideo));

  let renamed = false;
  try {
    if (audio && tempAudio) writeFileSync(tempAudio, encodeWav(audio, "float32"));
    const { child, stderr, exited, spawnError } = startFfmpeg(args, { stdin: "pipe" });
    const stdin = child.stdin;
    if (!stdin) throw new VideoError(`${outPath}: ffmpeg started without an input pipe`);
    // A broken pipe shows as a write error below; this keeps it from being unhandled.
    stdin.on("error", () => undefined);
    const failure = async (what: string): Promise<VideoError> => {
      const { code, signal } = await exited;
      const startError = spawnError();
      if (startError) return new VideoError(`${outPath}: cannot run ffmpeg (${startError.message})`);
      const how = signal ? `signal ${signal}` : `exit code ${code}`;
      return new VideoError(`${outPath}: ffmpeg failed ${what} (${how}): ${stderr.lastLines() || "no message"}`);
    };

    const frameBytes = widthPx * heightPx * 3;
    let frameCount = 0;
    try {
      for await (const frame of frames) {
        if (!(frame instanceof Uint8Array) || frame.length !== frameBytes) {
          const got = frame instanceof Uint8Array ? `${frame.length} bytes` : typeof frame;
          throw new VideoError(`${outPath}: frame ${frameCount} has ${got}, expected ${frameBytes} (${widthPx}x${heightPx} RGB)`);
        }
        try {
          await writeChunk(stdin, frame);
        } catch {
          throw await failure(`at frame ${frameCount}`);
        }
        frameCount++;
      }
      if (frameCount === 0) throw new VideoError(`${outPath}: no frames given`);
    } catch (e) {
      if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
      await exited;
      throw e;
    }
    stdin.end();
    const { code } = await exited;
    if (code !== 0 || spawnError()) throw await failure("while finishing the file");
    renameSync(tempVideo, outPath);
    renamed = true;
    return { outPath, frameCount, widthPx: outWidth, heightPx: outHeight, videoCodec, audioEncoder };
  } finally {
    if (!renamed) rmSync(tempVideo, { force: true });
    if (tempAudio) rmSync(tempAudio, { force: true });
  }
}
