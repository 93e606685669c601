import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import sharp from "sharp";
import { loadDataset } from "../data/load.js";
import { captureSynthetic, DEFAULT_SAMPLES_PER_AXIS } from "../data/synth/capture.js";
import { builtInSubject } from "../data/synth/subjects.js";
import { psnr } from "../eval/metrics.js";
import type { BenchResult } from "./result.js";

/**
 * Synthetic capture speed: 300 frames at 256x256 from the front camera (the
 * expression sweep and head motion), PNG frames and four masks each, dataset
 * validation included. Target: <= 60 s on 2 cores.
 */
export async function benchCapture(): Promise<BenchResult[]> {
  const dir = mkdtempSync(join(tmpdir(), "likeness-bench-capture-"));
  try {
    const result = await captureSynthetic({
      subject: builtInSubject("ada"),
      outDir: join(dir, "ada"),
      sizePx: 256,
      rig: "front",
      domeCameras: 1,
      sequence: "all",
      framesPerExpression: 16,
      maxFrames: 300,
      fps: 30,
      sentence: "hello",
      seed: 1,
      overwrite: false,
      progress: { write: () => true },
    });
    return [
      { name: "capture_synth_300x256_seconds", value: result.seconds, unit: "s" },
      { name: "capture_synth_256_fps", value: result.images / result.seconds, unit: "frames/s" },
      ...(await benchPixelSampling(dir)),
    ];
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Samples per axis of the reference that {@link benchPixelSampling} compares with. */
const REFERENCE_SAMPLES_PER_AXIS = 8;

/**
 * How close a capture's pixels are to the integral over each pixel: the same 60
 * frames of ada's performance at 128x128 (the demo's size) with one sample per
 * pixel and with the default grid, each compared (PSNR over every frame) with
 * an 8x8-sample render. What is left is aliasing in the truth that no avatar
 * can predict.
 */
async function benchPixelSampling(dir: string): Promise<BenchResult[]> {
  /** All frames of a capture with `samplesPerAxis`, one after another, as RGB bytes. */
  const frames = async (samplesPerAxis: number): Promise<Uint8Array> => {
    const outDir = join(dir, `ada-128-${samplesPerAxis}`);
    await captureSynthetic({
      subject: builtInSubject("ada"), outDir, sizePx: 128, rig: "front", domeCameras: 1, sequence: "performance", framesPerExpression: 16,
      maxFrames: 60, fps: 30, sentence: "hello", seed: 1, samplesPerAxis, overwrite: false, progress: { write: () => true },
    });
    const dataset = await loadDataset(outDir);
    return Buffer.concat(await Promise.all(dataset.frames.map((f) => sharp(f.imagePath).raw().toBuffer())));
  };
  const reference = await frames(REFERENCE_SAMPLES_PER_AXIS);
  const against = async (samplesPerAxis: number): Promise<number> => psnr(await frames(samplesPerAxis), reference);
  const results: BenchResult[] = [];
  for (const n of [1, DEFAULT_SAMPLES_PER_AXIS]) {
    results.push({ name: `capture_synth_128_${n}x${n}_vs_${REFERENCE_SAMPLES_PER_AXIS}x${REFERENCE_SAMPLES_PER_AXIS}_psnr_db`, value: await against(n), unit: "dB" });
  }
  return results;
}
