import { describe, expect, it } from "vitest";
import { cameraCenterWorld, projectPoints } from "../../geometry/camera.js";
import { rotationFromYawPitchRoll, transformPoints, type RigidTransform } from "../../geometry/rigid.js";
import { cameraForFrame, domeRig, frontRig, headsetRig } from "./rigs.js";

describe("capture rigs", () => {
  it("points every dome camera at the head, frontal first, all in front of the face", () => {
    const rig = domeRig({ sizePx: 64, count: 12 });
    expect(rig.map((c) => c.id)).toEqual(Array.from({ length: 12 }, (_, i) => `dome-${String(i).padStart(2, "0")}`));
    for (const { camera } of rig) {
      const { pixels } = projectPoints(camera, Float32Array.from([0, -0.03, 0]));
      expect(pixels[0]).toBeCloseTo(32, 3);
      expect(pixels[1]).toBeCloseTo(32, 3);
      expect(cameraCenterWorld(camera)[2]).toBeGreaterThan(0);
    }
    const c0 = cameraCenterWorld(rig[0].camera);
    expect(Math.abs(Math.atan2(c0[0], c0[2]))).toBeLessThan((20 * Math.PI) / 180);
  });

  it("keeps head-mounted cameras fixed relative to the head as it turns", () => {
    const [left] = headsetRig({ sizePx: 32, leftEye: [0.03, 0.03, 0.05], rightEye: [-0.03, 0.03, 0.05], mouth: [0, -0.04, 0.06] });
    const head: RigidTransform = { rotation: rotationFromYawPitchRoll(0.4, -0.2, 0.1), translation: [0.05, 0, -0.02] };
    const pointHead = Float32Array.from([0.03, 0.03, 0.05, 0.02, 0.04, 0.055]);
    const before = projectPoints(left.camera, pointHead).pixels;
    const moved = cameraForFrame(left, head);
    const after = projectPoints(moved, transformPoints(head, pointHead)).pixels;
    for (let i = 0; i < before.length; i++) expect(after[i]).toBeCloseTo(before[i], 3);
    const [front] = frontRig({ sizePx: 32 });
    expect(cameraForFrame(front, head)).toBe(front.camera);
  });
});
