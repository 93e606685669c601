import { mkdtempSync, readFileSync, rmSync, truncateSync, writeFileSync, existsSync, readdirSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { encodeSafetensors, readSafetensors } from "../core/index.js";
import {
  AVATAR_FORMAT_VERSION, AvatarFileError, readAvatarFile, writeAvatarFile, type AvatarContents,
} from "./avatar-file.js";

const dir = mkdtempSync(join(tmpdir(), "likeness-avatar-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function sample(): AvatarContents {
  const values = (n: number, seed: number) => Float32Array.from({ length: n }, (_, i) => Math.sin(seed * 7.1 + i * 1.3) * 10 ** ((i % 7) - 3));
  const weird = Float32Array.from([0, -0, 1e-45, -3.4028234663852886e38, 1 / 3, Math.PI]);
  return {
    method: "flame-in-nerf",
    config: { preset: "tiny", lr: 0.01, layers: [64, 64], nested: { on: true, name: "x" }, none: null },
    parameters: new Map([
      ["decoder.0.weight", { shape: [3, 4], data: values(12, 1) }],
      ["decoder.0.bias", { shape: [4], data: values(4, 2) }],
      ["special", { shape: [2, 3], data: weird }],
      ["empty", { shape: [0], data: new Float32Array(0) }],
    ]),
    training: {
      step: 12,
      optimizer: {
        tensors: new Map([["g.0.m", { shape: [3, 4], data: values(12, 3) }], ["g.0.v", { shape: [3, 4], data: values(12, 4) }]]),
        steps: { "g.0": 12 },
      },
      methodState: { rng: [1, 2, 3, 4294967295] },
      history: {
        steps: [{ step: 0, loss: 0.5, metrics: { psnr: 12.25 } }, { step: 1, loss: 0.1 / 3, metrics: {} }],
        validations: [{ step: 2, metrics: { psnr: 20.125 } }],
      },
    },
  };
}

function bits(a: Float32Array): number[] {
  return Array.from(new Uint32Array(a.buffer, a.byteOffset, a.length));
}

describe("avatar file", () => {
  it("round-trips bit-exactly, and leaves no temporary file", () => {
    const path = join(dir, "round.avatar");
    const original = sample();
    writeAvatarFile(path, original);
    const back = readAvatarFile(path);
    expect(back.method).toBe(original.method);
    expect(back.config).toEqual(original.config);
    expect(back.training.step).toBe(12);
    expect(back.training.methodState).toEqual(original.training.methodState);
    expect(back.training.history).toEqual(original.training.history);
    expect(back.training.optimizer?.steps).toEqual({ "g.0": 12 });
    expect([...back.parameters.keys()].sort()).toEqual([...original.parameters.keys()].sort());
    for (const [name, t] of original.parameters) {
      expect(back.parameters.get(name)!.shape).toEqual(t.shape);
      expect(bits(back.parameters.get(name)!.data)).toEqual(bits(t.data));
    }
    for (const [name, t] of original.training.optimizer!.tensors) {
      expect(bits(back.training.optimizer!.tensors.get(name)!.data)).toEqual(bits(t.data));
    }
    expect(readdirSync(dir).filter((f) => f.includes(".tmp"))).toEqual([]);
  });

  it("is a plain safetensors file: the weights and the metadata read without Likeness's avatar code", () => {
    const path = join(dir, "plain.avatar");
    writeAvatarFile(path, sample());
    const plain = readSafetensors(path);
    expect(plain.metadata.format).toBe("likeness-avatar");
    expect(plain.metadata.version).toBe(String(AVATAR_FORMAT_VERSION));
    expect(plain.metadata.method).toBe("flame-in-nerf");
    expect(plain.metadata.checksum).toMatch(/^[0-9a-f]{64}$/);
    expect(plain.tensors.has("decoder.0.weight")).toBe(true);
    expect(plain.tensors.has("optimizer/g.0.m")).toBe(true);
  });

  it("writes an optimizer-less avatar, and reads it back with a null optimizer", () => {
    const path = join(dir, "final.avatar");
    const c = sample();
    c.training.optimizer = null;
    writeAvatarFile(path, c);
    const back = readAvatarFile(path);
    expect(back.training.optimizer).toBeNull();
    expect(back.parameters.size).toBe(4);
  });

  const expectError = (path: string, pattern: RegExp) => {
    let error: unknown;
    try {
      readAvatarFile(path);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(AvatarFileError);
    const message = (error as Error).message;
    expect(message).toMatch(pattern);
    expect(message.startsWith(path)).toBe(true);
    expect(message).not.toContain("\n");
  };

  it("reports a flipped byte in the tensor data as a checksum mismatch", () => {
    const path = join(dir, "flip.avatar");
    writeAvatarFile(path, sample());
    const bytes = readFileSync(path);
    bytes[bytes.length - 5] ^= 0x10;
    writeFileSync(path, bytes);
    expectError(path, /checksum mismatch: the file is corrupt/);
  });

  it("reports an edited config as a checksum mismatch", () => {
    const path = join(dir, "config.avatar");
    writeAvatarFile(path, sample());
    const text = readFileSync(path, "latin1").replace('\\"lr\\":0.01', '\\"lr\\":0.02');
    writeFileSync(path, Buffer.from(text, "latin1"));
    expectError(path, /checksum mismatch/);
  });

  it("reports a truncated file", () => {
    const path = join(dir, "truncated.avatar");
    writeAvatarFile(path, sample());
    truncateSync(path, readFileSync(path).length - 10);
    expectError(path, /not a Likeness avatar file .*truncated/);
  });

  it("reports another format version", () => {
    const path = join(dir, "v2.avatar");
    writeAvatarFile(path, sample());
    const text = readFileSync(path, "latin1").replace('"version":"1"', '"version":"2"');
    writeFileSync(path, Buffer.from(text, "latin1"));
    expectError(path, /: was written by Likeness avatar format 2; this Likeness reads format 1$/);
  });

  it("reports a file that is not safetensors, a foreign safetensors file, and missing fields", () => {
    const junk = join(dir, "junk.avatar");
    writeFileSync(junk, "hello, this is not an avatar at all");
    expectError(junk, /not a Likeness avatar file/);

    const torch = join(dir, "torch.safetensors");
    writeFileSync(torch, encodeSafetensors(new Map([["w", { shape: [1], data: new Float32Array(1) }]])));
    expectError(torch, /not a Likeness avatar file .*'format'/);

    const other = join(dir, "other.safetensors");
    writeFileSync(other, encodeSafetensors(new Map(), { format: "pt" }));
    expectError(other, /format 'pt', expected 'likeness-avatar'/);

    const partial = join(dir, "partial.avatar");
    writeFileSync(partial, encodeSafetensors(new Map(), { format: "likeness-avatar", version: "1", method: "m" }));
    expectError(partial, /missing the metadata fields 'config', 'training', 'checksum'/);

    expectError(join(dir, "absent.avatar"), /cannot read \(ENOENT\)/);
    expect(existsSync(join(dir, "absent.avatar"))).toBe(false);
  });

  it("refuses to write a parameter named like optimizer state, or a non-finite logged loss", () => {
    const c = sample();
    c.parameters.set("optimizer/x", { shape: [1], data: new Float32Array(1) });
    expect(() => writeAvatarFile(join(dir, "bad.avatar"), c)).toThrow(/reserved prefix/);
    const d = sample();
    d.training.history.steps.push({ step: 2, loss: NaN, metrics: {} });
    expect(() => writeAvatarFile(join(dir, "bad.avatar"), d)).toThrow(AvatarFileError);
    expect(existsSync(join(dir, "bad.avatar"))).toBe(false);
  });
});
