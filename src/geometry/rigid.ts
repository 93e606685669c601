/** A 3x3 rotation matrix, row-major. */
export type Mat3 = readonly [number, number, number, number, number, number, number, number, number];
/** A 3-vector. */
export type Vec3 = readonly [number, number, number];

/**
 * A rigid transform p' = R p + t (rotation, then translation). Names say which
 * frames it maps between, e.g. `worldToCamera`, `headToWorld`.
 */
export interface RigidTransform {
  readonly rotation: Mat3;
  readonly translation: Vec3;
}

/** The identity transform. */
export const IDENTITY: RigidTransform = Object.freeze({
  rotation: [1, 0, 0, 0, 1, 0, 0, 0, 1] as const,
  translation: [0, 0, 0] as const,
});

/** R = a b (apply b, then a). */
export function multiplyMat3(a: Mat3, b: Mat3): Mat3 {
  const e = (i: number, j: number): number => a[3 * i] * b[j] + a[3 * i + 1] * b[3 + j] + a[3 * i + 2] * b[6 + j];
  return [e(0, 0), e(0, 1), e(0, 2), e(1, 0), e(1, 1), e(1, 2), e(2, 0), e(2, 1), e(2, 2)];
}

/** The transpose (for a rotation, its inverse). */
export function transposeMat3(m: Mat3): Mat3 {
  return [m[0], m[3], m[6], m[1], m[4], m[7], m[2], m[5], m[8]];
}

/** m v. */
export function applyMat3(m: Mat3, v: Vec3): Vec3 {
  return [
    m[0] * v[0] + m[1] * v[1] + m[2] * v[2],
    m[3] * v[0] + m[4] * v[1] + m[5] * v[2],
    m[6] * v[0] + m[7] * v[1] + m[8] * v[2],
  ];
}

/** `a` after `b`: the transform that applies `b` first, then `a`. */
export function composeTransforms(a: RigidTransform, b: RigidTransform): RigidTransform {
  const t = applyMat3(a.rotation, b.translation);
  return {
    rotation: multiplyMat3(a.rotation, b.rotation),
    translation: [t[0] + a.translation[0], t[1] + a.translation[1], t[2] + a.translation[2]],
  };
}

/** The inverse transform: p = R^T (p' - t). */
export function invertTransform(x: RigidTransform): RigidTransform {
  const rt = transposeMat3(x.rotation);
  const t = applyMat3(rt, x.translation);
  return { rotation: rt, translation: [-t[0], -t[1], -t[2]] };
}

/** Applies `x` to one point. */
export function transformPoint(x: RigidTransform, p: Vec3): Vec3 {
  const r = applyMat3(x.rotation, p);
  return [r[0] + x.translation[0], r[1] + x.translation[1], r[2] + x.translation[2]];
}

/**
 * Applies `x` to packed points [N*3] (x, y, z per point); writes into `out`
 * (may be `points` itself) and returns it.
 */
export function transformPoints(x: RigidTransform, points: Float32Array, out = new Float32Array(points.length)): Float32Array {
  const [r0, r1, r2, r3, r4, r5, r6, r7, r8] = x.rotation;
  const [tx, ty, tz] = x.translation;
  for (let i = 0; i < points.length; i += 3) {
    const px = points[i], py = points[i + 1], pz = points[i + 2];
    out[i] = r0 * px + r1 * py + r2 * pz + tx;
    out[i + 1] = r3 * px + r4 * py + r5 * pz + ty;
    out[i + 2] = r6 * px + r7 * py + r8 * pz + tz;
  }
  return out;
}

/** Rotation of `angleRad` about the unit `axis` (Rodrigues' formula); a zero axis gives the identity. */
export function rotationFromAxisAngle(axisAngle: Vec3): Mat3 {
  const theta = Math.hypot(axisAngle[0], axisAngle[1], axisAngle[2]);
  if (theta < 1e-12) return IDENTITY.rotation;
  const x = axisAngle[0] / theta, y = axisAngle[1] / theta, z = axisAngle[2] / theta;
  const c = Math.cos(theta), s = Math.sin(theta), k = 1 - c;
  return [
    c + x * x * k, x * y * k - z * s, x * z * k + y * s,
    y * x * k + z * s, c + y * y * k, y * z * k - x * s,
    z * x * k - y * s, z * y * k + x * s, c + z * z * k,
  ];
}

/**
 * Head rotation from yaw (about +y), pitch (about +x) and roll (about +z), in
 * radians, applied roll first, then pitch, then yaw: R = Ry(yaw) Rx(pitch) Rz(roll).
 */
export function rotationFromYawPitchRoll(yawRad: number, pitchRad: number, rollRad: number): Mat3 {
  return multiplyMat3(
    rotationFromAxisAngle([0, yawRad, 0]),
    multiplyMat3(rotationFromAxisAngle([pitchRad, 0, 0]), rotationFromAxisAngle([0, 0, rollRad])),
  );
}

/** The axis-angle vector of a rotation matrix (inverse of {@link rotationFromAxisAngle}). */
export function axisAngleFromRotation(m: Mat3): Vec3 {
  const cos = Math.min(1, Math.max(-1, (m[0] + m[4] + m[8] - 1) / 2));
  const theta = Math.acos(cos);
  if (theta < 1e-9) return [0, 0, 0];
  if (Math.PI - theta < 1e-6) {
    // Near 180 degrees the antisymmetric part vanishes; read the axis from the diagonal.
    const x = Math.sqrt(Math.max(0, (m[0] + 1) / 2));
    const y = Math.sqrt(Math.max(0, (m[4] + 1) / 2)) * (m[1] >= 0 ? 1 : -1);
    const z = Math.sqrt(Math.max(0, (m[8] + 1) / 2)) * (m[2] >= 0 ? 1 : -1);
    return [x * theta, y * theta, z * theta];
  }
  const f = theta / (2 * Math.sin(theta));
  return [(m[7] - m[5]) * f, (m[2] - m[6]) * f, (m[3] - m[1]) * f];
}

/** The angle of the rotation that takes axis-angle rotation `b` to `a` (of R(a) R(b)^T), radians in [0, pi]. */
export function rotationAngleBetween(a: readonly number[], b: readonly number[]): number {
  const r = multiplyMat3(rotationFromAxisAngle([a[0], a[1], a[2]]), transposeMat3(rotationFromAxisAngle([b[0], b[1], b[2]])));
  return Math.acos(Math.min(1, Math.max(-1, (r[0] + r[4] + r[8] - 1) / 2)));
}
