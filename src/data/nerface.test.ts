import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import sharp from "sharp";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  invertTransform, lookAtCamera, projectPoints, rotationFromAxisAngle, transformPoint, type RigidTransform, type Vec3,
} from "../geometry/index.js";
import { DatasetError } from "./dataset.js";
import { loadDataset } from "./load.js";
import { importNerfaceDataset } from "./nerface.js";

const SIZE = 8;
let root: string;
let source: string;

/** A NeRFace camera-to-world matrix (OpenGL camera axes) for a camera at `eye` looking at the origin. */
function nerfaceMatrix(eye: Vec3): number[][] {
  const cameraToWorld = invertTransform(lookAtCamera({ eye, target: [0, 0, 0], widthPx: SIZE, heightPx: SIZE, focalPx: 1 }).worldToCamera);
  const r = cameraToWorld.rotation;
  const c = cameraToWorld.translation;
  // OpenCV camera axes (y down, z forward) to OpenGL (y up, z backward): negate the y and z columns.
  return [
    [r[0], -r[1], -r[2], c[0]],
    [r[3], -r[4], -r[5], c[1]],
    [r[6], -r[7], -r[8], c[2]],
    [0, 0, 0, 1],
  ];
}

/**
 * NeRFace's own projection, written from its ray generation: the ray of pixel
 * index (i, j) has OpenGL camera direction ((i - W cx) / fx, -(j - H cy) / fy, -1).
 */
function projectNerface(m: number[][], intrinsics: [number, number, number, number], p: Vec3): [number, number] {
  const [fx, fy, cx, cy] = intrinsics;
  const d = [p[0] - m[0][3], p[1] - m[1][3], p[2] - m[2][3]];
  // Camera-frame point: R^T (p - c).
  const x = m[0][0] * d[0] + m[1][0] * d[1] + m[2][0] * d[2];
  const y = m[0][1] * d[0] + m[1][1] * d[1] + m[2][1] * d[2];
  const z = m[0][2] * d[0] + m[1][2] * d[1] + m[2][2] * d[2];
  return [(fx * x) / -z + SIZE * cx, SIZE * cy - (fy * y) / -z];
}

const TRAIN_INTRINSICS: [number, number, number, number] = [12, 11, 0.45, 0.55];
const EYES: Vec3[] = [[0, 0, 4], [1.5, 0.5, 3.5], [-2, -1, 3]];

async function writePng(path: string, value: number): Promise<void> {
  await sharp(new Uint8Array(SIZE * SIZE * 3).fill(value), { raw: { width: SIZE, height: SIZE, channels: 3 } }).png().toFile(path);
}

beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), "likeness-nerface-"));
  source = join(root, "person");
  for (const split of ["train", "val"]) mkdirSync(join(source, split), { recursive: true });
  const trainFrames = [];
  for (let i = 0; i < EYES.length; i++) {
    await writePng(join(source, "train", `f_${i}.png`), 10 * i);
    trainFrames.push({ file_path: `./train/f_${i}`, transform_matrix: nerfaceMatrix(EYES[i]), expression: [i, -i, 0.5], bbox: [0, 1, 0, 1] });
  }
  writeFileSync(join(source, "transforms_train.json"), JSON.stringify({ camera_angle_x: 0.8, intrinsics: TRAIN_INTRINSICS, frames: trainFrames }));
  await writePng(join(source, "val", "f_0.png"), 200);
  writeFileSync(
    join(source, "transforms_val.json"),
    JSON.stringify({ camera_angle_x: 0.8, frames: [{ file_path: "./val/f_0", transform_matrix: nerfaceMatrix([0, 0, 5]), expression: [9, 9, 9] }] }),
  );
});

afterAll(() => rmSync(root, { recursive: true, force: true }));

describe("importNerfaceDataset", () => {
  it("converts the layout: frames, splits, expressions, cameras", async () => {
    const out = join(root, "imported");
    const manifest = await importNerfaceDataset(source, out, { fps: 30 });
    expect(manifest.source).toEqual({ kind: "import", from: "nerface", path: source });
    expect(manifest.name).toBe("person");
    expect(manifest.faceModel.expressionNames).toEqual(["nerface-0", "nerface-1", "nerface-2"]);
    expect(manifest.frames.map((f) => [f.index, f.split, f.cameraId, f.image])).toEqual([
      [0, "train", "video", "frames/00000.png"],
      [1, "train", "video", "frames/00001.png"],
      [2, "train", "video", "frames/00002.png"],
      [3, "val", "video-1", "frames/00003.png"],
    ]);
    expect(manifest.frames[2].expression).toEqual([2, -2, 0.5]);
    expect(manifest.frames[3].timeSeconds).toBeCloseTo(0.1, 12);
    // The val split has no intrinsics, so its camera comes from camera_angle_x.
    const focal = (0.5 * SIZE) / Math.tan(0.4);
    expect(manifest.cameras[1].focalPx).toEqual([focal, focal]);
    expect(manifest.cameras[1].principalPx).toEqual([4.5, 4.5]);

    const loaded = await loadDataset(out);
    const { data } = await sharp(loaded.frames[3].imagePath).raw().toBuffer({ resolveWithObject: true });
    expect(data[0]).toBe(200);
  });

  it("keeps every point on the pixel NeRFace projects it to", async () => {
    const loaded = await loadDataset(join(root, "imported"));
    const points: Vec3[] = [[0, 0, 0], [0.1, 0.2, -0.05], [-0.15, 0.05, 0.1], [0.2, -0.2, 0.2]];
    loaded.frames.slice(0, EYES.length).forEach((frame, i) => {
      const camera = loaded.cameras.get(frame.cameraId)?.camera;
      const pose = frame.headPose;
      if (!camera || !pose) throw new Error("imported frame lacks camera or pose");
      const modelToWorld: RigidTransform = { rotation: rotationFromAxisAngle(pose.rotationAxisAngle), translation: pose.translation };
      const world = new Float32Array(points.flatMap((p) => transformPoint(modelToWorld, p)));
      const { pixels, depth } = projectPoints(camera, world);
      points.forEach((p, k) => {
        const [u, v] = projectNerface(nerfaceMatrix(EYES[i]), TRAIN_INTRINSICS, p);
        // NeRFace puts pixel index i at coordinate i; Likeness puts its centre at i + 0.5.
        expect(pixels[2 * k]).toBeCloseTo(u + 0.5, 4);
        expect(pixels[2 * k + 1]).toBeCloseTo(v + 0.5, 4);
        expect(depth[k]).toBeGreaterThan(0);
      });
    });
  });

  it("matches a hand-worked case: camera 4 units up +z, point above the origin appears above the centre", async () => {
    const loaded = await loadDataset(join(root, "imported"));
    const pose = loaded.frames[0].headPose;
    if (!pose) throw new Error("no pose");
    // NeRFace camera at (0, 0, 4) looking down -z: OpenCV camera frame is x right, y down, z forward.
    const p = transformPoint({ rotation: rotationFromAxisAngle(pose.rotationAxisAngle), translation: pose.translation }, [0.1, 0.2, 0]);
    expect(p[0]).toBeCloseTo(0.1, 9);
    expect(p[1]).toBeCloseTo(-0.2, 9);
    expect(p[2]).toBeCloseTo(4, 9);
    // u = fx x / z + cx = 12 * 0.1 / 4 + 8 * 0.45 + 0.5; v = 11 * -0.2 / 4 + 8 * 0.55 + 0.5.
    const { pixels } = projectPoints(loaded.cameras.get("video")!.camera, new Float32Array(p));
    expect(pixels[0]).toBeCloseTo(0.3 + 3.6 + 0.5, 5);
    expect(pixels[1]).toBeCloseTo(-0.55 + 4.4 + 0.5, 5);
  });

  it("names what is wrong with a broken NeRFace folder and leaves no output", async () => {
    await expect(importNerfaceDataset(join(root, "nope"), join(root, "x"))).rejects.toThrow(new DatasetError(`${join(root, "nope")}: no such folder`));
    const empty = join(root, "empty");
    mkdirSync(empty);
    await expect(importNerfaceDataset(empty, join(root, "x"))).rejects.toThrow(/no transforms_train\.json, transforms_val\.json or transforms_test\.json/);

    const broken = join(root, "broken");
    mkdirSync(join(broken, "train"), { recursive: true });
    await writePng(join(broken, "train", "a.png"), 1);
    const frames = [
      { file_path: "train/a", transform_matrix: nerfaceMatrix([0, 0, 4]), expression: [1] },
      { file_path: "train/b", transform_matrix: nerfaceMatrix([0, 0, 4]), expression: [1] },
    ];
    writeFileSync(join(broken, "transforms_train.json"), JSON.stringify({ intrinsics: TRAIN_INTRINSICS, frames }));
    await expect(importNerfaceDataset(broken, join(root, "out-broken"))).rejects.toThrow(
      new DatasetError(`${join(broken, "train/b.png")}: image is missing (named by frame frames/00001.png)`),
    );
    expect(readdirSync(root).filter((e) => e.startsWith("out-broken"))).toEqual([]);

    frames[1] = { file_path: "train/a", transform_matrix: [[2, 0, 0, 0], [0, 1, 0, 0], [0, 0, 1, 4], [0, 0, 0, 1]], expression: [1] };
    writeFileSync(join(broken, "transforms_train.json"), JSON.stringify({ intrinsics: TRAIN_INTRINSICS, frames }));
    await expect(importNerfaceDataset(broken, join(root, "out-broken"))).rejects.toThrow(/transforms_train\.json frames\[1\]: transform_matrix is not rigid/);

    writeFileSync(join(broken, "transforms_train.json"), JSON.stringify({ frames }));
    await expect(importNerfaceDataset(broken, join(root, "out-broken"))).rejects.toThrow(/has neither intrinsics nor camera_angle_x/);
    expect(existsSync(join(root, "out-broken"))).toBe(false);
  });
});
