import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import sharp from "sharp";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DatasetError, DatasetSchema } from "./dataset.js";
import { loadDataset } from "./load.js";
import { tinyManifest, writeTinyDataset } from "./testing/tiny-dataset.js";
import { readWav } from "./wav.js";
import { writeDataset } from "./write.js";

let root: string;
let good: string;

beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), "likeness-load-"));
  good = join(root, "good");
  await writeDataset(good, writeTinyDataset);
});

afterAll(() => rmSync(root, { recursive: true, force: true }));

/** A copy of the good dataset with `change` applied to its folder. */
function brokenCopy(name: string, change: (dir: string) => void): string {
  const dir = join(root, name);
  cpSync(good, dir, { recursive: true });
  change(dir);
  return dir;
}

function editManifest(dir: string, edit: (m: Record<string, unknown>) => void): void {
  const file = join(dir, "dataset.json");
  const m = JSON.parse(readFileSync(file, "utf8")) as Record<string, unknown>;
  edit(m);
  writeFileSync(file, JSON.stringify(m));
}

/** The DatasetError message `loadDataset(dir)` rejects with. */
async function loadError(dir: string): Promise<string> {
  try {
    await loadDataset(dir);
  } catch (e) {
    expect(e).toBeInstanceOf(DatasetError);
    const message = (e as Error).message;
    expect(message).not.toContain("\n");
    return message;
  }
  throw new Error(`${dir} loaded without error`);
}

describe("loadDataset", () => {
  it("loads what writeDataset wrote, with absolute paths", async () => {
    const d = await loadDataset(good);
    expect(d.dir).toBe(good);
    expect(d.manifest).toEqual(DatasetSchema.parse(tinyManifest()));
    expect(d.frames).toHaveLength(6);
    const f = d.frames[0];
    expect(f.imagePath).toBe(join(good, "frames/front/0.png"));
    expect(f.maskPaths).toEqual({ foreground: join(good, "masks/front/0-fg.png"), mouth: join(good, "masks/front/0-mouth.png") });
    expect(f.landmarks2d).toHaveLength(478);
    expect(d.frames[4].tracked).toBe(false);
    expect(d.cameras.get("dome-0")?.camera.worldToCamera.rotation).toEqual([0, 0, -1, 0, 1, 0, 1, 0, 0]);
    expect(d.cameras.get("front")?.kind).toBe("front");
    expect(d.audio).toEqual({ path: join(good, "audio.wav"), sampleRate: 16000, offsetSeconds: 0.25 });
    expect(readWav(d.audio?.path ?? "").channels[0]).toHaveLength(1600);

    // Pixels survive the PNG round trip; masks are single-channel.
    const { data, info } = await sharp(f.imagePath).raw().toBuffer({ resolveWithObject: true });
    expect([info.width, info.height, info.channels]).toEqual([8, 6, 3]);
    expect(Array.from(data.subarray(0, 5))).toEqual([0, 7, 14, 21, 28]);
    expect((await sharp(f.maskPaths.mouth ?? "").metadata()).channels).toBe(1);
    const mask = await sharp(f.maskPaths.mouth ?? "").raw().toBuffer({ resolveWithObject: true });
    expect(mask.data.every((v) => v === 255)).toBe(true);
  });

  it("names a missing folder and a missing dataset.json", async () => {
    expect(await loadError(join(root, "nope"))).toBe(`${join(root, "nope")}: no such dataset folder`);
    const empty = join(root, "empty");
    mkdirSync(empty);
    expect(await loadError(empty)).toBe(`${join(empty, "dataset.json")}: missing (is ${empty} a Likeness dataset folder?)`);
    expect(await loadError(join(good, "audio.wav"))).toMatch(/audio\.wav: is a file, not a dataset folder$/);
  });

  it("gives the position of malformed JSON", async () => {
    const dir = brokenCopy("malformed", (d) => writeFileSync(join(d, "dataset.json"), '{\n  "format": "likeness-dataset",\n  "version": 1,,\n}'));
    expect(await loadError(dir)).toMatch(new RegExp(`^${escape(join(dir, "dataset.json"))}: malformed JSON at line 3, column 16 \\(`));
    const truncated = brokenCopy("truncated", (d) => writeFileSync(join(d, "dataset.json"), '{"format": "likeness-da'));
    expect(await loadError(truncated)).toMatch(/dataset\.json: malformed JSON/);
  });

  it("names a wrong format or version", async () => {
    const v2 = brokenCopy("v2", (d) => editManifest(d, (m) => (m.version = 2)));
    expect(await loadError(v2)).toBe(`${join(v2, "dataset.json")} has version 2; this Likeness reads version 1`);
    const other = brokenCopy("other", (d) => writeFileSync(join(d, "dataset.json"), JSON.stringify({ frames: [] })));
    expect(await loadError(other)).toBe(`${join(other, "dataset.json")}: not a Likeness dataset (format is missing, expected "likeness-dataset")`);
    const array = brokenCopy("array", (d) => writeFileSync(join(d, "dataset.json"), "[1, 2]"));
    expect(await loadError(array)).toMatch(/dataset\.json: not a Likeness dataset \(expected a JSON object\)$/);
  });

  it("names the offending field of a schema violation", async () => {
    const dir = brokenCopy("schema", (d) =>
      editManifest(d, (m) => {
        (m.frames as Record<string, unknown>[])[3].expression = [1];
      }),
    );
    expect(await loadError(dir)).toBe(`${join(dir, "dataset.json")}: frames[3].expression: has 1 values but faceModel.expressionNames has 2`);
  });

  it("names a missing frame, mask or audio file and its frame", async () => {
    const image = brokenCopy("no-image", (d) => rmSync(join(d, "frames/dome-0/1.png")));
    expect(await loadError(image)).toBe(`${join(image, "frames/dome-0/1.png")}: image is missing (frames[3]: index 1, camera "dome-0")`);
    const mask = brokenCopy("no-mask", (d) => rmSync(join(d, "masks/front/2-mouth.png")));
    expect(await loadError(mask)).toBe(`${join(mask, "masks/front/2-mouth.png")}: mouth mask is missing (frames[4]: index 2, camera "front")`);
    const audio = brokenCopy("no-audio", (d) => rmSync(join(d, "audio.wav")));
    expect(await loadError(audio)).toBe(`${join(audio, "audio.wav")}: audio file is missing`);
  });

  it("names an image of the wrong size or format, with actual and declared sizes", async () => {
    const size = brokenCopy("size", (d) => cpSync(join(d, "frames/dome-0/0.png"), join(d, "frames/front/1.png")));
    expect(await loadError(size)).toBe(
      `${join(size, "frames/front/1.png")}: image is 4x4 but camera "front" declares 8x6 (frames[2]: index 1, camera "front")`,
    );
    const maskSize = brokenCopy("mask-size", (d) => cpSync(join(d, "frames/dome-0/0.png"), join(d, "masks/front/0-fg.png")));
    expect(await loadError(maskSize)).toMatch(/0-fg\.png: foreground mask is 4x4 but camera "front" declares 8x6/);
    const jpeg = brokenCopy("jpeg", (d) => writeFileSync(join(d, "frames/front/0.png"), readFileSync(join(d, "audio.wav"))));
    expect(await loadError(jpeg)).toMatch(/frames\/front\/0\.png: image is not a readable image \(/);
    // Skipping the header check still finds missing files but not sizes.
    await expect(loadDataset(size, { checkImageSizes: false })).resolves.toBeDefined();
  });
});

function escape(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\/]/g, "\\$&");
}
