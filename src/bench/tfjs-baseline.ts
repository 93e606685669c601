import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { medianSeconds, type BenchResult } from "./result.js";

/**
 * The reference the MLP benchmark is compared with: the same MLP 3-64-64-4 (ReLU),
 * batch 65536, forward and backward with a mean-squared-error loss, on TensorFlow.js
 * with its WebAssembly SIMD backend (a devDependency; never used at run time).
 */
export async function benchTfjsWasmMlp(batch = 65536): Promise<BenchResult> {
  // The union package registers the gradients on the same tfjs-core instance.
  const tf = await import("@tensorflow/tfjs");
  const wasm = await import("@tensorflow/tfjs-backend-wasm");
  const require = createRequire(import.meta.url);
  const wasmDir = join(dirname(require.resolve("@tensorflow/tfjs-backend-wasm")), "/");
  wasm.setWasmPaths(wasmDir);
  await tf.setBackend("wasm");
  await tf.ready();
  const sizes = [3, 64, 64, 4];
  const params: import("@tensorflow/tfjs").Variable[] = [];
  for (let i = 0; i + 1 < sizes.length; i++) {
    params.push(tf.variable(tf.randomNormal([sizes[i], sizes[i + 1]], 0, Math.sqrt(2 / sizes[i]))));
    params.push(tf.variable(tf.zeros([sizes[i + 1]])));
  }
  const x = tf.randomUniform([batch, 3], -1, 1);
  const y = tf.randomUniform([batch, 4], -1, 1);
  const step = (): void => {
    const { value, grads } = tf.variableGrads(() => {
      let h: import("@tensorflow/tfjs").Tensor = x;
      for (let i = 0; i < 3; i++) {
        h = tf.add(tf.matMul(h, params[2 * i]), params[2 * i + 1]);
        if (i < 2) h = tf.relu(h);
      }
      return tf.mean(tf.square(tf.sub(h, y))) as import("@tensorflow/tfjs").Scalar;
    });
    value.dataSync();
    for (const g of Object.values(grads)) g.dataSync();
    value.dispose();
    tf.dispose(Object.values(grads));
  };
  const seconds = medianSeconds(step, { warmup: 1, repeats: 3 });
  tf.dispose([x, y, ...params]);
  return { name: "tfjs_wasm_mlp_train_mpts", value: batch / seconds / 1e6, unit: "Mpoints/s" };
}
