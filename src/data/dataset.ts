import { z } from "zod";

/** The value of `format` in every Likeness `dataset.json`. */
export const DATASET_FORMAT = "likeness-dataset";
/** The `dataset.json` version this Likeness reads and writes. */
export const DATASET_VERSION = 1;
/** The file name of a dataset's manifest inside its folder. */
export const DATASET_FILE = "dataset.json";
/** Landmarks per frame: MediaPipe face-mesh topology, 468 points plus 10 iris points. */
export const LANDMARK_COUNT = 478;

/**
 * An error about a dataset on disk: its one-line message names the file and the
 * problem (missing folder or file, malformed JSON, wrong version, schema
 * violation, wrong image size).
 */
export class DatasetError extends Error {
  override readonly name = "DatasetError";
}

/**
 * A path relative to the dataset folder, with forward slashes, that stays inside
 * the folder: no absolute paths, no `..` segments, no backslashes.
 */
function relativePath(what: string, extension: string) {
  return z
    .string()
    .min(1)
    .refine((p) => !p.startsWith("/") && !/^[A-Za-z]:/.test(p) && !p.includes("\\"), {
      message: `${what} must be a relative path with forward slashes`,
    })
    .refine((p) => !p.split("/").includes(".."), { message: `${what} must stay inside the dataset folder (no "..")` })
    .refine((p) => p.toLowerCase().endsWith(extension), { message: `${what} must be a ${extension} file` })
    .describe(`${what}: path relative to the dataset folder, forward slashes, ending in ${extension}`);
}

const finite = () => z.number().finite();
const vec3 = (what: string) => z.tuple([finite(), finite(), finite()]).describe(what);

/** Where the frames came from. */
export const DatasetSourceSchema = z
  .discriminatedUnion("kind", [
    z.strictObject({
      kind: z.literal("synthetic").describe("rendered by the virtual capture dome (`likeness capture synth`)"),
      subject: z.string().min(1).describe("the built-in subject's name, or `seed-<n>` for a random one"),
      seed: z.number().int().describe("random seed the subject and its motion were drawn from"),
    }),
    z.strictObject({
      kind: z.literal("video").describe("decoded and tracked from a video (`likeness capture video`)"),
      file: z.string().min(1).describe("the source video's file name (no folders, so the dataset does not leak local paths)"),
      fps: z.number().positive().describe("the source video's frame rate, frames per second"),
    }),
    z.strictObject({
      kind: z.literal("import").describe("converted from another project's layout"),
      from: z.enum(["nerface"]).describe("the layout it was converted from"),
      path: z.string().min(1).describe("the folder it was converted from, as given to the importer"),
    }),
  ])
  .describe("where the frames came from");

/** Which rig position a camera belongs to; lets a method pick the views it trains on. */
export const CAMERA_KINDS = [
  "dome",
  "front",
  "headset-left-eye",
  "headset-right-eye",
  "headset-mouth",
  "video",
] as const;

/** One pinhole camera (OpenCV convention: x right, y down, z forward; pixel centres at +0.5). */
export const DatasetCameraSchema = z
  .strictObject({
    id: z.string().min(1).describe("unique id that frames refer to by `cameraId`"),
    kind: z.enum(CAMERA_KINDS).optional().describe("rig position: dome, front, headset crops, or a real video camera"),
    widthPx: z.number().int().positive().describe("width of this camera's images, pixels"),
    heightPx: z.number().int().positive().describe("height of this camera's images, pixels"),
    focalPx: z.tuple([z.number().positive(), z.number().positive()]).describe("focal lengths [fx, fy], pixels"),
    principalPx: z.tuple([finite(), finite()]).describe("principal point [cx, cy], pixels from the top-left image corner"),
    worldToCamera: z
      .strictObject({
        rotation: z.array(finite()).length(9).describe("3x3 rotation, row-major; rows are the camera axes in world coordinates"),
        translation: vec3("translation, metres (camera-frame coordinates of the world origin)"),
      })
      .describe("rigid transform p_camera = R p_world + t"),
  })
  .describe("a pinhole camera");

/** A head pose: maps face-model coordinates to world coordinates. */
export const HeadPoseSchema = z
  .strictObject({
    rotationAxisAngle: vec3("rotation as an axis-angle vector (axis times angle), radians"),
    translation: vec3("translation, metres"),
  })
  .describe("head pose: p_world = R(rotationAxisAngle) p_model + translation");

/** Per-frame masks, single-channel PNGs the size of the frame (255 inside). */
export const FrameMasksSchema = z
  .strictObject({
    foreground: relativePath("foreground (person) mask", ".png").optional(),
    face: relativePath("face-region mask", ".png").optional(),
    mouth: relativePath("mouth-region mask", ".png").optional(),
    eyes: relativePath("eye-region mask", ".png").optional(),
  })
  .describe("optional masks: single-channel PNGs of the frame's size, 255 inside the region, 0 outside");

/** Scene lighting as real spherical-harmonics coefficients. */
export const LightingSchema = z
  .strictObject({
    shCoefficients: z
      .array(z.tuple([finite(), finite(), finite()]))
      .min(1)
      .max(25)
      .refine((c) => Number.isInteger(Math.sqrt(c.length)), { message: "needs (order+1)^2 coefficients: 1, 4, 9, 16 or 25" })
      .describe(
        "real spherical-harmonics coefficients of incoming radiance in the world frame, [r, g, b] each, linear RGB, " +
          "ordered (l, m) = (0,0), (1,-1), (1,0), (1,1), (2,-2), (2,-1), (2,0), (2,1), (2,2), ...",
      ),
  })
  .describe("scene lighting");

/** One image: a time step seen by one camera, with its ground truth or tracking results. */
export const DatasetFrameSchema = z
  .strictObject({
    index: z.number().int().nonnegative().describe("time-step number; the images of one time step from several cameras share it"),
    timeSeconds: z.number().nonnegative().describe("time of this step, seconds from frame time 0"),
    cameraId: z.string().min(1).describe("id of the camera in `cameras` that took this image"),
    image: relativePath("image", ".png"),
    masks: FrameMasksSchema.optional(),
    tracked: z
      .boolean()
      .default(true)
      .describe("false when face tracking found no face in this frame; its landmarks2d is then null and it must not be trained on"),
    expression: z
      .array(finite())
      .nullable()
      .describe("face-model expression parameters, one per `faceModel.expressionNames`; null only when tracked is false"),
    headPose: HeadPoseSchema.nullable().describe("model-to-world head pose; null only when tracked is false"),
    landmarks2d: z
      .array(z.tuple([finite(), finite()]))
      .length(LANDMARK_COUNT)
      .nullable()
      .optional()
      .describe(`${LANDMARK_COUNT} [x, y] image landmarks (face-mesh order), pixels; null when tracking failed; absent when the source has none`),
    landmarks3d: z
      .array(vec3("point"))
      .length(LANDMARK_COUNT)
      .optional()
      .describe(`${LANDMARK_COUNT} [x, y, z] landmarks in the world frame, metres (ground truth from synthetic captures)`),
    phoneme: z.string().min(1).optional().describe("the phoneme being spoken at this time (synthetic speech), e.g. `a`, `m`, `sil`"),
    lighting: LightingSchema.optional(),
    split: z.enum(["train", "val"]).default("train").describe("which split this frame belongs to"),
  })
  .describe("one image of one time step");

/** Audio that accompanies the frames. */
export const DatasetAudioSchema = z
  .strictObject({
    path: relativePath("audio", ".wav"),
    sampleRate: z.number().int().positive().describe("samples per second of the WAV file"),
    offsetSeconds: z
      .number()
      .finite()
      .default(0)
      .describe("frame time at which the audio's first sample plays: frame time t is audio time t - offsetSeconds"),
  })
  .describe("optional audio track (WAV) beside the frames");

const datasetObject = z.strictObject({
  format: z.literal(DATASET_FORMAT).describe(`always "${DATASET_FORMAT}"`),
  version: z.literal(DATASET_VERSION).describe("format version; this Likeness reads version 1"),
  name: z.string().min(1).describe("a short human-readable name"),
  source: DatasetSourceSchema,
  fps: z.number().positive().describe("time steps per second of the sequence"),
  faceModel: z
    .strictObject({
      name: z.string().min(1).default("likeness-face").describe("the face model whose parameters these are"),
      identityNames: z.array(z.string().min(1)).default([]).describe("names of the identity (shape) parameters, in order"),
      expressionNames: z.array(z.string().min(1)).describe("names of the expression parameters, in order; every frame's expression follows it"),
    })
    .describe("the face model's parameter names, so parameter vectors are self-describing"),
  identity: z.array(finite()).optional().describe("the subject's identity parameters, one per faceModel.identityNames"),
  cameras: z.array(DatasetCameraSchema).min(1).describe("the cameras; frames refer to them by id"),
  frames: z.array(DatasetFrameSchema).min(1).describe("every image, with its per-frame ground truth or tracking results"),
  audio: DatasetAudioSchema.optional(),
});

type DatasetObject = z.output<typeof datasetObject>;

/** Cross-field checks that a plain schema cannot express. */
function checkConsistency(d: DatasetObject, ctx: z.RefinementCtx): void {
  const issue = (path: (string | number)[], message: string): void => {
    ctx.addIssue({ code: "custom", path, message });
  };
  const expressionCount = d.faceModel.expressionNames.length;
  if (new Set(d.faceModel.expressionNames).size !== expressionCount) issue(["faceModel", "expressionNames"], "names must be unique");
  if (new Set(d.faceModel.identityNames).size !== d.faceModel.identityNames.length) issue(["faceModel", "identityNames"], "names must be unique");
  if (d.identity && d.identity.length !== d.faceModel.identityNames.length) {
    issue(["identity"], `has ${d.identity.length} values but faceModel.identityNames has ${d.faceModel.identityNames.length}`);
  }
  const cameras = new Map<string, number>();
  d.cameras.forEach((c, i) => {
    if (cameras.has(c.id)) issue(["cameras", i, "id"], `duplicate camera id "${c.id}"`);
    cameras.set(c.id, i);
    const error = rotationError(c.worldToCamera.rotation);
    if (error > 1e-4) issue(["cameras", i, "worldToCamera", "rotation"], `is not a rotation (|R R^T - I| + |det R - 1| = ${error.toExponential(2)})`);
  });
  const seen = new Map<string, number>();
  const timeOfIndex = new Map<number, number>();
  d.frames.forEach((f, i) => {
    if (!cameras.has(f.cameraId)) issue(["frames", i, "cameraId"], `camera "${f.cameraId}" is not in cameras`);
    const key = `${f.index}/${f.cameraId}`;
    const previous = seen.get(key);
    if (previous !== undefined) issue(["frames", i, "index"], `frame index ${f.index} from camera "${f.cameraId}" appears twice (frames[${previous}] and frames[${i}])`);
    seen.set(key, i);
    const t = timeOfIndex.get(f.index);
    if (t === undefined) timeOfIndex.set(f.index, f.timeSeconds);
    else if (Math.abs(t - f.timeSeconds) > 1e-9) issue(["frames", i, "timeSeconds"], `frame index ${f.index} has two times, ${t} and ${f.timeSeconds}`);
    if (f.expression && f.expression.length !== expressionCount) {
      issue(["frames", i, "expression"], `has ${f.expression.length} values but faceModel.expressionNames has ${expressionCount}`);
    }
    if (f.tracked) {
      if (f.expression === null) issue(["frames", i, "expression"], "is null but the frame is tracked");
      if (f.headPose === null) issue(["frames", i, "headPose"], "is null but the frame is tracked");
      if (f.landmarks2d === null) issue(["frames", i, "landmarks2d"], "is null but the frame is tracked");
    } else if (f.landmarks2d) {
      issue(["frames", i, "landmarks2d"], "must be null when tracked is false");
    }
  });
}

/** How far a row-major 3x3 matrix is from a proper rotation. */
function rotationError(r: readonly number[]): number {
  let error = 0;
  for (let i = 0; i < 3; i++) {
    for (let j = 0; j < 3; j++) {
      const dot = r[3 * i] * r[3 * j] + r[3 * i + 1] * r[3 * j + 1] + r[3 * i + 2] * r[3 * j + 2];
      error += Math.abs(dot - (i === j ? 1 : 0));
    }
  }
  const det =
    r[0] * (r[4] * r[8] - r[5] * r[7]) - r[1] * (r[3] * r[8] - r[5] * r[6]) + r[2] * (r[3] * r[7] - r[4] * r[6]);
  return error + Math.abs(det - 1);
}

/**
 * The schema of `dataset.json`, version 1: strict objects (an unknown field is an
 * error), defaults filled in, and cross-field checks (camera ids exist, vector
 * lengths match the face model's names, (index, cameraId) pairs are unique, at
 * least one camera and one frame). Documented in docs/dataset-format.md.
 */
export const DatasetSchema = datasetObject.superRefine(checkConsistency).describe("dataset.json, version 1");

/** A validated `dataset.json` with its defaults filled in. */
export type Dataset = z.output<typeof DatasetSchema>;
/** What a writer may pass for `dataset.json` (fields with defaults may be left out). */
export type DatasetInput = z.input<typeof DatasetSchema>;
/** One camera entry of `dataset.json`. */
export type DatasetCamera = Dataset["cameras"][number];
/** One frame entry of `dataset.json`. */
export type DatasetFrame = Dataset["frames"][number];
/** The kinds of camera a rig has. */
export type CameraKind = (typeof CAMERA_KINDS)[number];

/** The first few schema problems as one line, each as `path: message`. */
export function describeSchemaError(error: z.ZodError, maxIssues = 3): string {
  const parts = error.issues.slice(0, maxIssues).map((issue) => `${formatPath(issue.path)}: ${issue.message}`);
  const more = error.issues.length > maxIssues ? ` (and ${error.issues.length - maxIssues} more)` : "";
  return parts.join("; ") + more;
}

/** `frames[3].expression` from ["frames", 3, "expression"]. */
function formatPath(path: readonly PropertyKey[]): string {
  if (path.length === 0) return "(top level)";
  let s = "";
  for (const key of path) {
    if (typeof key === "number") s += `[${key}]`;
    else s += s === "" ? String(key) : `.${String(key)}`;
  }
  return s;
}
