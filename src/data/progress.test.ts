import { describe, expect, it } from "vitest";
import { formatDuration, ProgressBar } from "./progress.js";

describe("ProgressBar", () => {
  it("shows count, rate, time left and metrics, and logs every 10% off a terminal", () => {
    const lines: string[] = [];
    let t = 0;
    const bar = new ProgressBar({ label: "train", total: 100, unit: "step", stream: { write: (s: string) => lines.push(s) }, now: () => t });
    for (let i = 0; i < 100; i++) {
      t += 0.5;
      bar.tick(1, { loss: 0.0123, psnr: 31.4 });
    }
    bar.finish();
    expect(lines.length).toBe(11);
    expect(lines[5]).toMatch(/^train \[#{12}-{12}\] 50\/100 {2}2\.00 step\/s {2}25s elapsed, 25s left {2}loss 0\.0123 {2}psnr 31\.40\n$/);
    expect(lines.at(-1)).toMatch(/100\/100 .* done/);
  });

  it("formats durations", () => {
    expect(formatDuration(5)).toBe("5s");
    expect(formatDuration(185)).toBe("3m05s");
    expect(formatDuration(3720)).toBe("1h02m");
    expect(formatDuration(Infinity)).toBe("?");
  });
});
