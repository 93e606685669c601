import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { writeDataset } from "../data/index.js";
import { writeTinyDataset } from "../data/testing/tiny-dataset.js";
import { rotationFromAxisAngle } from "../geometry/index.js";
import { crossHeadPose, datasetDrive, DriveError, EXPRESSION_NAMES, type DriveHeadPose } from "./index.js";

/** The tiny test dataset with the dome camera's last two steps held out and the frames listed out of time order. */
async function tinyDrivingDataset(): Promise<string> {
  const dir = join(mkdtempSync(join(tmpdir(), "likeness-drive-")), "ds");
  await writeDataset(dir, async (writer) => {
    const manifest = await writeTinyDataset(writer);
    const frames = manifest.frames.map((f) => (f.cameraId === "dome-0" ? { ...f, split: f.index >= 1 ? ("val" as const) : ("train" as const) } : f));
    return { ...manifest, frames: frames.reverse() };
  });
  return dir;
}

const jaw = EXPRESSION_NAMES.indexOf("jawOpen");

describe("datasetDrive", () => {
  it("self mode keeps the dataset's cameras and head poses, tracked frames of one split in time order, with audio", async () => {
    const dir = await tinyDrivingDataset();
    const drive = await datasetDrive(dir, { cameraId: "dome-0" });
    expect(drive.fps).toBe(30);
    expect(drive.frames.map((f) => f.timeSeconds)).toEqual([1 / 30, 2 / 30]);
    expect(drive.frames.map((f) => f.expression[jaw])).toEqual([Math.fround(0.1), Math.fround(0.2)]);
    expect(drive.frames[1].headPose).toEqual({ rotationAxisAngle: [0, 0.2, 0], translation: [0, 0, 0.5] });
    // A synthetic capture's poses are exact, not tracked.
    expect(drive.frames.map((f) => f.headPoseTracked)).toEqual([false, false]);
    expect(drive.frames[0].camera?.widthPx).toBe(4);
    expect(drive.audio?.path).toBe(join(dir, "audio.wav"));
    expect(drive.audio?.startSeconds).toBeCloseTo(1 / 30 - 0.25, 12);
    expect(drive.audio?.durationSeconds).toBeCloseTo(2 / 30, 12);

    // Default camera: the first (front); its only val frame is untracked.
    await expect(datasetDrive(dir)).rejects.toThrow(/no tracked val frames from camera 'front'/);
    expect((await datasetDrive(dir, { split: "train" })).frames.map((f) => f.timeSeconds)).toEqual([0, 1 / 30]);
    expect((await datasetDrive(dir, { split: "all", cameraId: "dome-0" })).frames.length).toBe(3);
    await expect(datasetDrive(dir, { cameraId: "side" })).rejects.toThrow(DriveError);
    await expect(datasetDrive(dir, { cameraId: "side" })).rejects.toThrow(/has no camera 'side'; its cameras: front, dome-0/);
  });

  it("cross mode puts the driver's first frame at the reference pose and transfers expressions", async () => {
    const dir = await tinyDrivingDataset();
    const referencePose: DriveHeadPose = { rotationAxisAngle: [0.05, -0.3, 0.02], translation: [0.01, 0.02, 0.6] };
    const drive = await datasetDrive(dir, { cameraId: "dome-0", split: "all", mode: "cross", referencePose });
    expect(drive.frames.every((f) => f.camera === null)).toBe(true);
    expect(drive.frames.map((f) => f.expression[jaw])).toEqual([0, Math.fround(0.1), Math.fround(0.2)]);
    drive.frames.forEach((f) => expect(f.headPose?.translation).toEqual(referencePose.translation));
    drive.frames[0].headPose!.rotationAxisAngle.forEach((v, i) => expect(v).toBeCloseTo(referencePose.rotationAxisAngle[i], 9));
    // The driver turns 0.2 rad about its own y axis by the last frame; the avatar turns as much about its own.
    const last = rotationFromAxisAngle(drive.frames[2].headPose!.rotationAxisAngle);
    const expected = crossHeadPose(referencePose, { rotationAxisAngle: [0, 0, 0], translation: [0, 0, 0] }, { rotationAxisAngle: [0, 0.2, 0], translation: [0, 0, 0] });
    rotationFromAxisAngle(expected.rotationAxisAngle).forEach((v, i) => expect(last[i]).toBeCloseTo(v, 9));
    await expect(datasetDrive(dir, { cameraId: "dome-0", mode: "cross" })).rejects.toThrow(/reference pose/);
  });
});
