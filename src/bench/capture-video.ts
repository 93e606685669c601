import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { captureVideo } from "../data/capture-video.js";
import type { BenchResult } from "./result.js";

/** The clip of the capture benchmark: 216 frames of a man opening his mouth, 480x480. */
const CLIP = resolve("../shared/data/real/man-mouth-480.mp4");

/**
 * The whole `capture video` pipeline on a real clip at 256x256 (selfie matting):
 * frames/s overall and the seconds of each stage, so the report shows where the time goes.
 */
export async function benchCaptureVideo(): Promise<BenchResult[]> {
  if (!existsSync(CLIP)) {
    console.log(`benchCaptureVideo: ${CLIP} not found; skipped`);
    return [];
  }
  const dir = mkdtempSync(join(tmpdir(), "likeness-bench-capture-video-"));
  try {
    const { report } = await captureVideo({ input: CLIP, outDir: join(dir, "man"), sizePx: 256, overlay: false, overwrite: false, progress: { write: () => true } });
    return [
      { name: "capture_video_fps", value: report.framesPerSecond, unit: "frames/s" },
      { name: "capture_video_track_seconds", value: report.seconds.track, unit: "s" },
      { name: "capture_video_fit_seconds", value: report.seconds.fit, unit: "s" },
      { name: "capture_video_write_seconds", value: report.seconds.write, unit: "s" },
      { name: "capture_video_fit_error_of_box_side", value: report.fitMeanErrorOfBoxSide, unit: "fraction" },
    ];
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
