import type { PinholeCamera, Vec3 } from "../geometry/index.js";

/** A head pose: p_world = R(rotationAxisAngle) p_model + translation (radians, metres). */
export interface DriveHeadPose {
  readonly rotationAxisAngle: Vec3;
  readonly translation: Vec3;
}

/** One time step of a drive: what to render the avatar with. */
export interface DriveFrame {
  /** Time of this frame in the driving source, seconds. */
  readonly timeSeconds: number;
  /** Face-model expression parameters [E], in the face model's `expressionNames` order. */
  readonly expression: Float32Array;
  /** Model-to-world head pose, or null to keep the avatar's reference pose. */
  readonly headPose: DriveHeadPose | null;
  /** Whether a face tracker measured `headPose` along with `expression` (a video capture), so the avatar's pose correction applies; default false. */
  readonly headPoseTracked?: boolean;
  /** Camera to render from, or null for the avatar's reference camera. */
  readonly camera: PinholeCamera | null;
}

/** A stretch of an audio file to play with a drive's frames. */
export interface DriveAudio {
  /** Absolute path of the WAV file. */
  readonly path: string;
  /** Where the stretch starts in the file, seconds from its first sample (may be negative: silence first). */
  readonly startSeconds: number;
  /** Length of the stretch, seconds (the frames' count over the drive's fps). */
  readonly durationSeconds: number;
}

/** A driving source turned into frames: what `likeness render` renders. */
export interface Drive {
  /** A short description for messages, e.g. `dataset data/bob (val, camera front, cross)`. */
  readonly description: string;
  /** Frames per second the frames were taken at (the video's rate). */
  readonly fps: number;
  readonly frames: readonly DriveFrame[];
  /** Audio to mux with the frames, or null. */
  readonly audio: DriveAudio | null;
}

/** The first `count` frames of a drive (all when it has fewer), with its audio cut to match. */
export function takeDriveFrames(drive: Drive, count: number): Drive {
  if (count >= drive.frames.length) return drive;
  const frames = drive.frames.slice(0, count);
  const audio = drive.audio && { ...drive.audio, durationSeconds: count / drive.fps };
  return { ...drive, frames, audio };
}
