import { decodeWav, WavError, type Audio } from "../wav.js";
import { VideoError } from "./error.js";
import { ffmpegFileUrl, runFfmpeg } from "./ffmpeg.js";
import { probeVideo } from "./probe.js";

/** Options for {@link extractAudio}. */
export interface ExtractAudioOptions {
  /** Output sample rate in Hz (default 16000, what speech features use). */
  sampleRate?: number;
  /**
   * Return a track that is digital silence too (default false: null). Phones
   * and editors often write a silent track into a video without sound; a
   * dataset should not present it as speech.
   */
  keepSilent?: boolean;
}

/** Peak magnitude at or below which a track counts as digital silence (about -90 dBFS, one 16-bit step). */
export const SILENCE_PEAK = 1 / 32768;

/**
 * Extracts the first audio track of a video as mono (channels averaged),
 * resampled to `sampleRate`, as 32-bit float samples in [-1, 1]. Returns null
 * when the video has no audio track, or (unless `keepSilent`) when the track is
 * digital silence. ffmpeg writes a WAV to its stdout, decoded with
 * {@link decodeWav}. Errors are {@link VideoError}s naming the file.
 */
export async function extractAudio(path: string, { sampleRate = 16000, keepSilent = false }: ExtractAudioOptions = {}): Promise<Audio | null> {
  if (!Number.isInteger(sampleRate) || sampleRate < 1000 || sampleRate > 384000) {
    throw new VideoError(`${path}: sampleRate must be a whole number of Hz in [1000, 384000], got ${sampleRate}`);
  }
  const info = await probeVideo(path, { countFrames: false });
  if (!info.hasAudio) return null;
  const run = await runFfmpeg(["-v", "error", "-i", ffmpegFileUrl(path), "-map", "0:a:0", "-vn", "-ac", "1", "-ar", String(sampleRate), "-c:a", "pcm_f32le", "-f", "wav", "-"]);
  if (run.code !== 0) {
    const message = run.stderr.trim().split(/\r?\n/).slice(-3).join(" | ") || `exit code ${run.code}`;
    throw new VideoError(`${path}: ffmpeg failed while extracting audio: ${message}`);
  }
  let audio: Audio;
  try {
    audio = decodeWav(run.stdout, `${path} (audio from ffmpeg)`);
  } catch (e) {
    if (e instanceof WavError) throw new VideoError(e.message);
    throw e;
  }
  if (!keepSilent) {
    let peak = 0;
    for (const x of audio.channels[0]) peak = Math.max(peak, Math.abs(x));
    if (peak <= SILENCE_PEAK) return null;
  }
  return { sampleRate: audio.sampleRate, channels: audio.channels };
}
