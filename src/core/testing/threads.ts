import { initCore, shutdownCore } from "../runtime.js";

/**
 * Runs `fn` on a fresh core runtime with `numThreads` threads (more than the cores
 * is allowed, to test uneven partitions), then shuts it down; the next operation
 * starts a default runtime. Tensors made before or inside are invalid afterwards.
 */
export async function withCoreThreads<T>(numThreads: number, fn: () => T | Promise<T>): Promise<T> {
  await shutdownCore();
  initCore({ numThreads });
  try {
    return await fn();
  } finally {
    await shutdownCore();
  }
}
