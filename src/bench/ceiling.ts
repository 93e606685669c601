import { getCore } from "../core/runtime.js";
import { empty } from "../core/tensor.js";
import { medianSeconds } from "./result.js";

/** FLOP per round of the `simdPeakProbe` kernel (7 f32x4 adds and 7 f32x4 muls). */
const FLOP_PER_ROUND = 56;

/**
 * The WebAssembly SIMD128 arithmetic ceiling of one core, in GFLOP/s, measured
 * with a kernel of independent f32x4 additions and multiplications (16 FLOP per
 * cycle on a core with two adder and two multiplier pipes, so the clock is this
 * number / 16).
 */
export function measureCoreCeilingGflops(): number {
  const { pool, kernelIndex } = getCore();
  const kernel = kernelIndex.get("simdPeakProbe");
  if (kernel === undefined) throw new Error("the kernel module has no simdPeakProbe");
  const out = empty([16]);
  const rounds = 2e7;
  const seconds = medianSeconds(() => pool.run(kernel, [rounds, out.ptr], 1), { warmup: 2, repeats: 5 });
  out.dispose();
  return (FLOP_PER_ROUND * rounds) / seconds / 1e9;
}
