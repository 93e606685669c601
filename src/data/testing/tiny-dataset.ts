import { LANDMARK_COUNT, type DatasetInput } from "../dataset.js";
import { encodeWav } from "../wav.js";
import type { DatasetWriter } from "../write.js";

/** Sizes of the two cameras of {@link writeTinyDataset}: a front camera and a small dome camera. */
export const TINY_SIZES = { front: [8, 6], dome: [4, 4] } as const;

/**
 * A complete small manifest for tests: two cameras (front 8x6 with masks and
 * landmarks, dome 4x4), three time steps, the last one untracked on the front
 * camera, and an audio track. The files it names are written by {@link writeTinyDataset}.
 */
export function tinyManifest(): DatasetInput {
  const landmarks = Array.from({ length: LANDMARK_COUNT }, (_, i): [number, number] => [(i % 8) + 0.5, (i % 6) + 0.25]);
  const frames: DatasetInput["frames"] = [];
  for (let index = 0; index < 3; index++) {
    const tracked = index < 2;
    frames.push({
      index,
      timeSeconds: index / 30,
      cameraId: "front",
      image: `frames/front/${index}.png`,
      masks: { foreground: `masks/front/${index}-fg.png`, mouth: `masks/front/${index}-mouth.png` },
      tracked,
      expression: tracked ? [0.1 * index, 0] : null,
      headPose: tracked ? { rotationAxisAngle: [0, 0.1 * index, 0], translation: [0, 0, 0.5] } : null,
      landmarks2d: tracked ? landmarks : null,
      phoneme: index === 0 ? "sil" : "a",
      lighting: { shCoefficients: [[1, 1, 1], [0, 0.1, 0], [0.2, 0.2, 0.2], [0, 0, 0]] },
      split: index === 2 ? "val" : "train",
    });
    frames.push({
      index,
      timeSeconds: index / 30,
      cameraId: "dome-0",
      image: `frames/dome-0/${index}.png`,
      expression: [0.1 * index, 0],
      headPose: { rotationAxisAngle: [0, 0.1 * index, 0], translation: [0, 0, 0.5] },
    });
  }
  return {
    format: "likeness-dataset",
    version: 1,
    name: "tiny",
    source: { kind: "synthetic", subject: "ada", seed: 7 },
    fps: 30,
    faceModel: { identityNames: ["faceWidth"], expressionNames: ["jawOpen", "blinkLeft"] },
    identity: [0.5],
    cameras: [
      {
        id: "front",
        kind: "front",
        widthPx: TINY_SIZES.front[0],
        heightPx: TINY_SIZES.front[1],
        focalPx: [10, 10],
        principalPx: [4, 3],
        worldToCamera: { rotation: [1, 0, 0, 0, 1, 0, 0, 0, 1], translation: [0, 0, 0] },
      },
      {
        id: "dome-0",
        kind: "dome",
        widthPx: TINY_SIZES.dome[0],
        heightPx: TINY_SIZES.dome[1],
        focalPx: [5, 5],
        principalPx: [2, 2],
        worldToCamera: { rotation: [0, 0, -1, 0, 1, 0, 1, 0, 0], translation: [0, 0, 1] },
      },
    ],
    frames,
    audio: { path: "audio.wav", sampleRate: 16000, offsetSeconds: 0.25 },
  };
}

/** Writes the images, masks and audio that {@link tinyManifest} names, and returns the manifest. */
export async function writeTinyDataset(writer: DatasetWriter): Promise<DatasetInput> {
  const manifest = tinyManifest();
  for (const f of manifest.frames) {
    const [w, h] = f.cameraId === "front" ? TINY_SIZES.front : TINY_SIZES.dome;
    const rgb = new Uint8Array(w * h * 3).map((_, i) => (i * 7 + f.index * 31) & 255);
    await writer.writeImage(f.image, rgb, w, h, 3);
    for (const path of Object.values(f.masks ?? {})) {
      if (path !== undefined) await writer.writeMask(path, new Float32Array(w * h).fill(1), w, h);
    }
  }
  const samples = new Float32Array(1600).map((_, i) => 0.5 * Math.sin(i / 10));
  await writer.writeAudio("audio.wav", encodeWav({ sampleRate: 16000, channels: [samples] }));
  return manifest;
}
