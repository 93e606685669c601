import { backward, zeroGrad } from "../core/autograd.js";
import { conv2d } from "../core/ops/conv.js";
import { Random } from "../core/random.js";
import { scope } from "../core/tensor.js";
import { medianSeconds, type BenchResult } from "./result.js";

const BATCH = 4;
const SIZE = 128;
const CHANNELS = 64;

/**
 * GFLOP/s of one conv2d training step, NHWC [4, 128, 128, 64] -> 64 channels,
 * stride 1, padding (k - 1) / 2: forward, then backward to dx, dWeight and dBias
 * from a fixed output gradient. Counts 3 x 2*B*H*W*k*k*64*64 flops (forward, dx
 * and dWeight; padding copies, weight packing and dBias are overhead).
 */
function convStepGflops(kernel: number): number {
  const rng = new Random(kernel);
  const x = rng.randUniform([BATCH, SIZE, SIZE, CHANNELS], -1, 1).asParameter();
  const weight = rng.randn([kernel, kernel, CHANNELS, CHANNELS], Math.sqrt(2 / (kernel * kernel * CHANNELS))).asParameter();
  const bias = rng.randUniform([CHANNELS], -0.1, 0.1).asParameter();
  const gradOut = rng.randUniform([BATCH, SIZE, SIZE, CHANNELS], -1, 1);
  const params = [x, weight, bias];
  const seconds = medianSeconds(
    () => {
      scope(() => {
        const out = conv2d({ x, weight, bias, padding: (kernel - 1) / 2 });
        backward(out, gradOut);
      });
      zeroGrad(params);
    },
    { warmup: 1, repeats: 5 },
  );
  for (const t of [...params, gradOut]) t.dispose();
  const flops = 3 * 2 * BATCH * SIZE * SIZE * kernel * kernel * CHANNELS * CHANNELS;
  return flops / seconds / 1e9;
}

/**
 * Convolution benchmarks on the runtime's threads: `conv3x3_fwd_bwd_gflops` (the
 * target) and `conv1x1_fwd_bwd_gflops` (for information; the same shape with 1x1
 * filters has 9x less work per byte, so copies weigh more).
 */
export async function benchConv(): Promise<BenchResult[]> {
  return [
    { name: "conv3x3_fwd_bwd_gflops", value: convStepGflops(3), unit: "GFLOP/s" },
    { name: "conv1x1_fwd_bwd_gflops", value: convStepGflops(1), unit: "GFLOP/s" },
  ];
}
