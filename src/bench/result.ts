import { getCore, initCore, shutdownCore } from "../core/runtime.js";

/** One measured benchmark number, as written to bench/results/*.json. */
export interface BenchResult {
  /** Stable identifier, e.g. `matmul_1024_gflops`. */
  name: string;
  value: number;
  /** Unit of `value`, e.g. `GFLOP/s`, `Mpoints/s`, `x` for ratios. */
  unit: string;
}

/**
 * Runs `fn` `warmup` times, then `repeats` times, and returns the median seconds
 * of one call. Medians resist the noise of a busy 2-core machine.
 */
export function medianSeconds(fn: () => void, { warmup = 1, repeats = 5 } = {}): number {
  for (let i = 0; i < warmup; i++) fn();
  const times: number[] = [];
  for (let i = 0; i < repeats; i++) {
    const t0 = process.hrtime.bigint();
    fn();
    times.push(Number(process.hrtime.bigint() - t0) / 1e9);
  }
  times.sort((a, b) => a - b);
  return times[Math.floor(times.length / 2)];
}

/** The async form of {@link medianSeconds}, for work in other processes or on promises. */
export async function medianSecondsAsync(fn: () => Promise<unknown>, { warmup = 0, repeats = 3 } = {}): Promise<number> {
  for (let i = 0; i < warmup; i++) await fn();
  const times: number[] = [];
  for (let i = 0; i < repeats; i++) {
    const t0 = process.hrtime.bigint();
    await fn();
    times.push(Number(process.hrtime.bigint() - t0) / 1e9);
  }
  times.sort((a, b) => a - b);
  return times[Math.floor(times.length / 2)];
}

/**
 * Runs `fn` on a fresh runtime with `numThreads` threads, then restarts the
 * runtime with the thread count it had before. Tensors made before the call are
 * invalid afterwards.
 */
export async function withThreads<T>(numThreads: number, fn: () => T): Promise<T> {
  const before = getCore().numThreads;
  await shutdownCore();
  initCore({ numThreads });
  try {
    return fn();
  } finally {
    await shutdownCore();
    initCore({ numThreads: before });
  }
}
