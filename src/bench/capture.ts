import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { captureSynthetic } from "../data/synth/capture.js";
import { builtInSubject } from "../data/synth/subjects.js";
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
    ];
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
