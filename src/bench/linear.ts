import { backward } from "../core/autograd.js";
import { Random } from "../core/random.js";
import { scope, type Tensor } from "../core/tensor.js";
import { dense, matmul } from "../core/ops/linear.js";
import { medianSeconds, withThreads, type BenchResult } from "./result.js";

const MATMUL_SIZE = 1024;
const MLP_BATCH = 65536;
/** Layer widths of the benchmark MLP: 3-64-64-4, ReLU, ReLU, none. */
const MLP_WIDTHS = [3, 64, 64, 4];

/** Seconds of one 1024^3 matmul (packing included), median of several. */
function timeMatmul(): number {
  const rng = new Random(1);
  const a = rng.randUniform([MATMUL_SIZE, MATMUL_SIZE], -1, 1);
  const b = rng.randUniform([MATMUL_SIZE, MATMUL_SIZE], -1, 1);
  const seconds = medianSeconds(() => matmul(a, b).dispose(), { warmup: 2, repeats: 7 });
  a.dispose();
  b.dispose();
  return seconds;
}

/**
 * Seconds of one training step of the MLP on MLP_BATCH points: forward, then
 * backward from a fixed output gradient to every weight and bias (the input needs
 * no gradient), as a radiance-field step does.
 */
function timeMlpStep(): number {
  const rng = new Random(2);
  const params: { weight: Tensor; bias: Tensor }[] = [];
  for (let l = 0; l + 1 < MLP_WIDTHS.length; l++) {
    const [inF, outF] = [MLP_WIDTHS[l], MLP_WIDTHS[l + 1]];
    params.push({
      weight: rng.randn([inF, outF], Math.sqrt(2 / inF)).asParameter(),
      bias: rng.randUniform([outF], -0.1, 0.1).asParameter(),
    });
  }
  const x = rng.randUniform([MLP_BATCH, MLP_WIDTHS[0]], -1, 1);
  const gradOut = rng.randUniform([MLP_BATCH, MLP_WIDTHS.at(-1) ?? 1], -1, 1);
  const step = (): void => {
    scope(() => {
      let h = x;
      params.forEach(({ weight, bias }, l) => {
        h = dense({ x: h, weight, bias, activation: l + 1 < params.length ? "relu" : "none" });
      });
      backward(h, gradOut);
    });
    for (const p of params) {
      p.weight.grad?.dispose();
      p.weight.grad = null;
      p.bias.grad?.dispose();
      p.bias.grad = null;
    }
  };
  const seconds = medianSeconds(step, { warmup: 2, repeats: 9 });
  for (const p of params) {
    p.weight.dispose();
    p.bias.dispose();
  }
  x.dispose();
  gradOut.dispose();
  return seconds;
}

/**
 * Dense-layer numbers: 1024^3 matmul GFLOP/s and MLP 3-64-64-4 training
 * throughput (M points/s, batch 65536, forward + backward), each on all threads
 * and on one. Restarts the core runtime to change the thread count: tensors made
 * before the call are invalid afterwards.
 */
export async function benchLinear(): Promise<BenchResult[]> {
  const matmulFlops = 2 * MATMUL_SIZE ** 3;
  const matmulAll = matmulFlops / timeMatmul() / 1e9;
  const mlpAll = MLP_BATCH / timeMlpStep() / 1e6;
  const [matmulOne, mlpOne] = await withThreads(1, () => [matmulFlops / timeMatmul() / 1e9, MLP_BATCH / timeMlpStep() / 1e6]);
  return [
    { name: "matmul_1024_gflops", value: matmulAll, unit: "GFLOP/s" },
    { name: "matmul_1024_gflops_1thread", value: matmulOne, unit: "GFLOP/s" },
    { name: "mlp_train_mpts", value: mlpAll, unit: "Mpoints/s" },
    { name: "mlp_train_mpts_1thread", value: mlpOne, unit: "Mpoints/s" },
    { name: "threads_speedup_mlp", value: mlpAll / mlpOne, unit: "x" },
  ];
}
