import { noGrad } from "../core/autograd.js";
import { add, exp } from "../core/ops/arithmetic.js";
import { gatherRows, scatterAddRows } from "../core/ops/gather.js";
import { l2Loss } from "../core/ops/loss.js";
import { sum } from "../core/ops/reduce.js";
import { Random } from "../core/random.js";
import { scope, type Tensor } from "../core/tensor.js";
import { medianSeconds, withThreads, type BenchResult } from "./result.js";

/** Median seconds of `op` (its outputs freed each call). */
function time(op: () => Tensor): number {
  return medianSeconds(() => scope(() => void noGrad(op)), { warmup: 2, repeats: 9 });
}

/** Memory-bound ops, measured in GB/s of data read plus written, on all threads and on one. */
function measure(suffix: string): BenchResult[] {
  return scope(() => {
    const rng = new Random(1);
    const n = 1 << 22;
    const a = rng.randUniform([n], -1, 1);
    const b = rng.randUniform([n], -1, 1);
    const m = rng.randUniform([8192, 512], -1, 1);
    const row = rng.randUniform([512], -1, 1);
    const s1 = rng.randUniform([64, 1, 1024], -1, 1);
    const s2 = rng.randUniform([1, 64, 1], -1, 1);
    const cols = rng.randUniform([16384, 256], -1, 1);
    const table = rng.randUniform([16384, 64], -1, 1);
    const idx = Int32Array.from({ length: 65536 }, () => rng.int(16384));
    const picked = rng.randUniform([65536, 64], -1, 1);
    const gbs = (bytes: number, seconds: number): number => bytes / seconds / 1e9;
    const results: BenchResult[] = [
      { name: `add_same_4m${suffix}`, value: gbs(12 * n, time(() => add(a, b))), unit: "GB/s" },
      { name: `add_row_broadcast_8192x512${suffix}`, value: gbs(8 * m.size, time(() => add(m, row))), unit: "GB/s" },
      { name: `add_strided_64x64x1024${suffix}`, value: (64 * 64 * 1024) / time(() => add(s1, s2)) / 1e9, unit: "Gelem/s" },
      { name: `exp_4m${suffix}`, value: n / time(() => exp(a)) / 1e9, unit: "Gelem/s" },
      { name: `sum_all_4m${suffix}`, value: gbs(4 * n, time(() => sum(a))), unit: "GB/s" },
      { name: `sum_axis0_16384x256${suffix}`, value: gbs(4 * cols.size, time(() => sum(cols, { axis: 0 }))), unit: "GB/s" },
      { name: `gather_rows_65536x64${suffix}`, value: gbs(8 * picked.size, time(() => gatherRows({ x: table, indices: idx }))), unit: "GB/s" },
      {
        name: `scatter_add_rows_65536x64${suffix}`,
        value: gbs(8 * picked.size, time(() => scatterAddRows({ x: picked, indices: idx, numRows: 16384 }))),
        unit: "GB/s",
      },
      { name: `l2_loss_4m${suffix}`, value: gbs(8 * n, time(() => l2Loss(a, b))), unit: "GB/s" },
    ];
    return results;
  });
}

/**
 * Throughput of the tensor ops (elementwise, reductions, gather/scatter, loss) on
 * all threads and on one thread. These are memory-bound: GB/s of data touched.
 */
export async function benchTensorops(): Promise<BenchResult[]> {
  const all = measure("");
  const one = await withThreads(1, () => measure("_1thread"));
  return [...all, ...one];
}
