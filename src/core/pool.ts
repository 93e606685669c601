import { Worker } from "node:worker_threads";

/**
 * Control block layout, as Int32 slots at `controlOffset` in the shared memory.
 * Arguments follow at `controlOffset + ARGS_BYTE_OFFSET` as float64 (every i32,
 * u32 and f32 a kernel takes is exact in a float64).
 */
const GENERATION = 0;
const KERNEL = 1;
const NUM_THREADS = 2;
const NUM_ARGS = 3;
const DONE = 4;
const ERROR = 5;
const ARGS_BYTE_OFFSET = 64;
/** Most arguments one kernel call may take, not counting (tid, numThreads). */
export const MAX_KERNEL_ARGS = 24;
/** Bytes the control block needs. */
export const CONTROL_BYTES = ARGS_BYTE_OFFSET + 8 * MAX_KERNEL_ARGS;

/** Spins before a waiting thread sleeps on `Atomics.wait`; a few tens of microseconds. */
const SPIN_LIMIT = 20000;

/**
 * The worker's program. It instantiates the same kernel module on the same memory,
 * then loops: spin briefly on the generation counter, sleep on it if nothing comes,
 * run its share of the posted kernel, and count itself done.
 */
const workerSource = `
const { workerData } = require("node:worker_threads");
const { module, memory, controlOffset, tid, exportNames, spinLimit, generation } = workerData;
const instance = new WebAssembly.Instance(module, { env: { memory } });
const fns = exportNames.map((name) => instance.exports[name]);
const ctl = new Int32Array(memory.buffer, controlOffset, 16);
const args = new Float64Array(memory.buffer, controlOffset + ${ARGS_BYTE_OFFSET}, ${MAX_KERNEL_ARGS});
// Start from the generation at pool creation: jobs may be posted before this thread runs.
let seen = generation;
for (;;) {
  let gen;
  let spins = 0;
  while ((gen = Atomics.load(ctl, ${GENERATION})) === seen) {
    if (++spins > spinLimit) { Atomics.wait(ctl, ${GENERATION}, seen); spins = 0; }
  }
  seen = gen;
  const kernel = ctl[${KERNEL}];
  if (kernel < 0) break;
  const numThreads = ctl[${NUM_THREADS}];
  if (tid < numThreads) {
    const n = ctl[${NUM_ARGS}];
    const argv = new Array(n + 2);
    for (let i = 0; i < n; i++) argv[i] = args[i];
    argv[n] = tid;
    argv[n + 1] = numThreads;
    try { fns[kernel].apply(null, argv); } catch (e) { Atomics.store(ctl, ${ERROR}, 1); }
  }
  Atomics.add(ctl, ${DONE}, 1);
  Atomics.notify(ctl, ${DONE});
}
`;

/** A kernel export: its arguments, then (tid, numThreads). */
export type KernelFunction = (...args: number[]) => void;

/**
 * A pool of worker threads that run kernels of one WebAssembly module over one
 * shared memory. The calling thread is thread 0 and does its share too, so a pool
 * of `numThreads` threads has `numThreads - 1` workers. Dispatch goes through
 * Atomics on a control block, not messages (about 10 us a round trip).
 */
export class ThreadPool {
  readonly numThreads: number;
  private readonly workers: Worker[] = [];
  private readonly control: Int32Array;
  private readonly args: Float64Array;
  private readonly fns: KernelFunction[];
  private readonly argv: number[] = [];

  constructor(options: {
    module: WebAssembly.Module;
    instance: WebAssembly.Instance;
    memory: WebAssembly.Memory;
    controlOffset: number;
    exportNames: readonly string[];
    numThreads: number;
  }) {
    const { module, instance, memory, controlOffset, exportNames } = options;
    this.numThreads = Math.max(1, Math.floor(options.numThreads));
    this.control = new Int32Array(memory.buffer, controlOffset, 16);
    this.args = new Float64Array(memory.buffer, controlOffset + ARGS_BYTE_OFFSET, MAX_KERNEL_ARGS);
    this.control.fill(0);
    this.fns = exportNames.map((name) => instance.exports[name] as KernelFunction);
    for (let tid = 1; tid < this.numThreads; tid++) {
      const worker = new Worker(workerSource, {
        eval: true,
        workerData: { module, memory, controlOffset, tid, exportNames, spinLimit: SPIN_LIMIT, generation: 0 },
      });
      worker.unref();
      this.workers.push(worker);
    }
  }

  /**
   * Runs kernel number `kernel` with `args` on `numThreads` threads (this one
   * included; capped at the pool's size) and returns, when all are done, the number
   * of threads that ran it. Throws if any thread trapped.
   */
  run(kernel: number, args: readonly number[], numThreads = this.numThreads): number {
    const fn = this.fns[kernel];
    const threads = Math.min(Math.max(1, numThreads), this.numThreads);
    const argv = this.argv;
    argv.length = args.length + 2;
    for (let i = 0; i < args.length; i++) argv[i] = args[i];
    argv[args.length] = 0;
    argv[args.length + 1] = threads;
    if (threads === 1) {
      fn(...argv);
      return 1;
    }
    if (args.length > MAX_KERNEL_ARGS) throw new Error(`ThreadPool.run: ${args.length} arguments, at most ${MAX_KERNEL_ARGS}`);
    const ctl = this.control;
    this.args.set(args);
    ctl[KERNEL] = kernel;
    ctl[NUM_THREADS] = threads;
    ctl[NUM_ARGS] = args.length;
    Atomics.store(ctl, DONE, 0);
    Atomics.store(ctl, ERROR, 0);
    Atomics.add(ctl, GENERATION, 1);
    Atomics.notify(ctl, GENERATION);
    let mainError: unknown = null;
    try {
      fn(...argv);
    } catch (e) {
      mainError = e;
    }
    const workers = this.workers.length;
    let spins = 0;
    for (;;) {
      const done = Atomics.load(ctl, DONE);
      if (done === workers) break;
      if (++spins > SPIN_LIMIT) {
        Atomics.wait(ctl, DONE, done, 1);
        spins = 0;
      }
    }
    if (mainError) throw mainError;
    if (Atomics.load(ctl, ERROR)) throw new Error("a kernel trapped on a worker thread (out-of-bounds access?)");
    return threads;
  }

  /** Stops the workers. The pool cannot be used afterwards. */
  async close(): Promise<void> {
    const ctl = this.control;
    ctl[KERNEL] = -1;
    Atomics.add(ctl, GENERATION, 1);
    Atomics.notify(ctl, GENERATION);
    await Promise.all(this.workers.map((w) => w.terminate()));
    this.workers.length = 0;
  }
}
