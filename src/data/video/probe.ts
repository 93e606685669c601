import { statSync } from "node:fs";
import { VideoError } from "./error.js";
import { ffmpegFileUrl, runFfmpeg } from "./ffmpeg.js";

/** How {@link VideoInfo.frameCount} was obtained. */
export type FrameCountMethod =
  /** Counted: the video stream's packets, read without decoding (exact for constant-frame-rate video). */
  | "counted"
  /** Estimated as round(durationSeconds * fps). */
  | "estimated";

/** What {@link probeVideo} finds out about a video file. */
export interface VideoInfo {
  /** The file probed, as given. */
  readonly path: string;
  /** Width of the decoded frames in pixels, after the rotation a phone recorded (see `rotationDegrees`). */
  readonly widthPx: number;
  /** Height of the decoded frames in pixels, after rotation. */
  readonly heightPx: number;
  /** Frames per second (29.97-style rates are the exact NTSC fractions, e.g. 30000/1001). */
  readonly fps: number;
  /** The frame rate as ffmpeg takes it on a command line: `30`, `30000/1001`. */
  readonly fpsArg: string;
  /** Number of frames; see `frameCountMethod`. */
  readonly frameCount: number;
  readonly frameCountMethod: FrameCountMethod;
  /** Duration of the file in seconds (the container's, which may include audio beyond the last frame). */
  readonly durationSeconds: number;
  /** Whether the file has an audio stream (which may still be digital silence; see `extractAudio`). */
  readonly hasAudio: boolean;
  /** Sample rate of the first audio stream in Hz, or null without audio. */
  readonly audioSampleRate: number | null;
  /** Codec of the first audio stream (`aac`, `opus`, ...), or null without audio. */
  readonly audioCodec: string | null;
  /** Codec of the video stream as ffmpeg names it: `h264`, `hevc`, `vp9`, `mpeg4`, ... */
  readonly codec: string;
  /** Clockwise rotation ffmpeg applies on decode (phone videos held upright): 0, 90, 180 or 270. */
  readonly rotationDegrees: number;
  /** ffmpeg stream specifier of the video stream decoded (`0:0`), for `-map`. */
  readonly streamSpec: string;
}

/** Options for {@link probeVideo}. */
export interface ProbeVideoOptions {
  /**
   * Count the video packets for an exact frame count (default true). It reads
   * the file without decoding it: about 40 ms for a 30 s clip. When false, or
   * when counting fails, the count is estimated from the duration.
   */
  countFrames?: boolean;
}

interface StreamSection {
  index: number;
  kind: string;
  line: string;
  metadata: string[];
}

/** Common frame rates that ffmpeg prints rounded, as the exact fractions they stand for. */
const NTSC_RATES: readonly { printed: number; num: number; den: number }[] = [
  { printed: 23.98, num: 24000, den: 1001 },
  { printed: 29.97, num: 30000, den: 1001 },
  { printed: 59.94, num: 60000, den: 1001 },
  { printed: 119.88, num: 120000, den: 1001 },
];

/** Parses "29.97", "30", "30k" (ffmpeg prints 30000 as 30k) into a rate and its command-line form. */
function parseRate(text: string): { fps: number; fpsArg: string } {
  const value = text.endsWith("k") ? Number(text.slice(0, -1)) * 1000 : Number(text);
  const ntsc = NTSC_RATES.find((r) => Math.abs(r.printed - value) < 0.006);
  if (ntsc) return { fps: ntsc.num / ntsc.den, fpsArg: `${ntsc.num}/${ntsc.den}` };
  return { fps: value, fpsArg: String(value) };
}

/** The demuxer's complaint in ffmpeg's stderr, e.g. "moov atom not found | Invalid data found when processing input". */
function keyErrorLines(stderr: string, path: string): string {
  const lines = stderr.split(/\r?\n/).map((l) => l.trim()).filter((l) => l.length > 0 && !l.includes("misdetection possible"));
  const bracketed = lines.filter((l) => l.startsWith("[")).map((l) => l.replace(/^\[[^\]]*\]\s*/, ""));
  const last = (lines.at(-1) ?? "no message").replace(`${ffmpegFileUrl(path)}: `, "").replace(`${path}: `, "");
  const parts = [...bracketed.slice(-1), last];
  return [...new Set(parts)].join(": ");
}

/** Splits the `Input #0` part of ffmpeg's stderr into stream sections with their metadata lines. */
function parseStreams(stderr: string): { format: string; durationSeconds: number | null; streams: StreamSection[] } {
  const lines = stderr.split(/\r?\n/);
  let format = "";
  let durationSeconds: number | null = null;
  const streams: StreamSection[] = [];
  let inInput = false;
  for (const line of lines) {
    const input = /^Input #0, (.+?), from /.exec(line);
    if (input) {
      format = input[1];
      inInput = true;
      continue;
    }
    if (!inInput) continue;
    // The header ends where the output side begins.
    if (/^(Output #|Stream mapping:|At least one output|Press \[q\])/.test(line)) break;
    const duration = /Duration: (\d+):(\d+):(\d+(?:\.\d+)?)/.exec(line);
    if (duration) durationSeconds = Number(duration[1]) * 3600 + Number(duration[2]) * 60 + Number(duration[3]);
    const stream = /^\s*Stream #0:(\d+)[^:]*: (\w+): (.*)$/.exec(line);
    if (stream) {
      streams.push({ index: Number(stream[1]), kind: stream[2], line: stream[3], metadata: [] });
      continue;
    }
    streams.at(-1)?.metadata.push(line.trim());
  }
  return { format, durationSeconds, streams };
}

/** Rotation from a stream's metadata (`rotate : 90`, ffmpeg 4) or side data (`displaymatrix: rotation of -90.00 degrees`, ffmpeg 5+). */
function parseRotation(metadata: readonly string[]): number {
  for (const line of metadata) {
    const rotate = /^rotate\s*:\s*(-?\d+(?:\.\d+)?)/.exec(line);
    // "rotate" is counter-clockwise display rotation in the tag's convention; ffmpeg's autorotate undoes it clockwise.
    if (rotate) return (((Math.round(Number(rotate[1])) % 360) + 360) % 360);
    const matrix = /displaymatrix: rotation of (-?\d+(?:\.\d+)?) degrees/.exec(line);
    if (matrix) return (((Math.round(-Number(matrix[1])) % 360) + 360) % 360);
  }
  return 0;
}

/** Checks that `path` names a non-empty regular file; throws a {@link VideoError} naming it otherwise. */
export function checkVideoPath(path: string): void {
  let stats;
  try {
    stats = statSync(path);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new VideoError(code === "ENOENT" ? `${path}: no such file` : `${path}: cannot read (${code ?? (e as Error).message})`);
  }
  if (stats.isDirectory()) throw new VideoError(`${path}: is a directory, not a video file (for a folder of images use readImageFolder)`);
  if (!stats.isFile()) throw new VideoError(`${path}: not a regular file`);
  if (stats.size === 0) throw new VideoError(`${path}: empty file (0 bytes), not a video`);
}

/**
 * Reads a video file's frame size, frame rate, frame count, duration, codec
 * and audio by parsing the stderr of `ffmpeg -i` (the npm ffmpeg ships no
 * ffprobe). With `countFrames` (default) it also copies the video stream to
 * ffmpeg's null muxer, which counts packets without decoding.
 *
 * Throws a one-line {@link VideoError} naming the file for a missing path, a
 * directory, an empty file, a file ffmpeg cannot read (with ffmpeg's reason),
 * a still image, and a file without a video stream.
 */
export async function probeVideo(path: string, { countFrames = true }: ProbeVideoOptions = {}): Promise<VideoInfo> {
  checkVideoPath(path);
  // One run does both: the header is printed before the copy starts.
  const args = countFrames ? ["-i", ffmpegFileUrl(path), "-map", "0:v:0?", "-c", "copy", "-f", "null", "-"] : ["-i", ffmpegFileUrl(path)];
  const run = await runFfmpeg(args);
  const { format, durationSeconds: containerSeconds, streams } = parseStreams(run.stderr);
  if (!format) throw new VideoError(`${path}: not a video ffmpeg can read (${keyErrorLines(run.stderr, path)})`);
  if (/^(image2|\w+_pipe)$/.test(format)) {
    throw new VideoError(`${path}: a still image (${format}), not a video; for images use readImageFolder on their folder`);
  }
  const video = streams.find((s) => s.kind === "Video" && !s.line.includes("(attached pic)"));
  if (!video) {
    const kinds = streams.map((s) => `${s.kind.toLowerCase()} ${s.line.split(/[ ,]/, 1)[0]}`).join(", ") || "none";
    throw new VideoError(`${path}: has no video stream (streams: ${kinds})`);
  }
  const size = /, (\d+)x(\d+)/.exec(video.line);
  if (!size) throw new VideoError(`${path}: cannot read the frame size from ffmpeg's stream line "${video.line}"`);
  const rateText = /, ([\d.]+k?) fps/.exec(video.line)?.[1] ?? /, ([\d.]+k?) tbr/.exec(video.line)?.[1];
  if (!rateText) throw new VideoError(`${path}: cannot read the frame rate from ffmpeg's stream line "${video.line}"`);
  const { fps, fpsArg } = parseRate(rateText);
  if (!(fps > 0)) throw new VideoError(`${path}: frame rate ${rateText} is not positive`);
  const rotationDegrees = parseRotation(video.metadata);
  const swap = rotationDegrees === 90 || rotationDegrees === 270;
  const codedWidth = Number(size[1]);
  const codedHeight = Number(size[2]);

  let frameCount = 0;
  let frameCountMethod: FrameCountMethod = "estimated";
  if (countFrames && run.code === 0) {
    // Progress lines end in \r; the last "frame=" is the final count.
    const counts = [...run.stderr.matchAll(/frame=\s*(\d+)/g)];
    const last = counts.at(-1);
    if (last && Number(last[1]) > 0) {
      frameCount = Number(last[1]);
      frameCountMethod = "counted";
    }
  }
  const durationSeconds = containerSeconds ?? (frameCountMethod === "counted" ? frameCount / fps : 0);
  if (frameCountMethod === "estimated") frameCount = Math.round(durationSeconds * fps);

  const audio = streams.find((s) => s.kind === "Audio");
  const audioRate = audio ? /, (\d+) Hz/.exec(audio.line) : null;
  return {
    path,
    widthPx: swap ? codedHeight : codedWidth,
    heightPx: swap ? codedWidth : codedHeight,
    fps,
    fpsArg,
    frameCount,
    frameCountMethod,
    durationSeconds,
    hasAudio: audio !== undefined,
    audioSampleRate: audioRate ? Number(audioRate[1]) : null,
    audioCodec: audio ? audio.line.split(/[ ,]/, 1)[0] : null,
    codec: video.line.split(/[ ,]/, 1)[0],
    rotationDegrees,
    streamSpec: `0:${video.index}`,
  };
}
