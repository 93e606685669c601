import { join } from "node:path";
import sharp from "sharp";
import { landmarkJitter, measureFilterLag, smoothTrack } from "../data/track/smooth.js";
import { REAL_DATA_DIR, extractVideoFrames } from "../data/track/testing.js";
import { createFaceTracker, type FaceTracker, type RgbFrame } from "../data/track/tracker.js";
import type { BenchResult } from "./result.js";

/** Median milliseconds of one `track` call on `frame`, after warm-up calls. */
async function medianTrackMs(tracker: FaceTracker, frame: RgbFrame, { warmup = 3, repeats = 9 } = {}): Promise<number> {
  for (let i = 0; i < warmup; i++) await tracker.track(frame);
  const times: number[] = [];
  for (let i = 0; i < repeats; i++) {
    const t0 = process.hrtime.bigint();
    await tracker.track(frame);
    times.push(Number(process.hrtime.bigint() - t0) / 1e6);
  }
  times.sort((a, b) => a - b);
  return times[Math.floor(times.length / 2)];
}

/** A real portrait (portrait-s5.jpg, square) resized to `sizePx` square. */
async function portraitFrame(sizePx: number): Promise<RgbFrame> {
  const { data, info } = await sharp(join(REAL_DATA_DIR, "portrait-s5.jpg")).removeAlpha().resize(sizePx, sizePx).raw().toBuffer({ resolveWithObject: true });
  return { rgb: new Uint8Array(data.buffer, data.byteOffset, data.length), widthPx: info.width, heightPx: info.height };
}

/**
 * Face tracking with `@vladmandic/human` on tfjs's wasm backend (one thread in
 * Node): model load time, median ms per frame at 480x480 and 256x256 (a real
 * portrait), the One Euro smoother's lag at 30 fps, and landmark jitter (mean
 * frame-to-frame acceleration, as a fraction of the face size) on 90 consecutive
 * frames of a real clip, raw and smoothed. Needs ../shared/data/real.
 */
export async function benchTracking(): Promise<BenchResult[]> {
  const t0 = process.hrtime.bigint();
  const tracker = await createFaceTracker();
  const loadMs = Number(process.hrtime.bigint() - t0) / 1e6;
  try {
    const results: BenchResult[] = [{ name: "track_load_ms", value: loadMs, unit: "ms" }];
    const frames = [await portraitFrame(480), await portraitFrame(256)];
    // The first calls at a new size compile and tune wasm kernels: warm both sizes before timing either.
    for (const frame of frames) {
      if (!(await tracker.track(frame))) throw new Error(`benchTracking: no face in the ${frame.widthPx}px portrait`);
    }
    for (const frame of frames) {
      results.push({ name: `track_${frame.widthPx}_ms_per_frame`, value: await medianTrackMs(tracker, frame), unit: "ms" });
    }
    const lag = measureFilterLag();
    results.push(
      { name: "track_filter_ramp_lag_frames", value: lag.rampLagFrames, unit: "frames" },
      { name: "track_filter_slow_ramp_lag_frames", value: measureFilterLag({ rampSpeed: 0.05 }).rampLagFrames, unit: "frames" },
      { name: "track_filter_step90_frames", value: lag.step90Frames, unit: "frames" },
    );
    const clip = await extractVideoFrames(join(REAL_DATA_DIR, "expressive-woman-480.mp4"), Array.from({ length: 90 }, (_, i) => 30 + i));
    const track: (Float32Array | null)[] = [];
    for (const frame of clip) track.push((await tracker.track(frame))?.landmarks ?? null);
    results.push(
      { name: "track_jitter_raw_fraction", value: landmarkJitter(track).meanAccelFraction, unit: "face" },
      { name: "track_jitter_smoothed_fraction", value: landmarkJitter(smoothTrack(track, 30)).meanAccelFraction, unit: "face" },
      { name: "track_clip_found_fraction", value: track.filter((t) => t !== null).length / track.length, unit: "x" },
    );
    return results;
  } finally {
    tracker.close();
  }
}
