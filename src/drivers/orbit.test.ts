import { describe, expect, it } from "vitest";
import { cameraCenterWorld, lookAtCamera, projectPoints, type PinholeCamera, type Vec3 } from "../geometry/index.js";
import { DriveError, orbitCameras } from "./index.js";

const center: Vec3 = [0.02, -0.01, 0.03];
const reference: PinholeCamera = {
  ...lookAtCamera({ eye: [0.1, 0.05, 0.6], target: center, up: [0, 1, 0], widthPx: 64, heightPx: 48, focalPx: 80 }),
  focalPx: [80, 82],
  principalPx: [31, 25],
};

describe("orbitCameras", () => {
  it("starts at the reference camera, keeps its distance and intrinsics, and always looks at the centre", () => {
    const cameras = orbitCameras({ reference, center, frames: 12 });
    expect(cameras.length).toBe(12);
    cameras[0].worldToCamera.rotation.forEach((v, i) => expect(v).toBeCloseTo(reference.worldToCamera.rotation[i], 6));
    cameras[0].worldToCamera.translation.forEach((v, i) => expect(v).toBeCloseTo(reference.worldToCamera.translation[i], 6));
    const distance = (c: PinholeCamera): number => Math.hypot(...cameraCenterWorld(c).map((v, i) => v - center[i]));
    for (const camera of cameras) {
      expect(distance(camera)).toBeCloseTo(distance(reference), 9);
      expect([camera.widthPx, camera.heightPx, ...camera.focalPx, ...camera.principalPx]).toEqual([64, 48, 80, 82, 31, 25]);
      const { pixels, depth } = projectPoints(camera, Float32Array.from(center));
      expect(depth[0]).toBeGreaterThan(0);
      expect(pixels[0]).toBeCloseTo(31, 3);
      expect(pixels[1]).toBeCloseTo(25, 3);
    }
  });

  it("sweeps yaw to the half range and back, with the reference's up", () => {
    const cameras = orbitCameras({ reference, center, frames: 4, yawDegrees: 30, pitchDegrees: 0 });
    const dir = (c: PinholeCamera): Vec3 => {
      const e = cameraCenterWorld(c);
      return [e[0] - center[0], e[1] - center[1], e[2] - center[2]];
    };
    const angle = (a: Vec3, b: Vec3): number => Math.acos((a[0] * b[0] + a[1] * b[1] + a[2] * b[2]) / Math.hypot(...a) / Math.hypot(...b));
    expect((angle(dir(cameras[0]), dir(cameras[1])) * 180) / Math.PI).toBeCloseTo(30, 6);
    expect((angle(dir(cameras[0]), dir(cameras[2])) * 180) / Math.PI).toBeCloseTo(0, 4);
    // Camera y rows (down in the image) stay perpendicular to the world up's rotation axis: no roll.
    for (const c of cameras) expect(c.worldToCamera.rotation[4]).toBeLessThan(0);
    expect(() => orbitCameras({ reference, center, frames: 0 })).toThrow(DriveError);
  });
});
