/**
 * Training frames of a dataset for FLAME-in-NeRF: target pixels composited over
 * the training background with the foreground mask, head pose and expression.
 */
import sharp, { type OutputInfo } from "sharp";
import type { LoadedDataset, LoadedFrame } from "../../data/index.js";
import { rotationFromAxisAngle, type Mat3, type PinholeCamera, type Vec3 } from "../../geometry/index.js";

/** One frame, ready to sample rays from. */
export interface TrainingFrame {
  /** Its dataset entry. */
  readonly frame: LoadedFrame;
  readonly camera: PinholeCamera;
  /** Target colour [H*W*3] in [0, 1] (sRGB values as stored), row-major; the background colour outside the foreground mask. */
  readonly rgb: Float32Array;
  /** Foreground mask [H*W] in [0, 1], or null when the dataset has none. */
  readonly foreground: Float32Array | null;
  /** Expression parameters [E]. */
  readonly expression: Float32Array;
  /** Head-to-world rotation (p_world = R p_head + t). */
  readonly rotation: Mat3;
  /** Head-to-world translation, metres. */
  readonly translation: Vec3;
}

/** Thrown when a dataset cannot be trained on (no tracked frames, an unreadable image). */
export class TrainingDataError extends Error {
  override readonly name = "TrainingDataError";
}

async function readChannels(path: string, widthPx: number, heightPx: number, channels: 1 | 3): Promise<Float32Array> {
  let raw: { data: Buffer; info: OutputInfo };
  try {
    raw = await sharp(path).raw().toBuffer({ resolveWithObject: true });
  } catch (e) {
    throw new TrainingDataError(`${path}: cannot read image (${(e as Error).message})`);
  }
  const { data, info } = raw;
  if (info.width !== widthPx || info.height !== heightPx) throw new TrainingDataError(`${path}: is ${info.width}x${info.height}, expected ${widthPx}x${heightPx}`);
  const out = new Float32Array(widthPx * heightPx * channels);
  for (let p = 0; p < widthPx * heightPx; p++) {
    for (let c = 0; c < channels; c++) out[p * channels + c] = data[p * info.channels + Math.min(c, info.channels - 1)] / 255;
  }
  return out;
}

/** Options of {@link loadTrainingFrames}. */
export interface LoadTrainingFramesOptions {
  /** Which split; default "train". */
  split?: "train" | "val";
  /** Colour that replaces the pixels outside the foreground mask; default white. */
  background?: Vec3;
}

/** Reads the tracked frames of one split, in file order. */
export async function loadTrainingFrames(dataset: LoadedDataset, options: LoadTrainingFramesOptions = {}): Promise<TrainingFrame[]> {
  const split = options.split ?? "train";
  const background = options.background ?? [1, 1, 1];
  const picked = dataset.frames.filter((f) => f.split === split && f.tracked && f.expression && f.headPose);
  if (picked.length === 0) throw new TrainingDataError(`${dataset.dir}: has no tracked frames in the '${split}' split`);
  return Promise.all(
    picked.map(async (frame): Promise<TrainingFrame> => {
      const loaded = dataset.cameras.get(frame.cameraId);
      if (!loaded) throw new TrainingDataError(`${dataset.dir}: frame ${frame.index} names unknown camera '${frame.cameraId}'`);
      const { camera } = loaded;
      const rgb = await readChannels(frame.imagePath, camera.widthPx, camera.heightPx, 3);
      const foreground = frame.maskPaths.foreground ? await readChannels(frame.maskPaths.foreground, camera.widthPx, camera.heightPx, 1) : null;
      if (foreground) {
        for (let p = 0; p < foreground.length; p++) {
          const a = foreground[p];
          for (let c = 0; c < 3; c++) rgb[3 * p + c] = a * rgb[3 * p + c] + (1 - a) * background[c];
        }
      }
      // Filtered above: tracked frames have both.
      const pose = frame.headPose!;
      return {
        frame, camera, rgb, foreground,
        expression: Float32Array.from(frame.expression!),
        rotation: rotationFromAxisAngle(pose.rotationAxisAngle),
        translation: pose.translation,
      };
    }),
  );
}
