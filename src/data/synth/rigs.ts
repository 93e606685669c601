import { lookAtCamera, type PinholeCamera } from "../../geometry/camera.js";
import { composeTransforms, invertTransform, type RigidTransform, type Vec3 } from "../../geometry/rigid.js";

/** A camera of a capture rig, with its role. */
export interface RigCamera {
  /** Stable id, e.g. `front`, `dome-07`, `headset-left-eye`. */
  id: string;
  kind: "front" | "dome" | "headset-left-eye" | "headset-right-eye" | "headset-mouth";
  /**
   * The camera, with `worldToCamera` in the world frame for fixed cameras, or in
   * the head (model) frame for head-mounted ones (`headMounted`).
   */
  camera: PinholeCamera;
  /** Whether the camera moves with the head (headset rigs). */
  headMounted: boolean;
}

/** The point all fixed cameras look at: a little below the head centre, so the shoulders show. */
const HEAD_TARGET: Vec3 = [0, -0.03, 0];

/** One camera straight in front of the face, `distance` metres away, framing the head. */
export function frontRig({ sizePx, distance = 0.75, fovDeg = 28 }: { sizePx: number; distance?: number; fovDeg?: number }): RigCamera[] {
  const focalPx = sizePx / 2 / Math.tan((fovDeg * Math.PI) / 360);
  return [
    {
      id: "front",
      kind: "front",
      headMounted: false,
      camera: lookAtCamera({ eye: [HEAD_TARGET[0], HEAD_TARGET[1], distance], target: HEAD_TARGET, widthPx: sizePx, heightPx: sizePx, focalPx }),
    },
  ];
}

/**
 * `count` cameras spread evenly (a Fibonacci lattice) over the frontal part of a
 * sphere of radius `distance` around the head: yaw within +-`maxYawDeg`, pitch
 * within +-`maxPitchDeg`. Camera 0 is the most frontal.
 */
export function domeRig(options: { sizePx: number; count: number; distance?: number; maxYawDeg?: number; maxPitchDeg?: number; fovDeg?: number }): RigCamera[] {
  const { sizePx, count, distance = 0.75, maxYawDeg = 70, maxPitchDeg = 35, fovDeg = 28 } = options;
  if (!Number.isInteger(count) || count < 1) throw new Error(`domeRig: count must be a positive whole number, got ${count}`);
  const focalPx = sizePx / 2 / Math.tan((fovDeg * Math.PI) / 360);
  const golden = Math.PI * (3 - Math.sqrt(5));
  const directions: { yaw: number; pitch: number }[] = [];
  for (let i = 0; i < count; i++) {
    // Lattice on the unit disc, mapped to yaw and pitch ranges; i = 0 at the centre.
    const r = Math.sqrt((i + 0.5) / count) * (count === 1 ? 0 : 1);
    const theta = i * golden;
    directions.push({ yaw: r * Math.cos(theta) * maxYawDeg, pitch: r * Math.sin(theta) * maxPitchDeg });
  }
  directions.sort((a, b) => Math.hypot(a.yaw, a.pitch) - Math.hypot(b.yaw, b.pitch));
  return directions.map(({ yaw, pitch }, i) => {
    const ya = (yaw * Math.PI) / 180, pa = (pitch * Math.PI) / 180;
    const eye: Vec3 = [
      HEAD_TARGET[0] + distance * Math.cos(pa) * Math.sin(ya),
      HEAD_TARGET[1] + distance * Math.sin(pa),
      HEAD_TARGET[2] + distance * Math.cos(pa) * Math.cos(ya),
    ];
    return {
      id: `dome-${String(i).padStart(2, "0")}`,
      kind: "dome" as const,
      headMounted: false,
      camera: lookAtCamera({ eye, target: HEAD_TARGET, widthPx: sizePx, heightPx: sizePx, focalPx }),
    };
  });
}

/**
 * Head-mounted cameras as a VR headset sees the face (LiP-Flow's inference-time
 * input): one per eye, from below and in front, and one for the mouth from below
 * the chin; wide-angle and close. Targets are points of the neutral head (model
 * frame): the two eye centres and the mouth centre.
 */
export function headsetRig(options: { sizePx: number; leftEye: Vec3; rightEye: Vec3; mouth: Vec3; fovDeg?: number }): RigCamera[] {
  const { sizePx, leftEye, rightEye, mouth, fovDeg = 80 } = options;
  const focalPx = sizePx / 2 / Math.tan((fovDeg * Math.PI) / 360);
  const at = (target: Vec3, offset: Vec3): PinholeCamera =>
    lookAtCamera({
      eye: [target[0] + offset[0], target[1] + offset[1], target[2] + offset[2]],
      target,
      widthPx: sizePx,
      heightPx: sizePx,
      focalPx,
    });
  const outward = (eye: Vec3): number => Math.sign(eye[0]) * 0.01;
  return [
    { id: "headset-left-eye", kind: "headset-left-eye", headMounted: true, camera: at(leftEye, [outward(leftEye), -0.025, 0.035]) },
    { id: "headset-right-eye", kind: "headset-right-eye", headMounted: true, camera: at(rightEye, [outward(rightEye), -0.025, 0.035]) },
    { id: "headset-mouth", kind: "headset-mouth", headMounted: true, camera: at(mouth, [0, -0.045, 0.045]) },
  ];
}

/**
 * The camera of a rig for a frame whose head pose is `headToWorld`: fixed cameras
 * are returned as they are; head-mounted ones are moved with the head.
 */
export function cameraForFrame(rig: RigCamera, headToWorld: RigidTransform): PinholeCamera {
  if (!rig.headMounted) return rig.camera;
  return { ...rig.camera, worldToCamera: composeTransforms(rig.camera.worldToCamera, invertTransform(headToWorld)) };
}
