import {
  applyMat3, cameraCenterWorld, lookAtCamera, rotationFromAxisAngle, type PinholeCamera, type Vec3,
} from "../geometry/index.js";
import { DriveError } from "./error.js";

/** Options of {@link orbitCameras}. */
export interface OrbitOptions {
  /** The camera the orbit starts from: its centre sets the distance, its -y axis the world up, its intrinsics every camera's. */
  reference: PinholeCamera;
  /** World point every camera looks at (e.g. the head's centre), metres. */
  center: Vec3;
  /** Number of cameras (one loop). */
  frames: number;
  /** Half range of the left-right sweep, degrees (default 30). */
  yawDegrees?: number;
  /** Half range of the up-down sweep, degrees (default 10). */
  pitchDegrees?: number;
}

const sub = (a: Vec3, b: Vec3): Vec3 => [a[0] - b[0], a[1] - b[1], a[2] - b[2]];
const add = (a: Vec3, b: Vec3): Vec3 => [a[0] + b[0], a[1] + b[1], a[2] + b[2]];
const scale = (a: Vec3, s: number): Vec3 => [a[0] * s, a[1] * s, a[2] * s];
const cross = (a: Vec3, b: Vec3): Vec3 => [a[1] * b[2] - a[2] * b[1], a[2] * b[0] - a[0] * b[2], a[0] * b[1] - a[1] * b[0]];
const norm = (a: Vec3): number => Math.hypot(a[0], a[1], a[2]);

/**
 * Cameras for a turntable-style loop around `center`: on the sphere through the
 * reference camera's centre, frame i (t = i / frames) at yaw A sin(2 pi t) about
 * the world up (the reference camera's -y axis) and pitch B sin(4 pi t) about the
 * horizontal axis, so the loop is smooth and closes on itself. Every camera has
 * the reference's intrinsics and looks at `center` with the same up, so
 * `center` projects to the principal point; frame 0 is the reference camera
 * itself when the reference looks at `center`.
 */
export function orbitCameras(options: OrbitOptions): PinholeCamera[] {
  const { reference, center, frames, yawDegrees = 30, pitchDegrees = 10 } = options;
  if (!Number.isInteger(frames) || frames < 1) throw new DriveError(`orbit: frames must be a whole number >= 1, got ${frames}`);
  const r = reference.worldToCamera.rotation;
  const up: Vec3 = [-r[3], -r[4], -r[5]];
  const offset = sub(cameraCenterWorld(reference), center);
  const distance = norm(offset);
  if (!(distance > 0)) throw new DriveError("orbit: the reference camera sits at the orbit's centre");
  if (norm(cross(offset, up)) < 1e-9 * distance) throw new DriveError("orbit: the reference camera looks straight along its up axis");
  const cameras: PinholeCamera[] = [];
  for (let i = 0; i < frames; i++) {
    const t = i / frames;
    const yaw = ((yawDegrees * Math.PI) / 180) * Math.sin(2 * Math.PI * t);
    const pitch = ((pitchDegrees * Math.PI) / 180) * Math.sin(4 * Math.PI * t);
    const yawed = applyMat3(rotationFromAxisAngle(scale(up, yaw)), offset);
    // Rotating about yawed x up by a positive angle moves the camera upwards.
    const horizontal = cross(yawed, up);
    const axis = scale(horizontal, pitch / norm(horizontal));
    const eye = add(center, applyMat3(rotationFromAxisAngle(axis), yawed));
    const look = lookAtCamera({ eye, target: center, up, widthPx: reference.widthPx, heightPx: reference.heightPx, focalPx: reference.focalPx[0] });
    cameras.push({ ...look, focalPx: reference.focalPx, principalPx: reference.principalPx });
  }
  return cameras;
}
