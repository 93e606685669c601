import { copyFileSync, existsSync, mkdirSync, readdirSync, renameSync, rmSync, statSync, writeFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import sharp from "sharp";
import { DATASET_FILE, DatasetError, DatasetSchema, describeSchemaError, type Dataset, type DatasetInput } from "./dataset.js";
import { checkDatasetFiles } from "./load.js";

/** Options for {@link openDatasetWriter} and {@link writeDataset}. */
export interface DatasetWriterOptions {
  /** Replace an existing dataset at the output path (default false: refuse). */
  overwrite?: boolean;
  /** zlib level of written PNGs, 0 (fastest) to 9 (smallest); default 6. */
  pngCompressionLevel?: number;
}

/** Channels of an image buffer: 1 (grey), 3 (RGB) or 4 (RGBA), interleaved. */
export type ImageChannels = 1 | 3 | 4;

type WriterState = "open" | "finished" | "aborted";

/**
 * Writes a dataset so that it appears at its output path complete or not at all.
 * Files go to a staging folder beside the output (`<out>.partial-<pid>`);
 * {@link DatasetWriter.finish} validates the manifest against the staged files,
 * writes `dataset.json` and renames the staging folder into place;
 * {@link DatasetWriter.abort} removes it. Get one from {@link openDatasetWriter}.
 */
export class DatasetWriter {
  private state: WriterState = "open";

  /** @internal use {@link openDatasetWriter}. */
  constructor(
    /** Absolute output path the finished dataset is renamed to. */
    readonly outDir: string,
    /** Absolute path of the staging folder files are written into. */
    readonly stagingDir: string,
    private readonly options: DatasetWriterOptions,
  ) {}

  /**
   * Writes an image as PNG. `pixels` is interleaved row-major [height*width*channels]:
   * bytes, or floats in [0, 1] (clamped and rounded to 8 bits).
   */
  async writeImage(relPath: string, pixels: Uint8Array | Float32Array, widthPx: number, heightPx: number, channels: ImageChannels): Promise<void> {
    const path = this.prepare(relPath, ".png");
    const expected = widthPx * heightPx * channels;
    if (pixels.length !== expected) {
      throw new DatasetError(`${path}: ${pixels.length} values given for a ${widthPx}x${heightPx} image with ${channels} channels (${expected} expected)`);
    }
    const bytes = pixels instanceof Uint8Array ? pixels : toBytes(pixels);
    let image = sharp(bytes, { raw: { width: widthPx, height: heightPx, channels } });
    // Without this sharp widens one channel to RGB.
    if (channels === 1) image = image.toColourspace("b-w");
    await image.png({ compressionLevel: this.options.pngCompressionLevel ?? 6 }).toFile(path);
  }

  /** Writes a single-channel mask PNG (255 inside the region); values as in {@link writeImage}. */
  async writeMask(relPath: string, mask: Uint8Array | Float32Array, widthPx: number, heightPx: number): Promise<void> {
    await this.writeImage(relPath, mask, widthPx, heightPx, 1);
  }

  /** Writes the bytes of a WAV file (see `encodeWav`). */
  async writeAudio(relPath: string, wavBytes: Uint8Array): Promise<void> {
    writeFileSync(this.prepare(relPath, ".wav"), wavBytes);
  }

  /** Copies an image file into the dataset, converting it to PNG unless it already is one. */
  async copyImage(relPath: string, sourcePath: string): Promise<void> {
    const path = this.prepare(relPath, ".png");
    let format: string | undefined;
    try {
      format = (await sharp(sourcePath).metadata()).format;
    } catch (e) {
      throw new DatasetError(`${sourcePath}: not a readable image (${(e as Error).message})`);
    }
    if (format === "png") copyFileSync(sourcePath, path);
    else await sharp(sourcePath).png({ compressionLevel: this.options.pngCompressionLevel ?? 6 }).toFile(path);
  }

  /**
   * Validates `manifest` (schema, then the staged files: existence and image
   * sizes), writes `dataset.json` and moves the staging folder to the output
   * path, replacing an existing dataset there only with `overwrite`. On any
   * failure the staging folder is removed and the output path is left as it was.
   * Returns the manifest with defaults filled in.
   */
  async finish(manifest: DatasetInput): Promise<Dataset> {
    this.assertOpen();
    try {
      const parsed = DatasetSchema.safeParse(manifest);
      if (!parsed.success) throw new DatasetError(`${join(this.outDir, DATASET_FILE)}: ${describeSchemaError(parsed.error)}`);
      await checkDatasetFiles(this.stagingDir, parsed.data);
      writeFileSync(join(this.stagingDir, DATASET_FILE), formatJson(parsed.data) + "\n");
      this.publish();
      this.state = "finished";
      return parsed.data;
    } catch (e) {
      this.abort();
      throw e;
    }
  }

  /** Removes the staging folder; the output path is untouched. Safe to call twice or after finish. */
  abort(): void {
    if (this.state !== "open") return;
    this.state = "aborted";
    rmSync(this.stagingDir, { recursive: true, force: true });
  }

  /** Moves the staging folder to the output path, replacing an old dataset with `overwrite`. */
  private publish(): void {
    checkOutput(this.outDir, this.options);
    if (!existsSync(this.outDir)) {
      renameSync(this.stagingDir, this.outDir);
      return;
    }
    // Two renames leave either the old or the new dataset at outDir at every moment.
    const old = `${this.outDir}.old-${process.pid}`;
    rmSync(old, { recursive: true, force: true });
    renameSync(this.outDir, old);
    try {
      renameSync(this.stagingDir, this.outDir);
    } catch (e) {
      renameSync(old, this.outDir);
      throw e;
    }
    rmSync(old, { recursive: true, force: true });
  }

  /** The absolute staging path for `relPath`, with its folder created. */
  private prepare(relPath: string, extension: string): string {
    this.assertOpen();
    if (relPath.startsWith("/") || relPath.includes("\\") || relPath.split("/").includes("..") || !relPath.toLowerCase().endsWith(extension)) {
      throw new DatasetError(`${relPath}: must be a relative path inside the dataset, with forward slashes, ending in ${extension}`);
    }
    if (relPath === DATASET_FILE) throw new DatasetError(`${relPath}: reserved for the manifest`);
    const path = join(this.stagingDir, relPath);
    mkdirSync(dirname(path), { recursive: true });
    return path;
  }

  private assertOpen(): void {
    if (this.state !== "open") throw new DatasetError(`${this.outDir}: the dataset writer is already ${this.state}`);
  }
}

/**
 * Starts writing a dataset to `out`. Refuses at once (before any frame is
 * rendered) if `out` exists and `overwrite` is not set, or if `out` exists and is
 * neither a dataset nor an empty folder (so a mistyped path never deletes other files).
 */
export function openDatasetWriter(out: string, options: DatasetWriterOptions = {}): DatasetWriter {
  const outDir = resolve(out);
  checkOutput(outDir, options);
  const stagingDir = `${outDir}.partial-${process.pid}`;
  rmSync(stagingDir, { recursive: true, force: true });
  mkdirSync(stagingDir, { recursive: true });
  return new DatasetWriter(outDir, stagingDir, options);
}

/**
 * Writes a dataset atomically: `build` writes files through the writer and
 * returns the manifest; on success the dataset appears at `out`, and if `build`
 * or validation throws, nothing is left behind and the error is rethrown.
 */
export async function writeDataset(
  out: string,
  build: (writer: DatasetWriter) => Promise<DatasetInput>,
  options: DatasetWriterOptions = {},
): Promise<Dataset> {
  const writer = openDatasetWriter(out, options);
  try {
    return await writer.finish(await build(writer));
  } catch (e) {
    writer.abort();
    throw e;
  }
}

function checkOutput(outDir: string, options: DatasetWriterOptions): void {
  if (!existsSync(outDir)) return;
  if (!options.overwrite) throw new DatasetError(`${outDir}: already exists; pass overwrite to replace it`);
  if (!statSync(outDir).isDirectory()) throw new DatasetError(`${outDir}: exists and is a file, not a dataset folder; refusing to replace it`);
  const isDataset = existsSync(join(outDir, DATASET_FILE));
  const isEmpty = !isDataset && isEmptyFolder(outDir);
  if (!isDataset && !isEmpty) throw new DatasetError(`${outDir}: exists and is not a Likeness dataset (no ${DATASET_FILE}); refusing to replace it`);
}

function isEmptyFolder(path: string): boolean {
  try {
    return readdirSync(path).length === 0;
  } catch {
    return false;
  }
}

function toBytes(values: Float32Array): Uint8Array {
  const bytes = new Uint8Array(values.length);
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    bytes[i] = v >= 1 ? 255 : v > 0 ? Math.round(v * 255) : 0;
  }
  return bytes;
}

/**
 * JSON with two-space indentation, except that arrays of plain values, and
 * arrays of such arrays (landmarks, rotations), stay on one line, so a manifest
 * of hundreds of frames stays readable.
 */
export function formatJson(value: unknown, indent = ""): string {
  if (Array.isArray(value)) {
    if (value.every((v) => !isObjectLike(v) || (Array.isArray(v) && v.every((w) => !isObjectLike(w))))) return JSON.stringify(value);
    const inner = indent + "  ";
    return `[\n${value.map((v) => inner + formatJson(v, inner)).join(",\n")}\n${indent}]`;
  }
  if (isObjectLike(value)) {
    const entries = Object.entries(value as Record<string, unknown>).filter(([, v]) => v !== undefined);
    if (entries.length === 0) return "{}";
    const inner = indent + "  ";
    return `{\n${entries.map(([k, v]) => `${inner}${JSON.stringify(k)}: ${formatJson(v, inner)}`).join(",\n")}\n${indent}}`;
  }
  return JSON.stringify(value);
}

function isObjectLike(v: unknown): boolean {
  return typeof v === "object" && v !== null;
}
