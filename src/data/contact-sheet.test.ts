import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import sharp from "sharp";
import { describe, expect, it } from "vitest";
import { writeContactSheet } from "./contact-sheet.js";

describe("writeContactSheet", () => {
  it("lays tiles out in a grid with captions and keeps their pixels", async () => {
    const tile = (r: number, g: number, b: number) => {
      const rgb = new Uint8Array(8 * 6 * 3);
      for (let i = 0; i < 8 * 6; i++) rgb.set([r, g, b], 3 * i);
      return { rgb, widthPx: 8, heightPx: 6, label: `${r}` };
    };
    const out = join(mkdtempSync(join(tmpdir(), "likeness-cs-")), "sheet.png");
    await writeContactSheet({ tiles: [tile(255, 0, 0), tile(0, 255, 0), tile(0, 0, 255)], columns: 2, outPath: out });
    const { data, info } = await sharp(out).raw().toBuffer({ resolveWithObject: true });
    expect(info.width).toBe(16);
    expect(info.height).toBe(2 * (6 + 18));
    const px = (x: number, y: number) => Array.from(data.subarray((y * info.width + x) * info.channels, (y * info.width + x) * info.channels + 3));
    expect(px(1, 1)).toEqual([255, 0, 0]);
    expect(px(9, 1)).toEqual([0, 255, 0]);
    expect(px(1, 25)).toEqual([0, 0, 255]);
  });

  it("names the tile whose size is wrong", async () => {
    await expect(
      writeContactSheet({ tiles: [{ rgb: new Uint8Array(5), widthPx: 2, heightPx: 2 }], columns: 1, outPath: join(tmpdir(), "x.png") }),
    ).rejects.toThrow(/tile 0 has 5 bytes/);
  });
});
