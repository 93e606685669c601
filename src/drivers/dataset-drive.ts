import { loadDataset, type LoadedDataset, type LoadedFrame } from "../data/index.js";
import { axisAngleFromRotation, multiplyMat3, rotationFromAxisAngle, transposeMat3 } from "../geometry/index.js";
import type { Drive, DriveFrame, DriveHeadPose } from "./drive.js";
import { DriveError } from "./error.js";
import { expressionIndexMap, listExpressionNames, scatterExpression } from "./expression-vector.js";

/** Which frames of a dataset drive: its held-out frames, its training frames, or all. */
export const DRIVE_SPLITS = ["val", "train", "all"] as const;
export type DriveSplit = (typeof DRIVE_SPLITS)[number];

/**
 * How a dataset drives an avatar:
 * - `self`: the dataset's own cameras and head poses (self-reenactment, e.g. of
 *   the avatar's held-out frames);
 * - `cross`: another person's capture; expression parameters transfer as they
 *   are, and the driver's head rotation relative to its first frame is applied
 *   on top of the avatar's reference pose, rendered from the avatar's reference camera.
 */
export const DRIVE_MODES = ["self", "cross"] as const;
export type DriveMode = (typeof DRIVE_MODES)[number];

/** Options of {@link datasetDrive}. */
export interface DatasetDriveOptions {
  /** Frames to use (default `val`). Only tracked frames are used. */
  split?: DriveSplit;
  /** Camera whose frames to use (default the dataset's first camera). */
  cameraId?: string;
  /** Default `self`. */
  mode?: DriveMode;
  /** The avatar's reference head pose; required for `cross`. */
  referencePose?: DriveHeadPose;
}

/**
 * The head pose that cross-identity driving gives frame i: the driver's rotation
 * relative to its first frame, in the head's own frame (R0^T Ri), applied after
 * the reference rotation (Rref R0^T Ri); translation stays the reference's, so
 * the avatar stays framed in its own reference camera. Frame 0 gets exactly the reference rotation.
 */
export function crossHeadPose(reference: DriveHeadPose, driverFirst: DriveHeadPose, driver: DriveHeadPose): DriveHeadPose {
  const rRef = rotationFromAxisAngle(reference.rotationAxisAngle);
  const relative = multiplyMat3(transposeMat3(rotationFromAxisAngle(driverFirst.rotationAxisAngle)), rotationFromAxisAngle(driver.rotationAxisAngle));
  return { rotationAxisAngle: axisAngleFromRotation(multiplyMat3(rRef, relative)), translation: reference.translation };
}

/** Turns the chosen frames of a loaded dataset into a drive (see {@link datasetDrive}). */
export function driveFromDataset(dataset: LoadedDataset, options: DatasetDriveOptions = {}): Drive {
  const { split = "val", mode = "self" } = options;
  const dir = dataset.dir;
  const cameraId = options.cameraId ?? dataset.manifest.cameras[0].id;
  const camera = dataset.cameras.get(cameraId);
  if (!camera) throw new DriveError(`${dir}: has no camera '${cameraId}'; its cameras: ${[...dataset.cameras.keys()].join(", ")}`);
  if (mode === "cross" && !options.referencePose) throw new DriveError(`${dir}: cross-identity driving needs the avatar's reference pose`);
  const map = expressionIndexMap(dataset.manifest.faceModel.expressionNames);
  if ("unknown" in map) throw new DriveError(`${dir}: expression parameter '${map.unknown}' is not one of the face model's (${listExpressionNames()})`);
  const chosen = dataset.frames
    .filter((f): f is LoadedFrame & { expression: number[]; headPose: DriveHeadPose } =>
      f.cameraId === cameraId && f.tracked && f.expression !== null && f.headPose !== null && (split === "all" || f.split === split))
    .sort((a, b) => a.timeSeconds - b.timeSeconds || a.index - b.index);
  if (chosen.length === 0) throw new DriveError(`${dir}: no tracked ${split === "all" ? "" : `${split} `}frames from camera '${cameraId}'`);
  const first = chosen[0].headPose;
  // Synthetic captures hold exact poses; every other source's were tracked.
  const tracked = dataset.manifest.source.kind !== "synthetic";
  const frames = chosen.map((f): DriveFrame => ({
    timeSeconds: f.timeSeconds,
    expression: scatterExpression(f.expression, map.indices),
    headPose: mode === "self" ? f.headPose : crossHeadPose(options.referencePose!, first, f.headPose),
    headPoseTracked: tracked,
    camera: mode === "self" ? camera.camera : null,
  }));
  const fps = dataset.manifest.fps;
  const audio = dataset.audio
    ? { path: dataset.audio.path, startSeconds: chosen[0].timeSeconds - dataset.audio.offsetSeconds, durationSeconds: chosen.length / fps }
    : null;
  return { description: `dataset ${dir} (${split}, camera ${cameraId}, ${mode})`, fps, frames, audio };
}

/**
 * Loads a dataset folder and turns its frames into a drive: the tracked frames
 * of one camera in one split, in time order, with the audio stretch that covers
 * them when the dataset has audio. Throws {@link DriveError} (or the loader's
 * DatasetError) with a one-line message naming the folder.
 */
export async function datasetDrive(dir: string, options: DatasetDriveOptions = {}): Promise<Drive> {
  return driveFromDataset(await loadDataset(dir, { checkImageSizes: false }), options);
}
