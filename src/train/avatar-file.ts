import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { z } from "zod";
import { SafetensorsError, decodeSafetensors, encodeSafetensors, writeFileAtomic, type StoredTensor } from "../core/index.js";
import { describeSchemaError } from "../data/index.js";

/** The `format` field of every avatar file. */
export const AVATAR_FORMAT = "likeness-avatar";
/** The avatar format version this build writes and reads. */
export const AVATAR_FORMAT_VERSION = 1;
/** Prefix of the optimizer-state tensor names inside an avatar file; parameters may not use it. */
export const OPTIMIZER_TENSOR_PREFIX = "optimizer/";

/** Thrown for an avatar file that cannot be read or written; a one-line message naming the file. */
export class AvatarFileError extends Error {
  override readonly name = "AvatarFileError";
}

/** A JSON value: what the resolved config and a method's own training state may hold. */
export type JsonValue = null | boolean | number | string | JsonValue[] | { [key: string]: JsonValue };

/** Per-step record of a training run, for loss and PSNR curves. */
export interface StepRecord {
  /** 0-based index of the step. */
  step: number;
  /** Training loss of the step. */
  loss: number;
  /** Other per-step numbers the method reported (e.g. `psnr` in dB). */
  metrics: Record<string, number>;
}

/** One validation pass of a training run. */
export interface ValidationRecord {
  /** Steps completed when the validation ran. */
  step: number;
  /** The numbers it reported (e.g. `psnr` in dB, `l1`). */
  metrics: Record<string, number>;
}

/** What a run has logged so far; saved in every checkpoint, so a resumed run continues its curves. */
export interface TrainingHistory {
  steps: StepRecord[];
  validations: ValidationRecord[];
}

/** The state of an optimizer, as {@link Adam.stateTensors} and {@link Adam.stepCounts} give it. */
export interface OptimizerState {
  /** Moment tensors keyed `<group>.<index>.m` / `.v`. */
  tensors: Map<string, StoredTensor>;
  /** Update counts keyed `<group>.<index>`. */
  steps: Record<string, number>;
}

/** Where training stands: enough to resume and get the same parameters as an uninterrupted run. */
export interface TrainingState {
  /** Steps completed (the next step to run has this 0-based index). */
  step: number;
  /** The optimizer state, or null for a finished avatar saved without it. */
  optimizer: OptimizerState | null;
  /** Anything else the method needs to resume (e.g. a random generator's state); null if none. */
  methodState: JsonValue;
  history: TrainingHistory;
}

/**
 * The contents of a `.avatar` file: one safetensors file (so PyTorch can read the
 * weights) whose `__metadata__` holds the format name and version, the method id,
 * the resolved config, the training state and a SHA-256 checksum over all of it.
 */
export interface AvatarContents {
  /** Method id, e.g. `flame-in-nerf`. */
  method: string;
  /** The method's resolved config (every default filled in). */
  config: JsonValue;
  /** Named parameter tensors (float32, row-major). */
  parameters: Map<string, StoredTensor>;
  training: TrainingState;
}

const finite = () => z.number().refine(Number.isFinite, "must be a finite number");

const TrainingJsonSchema = z.strictObject({
  step: z.number().int().nonnegative().describe("steps completed"),
  optimizerSteps: z.record(z.string(), z.number().int().nonnegative()).nullable().describe("optimizer update counts, or null without optimizer state"),
  methodState: z.json().describe("the method's own resume state"),
  history: z.strictObject({
    steps: z.array(z.strictObject({
      step: z.number().int().nonnegative().describe("0-based step index"),
      loss: finite().describe("training loss"),
      metrics: z.record(z.string(), finite()).describe("other per-step numbers"),
    })).describe("per-step records"),
    validations: z.array(z.strictObject({
      step: z.number().int().nonnegative().describe("steps completed at validation"),
      metrics: z.record(z.string(), finite()).describe("validation numbers"),
    })).describe("validation records"),
  }).describe("what the run has logged"),
});

const REQUIRED_FIELDS = ["format", "version", "method", "config", "training", "checksum"] as const;

/**
 * Writes an avatar file atomically (a temporary file, then a rename), so a crash
 * never leaves a half-written file under `path`.
 */
export function writeAvatarFile(path: string, contents: AvatarContents): void {
  writeFileAtomic(path, encodeAvatar(contents, path));
}

/** Encodes an avatar as safetensors bytes; `source` names the file in errors. */
export function encodeAvatar(contents: AvatarContents, source = "<avatar>"): Uint8Array {
  const tensors = new Map<string, StoredTensor>();
  for (const [name, t] of contents.parameters) {
    if (name.startsWith(OPTIMIZER_TENSOR_PREFIX)) {
      throw new AvatarFileError(`${source}: parameter name '${name}' uses the reserved prefix '${OPTIMIZER_TENSOR_PREFIX}'`);
    }
    tensors.set(name, t);
  }
  const { optimizer } = contents.training;
  if (optimizer) for (const [name, t] of optimizer.tensors) tensors.set(OPTIMIZER_TENSOR_PREFIX + name, t);
  const training = {
    step: contents.training.step,
    optimizerSteps: optimizer ? optimizer.steps : null,
    methodState: contents.training.methodState,
    history: contents.training.history,
  };
  const checked = TrainingJsonSchema.safeParse(training);
  if (!checked.success) throw new AvatarFileError(`${source}: invalid training state: ${describeSchemaError(checked.error)}`);
  const metadata: Record<string, string> = {
    format: AVATAR_FORMAT,
    version: String(AVATAR_FORMAT_VERSION),
    method: contents.method,
    config: JSON.stringify(contents.config),
    training: JSON.stringify(training),
  };
  let bytes: Uint8Array;
  try {
    bytes = encodeSafetensors(tensors, metadata);
  } catch (e) {
    throw new AvatarFileError(`${source}: ${(e as Error).message}`);
  }
  metadata.checksum = checksum(metadata, tensorTable(tensors), dataSection(bytes));
  return encodeSafetensors(tensors, metadata);
}

/**
 * Reads and validates an avatar file. Every problem (not a safetensors file, not an
 * avatar, another format version, a missing field, a checksum mismatch) is an
 * {@link AvatarFileError} with a one-line message naming the file.
 */
export function readAvatarFile(path: string): AvatarContents {
  let bytes: Uint8Array;
  try {
    bytes = readFileSync(path);
  } catch (e) {
    throw new AvatarFileError(`${path}: cannot read (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
  }
  return decodeAvatar(bytes, path);
}

/** Decodes and validates avatar bytes; see {@link readAvatarFile}. */
export function decodeAvatar(bytes: Uint8Array, source = "<avatar>"): AvatarContents {
  const fail = (why: string): never => {
    throw new AvatarFileError(`${source}: ${why}`);
  };
  let decoded;
  try {
    decoded = decodeSafetensors(bytes, source);
  } catch (e) {
    if (e instanceof SafetensorsError) fail(`not a Likeness avatar file (${e.message.replace(`${source}: `, "")})`);
    throw e;
  }
  const { metadata } = decoded;
  if (metadata.format === undefined) fail(`not a Likeness avatar file (a safetensors file without the 'format' field; PyTorch weights?)`);
  if (metadata.format !== AVATAR_FORMAT) fail(`not a Likeness avatar file (format '${metadata.format}', expected '${AVATAR_FORMAT}')`);
  if (metadata.version !== undefined && metadata.version !== String(AVATAR_FORMAT_VERSION)) {
    fail(`was written by Likeness avatar format ${metadata.version}; this Likeness reads format ${AVATAR_FORMAT_VERSION}`);
  }
  const missing = REQUIRED_FIELDS.filter((f) => metadata[f] === undefined);
  if (missing.length) fail(`avatar file is missing the metadata field${missing.length > 1 ? "s" : ""} ${missing.map((f) => `'${f}'`).join(", ")}`);
  const expected = checksum(metadata, tensorTable(decoded.tensors), dataSection(bytes));
  if (metadata.checksum !== expected) fail("checksum mismatch: the file is corrupt (changed or damaged after it was written)");

  let config: JsonValue;
  let trainingJson: unknown;
  try {
    config = JSON.parse(metadata.config);
    trainingJson = JSON.parse(metadata.training);
  } catch (e) {
    return fail(`metadata field 'config' or 'training' is not valid JSON (${(e as Error).message.split("\n")[0]})`);
  }
  const parsed = TrainingJsonSchema.safeParse(trainingJson);
  if (!parsed.success) return fail(`invalid training state: ${describeSchemaError(parsed.error)}`);
  const training = parsed.data;

  const parameters = new Map<string, StoredTensor>();
  const optimizerTensors = new Map<string, StoredTensor>();
  for (const [name, t] of decoded.tensors) {
    if (name.startsWith(OPTIMIZER_TENSOR_PREFIX)) optimizerTensors.set(name.slice(OPTIMIZER_TENSOR_PREFIX.length), t);
    else parameters.set(name, t);
  }
  return {
    method: metadata.method,
    config,
    parameters,
    training: {
      step: training.step,
      optimizer: training.optimizerSteps ? { tensors: optimizerTensors, steps: training.optimizerSteps } : null,
      methodState: training.methodState,
      history: training.history,
    },
  };
}

/** Names and shapes of the tensors in file order, as one string for the checksum. */
function tensorTable(tensors: ReadonlyMap<string, StoredTensor>): string {
  return JSON.stringify([...tensors.keys()].sort().map((name) => [name, tensors.get(name)!.shape]));
}

/** The raw tensor bytes of a safetensors buffer (everything after the header). */
function dataSection(bytes: Uint8Array): Uint8Array {
  const headerLength = Number(new DataView(bytes.buffer, bytes.byteOffset, 8).getBigUint64(0, true));
  return bytes.subarray(8 + headerLength);
}

/** SHA-256 (hex) over the metadata fields (checksum excluded, sorted), the tensor table and the tensor bytes. */
function checksum(metadata: Readonly<Record<string, string>>, table: string, data: Uint8Array): string {
  const hash = createHash("sha256");
  for (const key of Object.keys(metadata).sort()) {
    if (key === "checksum") continue;
    hash.update(`${key}\0${metadata[key]}\0`);
  }
  hash.update(`${table}\0`);
  hash.update(data);
  return hash.digest("hex");
}
