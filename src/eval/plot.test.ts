import { mkdtempSync, readFileSync, readdirSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import sharp from "sharp";
import { describe, expect, it } from "vitest";
import { EvalError } from "./error.js";
import { glyphRows, textWidthPx } from "./font.js";
import { plotLayout, plotLines, type PlotLinesOptions } from "./plot.js";
import { writePng } from "./png.js";
import { RgbCanvas } from "./raster.js";
import { formatTick, linearTicks, logTicks } from "./ticks.js";

const pixel = (rgb: Uint8Array, w: number, x: number, y: number): number[] => Array.from(rgb.subarray((y * w + x) * 3, (y * w + x) * 3 + 3));
/** Whether a pixel within one of (x, y) has `color` (lines are rasterized, so allow a pixel of rounding). */
const near = (rgb: Uint8Array, w: number, x: number, y: number, color: number[]): boolean => {
  for (let dy = -1; dy <= 1; dy++) for (let dx = -1; dx <= 1; dx++) if (pixel(rgb, w, x + dx, y + dy).every((v, i) => v === color[i])) return true;
  return false;
};

describe("font and canvas", () => {
  it("has glyphs for digits, letters and punctuation, and '?' for the rest", () => {
    for (const ch of "0123456789ABCXYZabcxyz.-+:()% ") expect(glyphRows(ch)).toHaveLength(7);
    expect(glyphRows("~")).toEqual(glyphRows("?"));
    expect(Array.from(glyphRows("1"))).toEqual([0x04, 0x0c, 0x04, 0x04, 0x04, 0x04, 0x0e]);
    expect(textWidthPx("ab", 2)).toBe(22);
  });

  it("draws text pixels where the glyph bits are, horizontally and vertically", () => {
    const c = new RgbCanvas(20, 20);
    c.drawText("L", 2, 3, [0, 0, 0]);
    expect(c.getPixel(2, 3)).toEqual([0, 0, 0]); // top of the stem
    expect(c.getPixel(6, 9)).toEqual([0, 0, 0]); // end of the foot
    expect(c.getPixel(6, 3)).toEqual([255, 255, 255]);
    const v = new RgbCanvas(20, 20);
    v.drawText("L", 2, 15, [0, 0, 0], { vertical: true });
    expect(v.getPixel(2, 15)).toEqual([0, 0, 0]); // the stem now runs along the left... of the rotated glyph
    expect(v.getPixel(8, 11)).toEqual([0, 0, 0]);
  });

  it("draws lines through both ends and clips them", () => {
    const c = new RgbCanvas(10, 10);
    c.drawLine(0, 0, 9, 9, [255, 0, 0]);
    for (let i = 0; i < 10; i++) expect(c.getPixel(i, i)).toEqual([255, 0, 0]);
    c.clip = [0, 0, 4, 9];
    c.drawLine(0, 2, 9, 2, [0, 0, 255]);
    expect(c.getPixel(4, 2)).toEqual([0, 0, 255]);
    expect(c.getPixel(5, 2)).toEqual([255, 255, 255]);
  });
});

describe("ticks", () => {
  it("picks 1-2-5 steps and formats them", () => {
    expect(linearTicks(0, 10).values).toEqual([0, 2, 4, 6, 8, 10]);
    const t = linearTicks(14.2, 29.7, { target: 8 });
    expect([t.min, t.max]).toEqual([14, 30]);
    expect(linearTicks(0, 1037, { extend: false }).max).toBe(1037);
    expect(linearTicks(0.1, 0.3).labels).toEqual(["0.10", "0.15", "0.20", "0.25", "0.30"]);
    expect(formatTick(-0, 1)).toBe("0");
    expect(formatTick(2e-6, 1e-6)).toBe("2e-6");
    const flat = linearTicks(5, 5);
    expect(flat.min).toBeLessThan(5);
    expect(flat.max).toBeGreaterThan(5);
  });

  it("puts log ticks on decades, with 2x and 5x over short ranges", () => {
    const wide = logTicks(0.0083, 0.67);
    expect([wide.min, wide.max]).toEqual([0.001, 1]);
    expect(wide.labels).toEqual(["0.001", "0.01", "0.1", "1"]);
    const narrow = logTicks(0.02, 0.09);
    expect(narrow.values.map((v) => +v.toPrecision(3))).toEqual([0.01, 0.02, 0.05, 0.1]);
  });
});

describe("plotLines", () => {
  const options: PlotLinesOptions = {
    series: [{ name: "y = x", xs: [0, 10], ys: [0, 10], color: "#ff0000" }],
    widthPx: 300, heightPx: 200, title: "Test", xLabel: "step", yLabel: "value", legend: false,
  };

  it("returns an image of the requested size with a framed plot area", () => {
    const rgb = plotLines(options);
    expect(rgb.length).toBe(300 * 200 * 3);
    const l = plotLayout(options);
    expect(l.plotLeftPx).toBeGreaterThan(10);
    expect(l.plotBottomPx).toBeLessThan(190);
    for (let y = l.plotTopPx; y <= l.plotBottomPx; y++) expect(pixel(rgb, 300, l.plotLeftPx, y)).toEqual([0, 0, 0]);
    for (let x = l.plotLeftPx; x <= l.plotRightPx; x++) expect(pixel(rgb, 300, x, l.plotBottomPx)).toEqual([0, 0, 0]);
    // A tick mark below the axis at each x tick, and one left of the axis at each y tick.
    for (const v of l.xTicks.values) expect(pixel(rgb, 300, l.xToPx(v), l.plotBottomPx + 2)).toEqual([0, 0, 0]);
    for (const v of l.yTicks.values) expect(pixel(rgb, 300, l.plotLeftPx - 2, l.yToPx(v))).toEqual([0, 0, 0]);
    // x spans the data exactly; y is the data plus a margin, rounded out to ticks.
    expect([l.xToPx(0), l.xToPx(10)]).toEqual([l.plotLeftPx, l.plotRightPx]);
    expect([l.yTicks.min, l.yTicks.max]).toEqual([-2, 12]);
    expect([l.yToPx(-2), l.yToPx(12)]).toEqual([l.plotBottomPx, l.plotTopPx]);
  });

  it("draws a known series through the expected pixels", () => {
    const rgb = plotLines(options);
    const l = plotLayout(options);
    for (const v of [1, 2.5, 5, 7.5, 9]) expect(near(rgb, 300, l.xToPx(v), l.yToPx(v), [255, 0, 0])).toBe(true);
    // Off the line, inside the plot: background or grid, never the line colour.
    expect(pixel(rgb, 300, l.xToPx(8), l.yToPx(2))).not.toEqual([255, 0, 0]);
  });

  it("plots on a log axis and breaks lines at non-positive values", () => {
    const opts: PlotLinesOptions = { series: [{ name: "loss", xs: [0, 1, 2, 3], ys: [1, 0.1, 0, 0.01] }], widthPx: 320, heightPx: 200, logY: true, legend: false };
    const rgb = plotLines(opts);
    const l = plotLayout(opts);
    expect(l.yTicks.labels).toEqual(["0.01", "0.02", "0.05", "0.1", "0.2", "0.5", "1"]);
    const blue = [0x1f, 0x77, 0xb4];
    expect(near(rgb, 320, l.xToPx(0.5), l.yToPx(Math.sqrt(0.1)), blue)).toBe(true); // log-linear midpoint
    expect(near(rgb, 320, l.xToPx(2.5), l.yToPx(Math.sqrt(0.001)), blue)).toBe(false); // the gap
  });

  it("draws a legend with each series' colour", () => {
    const opts: PlotLinesOptions = { series: [{ name: "a", xs: [0, 1], ys: [0, 0], color: "#00ff00" }, { name: "b", xs: [0, 1], ys: [1, 1], color: "#0000ff" }], widthPx: 200, heightPx: 150 };
    const rgb = plotLines(opts);
    let green = 0;
    for (let i = 0; i < rgb.length; i += 3) if (rgb[i] === 0 && rgb[i + 1] === 255 && rgb[i + 2] === 0) green++;
    const l = plotLayout(opts);
    expect(green).toBeGreaterThan(l.plotRightPx - l.plotLeftPx); // the line plus the legend sample
  });

  it("rejects bad input with an EvalError", () => {
    expect(() => plotLines({ ...options, series: [] })).toThrow(EvalError);
    expect(() => plotLines({ ...options, series: [{ name: "x", xs: [1, 2], ys: [1] }] })).toThrow(/2 xs but 1 ys/);
    expect(() => plotLines({ ...options, widthPx: 30, heightPx: 20 })).toThrow(/no room/);
  });
});

describe("writePng", () => {
  it("writes a PNG that reads back with the same pixels and leaves no temporary file", async () => {
    const dir = mkdtempSync(join(tmpdir(), "likeness-eval-"));
    const rgb = plotLines({ series: [{ name: "s", xs: [0, 1, 2], ys: [3, 1, 2] }], widthPx: 120, heightPx: 90 });
    await writePng(join(dir, "p.png"), rgb, 120, 90);
    expect(readdirSync(dir)).toEqual(["p.png"]);
    const { data, info } = await sharp(readFileSync(join(dir, "p.png"))).raw().toBuffer({ resolveWithObject: true });
    expect([info.width, info.height, info.channels]).toEqual([120, 90, 3]);
    expect(Buffer.compare(data, Buffer.from(rgb))).toBe(0);
    await expect(writePng(join(dir, "q.png"), rgb, 10, 10)).rejects.toThrow(EvalError);
  });
});
