import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { WavError, audioDurationSeconds, decodeWav, encodeWav, readWav, writeWav } from "./wav.js";

/** The real speech clip shared by the project (present in CI too). */
const SPEECH = resolve(import.meta.dirname, "../../../shared/data/real/speech-en-16k.wav");

function sine(n: number, period: number, amplitude: number): Float32Array {
  return new Float32Array(n).map((_, i) => amplitude * Math.sin((2 * Math.PI * i) / period));
}

describe("WAV", () => {
  it("round-trips 16-bit PCM mono and stereo to within one step", () => {
    const left = sine(1001, 37, 0.9);
    const right = sine(1001, 11, 0.3);
    for (const channels of [[left], [left, right]]) {
      const decoded = decodeWav(encodeWav({ sampleRate: 22050, channels }, "pcm16"));
      expect(decoded.encoding).toBe("pcm16");
      expect(decoded.sampleRate).toBe(22050);
      expect(decoded.channels).toHaveLength(channels.length);
      channels.forEach((c, k) => {
        expect(decoded.channels[k]).toHaveLength(1001);
        for (let i = 0; i < c.length; i++) expect(Math.abs(decoded.channels[k][i] - c[i])).toBeLessThanOrEqual(0.5 / 32768 + 1e-9);
      });
      // Decoding and encoding again is exact.
      expect(encodeWav(decoded, "pcm16")).toEqual(encodeWav({ sampleRate: 22050, channels }, "pcm16"));
    }
    // Out-of-range samples clamp instead of wrapping around.
    expect(Array.from(decodeWav(encodeWav({ sampleRate: 8000, channels: [new Float32Array([2, -2, 1, -1])] })).channels[0])).toEqual([
      32767 / 32768, -1, 32767 / 32768, -1,
    ]);
  });

  it("round-trips 32-bit float exactly, through a file", () => {
    const dir = mkdtempSync(join(tmpdir(), "likeness-wav-"));
    try {
      const channels = [sine(999, 13, 1.5), sine(999, 7, 0.1)];
      writeWav(join(dir, "a.wav"), { sampleRate: 48000, channels }, "float32");
      const decoded = readWav(join(dir, "a.wav"));
      expect(decoded.encoding).toBe("float32");
      expect(decoded.channels).toEqual(channels);
      expect(audioDurationSeconds(decoded)).toBeCloseTo(999 / 48000, 12);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("reads WAVE_FORMAT_EXTENSIBLE, skips extra chunks, and reads a streamed data size up to the end", () => {
    const plain = encodeWav({ sampleRate: 16000, channels: [new Float32Array([0.5, -0.25, 0.125])] }, "float32");
    // Rebuild: RIFF header, a LIST chunk of odd size (padded), an extensible fmt chunk, data sized 0xffffffff.
    const list = [..."LIST"].map((c) => c.charCodeAt(0)).concat([3, 0, 0, 0, 1, 2, 3, 0]);
    const fmt = new Uint8Array(8 + 40);
    const fv = new DataView(fmt.buffer);
    fmt.set([..."fmt "].map((c) => c.charCodeAt(0)));
    fv.setUint32(4, 40, true);
    fv.setUint16(8, 0xfffe, true);
    fv.setUint16(10, 1, true);
    fv.setUint32(12, 16000, true);
    fv.setUint32(16, 64000, true);
    fv.setUint16(20, 4, true);
    fv.setUint16(22, 32, true);
    fv.setUint16(24, 22, true);
    fv.setUint16(32, 3, true); // sub-format GUID starts with 3: IEEE float
    const data = plain.slice(36);
    new DataView(data.buffer).setUint32(4, 0xffffffff, true);
    const bytes = new Uint8Array([...plain.slice(0, 12), ...list, ...fmt, ...data]);
    const decoded = decodeWav(bytes);
    expect(decoded.encoding).toBe("float32");
    expect(Array.from(decoded.channels[0])).toEqual([0.5, -0.25, 0.125]);
  });

  it("gives clear errors for files it cannot read", () => {
    expect(() => decodeWav(new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0, 0, 0, 0, 0, 0, 0, 0]), "photo.png")).toThrow(
      new WavError("photo.png: not a WAV file (no RIFF/WAVE header)"),
    );
    const pcm24 = encodeWav({ sampleRate: 8000, channels: [new Float32Array(4)] });
    new DataView(pcm24.buffer).setUint16(34, 24, true);
    expect(() => decodeWav(pcm24, "x.wav")).toThrow(new WavError("x.wav: 24-bit PCM is not supported (only 16-bit PCM and 32-bit float)"));
    const alaw = encodeWav({ sampleRate: 8000, channels: [new Float32Array(4)] });
    new DataView(alaw.buffer).setUint16(20, 6, true);
    expect(() => decodeWav(alaw, "x.wav")).toThrow(/x\.wav: format code 6 is not supported/);
    const surround = encodeWav({ sampleRate: 8000, channels: [new Float32Array(6)] });
    new DataView(surround.buffer).setUint16(22, 3, true);
    expect(() => decodeWav(surround, "x.wav")).toThrow(new WavError("x.wav: 3 channels are not supported (only mono and stereo)"));
    expect(() => decodeWav(encodeWav({ sampleRate: 8000, channels: [new Float32Array(2)] }).slice(0, 36), "cut.wav")).toThrow(
      new WavError("cut.wav: no data chunk"),
    );
    expect(() => readWav("/nonexistent/a.wav")).toThrow(new WavError("/nonexistent/a.wav: cannot read (ENOENT)"));
    expect(() => encodeWav({ sampleRate: 8000, channels: [] })).toThrow(WavError);
  });

  it("reads the real speech clip: 16 kHz mono, about 60 s", () => {
    const audio = readWav(SPEECH);
    expect(audio.sampleRate).toBe(16000);
    expect(audio.channels).toHaveLength(1);
    expect(audio.encoding).toBe("pcm16");
    expect(audioDurationSeconds(audio)).toBeGreaterThan(59);
    expect(audioDurationSeconds(audio)).toBeLessThan(61);
    // It is speech, not silence.
    const samples = audio.channels[0];
    let energy = 0;
    for (const s of samples) energy += s * s;
    expect(Math.sqrt(energy / samples.length)).toBeGreaterThan(0.01);
  });
});
