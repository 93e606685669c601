import { describe, expect, it } from "vitest";
import { runKernel, getCore } from "./runtime.js";
import { tensor, empty, scope, zeros } from "./tensor.js";

describe("runtime", () => {
  it("runs a kernel on every thread over the shared memory", () => {
    const n = 100_003;
    const a = tensor(Float32Array.from({ length: n }, (_, i) => i));
    const b = tensor(Float32Array.from({ length: n }, (_, i) => 2 * i));
    const out = empty([n]);
    runKernel("addF32", [a.ptr, b.ptr, out.ptr, n], n * 10);
    const d = out.data;
    for (let i = 0; i < n; i += 997) expect(d[i]).toBe(3 * i);
    expect(d[n - 1]).toBe(3 * (n - 1));
    expect(getCore().numThreads).toBeGreaterThanOrEqual(1);
  });

  it("reports an unknown kernel by name", () => {
    expect(() => runKernel("noSuchKernel", [], 1)).toThrow(/noSuchKernel/);
  });

  it("releases tensors made inside a scope, keeps returned ones", () => {
    const alloc = getCore().allocator;
    const before = alloc.liveBlocks;
    const kept = scope(() => {
      zeros([10]);
      zeros([1000]);
      return zeros([5]);
    });
    expect(alloc.liveBlocks).toBe(before + 1);
    kept.dispose();
    expect(alloc.liveBlocks).toBe(before);
    expect(() => kept.data).toThrow(/disposed/);
  });
});
