import { describe, expect, it } from "vitest";
import { Allocator, sizeClass } from "./allocator.js";

describe("Allocator", () => {
  it("rounds to size classes with at most 12.5% waste above 4 KiB", () => {
    expect(sizeClass(1)).toBe(64);
    expect(sizeClass(64)).toBe(64);
    expect(sizeClass(65)).toBe(128);
    for (const n of [4097, 10_000, 123_457, 1 << 20, (1 << 20) + 1, 99_999_999]) {
      const c = sizeClass(n);
      expect(c).toBeGreaterThanOrEqual(n);
      expect(c / n).toBeLessThanOrEqual(1.125 + 1e-9);
      expect(c % 64).toBe(0);
    }
  });

  it("hands out aligned, disjoint blocks, reuses freed ones and grows the memory", () => {
    const memory = new WebAssembly.Memory({ initial: 1, maximum: 1024, shared: true });
    const a = new Allocator(memory, 100);
    const p1 = a.alloc(10);
    const p2 = a.alloc(100_000);
    expect(p1 % 64).toBe(0);
    expect(p2).toBeGreaterThanOrEqual(p1 + 64);
    expect(a.memoryBytes).toBeGreaterThanOrEqual(p2 + 100_000);
    a.free(p2);
    expect(a.alloc(99_000)).toBe(p2);
    expect(a.liveBlocks).toBe(2);
    expect(() => a.free(12345)).toThrow(/not a live block/);
  });

  it("says how much was asked for when the memory limit is reached", () => {
    const memory = new WebAssembly.Memory({ initial: 1, maximum: 2, shared: true });
    const a = new Allocator(memory, 0);
    expect(() => a.alloc(1 << 20)).toThrow(/out of WebAssembly memory/);
  });
});
