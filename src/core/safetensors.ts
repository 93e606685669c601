import { readFileSync, renameSync, writeFileSync, rmSync } from "node:fs";

/** A named tensor as stored in a file: row-major float32 values and a shape. */
export interface StoredTensor {
  shape: number[];
  data: Float32Array;
}

/** The contents of a safetensors file. */
export interface SafetensorsContents {
  tensors: Map<string, StoredTensor>;
  /** The `__metadata__` string map (empty if none). */
  metadata: Record<string, string>;
}

/** Element sizes of the dtypes we can read; all are converted to float32. */
const DTYPE_BYTES: Record<string, number> = { F32: 4, F64: 8, F16: 2, BF16: 2, I32: 4, I64: 8, U8: 1, I8: 1 };

/** Thrown for a file that is not a valid safetensors file; the message names the file. */
export class SafetensorsError extends Error {
  override name = "SafetensorsError";
}

/**
 * Encodes tensors in the safetensors format (https://github.com/huggingface/safetensors):
 * an 8-byte little-endian header length, a JSON header (padded with spaces to a
 * multiple of 8 bytes) and the raw little-endian float32 data, in key order.
 */
export function encodeSafetensors(tensors: ReadonlyMap<string, StoredTensor>, metadata: Record<string, string> = {}): Uint8Array {
  const header: Record<string, unknown> = {};
  if (Object.keys(metadata).length) header.__metadata__ = metadata;
  let offset = 0;
  const names = [...tensors.keys()].sort();
  for (const name of names) {
    const t = tensors.get(name)!;
    const count = t.shape.reduce((a, b) => a * b, 1);
    if (count !== t.data.length) {
      throw new Error(`encodeSafetensors: '${name}' has ${t.data.length} values for shape [${t.shape}]`);
    }
    header[name] = { dtype: "F32", shape: t.shape, data_offsets: [offset, offset + 4 * count] };
    offset += 4 * count;
  }
  let json = JSON.stringify(header);
  const jsonBytes = new TextEncoder().encode(json);
  const padded = Math.ceil(jsonBytes.length / 8) * 8;
  json += " ".repeat(padded - jsonBytes.length);
  const out = new Uint8Array(8 + padded + offset);
  const view = new DataView(out.buffer);
  view.setBigUint64(0, BigInt(padded), true);
  out.set(new TextEncoder().encode(json), 8);
  let pos = 8 + padded;
  for (const name of names) {
    const data = tensors.get(name)!.data;
    out.set(new Uint8Array(data.buffer, data.byteOffset, data.byteLength), pos);
    pos += data.byteLength;
  }
  return out;
}

/**
 * Decodes a safetensors buffer. Every dtype in {@link DTYPE_BYTES} is converted
 * to float32. `source` names the file in error messages.
 */
export function decodeSafetensors(bytes: Uint8Array, source = "<buffer>"): SafetensorsContents {
  const fail = (why: string): never => {
    throw new SafetensorsError(`${source}: not a valid safetensors file: ${why}`);
  };
  if (bytes.length < 8) fail(`${bytes.length} bytes, too short for the 8-byte header length`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const headerLength = Number(view.getBigUint64(0, true));
  if (headerLength > bytes.length - 8) fail(`header length ${headerLength} exceeds the file size ${bytes.length} (truncated?)`);
  let header: unknown;
  try {
    header = JSON.parse(new TextDecoder("utf-8", { fatal: true }).decode(bytes.subarray(8, 8 + headerLength)));
  } catch (e) {
    fail(`the header is not JSON (${(e as Error).message})`);
  }
  if (!header || typeof header !== "object" || Array.isArray(header)) fail("the header is not a JSON object");
  const dataStart = 8 + headerLength;
  const dataBytes = bytes.length - dataStart;
  const tensors = new Map<string, StoredTensor>();
  let metadata: Record<string, string> = {};
  for (const [name, entry] of Object.entries(header as Record<string, unknown>)) {
    if (name === "__metadata__") {
      if (!entry || typeof entry !== "object" || Object.values(entry).some((v) => typeof v !== "string")) {
        fail("__metadata__ must map strings to strings");
      }
      metadata = entry as Record<string, string>;
      continue;
    }
    const e = entry as { dtype?: unknown; shape?: unknown; data_offsets?: unknown };
    if (!e || typeof e !== "object") fail(`entry '${name}' is not an object`);
    const dtype = e.dtype;
    if (typeof dtype !== "string" || !(dtype in DTYPE_BYTES)) fail(`tensor '${name}' has unsupported dtype ${JSON.stringify(dtype)}`);
    const shape = e.shape;
    if (!Array.isArray(shape) || shape.some((d) => !Number.isInteger(d) || d < 0)) fail(`tensor '${name}' has an invalid shape`);
    const offsets = e.data_offsets;
    if (!Array.isArray(offsets) || offsets.length !== 2 || offsets.some((o) => !Number.isInteger(o) || o < 0)) {
      fail(`tensor '${name}' has invalid data_offsets`);
    }
    const [begin, end] = offsets as number[];
    const count = (shape as number[]).reduce((a, b) => a * b, 1);
    const size = DTYPE_BYTES[dtype as string];
    if (end < begin || end - begin !== count * size) fail(`tensor '${name}': data_offsets [${begin}, ${end}] do not match shape [${shape}] of ${dtype}`);
    if (end > dataBytes) fail(`tensor '${name}' ends at byte ${end} but the data section has ${dataBytes} bytes (truncated?)`);
    tensors.set(name, { shape: shape as number[], data: toFloat32(bytes, dataStart + begin, count, dtype as string) });
  }
  return { tensors, metadata };
}

function toFloat32(bytes: Uint8Array, start: number, count: number, dtype: string): Float32Array {
  const view = new DataView(bytes.buffer, bytes.byteOffset + start, count * DTYPE_BYTES[dtype]);
  const out = new Float32Array(count);
  for (let i = 0; i < count; i++) {
    switch (dtype) {
      case "F32": out[i] = view.getFloat32(4 * i, true); break;
      case "F64": out[i] = view.getFloat64(8 * i, true); break;
      case "F16": out[i] = halfToFloat(view.getUint16(2 * i, true)); break;
      case "BF16": out[i] = bfloat16ToFloat(view.getUint16(2 * i, true)); break;
      case "I32": out[i] = view.getInt32(4 * i, true); break;
      case "I64": out[i] = Number(view.getBigInt64(8 * i, true)); break;
      case "U8": out[i] = view.getUint8(i); break;
      case "I8": out[i] = view.getInt8(i); break;
    }
  }
  return out;
}

function halfToFloat(h: number): number {
  const sign = h & 0x8000 ? -1 : 1;
  const exp = (h >> 10) & 0x1f;
  const frac = h & 0x3ff;
  if (exp === 0) return sign * 2 ** -14 * (frac / 1024);
  if (exp === 31) return frac ? NaN : sign * Infinity;
  return sign * 2 ** (exp - 15) * (1 + frac / 1024);
}

function bfloat16ToFloat(b: number): number {
  const buf = new DataView(new ArrayBuffer(4));
  buf.setUint32(0, b << 16);
  return buf.getFloat32(0);
}

/**
 * Writes a safetensors file atomically: to a temporary name beside `path`, then
 * renamed, so a crash never leaves a half-written file under `path`.
 */
export function writeSafetensors(path: string, tensors: ReadonlyMap<string, StoredTensor>, metadata: Record<string, string> = {}): void {
  writeFileAtomic(path, encodeSafetensors(tensors, metadata));
}

/** Reads a safetensors file; a missing, truncated or malformed file throws an error naming it. */
export function readSafetensors(path: string): SafetensorsContents {
  let bytes: Uint8Array;
  try {
    bytes = readFileSync(path);
  } catch (e) {
    throw new SafetensorsError(`${path}: cannot read (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
  }
  return decodeSafetensors(bytes, path);
}

/** Writes `bytes` to `path` through a temporary file and a rename. */
export function writeFileAtomic(path: string, bytes: Uint8Array | string): void {
  const tmp = `${path}.tmp-${process.pid}`;
  try {
    writeFileSync(tmp, bytes);
    renameSync(tmp, path);
  } catch (e) {
    rmSync(tmp, { force: true });
    throw e;
  }
}
