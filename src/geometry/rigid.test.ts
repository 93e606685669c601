import { describe, expect, it } from "vitest";
import {
  IDENTITY, axisAngleFromRotation, composeTransforms, invertTransform, multiplyMat3, rotationAngleBetween, rotationFromAxisAngle,
  rotationFromYawPitchRoll, transformPoint, transformPoints, transposeMat3, type Vec3,
} from "./rigid.js";

const close = (a: readonly number[], b: readonly number[], digits = 6) => a.forEach((x, i) => expect(x).toBeCloseTo(b[i], digits));

describe("rigid transforms", () => {
  it("leaves points unchanged under the identity", () => {
    const p = Float32Array.from([1, -2, 3, 0.5, 0, -1]);
    expect(Array.from(transformPoints(IDENTITY, p))).toEqual(Array.from(p));
  });

  it("rotates +x to +y by 90 degrees about +z", () => {
    close(transformPoint({ rotation: rotationFromAxisAngle([0, 0, Math.PI / 2]), translation: [0, 0, 0] }, [1, 0, 0]), [0, 1, 0]);
  });

  it("round-trips axis-angle vectors, including near 180 degrees", () => {
    const cases: Vec3[] = [[0.1, -0.2, 0.3], [0, 0, 0], [1.5, 0, 0], [0, Math.PI - 1e-8, 0], [2, 1, -0.5]];
    for (const v of cases) {
      const back = axisAngleFromRotation(rotationFromAxisAngle(v));
      close(rotationFromAxisAngle(back), rotationFromAxisAngle(v), 5);
    }
  });

  it("composes with its inverse to the identity", () => {
    const x = { rotation: rotationFromYawPitchRoll(0.3, -0.2, 0.1), translation: [1, 2, -3] as Vec3 };
    const id = composeTransforms(x, invertTransform(x));
    close(id.rotation, IDENTITY.rotation);
    close(id.translation, [0, 0, 0]);
    const p: Vec3 = [0.2, 0.4, -0.7];
    close(transformPoint(composeTransforms(x, x), p), transformPoint(x, transformPoint(x, p)));
  });

  it("turns a positive yaw from +z towards +x", () => {
    const r = transformPoint({ rotation: rotationFromYawPitchRoll(Math.PI / 2, 0, 0), translation: [0, 0, 0] }, [0, 0, 1]);
    close(r, [1, 0, 0]);
  });

  it("measures the angle between two rotations", () => {
    expect(rotationAngleBetween([0.3, -0.2, 0.1], [0.3, -0.2, 0.1])).toBeCloseTo(0, 6);
    // Two turns about the same axis differ by the difference of their angles, in either order.
    expect(rotationAngleBetween([0, 0.5, 0], [0, 0.2, 0])).toBeCloseTo(0.3, 12);
    expect(rotationAngleBetween([0, 0.2, 0], [0, 0.5, 0])).toBeCloseTo(0.3, 12);
    // About perpendicular axes: the angle of R(a) R(b)^T, read back through axisAngleFromRotation.
    const a: Vec3 = [0.4, 0, 0], b: Vec3 = [0, 0, -0.7];
    const rel = multiplyMat3(rotationFromAxisAngle(a), transposeMat3(rotationFromAxisAngle(b)));
    expect(rotationAngleBetween(a, b)).toBeCloseTo(Math.hypot(...axisAngleFromRotation(rel)), 9);
    expect(rotationAngleBetween([0, 0, 3], [0, 0, -3])).toBeCloseTo(2 * Math.PI - 6, 9);
  });
});
