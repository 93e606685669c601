import { mkdtempSync, writeFileSync, readdirSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { decodeSafetensors, encodeSafetensors, readSafetensors, writeSafetensors, type StoredTensor } from "./safetensors.js";

const sample = (): Map<string, StoredTensor> =>
  new Map([
    ["decoder.weight", { shape: [2, 3], data: Float32Array.from([1, 2, 3, 4, 5, -6.5]) }],
    ["bias", { shape: [3], data: Float32Array.from([0.25, -1e-8, 3e8]) }],
    ["scalar", { shape: [], data: Float32Array.from([7]) }],
    ["empty", { shape: [0, 4], data: new Float32Array(0) }],
  ]);

describe("safetensors", () => {
  it("round-trips tensors and metadata through a file", () => {
    const dir = mkdtempSync(join(tmpdir(), "likeness-st-"));
    const path = join(dir, "w.safetensors");
    writeSafetensors(path, sample(), { format: "likeness", version: "1" });
    const back = readSafetensors(path);
    expect(back.metadata).toEqual({ format: "likeness", version: "1" });
    for (const [name, t] of sample()) {
      expect(back.tensors.get(name)?.shape).toEqual(t.shape);
      expect(Array.from(back.tensors.get(name)!.data)).toEqual(Array.from(t.data));
    }
    expect(readdirSync(dir)).toEqual(["w.safetensors"]);
  });

  it("writes the layout PyTorch's reader expects", () => {
    const bytes = encodeSafetensors(sample());
    const n = Number(new DataView(bytes.buffer).getBigUint64(0, true));
    expect(n % 8).toBe(0);
    const header = JSON.parse(new TextDecoder().decode(bytes.subarray(8, 8 + n)));
    expect(header["bias"]).toEqual({ dtype: "F32", shape: [3], data_offsets: [0, 12] });
    expect(bytes.length).toBe(8 + n + 4 * (6 + 3 + 1));
  });

  it("reads float16, bfloat16, float64 and int32 as float32", () => {
    const header = JSON.stringify({
      h: { dtype: "F16", shape: [2], data_offsets: [0, 4] },
      b: { dtype: "BF16", shape: [1], data_offsets: [4, 6] },
      d: { dtype: "F64", shape: [1], data_offsets: [8, 16] },
      i: { dtype: "I32", shape: [1], data_offsets: [16, 20] },
    });
    const hb = new TextEncoder().encode(header);
    const bytes = new Uint8Array(8 + hb.length + 20);
    const v = new DataView(bytes.buffer);
    v.setBigUint64(0, BigInt(hb.length), true);
    bytes.set(hb, 8);
    const d0 = 8 + hb.length;
    v.setUint16(d0, 0x3c00, true); // 1.0
    v.setUint16(d0 + 2, 0xc000, true); // -2.0
    v.setUint16(d0 + 4, 0x4049, true); // bf16 3.140625
    v.setFloat64(d0 + 8, 0.1, true);
    v.setInt32(d0 + 16, -5, true);
    const { tensors } = decodeSafetensors(bytes);
    expect(Array.from(tensors.get("h")!.data)).toEqual([1, -2]);
    expect(tensors.get("b")!.data[0]).toBeCloseTo(3.140625, 6);
    expect(tensors.get("d")!.data[0]).toBeCloseTo(0.1, 7);
    expect(tensors.get("i")!.data[0]).toBe(-5);
  });

  it("names the file and the problem for a truncated or malformed file", () => {
    const dir = mkdtempSync(join(tmpdir(), "likeness-st-"));
    const good = encodeSafetensors(sample());
    const cases: [string, Uint8Array, RegExp][] = [
      ["empty.safetensors", new Uint8Array(0), /too short/],
      ["cut-header.safetensors", good.subarray(0, 20), /exceeds the file size/],
      ["cut-data.safetensors", good.subarray(0, good.length - 4), /truncated/],
      ["not-json.safetensors", Uint8Array.from([4, 0, 0, 0, 0, 0, 0, 0, 123, 120, 120, 120]), /not JSON/],
    ];
    for (const [name, bytes, why] of cases) {
      const path = join(dir, name);
      writeFileSync(path, bytes);
      expect(() => readSafetensors(path)).toThrow(new RegExp(`${name}.*`));
      expect(() => readSafetensors(path)).toThrow(why);
    }
    expect(() => readSafetensors(join(dir, "missing.safetensors"))).toThrow(/missing\.safetensors: cannot read \(ENOENT\)/);
    const badShape = new TextEncoder().encode(JSON.stringify({ x: { dtype: "F32", shape: [3], data_offsets: [0, 8] } }));
    const bytes = new Uint8Array(8 + badShape.length + 8);
    new DataView(bytes.buffer).setBigUint64(0, BigInt(badShape.length), true);
    bytes.set(badShape, 8);
    expect(() => decodeSafetensors(bytes, "x.st")).toThrow(/x\.st: .*do not match shape/);
  });
});
