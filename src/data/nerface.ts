import { existsSync, readFileSync, statSync } from "node:fs";
import { basename, extname, join, resolve } from "node:path";
import sharp from "sharp";
import { z } from "zod";
import { axisAngleFromRotation, type Mat3 } from "../geometry/index.js";
import { DatasetError, type Dataset, type DatasetInput } from "./dataset.js";
import { writeDataset } from "./write.js";

/** The NeRFace split files, in the order their frames are numbered. */
const NERFACE_SPLITS = ["train", "val", "test"] as const;

/**
 * One `transforms_<split>.json` of the NeRFace layout (Gafni et al., "Dynamic
 * Neural Radiance Fields for Monocular 4D Facial Avatar Reconstruction", CVPR 2021,
 * https://github.com/gafniguy/4D-Facial-Avatars). Not strict: those files carry
 * extra fields (`bbox`, ...) that the import ignores.
 */
const NerfaceTransformsSchema = z.looseObject({
  camera_angle_x: z.number().positive().optional().describe("horizontal field of view, radians (used when intrinsics is absent)"),
  intrinsics: z
    .tuple([z.number().positive(), z.number().positive(), z.number(), z.number()])
    .nullable()
    .optional()
    .describe("[fx, fy, cx, cy]: focal lengths in pixels; principal point as fractions of the image size (or pixels when > 1)"),
  frames: z
    .array(
      z.looseObject({
        file_path: z.string().min(1).describe("image path relative to the folder, usually without its .png extension"),
        transform_matrix: z.array(z.array(z.number()).length(4)).length(4).describe("4x4 camera-to-world, OpenGL camera axes"),
        expression: z.array(z.number()).optional().describe("per-frame expression vector of the tracker"),
      }),
    )
    .min(1),
});

/** Options for {@link importNerfaceDataset}. */
export interface ImportNerfaceOptions {
  /** Dataset name (default: the source folder's name). */
  name?: string;
  /** Frame rate of the sequence, which NeRFace files do not record (default 25). */
  fps?: number;
  /** Metres per NeRFace world unit, applied to translations (default 1: units kept as they are). */
  metresPerUnit?: number;
  /** Replace an existing dataset at `out`. */
  overwrite?: boolean;
}

/**
 * Converts a NeRFace-layout folder (`transforms_{train,val,test}.json` beside PNG
 * frames) into a Likeness dataset at `out`.
 *
 * NeRFace keeps the head fixed at its world origin and moves the camera: each
 * frame's `transform_matrix` is camera-to-world with OpenGL camera axes (x right,
 * y up, z backward). Likeness keeps the real camera fixed and moves the head, so
 * the import writes one camera at the world origin (OpenCV axes, identity
 * extrinsics) and gives each frame the head pose
 * `modelToWorld = worldToCamera_OpenCV = (transform_matrix * diag(1, -1, -1, 1))^-1`.
 * Every model point then lands on the same pixel as in NeRFace.
 *
 * Intrinsics: NeRFace's rays go through pixel index i at (i - cx) / fx, that is
 * it places pixel i at coordinate i, where Likeness places pixel i's centre at
 * i + 0.5; so the principal point is shifted by half a pixel to keep every ray.
 * Splits: `train` stays train; `val` and `test` become val (frames keep their order,
 * numbered train, then val, then test). Expressions become parameters named
 * `nerface-0`, `nerface-1`, ...; frames carry no landmarks.
 */
export async function importNerfaceDataset(dir: string, out: string, options: ImportNerfaceOptions = {}): Promise<Dataset> {
  const folder = resolve(dir);
  const { fps = 25, metresPerUnit = 1 } = options;
  if (!existsSync(folder) || !statSync(folder).isDirectory()) throw new DatasetError(`${folder}: no such folder`);
  const splits = NERFACE_SPLITS.flatMap((split) => {
    const file = join(folder, `transforms_${split}.json`);
    return existsSync(file) ? [{ split, file, transforms: readTransforms(file) }] : [];
  });
  if (splits.length === 0) {
    throw new DatasetError(`${folder}: no transforms_train.json, transforms_val.json or transforms_test.json (not a NeRFace folder?)`);
  }

  const first = splits[0];
  const firstImage = imagePathOf(folder, first.transforms.frames[0].file_path);
  const { widthPx, heightPx } = await imageSize(firstImage, `${first.file} frames[0]`);

  const cameras: DatasetInput["cameras"] = [];
  const cameraIdOf = new Map<string, string>();
  const frames: DatasetInput["frames"] = [];
  const sources: { relPath: string; sourcePath: string }[] = [];
  let expressionCount: number | undefined;
  for (const { split, file, transforms } of splits) {
    const { focalPx, principalPx } = intrinsicsOf(transforms, widthPx, heightPx, file);
    const key = JSON.stringify([focalPx, principalPx]);
    let cameraId = cameraIdOf.get(key);
    if (cameraId === undefined) {
      cameraId = cameras.length === 0 ? "video" : `video-${cameras.length}`;
      cameraIdOf.set(key, cameraId);
      cameras.push({
        id: cameraId,
        kind: "video",
        widthPx,
        heightPx,
        focalPx,
        principalPx,
        worldToCamera: { rotation: [1, 0, 0, 0, 1, 0, 0, 0, 1], translation: [0, 0, 0] },
      });
    }
    transforms.frames.forEach((f, i) => {
      const where = `${file} frames[${i}]`;
      const expression = f.expression ?? [];
      if (expressionCount === undefined) expressionCount = expression.length;
      else if (expression.length !== expressionCount) {
        throw new DatasetError(`${where}: expression has ${expression.length} values, earlier frames have ${expressionCount}`);
      }
      const index = frames.length;
      const relPath = `frames/${String(index).padStart(5, "0")}.png`;
      sources.push({ relPath, sourcePath: imagePathOf(folder, f.file_path) });
      const pose = headPoseFromNerface(f.transform_matrix, where);
      frames.push({
        index,
        timeSeconds: index / fps,
        cameraId,
        image: relPath,
        expression,
        headPose: {
          rotationAxisAngle: pose.rotationAxisAngle,
          translation: [pose.translation[0] * metresPerUnit, pose.translation[1] * metresPerUnit, pose.translation[2] * metresPerUnit],
        },
        split: split === "train" ? "train" : "val",
      });
    });
  }

  return writeDataset(
    out,
    async (writer) => {
      for (const { relPath, sourcePath } of sources) {
        if (!existsSync(sourcePath)) throw new DatasetError(`${sourcePath}: image is missing (named by frame ${relPath})`);
        await writer.copyImage(relPath, sourcePath);
      }
      return {
        format: "likeness-dataset",
        version: 1,
        name: options.name ?? basename(folder),
        source: { kind: "import", from: "nerface", path: dir },
        fps,
        faceModel: {
          name: "nerface-expression",
          identityNames: [],
          expressionNames: Array.from({ length: expressionCount ?? 0 }, (_, i) => `nerface-${i}`),
        },
        cameras,
        frames,
      };
    },
    { overwrite: options.overwrite },
  );
}

/**
 * The head pose (model to world, OpenCV camera at the origin) equivalent to a
 * NeRFace camera-to-world matrix (OpenGL camera axes): the OpenCV world-to-camera.
 */
export function headPoseFromNerface(
  transformMatrix: readonly (readonly number[])[],
  where = "transform_matrix",
): { rotationAxisAngle: [number, number, number]; translation: [number, number, number] } {
  const m = transformMatrix;
  // OpenGL camera axes to OpenCV: flip the y and z columns of the rotation.
  const r: Mat3 = [m[0][0], -m[0][1], -m[0][2], m[1][0], -m[1][1], -m[1][2], m[2][0], -m[2][1], -m[2][2]];
  const c = [m[0][3], m[1][3], m[2][3]];
  const bottom = m[3];
  if (Math.abs(bottom[0]) + Math.abs(bottom[1]) + Math.abs(bottom[2]) + Math.abs(bottom[3] - 1) > 1e-6) {
    throw new DatasetError(`${where}: transform_matrix's last row is not [0, 0, 0, 1]`);
  }
  if (rigidError(r) > 1e-3) throw new DatasetError(`${where}: transform_matrix is not rigid (its 3x3 part has scale, shear or a reflection)`);
  // worldToCamera = inverse of cameraToWorld: R^T, -R^T c.
  const rt: Mat3 = [r[0], r[3], r[6], r[1], r[4], r[7], r[2], r[5], r[8]];
  const t: [number, number, number] = [
    -(rt[0] * c[0] + rt[1] * c[1] + rt[2] * c[2]),
    -(rt[3] * c[0] + rt[4] * c[1] + rt[5] * c[2]),
    -(rt[6] * c[0] + rt[7] * c[1] + rt[8] * c[2]),
  ];
  const a = axisAngleFromRotation(rt);
  return { rotationAxisAngle: [a[0], a[1], a[2]], translation: t };
}

function readTransforms(file: string): z.output<typeof NerfaceTransformsSchema> {
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(file, "utf8"));
  } catch (e) {
    throw new DatasetError(`${file}: malformed JSON (${(e as Error).message})`);
  }
  const parsed = NerfaceTransformsSchema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new DatasetError(`${file}: ${issue.path.map(String).join(".") || "(top level)"}: ${issue.message}`);
  }
  if (parsed.data.intrinsics == null && parsed.data.camera_angle_x === undefined) {
    throw new DatasetError(`${file}: has neither intrinsics nor camera_angle_x`);
  }
  return parsed.data;
}

/** Focal length and principal point in Likeness pixel coordinates (pixel centres at +0.5). */
function intrinsicsOf(
  transforms: z.output<typeof NerfaceTransformsSchema>,
  widthPx: number,
  heightPx: number,
  file: string,
): { focalPx: [number, number]; principalPx: [number, number] } {
  if (transforms.intrinsics) {
    const [fx, fy, cx, cy] = transforms.intrinsics;
    // NeRFace stores cx, cy as fractions of the image size; some converters write pixels.
    const fractional = cx <= 1 && cy <= 1;
    if (!fractional && (cx > widthPx || cy > heightPx)) throw new DatasetError(`${file}: principal point (${cx}, ${cy}) lies outside the ${widthPx}x${heightPx} image`);
    const cxPx = fractional ? cx * widthPx : cx;
    const cyPx = fractional ? cy * heightPx : cy;
    return { focalPx: [fx, fy], principalPx: [cxPx + 0.5, cyPx + 0.5] };
  }
  const focal = (0.5 * widthPx) / Math.tan(0.5 * (transforms.camera_angle_x ?? 0));
  return { focalPx: [focal, focal], principalPx: [0.5 * widthPx + 0.5, 0.5 * heightPx + 0.5] };
}

/** NeRFace names frames without their extension and appends `.png`. */
function imagePathOf(folder: string, filePath: string): string {
  const ext = extname(filePath).toLowerCase();
  const known = ext === ".png" || ext === ".jpg" || ext === ".jpeg";
  return join(folder, known ? filePath : `${filePath}.png`);
}

async function imageSize(path: string, where: string): Promise<{ widthPx: number; heightPx: number }> {
  if (!existsSync(path)) throw new DatasetError(`${path}: image is missing (${where})`);
  try {
    const { width, height } = await sharp(path).metadata();
    return { widthPx: width, heightPx: height };
  } catch (e) {
    throw new DatasetError(`${path}: not a readable image (${(e as Error).message}) (${where})`);
  }
}

function rigidError(r: Mat3): number {
  let error = 0;
  for (let i = 0; i < 3; i++) {
    for (let j = 0; j < 3; j++) {
      const dot = r[i] * r[j] + r[3 + i] * r[3 + j] + r[6 + i] * r[6 + j];
      error += Math.abs(dot - (i === j ? 1 : 0));
    }
  }
  const det = r[0] * (r[4] * r[8] - r[5] * r[7]) - r[1] * (r[3] * r[8] - r[5] * r[6]) + r[2] * (r[3] * r[7] - r[4] * r[6]);
  return error + Math.abs(det - 1);
}
