import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import sharp from "sharp";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Random } from "../../core/random.js";
import { createFaceModel } from "../../face/index.js";
import { rotationAngleBetween, rotationFromAxisAngle, type Vec3 } from "../../geometry/rigid.js";
import type { Dataset } from "../dataset.js";
import { readDatasetManifest } from "../load.js";
import { captureSynthetic, type SynthSequence } from "../synth/capture.js";
import { builtInSubject } from "../synth/subjects.js";
import { drawFitOverlay, faceOverlayTriangles, FitError, fitLandmarkTracks, fittedVertices, poseJitter, type FitResult } from "./index.js";
import { addExpression, identityLandmarks, landmarkModel } from "./landmark-model.js";

const root = mkdtempSync(join(tmpdir(), "likeness-fit-"));
const captures = new Map<SynthSequence, { dir: string; ds: Dataset }>();

beforeAll(async () => {
  for (const sequence of ["head", "expressions"] as const) {
    const dir = join(root, sequence);
    await captureSynthetic({
      subject: builtInSubject("bruno"), outDir: dir, sizePx: 128, rig: "front", domeCameras: 1, sequence,
      framesPerExpression: 6, fps: 15, sentence: "hello", voice: "formant", seed: 3, overwrite: false, progress: { write: () => true },
    });
    captures.set(sequence, { dir, ds: readDatasetManifest(dir) });
  }
});
afterAll(() => rmSync(root, { recursive: true, force: true }));

const get = (s: SynthSequence): { dir: string; ds: Dataset } => {
  const c = captures.get(s);
  if (!c) throw new Error(`no ${s} capture`);
  return c;
};

/** Angle of R(a) R(b)^T, degrees. */
function rotationErrorDeg(a: readonly number[], b: readonly number[]): number {
  return (rotationAngleBetween(a, b) * 180) / Math.PI;
}

/** The dataset's landmarks, with Gaussian noise of `sigmaPx` (seeded). */
function tracks(ds: Dataset, sigmaPx: number, seed = 1): number[][][] {
  const rng = new Random(seed);
  return ds.frames.map((f) => (f.landmarks2d ?? []).map(([x, y]) => [x + sigmaPx * rng.normal(), y + sigmaPx * rng.normal()]));
}

interface Comparison {
  maxRotationDeg: number;
  meanRotationDeg: number;
  focalError: number;
  /** Mean absolute error per expression parameter over the fitted frames. */
  expressionMae: Map<string, number>;
}

function compare(ds: Dataset, fit: FitResult): Comparison {
  const names = ds.faceModel.expressionNames;
  const sums = new Float64Array(names.length);
  let maxRotationDeg = 0, sumRotation = 0, count = 0;
  ds.frames.forEach((f, i) => {
    const fr = fit.frames[i];
    if (!fr.tracked || !f.headPose || !f.expression) return;
    const d = rotationErrorDeg(fr.headPose.rotationAxisAngle, f.headPose.rotationAxisAngle);
    maxRotationDeg = Math.max(maxRotationDeg, d);
    sumRotation += d;
    count++;
    fr.expression.forEach((v, k) => { sums[k] += Math.abs(v - (f.expression as number[])[k]); });
  });
  return {
    maxRotationDeg,
    meanRotationDeg: sumRotation / count,
    focalError: fit.focalPx / ds.cameras[0].focalPx[0] - 1,
    expressionMae: new Map(names.map((n, k) => [n, sums[k] / count])),
  };
}

function printTable(title: string, c: Comparison, fit: FitResult): void {
  const rows = [...c.expressionMae].map(([n, e]) => `  ${n.padEnd(22)} ${e.toFixed(3)}`);
  console.log(
    `${title}: rotation error max ${c.maxRotationDeg.toFixed(2)} deg, mean ${c.meanRotationDeg.toFixed(2)} deg; focal ${fit.focalPx.toFixed(1)} px (${(100 * c.focalError).toFixed(2)}%); ` +
    `reprojection mean ${fit.report.meanErrorPx.toFixed(3)} px = ${(100 * fit.report.meanErrorFraction).toFixed(3)}% of the face-box diagonal, worst frame ${(100 * fit.report.maxFrameErrorFraction).toFixed(3)}%; ` +
    `video step ${fit.report.videoStepSeconds.toFixed(2)} s, per-frame step ${fit.report.sequenceFramesPerSecond.toFixed(0)} frames/s\n` +
    `  expression parameter   mean abs error\n${rows.join("\n")}`,
  );
}

describe("fitLandmarkTracks on synthetic captures", () => {
  it("recovers pose, focal length and landmarks from exact landmarks, starting from a focal guess 2x off", () => {
    for (const sequence of ["head", "expressions"] as const) {
      const { ds } = get(sequence);
      const fit = fitLandmarkTracks({ landmarks2d: tracks(ds, 0), widthPx: 128, heightPx: 128, fps: ds.fps });
      const c = compare(ds, fit);
      printTable(`exact landmarks, ${sequence}`, c, fit);
      expect(fit.report.trackedFrames).toBe(ds.frames.length);
      expect(c.maxRotationDeg).toBeLessThan(3);
      expect(Math.abs(c.focalError)).toBeLessThan(0.05);
      expect(fit.report.maxFrameErrorFraction).toBeLessThan(0.005);
      expect(fit.identity).toHaveLength(createFaceModel().identityNames.length);
      // The fit's camera sits 3 cm above the front rig's (same orientation), so translations differ by that.
      for (const [i, f] of ds.frames.entries()) {
        const fr = fit.frames[i];
        if (!fr.tracked || !f.headPose) throw new Error("untracked");
        const t = f.headPose.translation;
        expect(Math.hypot(fr.headPose.translation[0] - t[0], fr.headPose.translation[1] - 0.03 - t[1], fr.headPose.translation[2] - t[2])).toBeLessThan(0.03);
      }
      if (sequence === "expressions") expect(c.expressionMae.get("jawOpen")).toBeLessThan(0.05);
    }
  });

  it("stays within 3 degrees with 1.5 px of landmark noise, and reports the expression error per parameter", () => {
    for (const sequence of ["head", "expressions"] as const) {
      const { ds } = get(sequence);
      const fit = fitLandmarkTracks({ landmarks2d: tracks(ds, 1.5), widthPx: 128, heightPx: 128, focalPxGuess: 200, fps: ds.fps });
      const c = compare(ds, fit);
      printTable(`1.5 px noise, ${sequence}`, c, fit);
      expect(c.maxRotationDeg).toBeLessThan(3);
      expect(c.expressionMae.get("jawOpen")).toBeLessThan(0.15);
      for (const e of c.expressionMae.values()) expect(e).toBeLessThan(0.3);
    }
  });

  it("lets tracked depths correct a tracker that flattens the face's relief (and so under-reads rotation)", () => {
    // A face-mesh network pulls its image landmarks towards a frontal face: rotations
    // move them less than they move the real face. Modelled here by landmarks of the
    // same head with its relief flattened to 50%, and depths of the real head.
    const { ds } = get("head");
    const lm = landmarkModel(createFaceModel());
    const neutral = identityLandmarks(lm, ds.identity ?? []);
    const cam = ds.cameras[0];
    const [f] = cam.focalPx, [cx, cy] = cam.principalPx, rc = cam.worldToCamera.rotation, tc = cam.worldToCamera.translation;
    const x = new Float64Array(neutral.length);
    const landmarks2d: number[][][] = [], depths: number[][] = [];
    for (const frame of ds.frames) {
      addExpression(lm, neutral, frame.expression ?? [], x);
      let meanZ = 0;
      for (let l = 0; l < 468; l++) meanZ += x[3 * l + 2] / 468;
      const r = rotationFromAxisAngle(frame.headPose!.rotationAxisAngle as Vec3), t = frame.headPose!.translation;
      const camera = (p: readonly number[]): number[] => {
        const w = [0, 1, 2].map((i) => r[3 * i] * p[0] + r[3 * i + 1] * p[1] + r[3 * i + 2] * p[2] + t[i]);
        return [0, 1, 2].map((i) => rc[3 * i] * w[0] + rc[3 * i + 1] * w[1] + rc[3 * i + 2] * w[2] + tc[i]);
      };
      const originDepth = camera([0, 0, 0])[2];
      const pts: number[][] = [], zs: number[] = [];
      for (let l = 0; l < 478; l++) {
        const p = [x[3 * l], x[3 * l + 1], x[3 * l + 2]];
        const flat = camera([p[0], p[1], meanZ + 0.5 * (p[2] - meanZ)]);
        pts.push([(f * flat[0]) / flat[2] + cx, (f * flat[1]) / flat[2] + cy]);
        zs.push((f * camera(p)[2]) / originDepth);
      }
      landmarks2d.push(pts);
      depths.push(zs);
    }
    const settings = { fitIdentity: false };
    const common = { landmarks2d, widthPx: 128, heightPx: 128, fps: ds.fps, identity: ds.identity, focalPxGuess: f };
    const flat = compare(ds, fitLandmarkTracks({ ...common, settings }));
    const withDepth = compare(ds, fitLandmarkTracks({ ...common, landmarkDepthsPx: depths, settings }));
    console.log(`relief flattened to 50%: rotation error mean ${flat.meanRotationDeg.toFixed(2)} deg, max ${flat.maxRotationDeg.toFixed(2)}; with depths ${withDepth.meanRotationDeg.toFixed(2)}, ${withDepth.maxRotationDeg.toFixed(2)}`);
    expect(withDepth.maxRotationDeg).toBeLessThan(0.5 * flat.maxRotationDeg);
    expect(withDepth.meanRotationDeg).toBeLessThan(0.5 * flat.meanRotationDeg);
  });

  it("smooths the tracker's jitter out of the head pose with second differences, without holding back the head's sweep", () => {
    const { ds } = get("head");
    const landmarks2d = tracks(ds, 1.5, 5);
    const rough = fitLandmarkTracks({ landmarks2d, widthPx: 128, heightPx: 128, fps: ds.fps, settings: { accelRotation: 0, accelTranslation: 0 } });
    const smooth = fitLandmarkTracks({ landmarks2d, widthPx: 128, heightPx: 128, fps: ds.fps });
    const truth = poseJitter(ds.frames.map((f, index) => ({
      index, tracked: true, headPose: f.headPose!, expression: f.expression!, meanErrorPx: 0, maxErrorPx: 0, faceSizePx: 1, meanErrorFraction: 0,
    })));
    const [r, sm] = [rough, smooth].map((fit) => ({ jitter: fit.report.poseJitter, error: compare(ds, fit) }));
    console.log(
      `head sweep, 1.5 px noise: rotation acceleration ${r.jitter.rotationAccelDeg.toFixed(3)} -> ${sm.jitter.rotationAccelDeg.toFixed(3)} deg/frame^2 ` +
      `(truth ${truth.rotationAccelDeg.toFixed(3)}), speed ${r.jitter.rotationSpeedDeg.toFixed(3)} -> ${sm.jitter.rotationSpeedDeg.toFixed(3)} (truth ${truth.rotationSpeedDeg.toFixed(3)}); ` +
      `rotation error mean ${r.error.meanRotationDeg.toFixed(2)} -> ${sm.error.meanRotationDeg.toFixed(2)} deg`,
    );
    expect(sm.jitter.rotationAccelDeg).toBeLessThan(0.5 * r.jitter.rotationAccelDeg);
    expect(sm.jitter.translationAccelMm).toBeLessThan(0.5 * r.jitter.translationAccelMm);
    // The sweep's speed survives (the noise only adds speed), and the poses come closer to the truth.
    expect(sm.jitter.rotationSpeedDeg).toBeGreaterThan(0.7 * truth.rotationSpeedDeg);
    expect(sm.error.meanRotationDeg).toBeLessThan(r.error.meanRotationDeg);
  });

  it("skips and reports untracked frames without filling them, and fits their neighbours", () => {
    const { ds } = get("head");
    const landmarks2d: (number[][] | null)[] = tracks(ds, 1.5, 2);
    const missing = [0, 5, 6, 7, 30, ds.frames.length - 1];
    for (const i of missing) landmarks2d[i] = null;
    const progress = new Set<string>();
    const fit = fitLandmarkTracks({ landmarks2d, widthPx: 128, heightPx: 128, fps: ds.fps, onProgress: (p) => progress.add(p.stage) });
    expect(fit.report.untrackedFrames).toEqual(missing);
    expect(fit.report.trackedFrames).toBe(ds.frames.length - missing.length);
    expect([...progress]).toEqual(["keyframes", "video", "initialize", "sequence"]);
    for (const i of missing) expect(fit.frames[i]).toEqual({ index: i, tracked: false });
    const c = compare(ds, fit);
    expect(c.maxRotationDeg).toBeLessThan(3);
  });
});

describe("fitLandmarkTracks input checks", () => {
  const frame = (): number[][] => Array.from({ length: 478 }, (_, i) => [10 + (i % 20), 10 + Math.floor(i / 20)]);
  it("refuses bad input with one-line FitErrors", () => {
    const fit = (o: Partial<Parameters<typeof fitLandmarkTracks>[0]>): FitResult => fitLandmarkTracks({ landmarks2d: [frame()], widthPx: 64, heightPx: 64, ...o });
    expect(() => fit({ landmarks2d: [null, null, null] })).toThrow(/none of the 3 frames has landmarks/);
    expect(() => fit({ landmarks2d: [frame().slice(0, 100)] })).toThrow(/landmarks2d\[0\] has 100 entries/);
    const bad = frame();
    bad[7] = [Number.NaN, 1];
    expect(() => fit({ landmarks2d: [frame(), bad] })).toThrow(/landmarks2d\[1\]\[7\] is not a pair of finite numbers/);
    expect(() => fit({ widthPx: 0 })).toThrow(FitError);
    expect(() => fit({ focalPxGuess: -3 })).toThrow(/focalPxGuess/);
    expect(() => fit({ settings: { sequenceIteration: 3 } as never })).toThrow(/settings/);
    expect(() => fit({ identity: [1, 2] })).toThrow(/identity must have/);
    const depth = Array.from({ length: 478 }, () => 0);
    expect(() => fit({ landmarkDepthsPx: [depth, depth] })).toThrow(/landmarkDepthsPx must have one entry per frame \(1\)/);
    expect(() => fit({ landmarkDepthsPx: [depth.slice(0, 400)] })).toThrow(/landmarkDepthsPx\[0\] must hold 468/);
    expect(() => fit({ landmarkDepthsPx: [depth.map((z, i) => (i === 9 ? Number.POSITIVE_INFINITY : z))] })).toThrow(/landmarkDepthsPx\[0\]\[9\] is not a finite number/);
    expect(() => fit({ landmarkDepthsPx: [null] })).not.toThrow();
  });
});

describe("drawFitOverlay", () => {
  it("draws the fitted mesh (hidden lines removed) and the landmarks over a frame, leaving the input alone", async () => {
    const { dir, ds } = get("head");
    const fit = fitLandmarkTracks({ landmarks2d: tracks(ds, 0), widthPx: 128, heightPx: 128, settings: { sequenceIterations: 3, videoIterations: 5 } });
    const index = 20;
    const fr = fit.frames[index];
    if (!fr.tracked) throw new Error("untracked");
    const { data } = await sharp(join(dir, ds.frames[index].image)).removeAlpha().raw().toBuffer({ resolveWithObject: true });
    const rgb = new Uint8Array(data);
    const before = Uint8Array.from(rgb);
    const model = createFaceModel();
    const vertices = fittedVertices({
      model, identity: fit.identity, expression: fr.expression,
      rotationAxisAngle: fr.headPose.rotationAxisAngle as Vec3, translation: fr.headPose.translation as Vec3,
    });
    const landmarks2d = ds.frames[index].landmarks2d ?? [];
    const out = drawFitOverlay({ rgb, widthPx: 128, heightPx: 128, camera: fit.camera, vertices, triangles: model.triangles, landmarks2d, landmarkColor: [255, 0, 255] });
    expect(rgb).toEqual(before);
    expect(out).toHaveLength(rgb.length);
    // Landmark dots are opaque.
    const [lx, ly] = landmarks2d[1];
    const i = 3 * (Math.floor(ly) * 128 + Math.floor(lx));
    expect([out[i], out[i + 1], out[i + 2]]).toEqual([255, 0, 255]);
    // The wireframe covers the head and nothing in the top corners.
    let changed = 0;
    for (let p = 0; p < 128 * 128; p++) if (out[3 * p] !== rgb[3 * p] || out[3 * p + 1] !== rgb[3 * p + 1]) changed++;
    expect(changed).toBeGreaterThan(800);
    for (const [x, y] of [[1, 1], [126, 1]]) {
      const k = 3 * (y * 128 + x);
      expect(out.subarray(k, k + 3)).toEqual(rgb.subarray(k, k + 3));
    }
    const faceOnly = drawFitOverlay({ rgb, widthPx: 128, heightPx: 128, camera: fit.camera, vertices, triangles: model.triangles, wireTriangles: faceOverlayTriangles(model) });
    let changedFace = 0;
    for (let p = 0; p < 128 * 128; p++) if (faceOnly[3 * p] !== rgb[3 * p] || faceOnly[3 * p + 1] !== rgb[3 * p + 1]) changedFace++;
    expect(changedFace).toBeGreaterThan(300);
    expect(changedFace).toBeLessThan(changed);
    if (process.env.LIKENESS_WRITE_OVERLAY) {
      await sharp(Buffer.from(faceOnly), { raw: { width: 128, height: 128, channels: 3 } }).resize(384, 384, { kernel: "nearest" }).png().toFile(`${process.env.LIKENESS_WRITE_OVERLAY}-face.png`);
      await sharp(Buffer.from(out), { raw: { width: 128, height: 128, channels: 3 } }).resize(384, 384, { kernel: "nearest" }).png().toFile(process.env.LIKENESS_WRITE_OVERLAY);
    }
    expect(() => drawFitOverlay({ rgb: rgb.subarray(3), widthPx: 128, heightPx: 128, camera: fit.camera, vertices, triangles: model.triangles })).toThrow(/expected 128x128x3/);
  });
});
