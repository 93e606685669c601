import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, expect, it } from "vitest";
import { Random } from "../../core/random.js";
import { rotationAngleBetween } from "../../geometry/rigid.js";
import { readDatasetManifest } from "../load.js";
import { captureSynthetic } from "../synth/capture.js";
import { builtInSubject } from "../synth/subjects.js";
import { fitLandmarkTracks } from "./index.js";

const root = mkdtempSync(join(tmpdir(), "likeness-fit-speed-"));
afterAll(() => rmSync(root, { recursive: true, force: true }));

// Measures (prints, never asserts) the speed of a 1000-frame fit; asserts only its accuracy.
it("fits a 1050-frame track (a synthetic head-motion capture, tiled, with 1.5 px noise) and reports frames/s", async () => {
  const dir = join(root, "head");
  await captureSynthetic({
    subject: builtInSubject("ada"), outDir: dir, sizePx: 128, rig: "front", domeCameras: 1, sequence: "head",
    framesPerExpression: 1, fps: 15, sentence: "hello", voice: "formant", seed: 5, overwrite: false, progress: { write: () => true },
  });
  const ds = readDatasetManifest(dir);
  const rng = new Random(7);
  const truth: number[][] = [];
  const landmarks2d: number[][][] = [];
  for (let rep = 0; landmarks2d.length < 1050; rep++) {
    // Alternate forwards and backwards so the tiled motion stays continuous.
    const order = rep % 2 === 0 ? ds.frames : [...ds.frames].reverse();
    for (const f of order) {
      landmarks2d.push((f.landmarks2d ?? []).map(([x, y]) => [x + 1.5 * rng.normal(), y + 1.5 * rng.normal()]));
      truth.push(f.headPose?.rotationAxisAngle ?? [0, 0, 0]);
    }
  }
  const fit = fitLandmarkTracks({ landmarks2d, widthPx: 128, heightPx: 128, fps: ds.fps });
  let maxDeg = 0;
  fit.frames.forEach((fr, i) => {
    if (!fr.tracked) throw new Error(`frame ${i} untracked`);
    maxDeg = Math.max(maxDeg, (rotationAngleBetween(fr.headPose.rotationAxisAngle, truth[i]) * 180) / Math.PI);
  });
  const r = fit.report;
  console.log(
    `${landmarks2d.length} frames: per-video step ${r.videoStepSeconds.toFixed(2)} s; per-frame step ${r.sequenceStepSeconds.toFixed(2)} s = ${r.sequenceFramesPerSecond.toFixed(0)} frames/s; ` +
    `rotation error max ${maxDeg.toFixed(2)} deg; reprojection ${(100 * r.meanErrorFraction).toFixed(2)}% of the face-box diagonal`,
  );
  expect(r.trackedFrames).toBe(landmarks2d.length);
  expect(maxDeg).toBeLessThan(3);
});
