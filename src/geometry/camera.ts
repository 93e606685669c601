import { applyMat3, invertTransform, transformPoints, transposeMat3, type Mat3, type RigidTransform, type Vec3 } from "./rigid.js";

/**
 * A pinhole camera. The camera frame follows OpenCV: x right, y down, z forward
 * (into the scene); pixel (0, 0) is the top-left corner of the top-left pixel, so
 * that pixel's centre is (0.5, 0.5).
 */
export interface PinholeCamera {
  readonly widthPx: number;
  readonly heightPx: number;
  /** Focal lengths (fx, fy) in pixels. */
  readonly focalPx: readonly [number, number];
  /** Principal point (cx, cy) in pixels. */
  readonly principalPx: readonly [number, number];
  /** Maps world points into the camera frame. */
  readonly worldToCamera: RigidTransform;
}

/** Focal length in pixels for a field of view of `fovRad` across `sizePx` pixels. */
export function focalPxFromFov(fovRad: number, sizePx: number): number {
  return sizePx / 2 / Math.tan(fovRad / 2);
}

/**
 * A camera at `eye` looking at `target`, with `up` (world frame, default +y) pointing
 * up in the image. Intrinsics: square pixels, principal point at the image centre.
 */
export function lookAtCamera(options: {
  eye: Vec3;
  target: Vec3;
  up?: Vec3;
  widthPx: number;
  heightPx: number;
  focalPx: number;
}): PinholeCamera {
  const { eye, target, up = [0, 1, 0], widthPx, heightPx, focalPx } = options;
  const forward = normalize([target[0] - eye[0], target[1] - eye[1], target[2] - eye[2]]);
  // Camera y points down in the image, so the image's "up" is -y.
  const right = normalize(cross(forward, up));
  const down = cross(forward, right);
  // Rows of worldToCamera rotation are the camera axes in world coordinates.
  const rotation: Mat3 = [right[0], right[1], right[2], down[0], down[1], down[2], forward[0], forward[1], forward[2]];
  const t = applyMat3(rotation, eye);
  return {
    widthPx,
    heightPx,
    focalPx: [focalPx, focalPx],
    principalPx: [widthPx / 2, heightPx / 2],
    worldToCamera: { rotation, translation: [-t[0], -t[1], -t[2]] },
  };
}

/** `camera` with its intrinsics rescaled so that its image is `widthPx` wide (height rounded to keep the aspect ratio). */
export function rescaleCamera(camera: PinholeCamera, widthPx: number): PinholeCamera {
  const heightPx = Math.max(1, Math.round((camera.heightPx * widthPx) / camera.widthPx));
  const sx = widthPx / camera.widthPx, sy = heightPx / camera.heightPx;
  return {
    ...camera,
    widthPx,
    heightPx,
    focalPx: [camera.focalPx[0] * sx, camera.focalPx[1] * sy],
    principalPx: [camera.principalPx[0] * sx, camera.principalPx[1] * sy],
  };
}

/** The camera centre in world coordinates. */
export function cameraCenterWorld(camera: PinholeCamera): Vec3 {
  return invertTransform(camera.worldToCamera).translation;
}

/**
 * Projects packed world points [N*3] to pixels [N*2] and camera-frame depth [N]
 * (z, in world units; points behind the camera get depth <= 0 and meaningless pixels).
 */
export function projectPoints(camera: PinholeCamera, pointsWorld: Float32Array): { pixels: Float32Array; depth: Float32Array } {
  const n = pointsWorld.length / 3;
  const cam = transformPoints(camera.worldToCamera, pointsWorld);
  const pixels = new Float32Array(2 * n);
  const depth = new Float32Array(n);
  const [fx, fy] = camera.focalPx;
  const [cx, cy] = camera.principalPx;
  for (let i = 0; i < n; i++) {
    const z = cam[3 * i + 2];
    depth[i] = z;
    pixels[2 * i] = (fx * cam[3 * i]) / z + cx;
    pixels[2 * i + 1] = (fy * cam[3 * i + 1]) / z + cy;
  }
  return { pixels, depth };
}

/**
 * One ray through the centre of every pixel, row-major: origins [H*W*3] (all the
 * camera centre) and unit directions [H*W*3], in world coordinates.
 */
export function generateRays(camera: PinholeCamera): { origins: Float32Array; directions: Float32Array } {
  const { widthPx: w, heightPx: h } = camera;
  const [fx, fy] = camera.focalPx;
  const [cx, cy] = camera.principalPx;
  const cameraToWorld = transposeMat3(camera.worldToCamera.rotation);
  const center = cameraCenterWorld(camera);
  const origins = new Float32Array(w * h * 3);
  const directions = new Float32Array(w * h * 3);
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      const d = normalize(applyMat3(cameraToWorld, [(x + 0.5 - cx) / fx, (y + 0.5 - cy) / fy, 1]));
      const i = 3 * (y * w + x);
      origins.set(center, i);
      directions.set(d, i);
    }
  }
  return { origins, directions };
}

function cross(a: Vec3, b: Vec3): Vec3 {
  return [a[1] * b[2] - a[2] * b[1], a[2] * b[0] - a[0] * b[2], a[0] * b[1] - a[1] * b[0]];
}

function normalize(v: Vec3): Vec3 {
  const n = Math.hypot(v[0], v[1], v[2]);
  if (n === 0) throw new Error("cannot normalize a zero vector (eye equals target, or up is parallel to the view?)");
  return [v[0] / n, v[1] / n, v[2] / n];
}
