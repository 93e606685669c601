import { mkdirSync } from "node:fs";
import { availableParallelism } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { writeFileAtomic } from "../core/safetensors.js";
import { getCore } from "../core/runtime.js";
import { benchCapture } from "./capture.js";
import { benchCaptureVideo } from "./capture-video.js";
import { benchMatting } from "./matting.js";
import { benchFitAccuracy } from "./fit-accuracy.js";
import { benchRender } from "./render.js";
import { benchTracking } from "./tracking.js";
import { benchVideo } from "./video.js";
import { measureCoreCeilingGflops } from "./ceiling.js";
import { benchConv } from "./conv.js";
import { benchFields } from "./fields.js";
import { benchGeometry } from "./geometry.js";
import { benchLinear } from "./linear.js";
import { benchTensorops } from "./tensorops.js";
import type { BenchResult } from "./result.js";
import { benchTfjsWasmMlp } from "./tfjs-baseline.js";

/** Targets from the issues; printed beside each number. `max` targets are upper bounds. */
const TARGETS: Record<string, { min?: number; max?: number }> = {
  matmul_1024_gflops: { min: 60 },
  mlp_train_mpts: { min: 2.0 },
  mlp_train_vs_tfjs_wasm: { min: 15 },
  triplane_fwd_bwd_msamples: { min: 6 },
  conv3x3_fwd_bwd_gflops: { min: 30 },
  threads_speedup_mlp: { min: 1.8 },
  rasterize_256_10k_fps: { min: 30 },
  capture_synth_300x256_seconds: { max: 60 },
  render_256_fps: { min: 2 },
};

/**
 * Floating-point operations per unit of a result, for the fraction-of-ceiling
 * column: GFLOP/s results directly; the MLP step of 3-64-64-4 does 9088 FLOP per
 * point forward and 17792 backward (all weight gradients, input gradients of the
 * two upper layers).
 */
function flopPerValue(r: BenchResult): number | undefined {
  if (r.unit === "GFLOP/s") return 1e9;
  if (r.name.startsWith("mlp_train_mpts")) return 1e6 * (9088 + 17792);
  return undefined;
}

async function main(): Promise<void> {
  const threads = getCore().numThreads;
  const coreCeiling = measureCoreCeilingGflops();
  const ceilingGflops = coreCeiling * threads;
  console.log(
    `Likeness core benchmark: ${threads} threads on ${availableParallelism()} cores. WebAssembly SIMD128 ceiling, ` +
      `measured: ${coreCeiling.toFixed(1)} GFLOP/s per core (16 FLOP/cycle at ${(coreCeiling / 16).toFixed(2)} GHz), ` +
      `${ceilingGflops.toFixed(0)} GFLOP/s on ${threads} threads`,
  );
  const print = (r: BenchResult): void => {
    const target = TARGETS[r.name];
    const perValue = flopPerValue(r);
    const ceilingHere = r.name.endsWith("_1thread") ? ceilingGflops / threads : ceilingGflops;
    const ceiling = perValue ? `${((100 * r.value * perValue) / 1e9 / ceilingHere).toFixed(0)}% of ceiling` : "";
    let verdict = "";
    if (target?.min !== undefined) verdict = `target >= ${target.min}: ${r.value >= target.min ? "met" : "MISSED"}`;
    if (target?.max !== undefined) verdict = `target <= ${target.max}: ${r.value <= target.max ? "met" : "MISSED"}`;
    console.log(`${r.name.padEnd(36)} ${r.value.toFixed(3).padStart(10)} ${r.unit.padEnd(12)} ${ceiling.padEnd(18)} ${verdict}`);
  };
  /** The benchmark groups, each written to bench/results/<name>.json. */
  const groups: Record<string, () => Promise<BenchResult[]>> = {
    core: async () => {
      const results: BenchResult[] = [{ name: "simd128_ceiling_gflops_per_core", value: coreCeiling, unit: "GFLOP/s" }];
      const add = (rs: BenchResult[]): void => {
        results.push(...rs);
        rs.forEach(print);
      };
      add(await benchLinear());
      add(await benchFields());
      add(await benchConv());
      add(await benchTensorops());
      const tfjs = await benchTfjsWasmMlp();
      add([tfjs]);
      const ours = results.find((r) => r.name === "mlp_train_mpts");
      if (ours) add([{ name: "mlp_train_vs_tfjs_wasm", value: ours.value / tfjs.value, unit: "x" }]);
      return results;
    },
    synth: async () => [...(await benchGeometry()), ...(await benchCapture())],
    video: async () => [...(await benchVideo()), ...(await benchTracking()), ...(await benchMatting()), ...(await benchCaptureVideo())],
    render: async () => benchRender(),
    fit: async () => benchFitAccuracy(),
  };
  const asked = process.argv.slice(2);
  const unknown = asked.filter((g) => !(g in groups));
  if (unknown.length > 0) {
    console.error(`bench: unknown group ${unknown.map((g) => `'${g}'`).join(", ")}; the groups are ${Object.keys(groups).join(", ")}`);
    process.exit(2);
  }
  const outDir = join(dirname(fileURLToPath(import.meta.url)), "..", "..", "bench", "results");
  mkdirSync(outDir, { recursive: true });
  for (const [name, run] of Object.entries(groups)) {
    if (asked.length > 0 && !asked.includes(name)) continue;
    const results = await run();
    // The core group prints as it goes; the others when done.
    if (name !== "core") results.forEach(print);
    writeFileAtomic(join(outDir, `${name}.json`), JSON.stringify(results, null, 2) + "\n");
    console.log(`wrote ${join(outDir, `${name}.json`)}`);
  }
  process.exit(0);
}

await main();
