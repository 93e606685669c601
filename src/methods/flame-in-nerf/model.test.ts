import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { Random, getCore, noGrad, scope, tensor } from "../../core/index.js";
import { builtInSubject, captureSynthetic, loadDataset } from "../../data/index.js";
import { createFaceModel } from "../../face/index.js";
import { resolveFlameInNerfConfig } from "./config.js";
import { loadTrainingFrames, type TrainingFrame } from "./frames.js";
import { FlameInNerfModel } from "./model.js";
import { faceRegionWarp } from "./face-region.js";
import { occupiedFraction } from "./occupancy.js";

let frames: TrainingFrame[];
let identity: number[];
const faceModel = createFaceModel();

beforeAll(async () => {
  const out = join(mkdtempSync(join(tmpdir(), "likeness-fin-")), "ada");
  await captureSynthetic({
    subject: builtInSubject("ada"), outDir: out, sizePx: 40, rig: "front", domeCameras: 1, sequence: "expressions",
    framesPerExpression: 2, maxFrames: 12, fps: 30, sentence: "hi", voice: "formant", seed: 1, overwrite: true,
    progress: { write: () => true },
  });
  const dataset = await loadDataset(out);
  frames = await loadTrainingFrames(dataset);
  identity = dataset.manifest.identity ?? [];
});

function makeModel(): FlameInNerfModel {
  return new FlameInNerfModel({ config: resolveFlameInNerfConfig("tiny"), frames, faceModel, identity });
}

describe("FlameInNerfModel", () => {
  it("sends gradients to the planes, decoder, deformation MLP, latent codes and pose correction", () => {
    const model = new FlameInNerfModel({ config: resolveFlameInNerfConfig("tiny", { poseCorrection: { enabled: true } }), frames, faceModel, identity });
    // Stop Adam from consuming the gradients: look at them before the update.
    const step = model.optimizer.step.bind(model.optimizer);
    const seen = new Map<string, boolean>();
    model.optimizer.step = () => {
      for (const [name, p] of model.parameters()) seen.set(name, p.grad?.toArray().some((g) => g !== 0) ?? false);
      step();
    };
    model.trainStep(0);
    expect(seen.size).toBe(model.parameters().size);
    expect(seen.has("pose.weights")).toBe(true);
    for (const [name, nonzero] of seen) expect(nonzero, name).toBe(true);
    model.dispose();
  });

  it("corrects a tracked pose only: drives with a tracked expression move, exact poses do not", () => {
    const model = new FlameInNerfModel({ config: resolveFlameInNerfConfig("tiny", { poseCorrection: { enabled: true } }), frames, faceModel, identity });
    // A learned-looking correction: a 0.2 rad turn about y whatever the expression.
    model.poseCorrection!.bias.data.set([0, 0.2, 0, 0, 0, 0]);
    const pose = frames[0].frame.headPose!;
    const drive = { expression: frames[0].expression, rotationAxisAngle: pose.rotationAxisAngle, translation: pose.translation, latent: 0 };
    const colours = (condition: ReturnType<FlameInNerfModel["driveCondition"]>): Float32Array => noGrad(() => scope(() => {
      const points = tensor([0.03, 0.0, 0.12, -0.05, 0.02, 0.1], [2, 3]);
      return model.fieldFor(condition, 4)(points, tensor([0, 0, -1, 0, 0, -1], [2, 3])).rgb.toArray();
    }));
    const exact = colours(model.driveCondition(drive));
    expect(model.driveCondition(drive).poseExpression).toBeNull();
    const tracked = colours(model.driveCondition({ ...drive, trackedExpression: frames[0].expression }));
    const training = colours(model.frameCondition(0));
    expect(Array.from(tracked)).not.toEqual(Array.from(exact));
    // A training frame's pose was tracked with its own expression: the same correction.
    expect(Array.from(training)).toEqual(Array.from(tracked));
    model.poseCorrection!.bias.data.fill(0);
    expect(Array.from(colours(model.driveCondition({ ...drive, trackedExpression: frames[0].expression })))).toEqual(Array.from(exact));
    expect(() => model.driveCondition({ ...drive, trackedExpression: [1, 2] })).toThrow(/trackedExpression has 2 parameters/);
    model.dispose();
  });

  it("lowers the loss over 30 tiny steps, deterministically, with flat memory", () => {
    const model = makeModel();
    const alloc = getCore().allocator;
    const losses: number[] = [];
    let blocks = 0;
    let bytes = 0;
    for (let i = 0; i < 30; i++) {
      const r = model.trainStep(i);
      expect(Number.isFinite(r.loss)).toBe(true);
      expect(r.metrics.faceRegionFraction).toBeGreaterThan(0);
      losses.push(r.loss);
      if (i === 2) {
        blocks = alloc.liveBlocks;
        bytes = alloc.memoryBytes;
      } else if (i > 2) {
        expect(alloc.liveBlocks).toBe(blocks);
        expect(alloc.memoryBytes).toBe(bytes);
      }
    }
    const mean = (xs: number[]): number => xs.reduce((s, x) => s + x, 0) / xs.length;
    expect(mean(losses.slice(-5))).toBeLessThan(0.7 * mean(losses.slice(0, 5)));
    model.dispose();
    // The same steps again give the same losses.
    const again = makeModel();
    for (let i = 0; i < 3; i++) expect(again.trainStep(i).loss).toBe(losses[i]);
    again.dispose();
  });

  it("ignores the expression outside the face-model region (spatial prior), and not when the prior is off", () => {
    for (const enabled of [true, false]) {
      const model = new FlameInNerfModel({ config: resolveFlameInNerfConfig("tiny", { spatialPrior: { enabled } }), frames, faceModel, identity });
      // A trained-looking deformation: large output weights so the condition shows.
      for (const [name, p] of model.parameters()) if (name.startsWith("deformation.mlp")) p.data.set(new Random(9).randn(p.shape, 0.1).toArray());
      const pose = frames[0].frame.headPose!;
      const render = (expression: Float32Array): Float32Array => {
        const region = model.faceRegionFor(frames[0].expression, pose.rotationAxisAngle, pose.translation);
        const condition = { expression, rotation: frames[0].rotation, translation: frames[0].translation, faceRegion: region.grid, meshWarp: region.warp, latent: 0, poseExpression: null };
        const field = model.fieldFor(condition, 4);
        // A point on the nose tip region (in front of the face) and one far out by the shoulder.
        const points = tensor([0, -0.02, 0.1, 0.2, -0.2, -0.1], [2, 3]);
        return noGrad(() => scope(() => field(points, tensor([0, 0, -1, 0, 0, -1], [2, 3])).rgb.toArray()));
      };
      const neutral = render(new Float32Array(frames[0].expression.length));
      const smile = render(new Float32Array(frames[0].expression.length).fill(1));
      expect(smile.slice(0, 3), "near the face").not.toEqual(neutral.slice(0, 3));
      if (enabled) expect(smile.slice(3), "far away, prior on").toEqual(neutral.slice(3));
      else expect(smile.slice(3), "far away, prior off").not.toEqual(neutral.slice(3));
      model.dispose();
    }
  });

  it("skips samples in empty occupancy cells: kept samples match the full field exactly, skipped ones are empty", () => {
    const model = makeModel();
    for (let i = 0; i < 10; i++) model.trainStep(i);
    const occupancy = model.buildOccupancy({ resolution: 8, threshold: 2.6, dilation: 0 });
    const pose = frames[0].frame.headPose!;
    const condition = model.driveCondition({ expression: frames[0].expression, rotationAxisAngle: pose.rotationAxisAngle, translation: pose.translation });
    const rng = new Random(11);
    const center = model.boundsFor(condition.rotation, condition.translation);
    const points = rng.randUniform([300, 3], -0.25, 0.25).toArray();
    if (center.kind === "sphere") for (let i = 0; i < 300; i++) for (let k = 0; k < 3; k++) points[3 * i + k] += center.center[k];
    const dirs = new Float32Array(900).map((_, i) => (i % 3 === 2 ? -1 : 0));
    const query = (skip: boolean): { rgb: Float32Array; density: Float32Array } => noGrad(() => scope(() => {
      const out = model.fieldFor(condition, 4, undefined, skip ? occupancy : undefined)(tensor(points, [300, 3]), tensor(dirs, [300, 3]));
      return { rgb: out.rgb.toArray(), density: out.density.toArray() };
    }));
    const full = query(false);
    const skipped = query(true);
    let kept = 0;
    for (let i = 0; i < 300; i++) {
      if (skipped.density[i] === 0 && full.density[i] !== 0) continue;
      kept++;
      expect(skipped.density[i]).toBeCloseTo(full.density[i], 4);
      for (let c = 0; c < 3; c++) expect(skipped.rgb[3 * i + c]).toBeCloseTo(full.rgb[3 * i + c], 4);
    }
    expect(kept).toBeGreaterThan(0);
    expect(kept).toBeLessThan(300);
    model.dispose();
  });

  it("tests a sample for occupancy where the mesh warp takes it (the jaw wide open), and empties the torso above its ceiling", () => {
    const model = makeModel();
    const pose = frames[0].frame.headPose!;
    const expression = new Float32Array(frames[0].expression.length);
    expression[faceModel.expressionNames.indexOf("jawOpen")] = 1;
    const condition = model.driveCondition({ expression, rotationAxisAngle: pose.rotationAxisAngle, translation: pose.translation });
    const warp = condition.meshWarp!;
    // Points at the mesh vertices the open jaw moves most (more than a cell of the grid below).
    const vertices = condition.faceRegion.vertices;
    const moved = Array.from({ length: vertices.length / 3 }, (_, v) => v)
      .sort((a, b) => Math.hypot(warp[3 * b], warp[3 * b + 1], warp[3 * b + 2]) - Math.hypot(warp[3 * a], warp[3 * a + 1], warp[3 * a + 2]))
      .slice(0, 40);
    const n = moved.length;
    const points = new Float32Array(3 * n);
    moved.forEach((v, i) => points.set(vertices.subarray(3 * v, 3 * v + 3), 3 * i));
    // A grid that holds exactly the cells where the warp takes them, in the head cube's normalized coordinates.
    const { center, radius } = model.config.bounds;
    const r = condition.rotation, t = condition.translation;
    const offsets = faceRegionWarp(condition.faceRegion, warp, points).offsets;
    const resolution = 64;
    const cells = new Uint8Array(resolution ** 3);
    const cellOf = (q: number[]): number => {
      const [ix, iy, iz] = q.map((x) => Math.floor(((x + 1) / 2) * resolution));
      return (iz * resolution + iy) * resolution + ix;
    };
    const unwarpedCells = new Set<number>();
    for (let i = 0; i < n; i++) {
      const d = [0, 1, 2].map((k) => points[3 * i + k] - t[k]);
      const head = [0, 1, 2].map((k) => (r[k] * d[0] + r[3 + k] * d[1] + r[6 + k] * d[2] - center[k]) / radius);
      cells[cellOf(head.map((x, k) => x + offsets[3 * i + k]))] = 1;
      unwarpedCells.add(cellOf(head));
    }
    expect([...unwarpedCells].filter((c) => cells[c] === 0).length).toBeGreaterThan(n / 2);
    const occupancy = { head: { resolution, cells }, torso: null };
    const dirs = new Float32Array(3 * n).map((_, i) => (i % 3 === 2 ? -1 : 0));
    const density = noGrad(() => scope(() => model.fieldFor(condition, 4, undefined, occupancy)(tensor(points, [n, 3]), tensor(dirs, [n, 3])).density.toArray()));
    for (let i = 0; i < n; i++) expect(density[i]).toBeGreaterThan(0);
    // The torso is never rendered above its ceiling, so its grid is empty there (the untrained field is dense everywhere).
    expect(occupiedFraction(model.buildOccupancy({ threshold: 0 }).torso!)).toBeLessThan(0.9);
    model.dispose();
  });
});
