import { mkdirSync, readFileSync } from "node:fs";
import { availableParallelism } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { writeFileAtomic } from "../core/safetensors.js";
import { getCore } from "../core/runtime.js";
import { benchConv } from "./conv.js";
import { benchFields } from "./fields.js";
import { benchGeometry } from "./geometry.js";
import { benchLinear } from "./linear.js";
import { benchTensorops } from "./tensorops.js";
import type { BenchResult } from "./result.js";
import { benchTfjsWasmMlp } from "./tfjs-baseline.js";

/** Targets from the compute-core issue; printed beside each number. */
const TARGETS: Record<string, number> = {
  matmul_1024_gflops: 60,
  mlp_train_mpts: 2.0,
  mlp_train_vs_tfjs_wasm: 15,
  triplane_fwd_bwd_msamples: 6,
  conv3x3_fwd_bwd_gflops: 30,
  threads_speedup_mlp: 1.8,
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

/** Clock in GHz as the kernel reports it (the SIMD128 ceiling is 16 FLOP per cycle per core). */
function clockGHz(): number {
  try {
    const match = /cpu MHz\s*:\s*([\d.]+)/.exec(readFileSync("/proc/cpuinfo", "utf8"));
    if (match) return Number(match[1]) / 1000;
  } catch {
    // not Linux: fall through
  }
  return 3;
}

async function main(): Promise<void> {
  const threads = getCore().numThreads;
  const ghz = clockGHz();
  const ceilingGflops = 16 * ghz * threads;
  console.log(`Likeness core benchmark: ${threads} threads of ${availableParallelism()} cores, ${ghz.toFixed(2)} GHz; ` +
    `WebAssembly SIMD128 ceiling ${ceilingGflops.toFixed(0)} GFLOP/s (16 FLOP/cycle/core)`);
  const results: BenchResult[] = [];
  const add = (rs: BenchResult[]): void => {
    for (const r of rs) {
      results.push(r);
      print(r);
    }
  };
  const print = (r: BenchResult): void => {
    const target = TARGETS[r.name];
    const perValue = flopPerValue(r);
    const ceilingHere = r.name.endsWith("_1thread") ? ceilingGflops / threads : ceilingGflops;
    const ceiling = perValue ? `${((100 * r.value * perValue) / 1e9 / ceilingHere).toFixed(0)}% of ceiling` : "";
    const verdict = target === undefined ? "" : r.value >= target ? `target ${target}: met` : `target ${target}: MISSED`;
    console.log(`${r.name.padEnd(36)} ${r.value.toFixed(3).padStart(10)} ${r.unit.padEnd(12)} ${ceiling.padEnd(18)} ${verdict}`);
  };
  add(await benchLinear());
  add(await benchFields());
  add(await benchConv());
  add(await benchTensorops());
  const tfjs = await benchTfjsWasmMlp();
  add([tfjs]);
  const ours = results.find((r) => r.name === "mlp_train_mpts");
  if (ours) add([{ name: "mlp_train_vs_tfjs_wasm", value: ours.value / tfjs.value, unit: "x" }]);
  const outDir = join(dirname(fileURLToPath(import.meta.url)), "..", "..", "bench", "results");
  mkdirSync(outDir, { recursive: true });
  writeFileAtomic(join(outDir, "core.json"), JSON.stringify(results, null, 2) + "\n");
  console.log(`wrote ${join(outDir, "core.json")}`);
  const geometry = await benchGeometry();
  geometry.forEach(print);
  writeFileAtomic(join(outDir, "geometry.json"), JSON.stringify(geometry, null, 2) + "\n");
  console.log(`wrote ${join(outDir, "geometry.json")}`);
  process.exit(0);
}

await main();
