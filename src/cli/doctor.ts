import { availableParallelism, cpus, totalmem } from "node:os";
import { getCore, runKernel } from "../core/runtime.js";
import { empty, scope, tensor } from "../core/tensor.js";
import { medianSeconds } from "../bench/result.js";

/**
 * `likeness doctor`: checks that the kernels load, that every thread computes the
 * same result as one, and prints the machine and a quick throughput number.
 */
export function runDoctor(print: (line: string) => void): boolean {
  const core = getCore();
  print(`node ${process.version}, ${cpus()[0]?.model ?? "unknown CPU"}, ${availableParallelism()} cores, ${(totalmem() / 2 ** 30).toFixed(1)} GiB`);
  print(`kernels: ${core.kernelIndex.size} loaded from build/kernels.wasm; threads: ${core.numThreads} (set LIKENESS_THREADS to change)`);
  return scope(() => {
    const n = 1 << 22;
    const values = new Float32Array(n);
    for (let i = 0; i < n; i++) values[i] = (i % 1009) * 0.5;
    const a = tensor(values);
    const b = tensor(values);
    const out = empty([n]);
    runKernel("addF32", [a.ptr, b.ptr, out.ptr, n], n);
    const d = out.data;
    let ok = true;
    for (let i = 0; i < n; i += 4099) if (d[i] !== 2 * values[i]) ok = false;
    print(`threaded kernel check: ${ok ? "ok" : "FAILED"}`);
    const seconds = medianSeconds(() => runKernel("addF32", [a.ptr, b.ptr, out.ptr, n], n));
    print(`memory bandwidth (add of ${n} floats): ${((3 * 4 * n) / seconds / 1e9).toFixed(1)} GB/s`);
    return ok;
  });
}
