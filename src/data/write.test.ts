import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import sharp from "sharp";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DatasetError } from "./dataset.js";
import { loadDataset } from "./load.js";
import { tinyManifest, writeTinyDataset } from "./testing/tiny-dataset.js";
import { formatJson, openDatasetWriter, writeDataset } from "./write.js";

let root: string;

beforeAll(() => {
  root = mkdtempSync(join(tmpdir(), "likeness-write-"));
});

afterAll(() => rmSync(root, { recursive: true, force: true }));

/** Everything in `root` whose name starts with `name` (the output, staging and old folders). */
function leftovers(name: string): string[] {
  return readdirSync(root).filter((entry) => entry.startsWith(name));
}

describe("DatasetWriter", () => {
  it("abort leaves nothing behind", async () => {
    const out = join(root, "aborted");
    const writer = openDatasetWriter(out);
    expect(writer.stagingDir).toBe(`${out}.partial-${process.pid}`);
    await writer.writeImage("frames/0.png", new Uint8Array(4 * 4 * 3), 4, 4, 3);
    expect(existsSync(join(writer.stagingDir, "frames/0.png"))).toBe(true);
    writer.abort();
    expect(leftovers("aborted")).toEqual([]);
    writer.abort();
    await expect(writer.writeImage("frames/1.png", new Uint8Array(48), 4, 4, 3)).rejects.toThrow(/already aborted/);
  });

  it("an exception before finish leaves nothing behind", async () => {
    const out = join(root, "interrupted");
    await expect(
      writeDataset(out, async (writer) => {
        await writer.writeImage("frames/0.png", new Uint8Array(4 * 4 * 3), 4, 4, 3);
        throw new Error("renderer crashed");
      }),
    ).rejects.toThrow("renderer crashed");
    expect(leftovers("interrupted")).toEqual([]);
  });

  it("finish refuses an invalid manifest or a file of the wrong size, and leaves nothing", async () => {
    const out = join(root, "invalid");
    const bad = writeDataset(out, async (writer) => ({ ...(await writeTinyDataset(writer)), fps: -1 }));
    await expect(bad).rejects.toThrow(new DatasetError(`${join(out, "dataset.json")}: fps: Too small: expected number to be >0`));
    expect(leftovers("invalid")).toEqual([]);

    const wrongSize = writeDataset(out, async (writer) => {
      const manifest = await writeTinyDataset(writer);
      await writer.writeImage("frames/front/0.png", new Uint8Array(5 * 5 * 3), 5, 5, 3);
      return manifest;
    });
    await expect(wrongSize).rejects.toThrow(/frames\/front\/0\.png: image is 5x5 but camera "front" declares 8x6/);
    expect(leftovers("invalid")).toEqual([]);

    const missing = writeDataset(out, async () => tinyManifest());
    await expect(missing).rejects.toThrow(/frames\/front\/0\.png: image is missing \(frames\[0\]: index 0, camera "front"\)/);
    expect(leftovers("invalid")).toEqual([]);
  });

  it("refuses an existing output unless overwrite is given, then replaces it whole", async () => {
    const out = join(root, "existing");
    await writeDataset(out, writeTinyDataset);
    const before = readFileSync(join(out, "dataset.json"), "utf8");
    // Refused at open, before any frame is written.
    expect(() => openDatasetWriter(out)).toThrow(new DatasetError(`${out}: already exists; pass overwrite to replace it`));
    expect(readFileSync(join(out, "dataset.json"), "utf8")).toBe(before);

    await writeDataset(
      out,
      async (writer) => {
        const manifest = await writeTinyDataset(writer);
        return { ...manifest, name: "replaced" };
      },
      { overwrite: true },
    );
    expect((await loadDataset(out)).manifest.name).toBe("replaced");
    expect(leftovers("existing")).toEqual(["existing"]);

    // A failed overwrite keeps the old dataset.
    await expect(
      writeDataset(out, async () => {
        throw new Error("stop");
      }, { overwrite: true }),
    ).rejects.toThrow("stop");
    expect((await loadDataset(out)).manifest.name).toBe("replaced");
    expect(leftovers("existing")).toEqual(["existing"]);
  });

  it("overwrites an empty folder but never a folder that is not a dataset", async () => {
    const empty = join(root, "empty-out");
    mkdirSync(empty);
    await writeDataset(empty, writeTinyDataset, { overwrite: true });
    expect(existsSync(join(empty, "dataset.json"))).toBe(true);

    const precious = join(root, "precious");
    mkdirSync(precious);
    writeFileSync(join(precious, "thesis.tex"), "...");
    expect(() => openDatasetWriter(precious, { overwrite: true })).toThrow(
      `${precious}: exists and is not a Likeness dataset (no dataset.json); refusing to replace it`,
    );
    expect(readdirSync(precious)).toEqual(["thesis.tex"]);
  });

  it("writes float images, grey masks, and refuses paths outside the dataset", async () => {
    const writer = openDatasetWriter(join(root, "floats"));
    try {
      await writer.writeImage("a.png", new Float32Array([0, 0.5, 1, 2, -1, 0.25]), 2, 1, 3);
      const { data } = await sharp(join(writer.stagingDir, "a.png")).raw().toBuffer({ resolveWithObject: true });
      expect(Array.from(data)).toEqual([0, 128, 255, 255, 0, 64]);
      await expect(writer.writeImage("b.png", new Uint8Array(5), 2, 1, 3)).rejects.toThrow(/5 values given for a 2x1 image with 3 channels \(6 expected\)/);
      await expect(writer.writeMask("../x.png", new Uint8Array(1), 1, 1)).rejects.toThrow(DatasetError);
      await expect(writer.writeImage("frame.jpg", new Uint8Array(3), 1, 1, 3)).rejects.toThrow(/ending in \.png/);
      await expect(writer.writeAudio("dataset.json", new Uint8Array(0))).rejects.toThrow(DatasetError);
    } finally {
      writer.abort();
    }
  });
});

describe("formatJson", () => {
  it("keeps number arrays on one line and round-trips", () => {
    const value = { a: [1, 2], b: [[1, 2], [3, 4]], c: [{ d: null, e: "x" }], f: {}, g: undefined };
    const text = formatJson(value);
    expect(JSON.parse(text)).toEqual({ a: [1, 2], b: [[1, 2], [3, 4]], c: [{ d: null, e: "x" }], f: {} });
    expect(text).toContain('"b": [[1,2],[3,4]]');
  });
});
