import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import sharp from "sharp";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { VideoFrame } from "./decode.js";
import { VideoError } from "./error.js";
import { listImageFiles, readImageFolder, type ReadImageFolderOptions } from "./image-folder.js";

let root: string;

/** A 40x30 RGB image whose red channel is `value` everywhere and green a horizontal ramp. */
function testImage(value: number, width = 40, height = 30): Uint8Array {
  const rgb = new Uint8Array(width * height * 3);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const at = (y * width + x) * 3;
      rgb[at] = value;
      rgb[at + 1] = x * 5;
      rgb[at + 2] = y * 5;
    }
  }
  return rgb;
}

async function writePng(path: string, rgb: Uint8Array, width = 40, height = 30): Promise<void> {
  await sharp(rgb, { raw: { width, height, channels: 3 } }).png().toFile(path);
}

async function collect(dir: string, options: ReadImageFolderOptions = {}): Promise<VideoFrame[]> {
  const frames: VideoFrame[] = [];
  for await (const frame of readImageFolder(dir, options)) frames.push(frame);
  return frames;
}

async function folderError(dir: string): Promise<string> {
  const error: unknown = await collect(dir).then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(VideoError);
  return (error as VideoError).message;
}

beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), "likeness-images-"));
  const good = join(root, "good");
  mkdirSync(good);
  // Natural order: 2 before 10; a text file and a subfolder are ignored.
  for (const n of [10, 2, 1]) await writePng(join(good, `frame${n}.png`), testImage(n * 20));
  await sharp(testImage(250), { raw: { width: 40, height: 30, channels: 3 } }).jpeg({ quality: 95 }).toFile(join(good, "frame11.JPG"));
  writeFileSync(join(good, "notes.txt"), "not an image");
  mkdirSync(join(good, "sub.png"));
});

afterAll(() => rmSync(root, { recursive: true, force: true }));

describe("readImageFolder", () => {
  it("reads PNG and JPEG files in natural order", async () => {
    const dir = join(root, "good");
    expect(listImageFiles(dir).map((p) => p.slice(dir.length + 1))).toEqual(["frame1.png", "frame2.png", "frame10.png", "frame11.JPG"]);
    const frames = await collect(dir, { fps: 25 });
    expect(frames.map((f) => f.index)).toEqual([0, 1, 2, 3]);
    expect(frames[2].timeSeconds).toBeCloseTo(2 / 25, 12);
    expect(frames.map((f) => f.rgb[0])).toEqual([20, 40, 200, frames[3].rgb[0]]);
    expect(Math.abs(frames[3].rgb[0] - 250)).toBeLessThan(8);
    expect(frames[0].rgb).toEqual(testImage(20));
    expect([frames[0].widthPx, frames[0].heightPx]).toEqual([40, 30]);
  });

  it("applies fromFrame, maxFrames, crop and resize", async () => {
    const frames = await collect(join(root, "good"), { fromFrame: 1, maxFrames: 2, crop: { x: 4, y: 2, width: 20, height: 20 }, outSizePx: 10 });
    expect(frames.map((f) => [f.index, f.widthPx, f.heightPx, f.rgb.length])).toEqual([
      [1, 10, 10, 300],
      [2, 10, 10, 300],
    ]);
    // Red is flat; green still ramps left to right after crop and shrink.
    expect(frames[0].rgb[0]).toBe(40);
    expect(frames[0].rgb[9 * 3 + 1]).toBeGreaterThan(frames[0].rgb[1]);
  });

  it("widens grey and drops alpha", async () => {
    const dir = join(root, "channels");
    mkdirSync(dir);
    await sharp(new Uint8Array(40 * 30).fill(77), { raw: { width: 40, height: 30, channels: 1 } }).png().toFile(join(dir, "1.png"));
    await sharp(new Uint8Array(40 * 30 * 4).fill(99), { raw: { width: 40, height: 30, channels: 4 } }).png().toFile(join(dir, "2.png"));
    const [grey, rgba] = await collect(dir);
    expect(grey.rgb).toEqual(new Uint8Array(40 * 30 * 3).fill(77));
    expect(rgba.rgb).toEqual(new Uint8Array(40 * 30 * 3).fill(99));
  });

  it("refuses a missing folder, a file, a folder without images, and differing sizes", async () => {
    const missing = join(root, "missing");
    expect(await folderError(missing)).toBe(`${missing}: no such folder`);
    const file = join(root, "good", "frame1.png");
    expect(await folderError(file)).toMatch(/not a folder/);
    const empty = join(root, "empty");
    mkdirSync(empty);
    writeFileSync(join(empty, "readme.md"), "#");
    expect(await folderError(empty)).toMatch(`${empty}: no images`);
    const mixed = join(root, "mixed");
    mkdirSync(mixed);
    await writePng(join(mixed, "a1.png"), testImage(1));
    await writePng(join(mixed, "a2.png"), testImage(2));
    await writePng(join(mixed, "a3.png"), testImage(3, 30, 40), 30, 40);
    await writePng(join(mixed, "a4.png"), testImage(4, 30, 40), 30, 40);
    expect(await folderError(mixed)).toBe(`${join(mixed, "a3.png")}: 30x40 differs from the folder's first image (${join(mixed, "a1.png")}, 40x30)`);
    const broken = join(root, "broken");
    mkdirSync(broken);
    await writePng(join(broken, "a1.png"), testImage(1));
    writeFileSync(join(broken, "a2.png"), "not a png");
    expect(await folderError(broken)).toMatch(`${join(broken, "a2.png")}: not an image`);
  });
});
