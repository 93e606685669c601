import { mkdtempSync, readFileSync, rmSync, existsSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { EventEmitter } from "node:events";
import { afterAll, describe, expect, it } from "vitest";
import { Adam, Random, backward, dense, l2Loss, tensor, type Tensor } from "../core/index.js";
import { readAvatarFile, type AvatarContents } from "./avatar-file.js";
import { withInterruptSave } from "./interrupt.js";
import { learningRateAt, LearningRateScheduleSchema } from "./schedule.js";
import { loadTensorsInto, restoreAdam, snapshotAdam, snapshotTensors } from "./snapshot.js";
import { TrainingDivergedError, divergenceReason, train, type TrainOptions, type TrainResult } from "./trainer.js";

const dir = mkdtempSync(join(tmpdir(), "likeness-trainer-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const TOTAL_STEPS = 20;
const schedule = LearningRateScheduleSchema.parse({ kind: "cosine", lr: 2e-2, warmupSteps: 3, totalSteps: TOTAL_STEPS });

/**
 * A tiny deterministic model: an MLP 2-16-1 fitted to a known function with Adam.
 * Batches come from a generator seeded by the step index, so a resumed run samples
 * exactly what an uninterrupted one does.
 */
function makeModel(options: { nanAt?: number } = {}) {
  const rng = new Random(7);
  const params = new Map<string, Tensor>([
    ["l0.weight", rng.randn([2, 16], 0.7).asParameter()],
    ["l0.bias", tensor(new Float32Array(16)).asParameter()],
    ["l1.weight", rng.randn([16, 1], 0.25).asParameter()],
    ["l1.bias", tensor(new Float32Array(1)).asParameter()],
  ]);
  const p = (name: string) => params.get(name)!;
  const adam = new Adam({ groups: [{ name: "mlp", params: [...params.values()], lr: schedule.lr }] });
  const step = (i: number) => {
    const batch = new Random(1000 + i);
    const n = 64;
    const xs = new Float32Array(2 * n);
    const ys = new Float32Array(n);
    for (let k = 0; k < n; k++) {
      xs[2 * k] = 2 * batch.uniform() - 1;
      xs[2 * k + 1] = 2 * batch.uniform() - 1;
      ys[k] = Math.sin(2 * xs[2 * k]) * Math.cos(1.5 * xs[2 * k + 1]);
    }
    const h = dense({ x: tensor(xs, [n, 2]), weight: p("l0.weight"), bias: p("l0.bias"), activation: "tanh" });
    const out = dense({ x: h, weight: p("l1.weight"), bias: p("l1.bias"), activation: "none" });
    const loss = l2Loss(out, tensor(ys, [n, 1]));
    backward(loss);
    adam.groups[0].lr = learningRateAt(schedule, i);
    adam.step();
    const value = i === options.nanAt ? NaN : loss.item();
    return { loss: value, metrics: { psnr: -10 * Math.log10(value) } };
  };
  const save = () => ({
    method: "test-mlp",
    config: { hidden: 16, schedule },
    parameters: snapshotTensors(params),
    optimizer: snapshotAdam(adam),
  });
  const resume = (contents: AvatarContents) => {
    loadTensorsInto(params, contents.parameters);
    restoreAdam(adam, contents.training.optimizer!);
  };
  const values = () => new Map([...params].map(([name, t]) => [name, Array.from(new Uint32Array(t.toArray().buffer))]));
  const dispose = () => {
    adam.dispose();
    for (const t of params.values()) t.dispose();
  };
  return { step, save, resume, values, dispose };
}

type Model = ReturnType<typeof makeModel>;

function run(model: Model, path: string, extra: Partial<TrainOptions> = {}): Promise<TrainResult> {
  return train({
    steps: TOTAL_STEPS,
    step: model.step,
    checkpoint: { path, every: 5, save: model.save },
    progress: false,
    ...extra,
  });
}

describe("train", () => {
  it("resumes to bit-identical parameters: 20 steps straight = 10 + resume + 10", async () => {
    const straight = makeModel();
    const straightPath = join(dir, "straight.avatar");
    const full = await run(straight, straightPath);
    expect(full.step).toBe(20);
    expect(full.interrupted).toBe(false);
    expect(full.history.steps.map((s) => s.step)).toEqual([...Array(20).keys()]);
    expect(full.history.steps[19].loss).toBeLessThan(full.history.steps[0].loss);

    const first = makeModel();
    const path = join(dir, "split.avatar");
    const half = await run(first, path, { steps: 10 });
    expect(half.step).toBe(10);
    first.dispose();

    const checkpoint = readAvatarFile(path);
    expect(checkpoint.training.step).toBe(10);
    expect(checkpoint.method).toBe("test-mlp");
    const second = makeModel();
    second.resume(checkpoint);
    const rest = await run(second, path, { resumeFrom: checkpoint });
    expect(rest.step).toBe(20);
    expect(second.values()).toEqual(straight.values());
    expect(rest.history).toEqual(full.history);
    // The final checkpoints agree too (the same parameters, optimizer state and history).
    const a = readAvatarFile(straightPath);
    const b = readAvatarFile(path);
    expect(b.training).toEqual(a.training);
    expect(b.parameters).toEqual(a.parameters);
    straight.dispose();
    second.dispose();
  });

  it("stops on an abort fired during step 7, leaving a checkpoint at step 7 that resumes correctly", async () => {
    const reference = makeModel();
    await run(reference, join(dir, "reference.avatar"));

    const model = makeModel();
    const path = join(dir, "abort.avatar");
    const controller = new AbortController();
    const stepped: number[] = [];
    const result = await run(model, path, {
      signal: controller.signal,
      onProgress: ({ step }) => {
        stepped.push(step);
        if (step === 7) controller.abort();
      },
    });
    expect(result.interrupted).toBe(true);
    expect(result.step).toBe(7);
    expect(result.checkpointStep).toBe(7);
    expect(stepped).toEqual([1, 2, 3, 4, 5, 6, 7]);
    model.dispose();

    const checkpoint = readAvatarFile(path);
    expect(checkpoint.training.step).toBe(7);
    expect(checkpoint.training.history.steps).toHaveLength(7);
    const resumed = makeModel();
    resumed.resume(checkpoint);
    const rest = await run(resumed, path, { resumeFrom: checkpoint });
    expect(rest.step).toBe(20);
    expect(resumed.values()).toEqual(reference.values());
    reference.dispose();
    resumed.dispose();
  });

  it("stops on a NaN loss with a TrainingDivergedError naming the step, and leaves the last checkpoint untouched", async () => {
    const model = makeModel({ nanAt: 12 });
    const path = join(dir, "nan.avatar");
    const seen: number[] = [];
    let error: unknown;
    try {
      await run(model, path, { onProgress: ({ step }) => seen.push(step), progress: { stream: { write: () => true } } });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(TrainingDivergedError);
    const diverged = error as TrainingDivergedError;
    expect(diverged.step).toBe(12);
    expect(diverged.checkpointStep).toBe(10);
    expect(diverged.message).toBe(
      `training diverged at step 13 of 20: the loss is NaN; the checkpoint at step 10 in ${path} is kept (try a lower learning rate)`,
    );
    expect(diverged.history.steps).toHaveLength(12);
    expect(seen.at(-1)).toBe(12);
    const bytesAfter = readFileSync(path);
    const checkpoint = readAvatarFile(path);
    expect(checkpoint.training.step).toBe(10);

    // The file is byte-for-byte the step-10 checkpoint of a run that never saw the NaN.
    const clean = makeModel();
    const cleanPath = join(dir, "clean.avatar");
    await run(clean, cleanPath, { steps: 10 });
    expect(Buffer.compare(readFileSync(cleanPath), bytesAfter)).toBe(0);
    clean.dispose();
    model.dispose();
  });

  it("runs validation every validateEvery steps and at the end, and records it", async () => {
    const model = makeModel();
    const calls: number[] = [];
    const result = await train({
      steps: 7,
      step: model.step,
      validateEvery: 3,
      validate: async (done) => {
        calls.push(done);
        return { psnr: done };
      },
      progress: false,
    });
    expect(calls).toEqual([3, 6, 7]);
    expect(result.history.validations).toEqual([3, 6, 7].map((s) => ({ step: s, metrics: { psnr: s } })));
    expect(result.checkpointStep).toBeNull();
    model.dispose();
  });

  it("shows a progress bar with loss and the step's metrics", async () => {
    const model = makeModel();
    const lines: string[] = [];
    await train({ steps: 3, step: model.step, progress: { label: "fit", stream: { write: (s: string) => lines.push(s) } } });
    const text = lines.join("");
    expect(text).toMatch(/fit \[#+\] 3\/3/);
    expect(text).toMatch(/loss \d/);
    expect(text).toMatch(/psnr \d/);
    model.dispose();
  });

  it("rejects bad options", async () => {
    const step = () => ({ loss: 1 });
    await expect(train({ steps: -1, step, progress: false })).rejects.toThrow(/steps must be an integer >= 0/);
    await expect(train({ steps: 3, step, progress: false, checkpoint: { path: join(dir, "x.avatar"), every: 0, save: () => { throw new Error("no"); } } }))
      .rejects.toThrow(/checkpoint.every/);
    await expect(train({ steps: 3, step, progress: false, divergence: { factor: 0.5 } })).rejects.toThrow(/divergence: factor/);
    expect(existsSync(join(dir, "x.avatar"))).toBe(false);
  });
});

describe("divergenceReason", () => {
  const history = (losses: number[]) => ({ steps: losses.map((loss, step) => ({ step, loss, metrics: {} })), validations: [] });
  const settings = { factor: 10, warmupSteps: 4, windowSteps: 3, patienceSteps: 1 };

  it("flags NaN and infinite losses always", () => {
    expect(divergenceReason(NaN, history([]), null)).toBe("the loss is NaN");
    expect(divergenceReason(Infinity, history([]), settings)).toBe("the loss is Infinity");
  });

  it("flags a loss above factor x the running median once warmed up", () => {
    expect(divergenceReason(100, history([1, 1, 1]), settings)).toBeNull(); // still warming up
    expect(divergenceReason(9.9, history([5, 1, 1, 1]), settings)).toBeNull();
    expect(divergenceReason(10.5, history([5, 1, 1, 1]), settings)).toBe(
      "the loss 10.50 is more than 10x the median 1.000 of the 3 steps before",
    );
    expect(divergenceReason(1e9, history([1, 1, 1, 1]), null)).toBeNull();
  });

  it("with patience, lets one spike pass and flags a loss that stays high", () => {
    const patient = { ...settings, patienceSteps: 3 };
    expect(divergenceReason(50, history([1, 1, 1, 1, 1]), patient)).toBeNull();
    expect(divergenceReason(50, history([1, 1, 1, 1, 1, 50, 1]), patient)).toBeNull();
    expect(divergenceReason(50, history([1, 1, 1, 1, 1, 40, 30]), patient)).toBe(
      "the last 3 losses (now 50.00) are all more than 10x the median 1.000 of the 3 steps before",
    );
  });

  it("stops a run whose loss jumps, naming the step", async () => {
    const losses = [1, 0.9, 0.8, 0.7, 0.6, 50];
    await expect(train({
      steps: 6, step: (i) => ({ loss: losses[i] }), progress: false, divergence: { warmupSteps: 3, patienceSteps: 1 },
    })).rejects.toThrow(/^training diverged at step 6 of 6: the loss 50\.00 is more than 10x the median 0\.8000 of the 5 steps before; no checkpoint was written/);
  });
});

describe("withInterruptSave", () => {
  it("aborts the signal on the first SIGINT, quits on the second, and removes its handlers", async () => {
    const source = new EventEmitter();
    const notes: string[] = [];
    let exits = 0;
    const result = await withInterruptSave(async (signal) => {
      expect(signal.aborted).toBe(false);
      source.emit("SIGINT");
      expect(signal.aborted).toBe(true);
      source.emit("SIGINT");
      return 42;
    }, { source, stream: { write: (s: string) => notes.push(s) }, exit: () => exits++ });
    expect(result).toBe(42);
    expect(exits).toBe(1);
    expect(notes.join("")).toMatch(/saving a checkpoint/);
    expect(source.listenerCount("SIGINT")).toBe(0);
    expect(source.listenerCount("SIGTERM")).toBe(0);
  });

  it("lets a training run stop cleanly on SIGINT with a checkpoint", async () => {
    const source = new EventEmitter();
    const model = makeModel();
    const path = join(dir, "sigint.avatar");
    const result = await withInterruptSave((signal) => run(model, path, {
      signal,
      onProgress: ({ step }) => {
        if (step === 4) setImmediate(() => source.emit("SIGINT"));
      },
    }), { source, stream: { write: () => true } });
    expect(result.interrupted).toBe(true);
    expect(readAvatarFile(path).training.step).toBe(result.step);
    expect(result.step).toBeGreaterThanOrEqual(4);
    expect(result.step).toBeLessThan(20);
    model.dispose();
  });
});
