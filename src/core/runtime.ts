import { readFileSync } from "node:fs";
import { availableParallelism } from "node:os";
import { fileURLToPath } from "node:url";
import { Allocator } from "./allocator.js";
import { CONTROL_BYTES, ThreadPool } from "./pool.js";

/** Initial and maximum memory in 64 KiB pages; must match scripts/build-kernels.mjs. */
const INITIAL_PAGES = 256;
const MAXIMUM_PAGES = 65536;
/** The control block sits at this byte offset; tensors start above it. */
const CONTROL_OFFSET = 1024;
const HEAP_BASE = 65536;

/** Options for {@link initCore}. */
export interface CoreOptions {
  /** Threads for kernels, the calling thread included. Default: `LIKENESS_THREADS`, else the number of cores. */
  numThreads?: number;
  /** The compiled kernel module; default: `build/kernels.wasm` of this package. */
  module?: WebAssembly.Module;
}

/** The process-wide compute runtime: shared memory, allocator, kernels and thread pool. */
export interface CoreRuntime {
  readonly memory: WebAssembly.Memory;
  readonly allocator: Allocator;
  readonly pool: ThreadPool;
  readonly numThreads: number;
  /** Kernel index by export name. */
  readonly kernelIndex: ReadonlyMap<string, number>;
}

let runtime: CoreRuntime | null = null;

/** The thread count from `LIKENESS_THREADS`, or the number of cores. */
export function defaultThreadCount(): number {
  const env = process.env.LIKENESS_THREADS;
  if (env !== undefined && env !== "") {
    const n = Number(env);
    if (!Number.isInteger(n) || n < 1 || n > 256) {
      throw new Error(`LIKENESS_THREADS must be a whole number from 1 to 256, got '${env}'`);
    }
    return n;
  }
  return availableParallelism();
}

function loadKernelModule(): WebAssembly.Module {
  const url = new URL("../../build/kernels.wasm", import.meta.url);
  let bytes: Uint8Array<ArrayBuffer>;
  try {
    bytes = new Uint8Array(readFileSync(url));
  } catch {
    throw new Error(`Likeness core: ${fileURLToPath(url)} is missing; build the kernels with 'npm run build:kernels'`);
  }
  return new WebAssembly.Module(bytes);
}

/**
 * Starts the compute runtime. Called implicitly by the first tensor operation with
 * default options; call it first to choose the thread count. Throws if the runtime
 * is already running with other options.
 */
export function initCore(options: CoreOptions = {}): CoreRuntime {
  const numThreads = options.numThreads ?? defaultThreadCount();
  if (runtime) {
    if (runtime.numThreads !== numThreads) {
      throw new Error(`initCore: the runtime already runs ${runtime.numThreads} threads; call shutdownCore() first`);
    }
    return runtime;
  }
  const module = options.module ?? loadKernelModule();
  const memory = new WebAssembly.Memory({ initial: INITIAL_PAGES, maximum: MAXIMUM_PAGES, shared: true });
  const instance = new WebAssembly.Instance(module, { env: { memory } });
  const exportNames = WebAssembly.Module.exports(module)
    .filter((e) => e.kind === "function")
    .map((e) => e.name);
  const kernelIndex = new Map(exportNames.map((name, i) => [name, i]));
  if (CONTROL_OFFSET + CONTROL_BYTES > HEAP_BASE) throw new Error("control block overlaps the heap");
  const pool = new ThreadPool({ module, instance, memory, controlOffset: CONTROL_OFFSET, exportNames, numThreads });
  runtime = { memory, allocator: new Allocator(memory, HEAP_BASE), pool, numThreads: pool.numThreads, kernelIndex };
  return runtime;
}

/** The running runtime, started with defaults if needed. */
export function getCore(): CoreRuntime {
  return runtime ?? initCore();
}

/** Stops the worker threads and forgets the runtime; tensors made before are invalid afterwards. */
export async function shutdownCore(): Promise<void> {
  const r = runtime;
  runtime = null;
  if (r) await r.pool.close();
}

/** Work (in rough floating-point operations) below which a kernel runs on the calling thread alone. */
const PARALLEL_THRESHOLD = 32768;

/**
 * Runs kernel `name` with `args` (byte offsets, sizes, f32 scalars). `work` is a
 * rough operation count: small calls run on one thread, because a dispatch costs
 * about as much as tens of thousands of operations. Returns the number of threads
 * that ran it (each got `tid` from 0 to that number minus one).
 */
export function runKernel(name: string, args: readonly number[], work: number): number {
  const rt = getCore();
  const index = rt.kernelIndex.get(name);
  if (index === undefined) throw new Error(`runKernel: no kernel '${name}' in build/kernels.wasm (rebuild with 'npm run build:kernels'?)`);
  return rt.pool.run(index, args, work < PARALLEL_THRESHOLD ? 1 : rt.numThreads);
}
