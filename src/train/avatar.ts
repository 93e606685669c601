/**
 * A trained FLAME-in-NeRF avatar, loaded from its `.avatar` file and driven by
 * any expression, head pose and camera: what `likeness render`, `likeness eval`
 * and `likeness demo` draw with.
 */
import { z } from "zod";
import { DatasetCameraSchema, HeadPoseSchema, cameraFromDataset, type LoadedDataset } from "../data/index.js";
import { createFaceModel } from "../face/index.js";
import { rotationFromAxisAngle, type PinholeCamera } from "../geometry/index.js";
import {
  FLAME_IN_NERF_METHOD, FlameInNerfConfigSchema, FlameInNerfModel,
  type AvatarOccupancy, type DriveInput, type FlameInNerfConfig, type TrainingFrame,
} from "../methods/flame-in-nerf/index.js";
import type { RenderedImage } from "../render/index.js";
import { AvatarFileError, readAvatarFile, type JsonValue, type TrainingHistory } from "./avatar-file.js";
import { loadTensorsInto } from "./snapshot.js";

/** What a FLAME-in-NeRF avatar file keeps besides its tensors: the subject and how it was framed. */
export const FlameInNerfAvatarStateSchema = z.strictObject({
  dataset: z.string().describe("name of the dataset the avatar was trained on"),
  identity: z.array(z.number().finite()).describe("the subject's face-model identity parameters"),
  expressionNames: z.array(z.string()).describe("names of the expression parameters, in order"),
  reference: z.strictObject({
    camera: DatasetCameraSchema.describe("the camera of the first training frame"),
    headPose: HeadPoseSchema.describe("the head pose of the first training frame"),
  }).describe("a training view to render from when the drive brings no camera"),
});

/** The avatar's own state (see {@link FlameInNerfAvatarStateSchema}). */
export type FlameInNerfAvatarState = z.output<typeof FlameInNerfAvatarStateSchema>;

/** The state to store for a model trained on `dataset` with `frames` (its training split). */
export function avatarStateOf(dataset: LoadedDataset, frames: readonly TrainingFrame[]): FlameInNerfAvatarState {
  const first = frames[0].frame;
  const camera = dataset.manifest.cameras.find((c) => c.id === first.cameraId);
  if (!camera || !first.headPose) throw new Error(`${dataset.dir}: the first training frame has no camera or head pose`);
  return {
    dataset: dataset.manifest.name,
    identity: [...(dataset.manifest.identity ?? [])],
    expressionNames: [...createFaceModel().expressionNames],
    reference: { camera, headPose: first.headPose },
  };
}

/** Options of {@link FlameInNerfAvatar.render}. */
export interface AvatarRenderOptions {
  /** Colour behind the head; default the config's training background. */
  background?: readonly [number, number, number];
  /** Samples per ray; default the config's. */
  numSamples?: number;
  /** Skip samples in cells the trained fields leave empty (see `FlameInNerfModel.buildOccupancy`); default true. */
  skipEmpty?: boolean;
}

/** A trained avatar, ready to render. Call {@link dispose} to free its tensors. */
export class FlameInNerfAvatar {
  readonly path: string;
  readonly config: FlameInNerfConfig;
  readonly state: FlameInNerfAvatarState;
  readonly model: FlameInNerfModel;
  /** Steps the avatar was trained for (sets the coarse-to-fine window). */
  readonly trainedSteps: number;
  readonly history: TrainingHistory;
  private occupancy: AvatarOccupancy | null = null;

  private constructor(path: string, config: FlameInNerfConfig, state: FlameInNerfAvatarState, model: FlameInNerfModel, steps: number, history: TrainingHistory) {
    this.path = path;
    this.config = config;
    this.state = state;
    this.model = model;
    this.trainedSteps = steps;
    this.history = history;
  }

  /** Reads an avatar file; throws {@link AvatarFileError} naming the file for anything that is not a FLAME-in-NeRF avatar. */
  static load(path: string): FlameInNerfAvatar {
    const contents = readAvatarFile(path);
    if (contents.method !== FLAME_IN_NERF_METHOD) throw new AvatarFileError(`${path}: is a '${contents.method}' avatar, not ${FLAME_IN_NERF_METHOD}`);
    const config = savedConfig(contents.config, path);
    const state = parseOrThrow(FlameInNerfAvatarStateSchema, contents.training.methodState, path, "methodState");
    const latents = contents.parameters.get("deformation.latents");
    if (!latents || latents.shape.length !== 2) throw new AvatarFileError(`${path}: has no deformation.latents table`);
    const faceModel = createFaceModel();
    if (state.expressionNames.join() !== faceModel.expressionNames.join()) {
      throw new AvatarFileError(`${path}: was trained with expressions [${state.expressionNames.join(", ")}], this face model has [${faceModel.expressionNames.join(", ")}]`);
    }
    const pose = state.reference.headPose;
    const referencePose = { rotation: rotationFromAxisAngle(pose.rotationAxisAngle), translation: pose.translation };
    const model = new FlameInNerfModel({ config, frames: [], numLatents: latents.shape[0], faceModel, identity: state.identity, referencePose });
    loadTensorsInto(model.parameters(), contents.parameters, path);
    return new FlameInNerfAvatar(path, config, state, model, contents.training.step, contents.training.history);
  }

  /** The camera of the first training frame. */
  referenceCamera(): PinholeCamera {
    return cameraFromDataset(this.state.reference.camera);
  }

  /** Renders the avatar with a drive (expression, head pose, latent code; the mean code by default) from a camera. */
  render(drive: DriveInput, camera: PinholeCamera, options: AvatarRenderOptions = {}): RenderedImage {
    const condition = this.model.driveCondition(drive);
    if ((options.skipEmpty ?? true) && !this.occupancy) this.occupancy = this.model.buildOccupancy();
    const occupancy = (options.skipEmpty ?? true) ? (this.occupancy ?? undefined) : undefined;
    return this.model.renderView(condition, camera, this.model.annealingAlpha(this.trainedSteps), {
      numSamples: options.numSamples, background: options.background, occupancy,
    });
  }

  /** Frees the tensors. */
  dispose(): void {
    this.model.dispose();
  }
}

function parseOrThrow<T extends z.ZodType>(schema: T, value: JsonValue, path: string, what: string): z.output<T> {
  const parsed = schema.safeParse(value);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new AvatarFileError(`${path}: ${what}: ${issue.path.join(".") || "(root)"}: ${issue.message}`);
  }
  return parsed.data;
}

/**
 * The resolved config an avatar file was trained with: {@link withPriorDefaults},
 * then the schema's defaults. Throws {@link AvatarFileError} naming the file for an invalid one.
 */
export function savedConfig(config: JsonValue, path: string): FlameInNerfConfig {
  return parseOrThrow(FlameInNerfConfigSchema, withPriorDefaults(config), path, "config");
}

/**
 * An avatar file's config with the values that fields added later had before they
 * existed: files written before `meshWarp` and `meshGuide` were trained without
 * the mesh warp and without mesh-guided samples, and before `poseCorrection`
 * without the learned pose correction.
 */
export function withPriorDefaults(config: JsonValue): JsonValue {
  if (typeof config !== "object" || config === null || Array.isArray(config)) return config;
  return { meshWarp: false, meshGuide: { samples: 0 }, poseCorrection: { enabled: false }, ...config };
}
