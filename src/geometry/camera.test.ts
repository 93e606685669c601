import { describe, expect, it } from "vitest";
import { lookAtCamera, projectPoints, rescaleCamera } from "./camera.js";

describe("rescaleCamera", () => {
  const camera = lookAtCamera({ eye: [0.1, 0.2, 1], target: [0, 0, 0], widthPx: 48, heightPx: 40, focalPx: 60 });
  const points = Float32Array.from([0, 0, 0, 0.1, -0.05, 0.2, -0.2, 0.1, -0.1]);

  it("keeps the field of view: every point lands at the same place relative to the image", () => {
    const fine = rescaleCamera(camera, 144);
    expect([fine.widthPx, fine.heightPx]).toEqual([144, 120]);
    const a = projectPoints(camera, points).pixels;
    const b = projectPoints(fine, points).pixels;
    for (let i = 0; i < a.length; i++) expect(b[i]).toBeCloseTo(3 * a[i], 4);
  });

  it("rounds the height to keep the aspect ratio", () => {
    expect(rescaleCamera(camera, 50).heightPx).toBe(42);
  });
});
