import { join } from "node:path";
import { landmarkJitter, measureFilterLag, smoothTrack } from "../data/track/smooth.js";
import { REAL_DATA_DIR, extractVideoFrames, readPortraitFrame } from "../data/track/testing.js";
import { createFaceTracker } from "../data/track/tracker.js";
import { medianSecondsAsync, type BenchResult } from "./result.js";

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
    const frames = [await readPortraitFrame(480), await readPortraitFrame(256)];
    // The first calls at a new size compile and tune wasm kernels: warm both sizes before timing either.
    for (const frame of frames) {
      if (!(await tracker.track(frame))) throw new Error(`benchTracking: no face in the ${frame.widthPx}px portrait`);
    }
    for (const frame of frames) {
      results.push({ name: `track_${frame.widthPx}_ms_per_frame`, value: 1000 * (await medianSecondsAsync(() => tracker.track(frame), { warmup: 3, repeats: 9 })), unit: "ms" });
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
