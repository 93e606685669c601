import { readFileSync, statSync } from "node:fs";
import { join, resolve } from "node:path";
import sharp, { type Metadata } from "sharp";
import type { PinholeCamera } from "../geometry/index.js";
import {
  DATASET_FILE, DATASET_FORMAT, DATASET_VERSION, DatasetError, DatasetSchema, describeSchemaError,
  type CameraKind, type Dataset, type DatasetCamera, type DatasetFrame,
} from "./dataset.js";
import { jsonErrorLocation } from "./json-error.js";

/** A camera of a loaded dataset, ready for projection and ray generation. */
export interface LoadedCamera {
  readonly id: string;
  readonly kind: CameraKind | undefined;
  readonly camera: PinholeCamera;
}

/** Absolute paths of a frame's masks (those the dataset has). */
export interface FrameMaskPaths {
  readonly foreground?: string;
  readonly face?: string;
  readonly mouth?: string;
  readonly eyes?: string;
}

/** One frame of a loaded dataset: its `dataset.json` entry plus absolute file paths. */
export interface LoadedFrame extends Omit<DatasetFrame, "image" | "masks"> {
  /** Absolute path of the frame's PNG. */
  readonly imagePath: string;
  /** Absolute paths of its masks. */
  readonly maskPaths: FrameMaskPaths;
}

/** A dataset that passed validation: manifest, cameras, frames and audio with absolute paths. */
export interface LoadedDataset {
  /** Absolute path of the dataset folder. */
  readonly dir: string;
  /** The validated `dataset.json`, defaults filled in (paths in it are relative to `dir`). */
  readonly manifest: Dataset;
  /** Cameras by id. */
  readonly cameras: ReadonlyMap<string, LoadedCamera>;
  /** Frames in file order. */
  readonly frames: readonly LoadedFrame[];
  /** The audio track, if any, with an absolute path. */
  readonly audio?: { readonly path: string; readonly sampleRate: number; readonly offsetSeconds: number };
}

/** Options for {@link loadDataset}. */
export interface LoadDatasetOptions {
  /** Read every image and mask header to check its size (default true). */
  checkImageSizes?: boolean;
}

/** The geometry layer's camera for a `dataset.json` camera entry. */
export function cameraFromDataset(c: DatasetCamera): PinholeCamera {
  const r = c.worldToCamera.rotation;
  return {
    widthPx: c.widthPx,
    heightPx: c.heightPx,
    focalPx: c.focalPx,
    principalPx: c.principalPx,
    worldToCamera: { rotation: [r[0], r[1], r[2], r[3], r[4], r[5], r[6], r[7], r[8]], translation: c.worldToCamera.translation },
  };
}

/**
 * Reads and validates `dir/dataset.json`: JSON syntax, format and version, then
 * the schema. Throws {@link DatasetError} naming the file and the problem.
 */
export function readDatasetManifest(dir: string): Dataset {
  const folder = resolve(dir);
  let isFolder: boolean;
  try {
    isFolder = statSync(folder).isDirectory();
  } catch {
    throw new DatasetError(`${folder}: no such dataset folder`);
  }
  if (!isFolder) throw new DatasetError(`${folder}: is a file, not a dataset folder`);
  const file = join(folder, DATASET_FILE);
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === "ENOENT") throw new DatasetError(`${file}: missing (is ${folder} a Likeness dataset folder?)`);
    throw new DatasetError(`${file}: cannot read (${code ?? (e as Error).message})`);
  }
  return parseDatasetManifest(text, file);
}

/**
 * Parses and validates the text of a `dataset.json`; `file` names it in errors.
 * Checks format and version before the schema so that a file from another
 * version says so rather than listing field errors.
 */
export function parseDatasetManifest(text: string, file: string): Dataset {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (e) {
    throw new DatasetError(`${file}: malformed JSON${jsonErrorLocation(text, (e as Error).message)}`);
  }
  if (typeof raw !== "object" || raw === null || Array.isArray(raw)) {
    throw new DatasetError(`${file}: not a Likeness dataset (expected a JSON object)`);
  }
  const { format, version } = raw as { format?: unknown; version?: unknown };
  if (format !== DATASET_FORMAT) {
    throw new DatasetError(`${file}: not a Likeness dataset (format is ${JSON.stringify(format) ?? "missing"}, expected "${DATASET_FORMAT}")`);
  }
  if (version !== DATASET_VERSION) {
    throw new DatasetError(`${file} has version ${JSON.stringify(version) ?? "(missing)"}; this Likeness reads version ${DATASET_VERSION}`);
  }
  const parsed = DatasetSchema.safeParse(raw);
  if (!parsed.success) throw new DatasetError(`${file}: ${describeSchemaError(parsed.error)}`);
  return parsed.data;
}

/**
 * Loads a dataset folder: validates `dataset.json`, checks that every image,
 * mask and audio file it names exists, and (by default) that every image and
 * mask has its camera's size. Throws {@link DatasetError} with a one-line
 * message naming the file and the problem.
 */
export async function loadDataset(dir: string, options: LoadDatasetOptions = {}): Promise<LoadedDataset> {
  const folder = resolve(dir);
  const manifest = readDatasetManifest(folder);
  await checkDatasetFiles(folder, manifest, options);
  const cameras = new Map<string, LoadedCamera>();
  for (const c of manifest.cameras) cameras.set(c.id, { id: c.id, kind: c.kind, camera: cameraFromDataset(c) });
  const frames = manifest.frames.map((f): LoadedFrame => {
    const { image, masks, ...rest } = f;
    const maskPaths: Record<string, string> = {};
    for (const [region, path] of Object.entries(masks ?? {})) if (path !== undefined) maskPaths[region] = join(folder, path);
    return { ...rest, imagePath: join(folder, image), maskPaths };
  });
  const audio = manifest.audio && { ...manifest.audio, path: join(folder, manifest.audio.path) };
  return { dir: folder, manifest, cameras, frames, ...(audio ? { audio } : {}) };
}

/** How many image headers to read at once. */
const HEADER_CONCURRENCY = 16;

/**
 * Checks that the files a manifest names exist under `folder` and, unless
 * `checkImageSizes` is false, that images and masks are PNGs of their camera's size.
 */
export async function checkDatasetFiles(folder: string, manifest: Dataset, options: LoadDatasetOptions = {}): Promise<void> {
  const { checkImageSizes = true } = options;
  const cameraById = new Map(manifest.cameras.map((c) => [c.id, c]));
  const images: { path: string; frame: string; camera: DatasetCamera; what: string }[] = [];
  manifest.frames.forEach((f, i) => {
    const frame = `frames[${i}]: index ${f.index}, camera "${f.cameraId}"`;
    const camera = cameraById.get(f.cameraId);
    // The schema already checked that the camera exists.
    if (!camera) throw new DatasetError(`${folder}: ${frame} names an unknown camera`);
    const files: [string, string][] = [["image", f.image]];
    for (const [region, path] of Object.entries(f.masks ?? {})) if (path !== undefined) files.push([`${region} mask`, path]);
    for (const [what, rel] of files) {
      const path = join(folder, rel);
      if (!isFile(path)) throw new DatasetError(`${path}: ${what} is missing (${frame})`);
      images.push({ path, frame, camera, what });
    }
  });
  if (manifest.audio) {
    const path = join(folder, manifest.audio.path);
    if (!isFile(path)) throw new DatasetError(`${path}: audio file is missing`);
  }
  if (!checkImageSizes) return;
  for (let start = 0; start < images.length; start += HEADER_CONCURRENCY) {
    await Promise.all(images.slice(start, start + HEADER_CONCURRENCY).map(checkImage));
  }
}

async function checkImage(image: { path: string; frame: string; camera: DatasetCamera; what: string }): Promise<void> {
  const { path, frame, camera, what } = image;
  let metadata: Metadata;
  try {
    metadata = await sharp(path).metadata();
  } catch (e) {
    throw new DatasetError(`${path}: ${what} is not a readable image (${(e as Error).message}) (${frame})`);
  }
  if (metadata.format !== "png") throw new DatasetError(`${path}: ${what} is ${metadata.format ?? "of unknown format"}, not PNG (${frame})`);
  if (metadata.width !== camera.widthPx || metadata.height !== camera.heightPx) {
    throw new DatasetError(
      `${path}: ${what} is ${metadata.width}x${metadata.height} but camera "${camera.id}" declares ${camera.widthPx}x${camera.heightPx} (${frame})`,
    );
  }
}

function isFile(path: string): boolean {
  try {
    return statSync(path).isFile();
  } catch {
    return false;
  }
}
