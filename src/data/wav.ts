import { readFileSync } from "node:fs";
import { writeFileAtomic } from "../core/index.js";

/** Sample encodings this module reads and writes. */
export const WAV_ENCODINGS = ["pcm16", "float32"] as const;
/** A WAV sample encoding: 16-bit signed integer PCM, or 32-bit IEEE float. */
export type WavEncoding = (typeof WAV_ENCODINGS)[number];

/** Decoded audio: one Float32Array per channel (planar), samples nominally in [-1, 1]. */
export interface Audio {
  /** Samples per second. */
  readonly sampleRate: number;
  /** One array per channel, all the same length (1 = mono, 2 = stereo: left, right). */
  readonly channels: readonly Float32Array[];
}

/** A decoded WAV file: its audio and the encoding it was stored in. */
export interface DecodedWav extends Audio {
  readonly encoding: WavEncoding;
}

/** An error about a WAV file; its one-line message names the file. */
export class WavError extends Error {
  override readonly name = "WavError";
}

const FORMAT_PCM = 1;
const FORMAT_FLOAT = 3;
const FORMAT_EXTENSIBLE = 0xfffe;

/** Duration of `audio` in seconds. */
export function audioDurationSeconds(audio: Audio): number {
  return (audio.channels[0]?.length ?? 0) / audio.sampleRate;
}

/**
 * Decodes a RIFF/WAVE file holding 16-bit PCM or 32-bit float samples, mono or
 * stereo (also in WAVE_FORMAT_EXTENSIBLE form). Extra chunks (LIST, fact, ...)
 * are skipped. A data chunk whose declared size runs past the end (as written by
 * a streaming encoder) is read up to the end of the file. `name` is used in errors.
 */
export function decodeWav(bytes: Uint8Array, name = "WAV data"): DecodedWav {
  const fail = (problem: string): never => {
    throw new WavError(`${name}: ${problem}`);
  };
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const tag = (at: number): string => String.fromCharCode(bytes[at], bytes[at + 1], bytes[at + 2], bytes[at + 3]);
  if (bytes.length < 12 || tag(0) !== "RIFF" || tag(8) !== "WAVE") fail("not a WAV file (no RIFF/WAVE header)");

  let format: { formatTag: number; channelCount: number; sampleRate: number; bitsPerSample: number; blockAlign: number } | undefined;
  let data: Uint8Array | undefined;
  for (let at = 12; at + 8 <= bytes.length; ) {
    const id = tag(at);
    const size = view.getUint32(at + 4, true);
    const body = at + 8;
    if (id === "fmt ") {
      if (size < 16 || body + size > bytes.length) fail("truncated fmt chunk");
      let formatTag = view.getUint16(body, true);
      const bitsPerSample = view.getUint16(body + 14, true);
      if (formatTag === FORMAT_EXTENSIBLE) {
        // The real format is the first two bytes of the sub-format GUID.
        if (size < 40) fail("truncated WAVE_FORMAT_EXTENSIBLE fmt chunk");
        formatTag = view.getUint16(body + 24, true);
      }
      format = {
        formatTag,
        channelCount: view.getUint16(body + 2, true),
        sampleRate: view.getUint32(body + 4, true),
        blockAlign: view.getUint16(body + 12, true),
        bitsPerSample,
      };
    } else if (id === "data") {
      data = bytes.subarray(body, Math.min(bytes.length, body + size));
      break;
    }
    // Chunks are padded to an even size.
    at = body + size + (size & 1);
  }
  if (!format) return fail("no fmt chunk");
  if (!data) return fail("no data chunk");
  const { formatTag, channelCount, sampleRate, bitsPerSample } = format;
  let encoding: WavEncoding;
  if (formatTag === FORMAT_PCM && bitsPerSample === 16) encoding = "pcm16";
  else if (formatTag === FORMAT_FLOAT && bitsPerSample === 32) encoding = "float32";
  else {
    const what = formatTag === FORMAT_PCM ? `${bitsPerSample}-bit PCM` : formatTag === FORMAT_FLOAT ? `${bitsPerSample}-bit float` : `format code ${formatTag}`;
    return fail(`${what} is not supported (only 16-bit PCM and 32-bit float)`);
  }
  if (channelCount !== 1 && channelCount !== 2) fail(`${channelCount} channels are not supported (only mono and stereo)`);
  if (sampleRate <= 0) fail("sample rate is 0");
  const bytesPerSample = bitsPerSample / 8;
  const frameBytes = bytesPerSample * channelCount;
  const frameCount = Math.floor(data.length / frameBytes);
  const dataView = new DataView(data.buffer, data.byteOffset, data.byteLength);
  const channels = Array.from({ length: channelCount }, () => new Float32Array(frameCount));
  for (let i = 0; i < frameCount; i++) {
    for (let c = 0; c < channelCount; c++) {
      const at = i * frameBytes + c * bytesPerSample;
      // 1/32768 so that every int16 maps to [-1, 1) and encodes back to itself.
      channels[c][i] = encoding === "pcm16" ? dataView.getInt16(at, true) / 32768 : dataView.getFloat32(at, true);
    }
  }
  return { sampleRate, channels, encoding };
}

/**
 * Encodes audio as a canonical 44-byte-header WAV. `pcm16` clamps samples to
 * [-1, 1) and rounds to the nearest of 65536 levels; `float32` stores them as they are.
 */
export function encodeWav(audio: Audio, encoding: WavEncoding = "pcm16"): Uint8Array {
  const { sampleRate, channels } = audio;
  const channelCount = channels.length;
  if (channelCount !== 1 && channelCount !== 2) throw new WavError(`encodeWav: ${channelCount} channels given; only mono and stereo are supported`);
  if (!Number.isInteger(sampleRate) || sampleRate <= 0) throw new WavError(`encodeWav: sample rate must be a positive integer, got ${sampleRate}`);
  const frameCount = channels[0].length;
  if (channels.some((c) => c.length !== frameCount)) throw new WavError("encodeWav: channels differ in length");
  const bytesPerSample = encoding === "pcm16" ? 2 : 4;
  const dataBytes = frameCount * channelCount * bytesPerSample;
  const bytes = new Uint8Array(44 + dataBytes);
  const view = new DataView(bytes.buffer);
  const writeTag = (at: number, s: string): void => {
    for (let i = 0; i < 4; i++) bytes[at + i] = s.charCodeAt(i);
  };
  writeTag(0, "RIFF");
  view.setUint32(4, 36 + dataBytes, true);
  writeTag(8, "WAVE");
  writeTag(12, "fmt ");
  view.setUint32(16, 16, true);
  view.setUint16(20, encoding === "pcm16" ? FORMAT_PCM : FORMAT_FLOAT, true);
  view.setUint16(22, channelCount, true);
  view.setUint32(24, sampleRate, true);
  view.setUint32(28, sampleRate * channelCount * bytesPerSample, true);
  view.setUint16(32, channelCount * bytesPerSample, true);
  view.setUint16(34, bytesPerSample * 8, true);
  writeTag(36, "data");
  view.setUint32(40, dataBytes, true);
  let at = 44;
  for (let i = 0; i < frameCount; i++) {
    for (let c = 0; c < channelCount; c++) {
      const x = channels[c][i];
      if (encoding === "pcm16") {
        view.setInt16(at, Math.max(-32768, Math.min(32767, Math.round(x * 32768))), true);
        at += 2;
      } else {
        view.setFloat32(at, x, true);
        at += 4;
      }
    }
  }
  return bytes;
}

/** Reads and decodes a WAV file; errors name the file. */
export function readWav(path: string): DecodedWav {
  let bytes: Uint8Array;
  try {
    bytes = readFileSync(path);
  } catch (e) {
    throw new WavError(`${path}: cannot read (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
  }
  return decodeWav(bytes, path);
}

/** Encodes `audio` and writes it to `path` atomically (temporary file, then rename). */
export function writeWav(path: string, audio: Audio, encoding: WavEncoding = "pcm16"): void {
  writeFileAtomic(path, encodeWav(audio, encoding));
}
