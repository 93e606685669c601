import { initCore, shutdownCore } from "../runtime.js";
import { scope } from "../tensor.js";

/**
 * Runs `fn` inside a scope on a fresh core runtime with `numThreads` threads (more
 * than the cores is allowed, to test uneven partitions), then shuts it down; the
 * next operation starts a default runtime. `fn` must return plain data: tensors
 * made before or inside are invalid afterwards.
 */
export async function withCoreThreads<T>(numThreads: number, fn: () => T): Promise<T> {
  await shutdownCore();
  initCore({ numThreads });
  try {
    return scope(fn);
  } finally {
    await shutdownCore();
  }
}
