/**
 * FLAME-in-NeRF (Athar et al. 2022, https://arxiv.org/abs/2108.04913): a
 * deformable radiance field controlled by face-model expressions. A sample is
 * mapped into the head frame by the inverse of the frame's head pose, deformed
 * into the canonical space by an MLP conditioned on the frame's latent code and
 * on the expression vector, which the spatial prior zeroes outside the dilated
 * face-model region; the canonical tri-plane field gives density and colour.
 */
import {
  Adam, Random, add, backward, l2Loss, mulScalar, scope, tensor, zeros, type Tensor,
} from "../../core/index.js";
import { fittedVertices } from "../../data/index.js";
import { rotationFromAxisAngle } from "../../geometry/index.js";
import { DeformationField, TriplaneField } from "../../fields/index.js";
import type { FaceModel } from "../../face/index.js";
import { intersectBounds, renderRays, sampleRayBatch, type RadianceField, type RenderBounds } from "../../render/index.js";
import type { FlameInNerfConfig } from "./config.js";
import { buildFaceRegionGrid, faceRegionMask, type FaceRegionGrid } from "./face-region.js";
import type { TrainingFrame } from "./frames.js";

/** Options of {@link FlameInNerfModel}. */
export interface FlameInNerfModelOptions {
  config: FlameInNerfConfig;
  /** The training frames; frame k owns latent code k. Empty for a model loaded only to render. */
  frames: readonly TrainingFrame[];
  /** Latent codes in the table when `frames` is empty (a loaded avatar); default frames.length. */
  numLatents?: number;
  /** The face model the dataset's expressions belong to. */
  faceModel: FaceModel;
  /** The subject's identity parameters (the dataset's `identity`), or empty for the mean shape. */
  identity: ArrayLike<number>;
}

/** What {@link FlameInNerfModel.trainStep} reports. */
export interface FlameInNerfStepResult {
  /** Total loss: photometric + penalty weight x deformation penalty. */
  loss: number;
  metrics: {
    /** Mean squared colour error of the batch. */
    photometric: number;
    /** PSNR of the batch, dB (peak 1). */
    psnr: number;
    /** Mean dx^2 over face-region samples (normalized units). */
    deformationPenalty: number;
    /** Fraction of samples inside the face-model region. */
    faceRegionFraction: number;
  };
}

/** The per-sample inputs a frame's field derived, kept for the loss. */
interface FieldRecord {
  offsets: Tensor;
  regionMask: Float32Array;
}

/** A frame's pose, expression and face-model mesh: what the field needs beyond the points. */
export interface FrameCondition {
  /** Expression parameters [E]. */
  expression: Float32Array;
  /** Head-to-world rotation, row-major. */
  rotation: ArrayLike<number>;
  /** Head-to-world translation, metres. */
  translation: ArrayLike<number>;
  /** Face-model region grid of the posed, fitted mesh (world frame). */
  faceRegion: FaceRegionGrid;
  /** Latent-table row, or a latent code of its own (e.g. {@link FlameInNerfModel.meanLatent}). */
  latent: number | Float32Array;
}

/** A drive: the expression and head pose to render the avatar with. */
export interface DriveInput {
  /** Expression parameters [E] of the face model. */
  expression: ArrayLike<number>;
  /** Head-to-world rotation as an axis-angle vector, radians. */
  rotationAxisAngle: readonly [number, number, number];
  /** Head-to-world translation, metres. */
  translation: readonly [number, number, number];
  /** Latent deformation code: a table row, a code, or the mean of the table (default). */
  latent?: number | Float32Array;
}

/** The FLAME-in-NeRF model: its fields, optimizer and training step. */
export class FlameInNerfModel {
  readonly config: FlameInNerfConfig;
  readonly frames: readonly TrainingFrame[];
  readonly canonical: TriplaneField;
  readonly deformation: DeformationField;
  readonly optimizer: Adam;
  private readonly faceModel: FaceModel;
  private readonly identity: Float32Array;
  private readonly grids = new Map<number, FaceRegionGrid>();
  private readonly baseRates: number[];
  private readonly expressionDim: number;

  constructor(options: FlameInNerfModelOptions) {
    const { config, frames, faceModel } = options;
    const numLatents = options.numLatents ?? frames.length;
    if (!Number.isInteger(numLatents) || numLatents < 1) throw new RangeError("FlameInNerfModel: no training frames");
    this.config = config;
    this.frames = frames;
    this.faceModel = faceModel;
    this.identity = Float32Array.from(options.identity);
    this.expressionDim = faceModel.expressionNames.length;
    for (const f of frames) {
      if (f.expression.length !== this.expressionDim) {
        throw new RangeError(`FlameInNerfModel: frames have ${f.expression.length} expression parameters, the face model ${this.expressionDim}`);
      }
    }
    const rng = new Random(config.seed);
    const c = config.canonical;
    this.canonical = new TriplaneField({
      resolution: c.planeResolution, channels: c.planeChannels, hiddenWidth: c.hiddenWidth, hiddenLayers: c.hiddenLayers,
      colorWidth: c.colorWidth, viewFrequencies: c.viewFrequencies, densityScale: c.densityScale, densityBias: c.densityBias,
      planeInitStd: c.planeInitStd, rng,
    });
    const d = config.deformation;
    this.deformation = new DeformationField({
      numFrames: numLatents, latentDim: d.latentDim, conditionDim: config.expressionConditioning ? this.expressionDim : 0,
      numFrequencies: d.numFrequencies, hiddenWidth: d.hiddenWidth, hiddenLayers: d.hiddenLayers,
      latentInitStd: d.latentInitStd, outputInitStd: d.outputInitStd, rng,
    });
    const lr = config.learningRates;
    this.baseRates = [lr.planes, lr.decoder, lr.deformation, lr.latents];
    this.optimizer = new Adam({
      groups: [
        { name: "planes", params: [this.canonical.planes], lr: lr.planes },
        { name: "decoder", params: this.canonical.decoderParameters(), lr: lr.decoder },
        { name: "deformation", params: this.deformation.mlpParameters(), lr: lr.deformation },
        { name: "latents", params: [this.deformation.latents], lr: lr.latents },
      ],
    });
  }

  /** All parameters by name (`canonical.*`, `deformation.*`), for the avatar file. */
  parameters(): Map<string, Tensor> {
    return new Map([...this.canonical.parameters(), ...this.deformation.parameters()]);
  }

  /** Coarse-to-fine progress alpha of the deformation encoding at a step: 0 to numFrequencies over annealSteps. */
  annealingAlpha(step: number): number {
    const { numFrequencies, annealSteps } = this.config.deformation;
    return annealSteps === 0 ? numFrequencies : numFrequencies * Math.min(1, step / annealSteps);
  }

  /** The head's bounds sphere in the world frame for a head-to-world pose (for renderRays and renderImage). */
  boundsFor(rotation: ArrayLike<number>, translation: ArrayLike<number>): RenderBounds {
    const r = rotation, t = translation, c = this.config.bounds.center;
    return {
      kind: "sphere",
      center: [
        r[0] * c[0] + r[1] * c[1] + r[2] * c[2] + t[0],
        r[3] * c[0] + r[4] * c[1] + r[5] * c[2] + t[1],
        r[6] * c[0] + r[7] * c[1] + r[8] * c[2] + t[2],
      ],
      radius: this.config.bounds.radius,
    };
  }

  /** The learning-rate factor at a step (exponential decay). */
  learningRateFactor(step: number): number {
    const { factor, steps } = this.config.learningRateDecay;
    return factor ** (step / steps);
  }

  /** The face-model region grid of a mesh posed with `pose` and `expression` (not cached). */
  faceRegionFor(expression: ArrayLike<number>, rotationAxisAngle: readonly [number, number, number], translation: readonly [number, number, number]): FaceRegionGrid {
    const vertices = fittedVertices({ model: this.faceModel, identity: this.identity, expression, rotationAxisAngle, translation });
    return buildFaceRegionGrid(vertices, this.config.spatialPrior.dilation);
  }

  /** The condition of training frame k (its face-region grid built once and cached). */
  frameCondition(k: number): FrameCondition {
    const f = this.frames[k];
    let grid = this.grids.get(k);
    if (!grid) {
      const pose = f.frame.headPose!;
      grid = this.faceRegionFor(f.expression, pose.rotationAxisAngle, pose.translation);
      this.grids.set(k, grid);
    }
    return { expression: f.expression, rotation: f.rotation, translation: f.translation, faceRegion: grid, latent: k };
  }

  /** The mean of the latent table: the code used to drive the avatar with expressions it never saw. */
  meanLatent(): Float32Array {
    const [rows, d] = this.deformation.latents.shape;
    const table = this.deformation.latents.toArray();
    const mean = new Float32Array(d);
    for (let r = 0; r < rows; r++) for (let j = 0; j < d; j++) mean[j] += table[r * d + j] / rows;
    return mean;
  }

  /** The condition of a drive (any expression and pose), its face-region grid built from the posed face model. */
  driveCondition(drive: DriveInput): FrameCondition {
    if (drive.expression.length !== this.expressionDim) {
      throw new RangeError(`FlameInNerfModel: the drive has ${drive.expression.length} expression parameters, the face model ${this.expressionDim}`);
    }
    return {
      expression: Float32Array.from(drive.expression),
      rotation: rotationFromAxisAngle(drive.rotationAxisAngle),
      translation: drive.translation,
      faceRegion: this.faceRegionFor(drive.expression, drive.rotationAxisAngle, drive.translation),
      latent: drive.latent ?? this.meanLatent(),
    };
  }

  /**
   * The radiance field of one frame (world-frame points and directions in), for
   * renderRays or renderImage. `record`, when given, receives the last call's
   * offsets and face-region mask (for the loss).
   */
  fieldFor(condition: FrameCondition, alpha: number, record?: (r: FieldRecord) => void): RadianceField {
    const { rotation: r, translation: t, expression, faceRegion, latent } = condition;
    const { center, radius } = this.config.bounds;
    const e = this.expressionDim;
    const conditioned = this.config.expressionConditioning;
    const prior = this.config.spatialPrior.enabled;
    return (pointsWorld, viewDirs) => {
      const n = pointsWorld.shape[0];
      const pw = pointsWorld.toArray();
      const dw = viewDirs.toArray();
      const pn = new Float32Array(3 * n);
      const dh = new Float32Array(3 * n);
      for (let i = 0; i < n; i++) {
        const x = pw[3 * i] - t[0], y = pw[3 * i + 1] - t[1], z = pw[3 * i + 2] - t[2];
        const a = dw[3 * i], b = dw[3 * i + 1], c = dw[3 * i + 2];
        // Head frame: R^T (p - t); then the bounds sphere to the unit cube.
        for (let k = 0; k < 3; k++) {
          pn[3 * i + k] = (r[k] * x + r[3 + k] * y + r[6 + k] * z - center[k]) / radius;
          dh[3 * i + k] = r[k] * a + r[3 + k] * b + r[6 + k] * c;
        }
      }
      const regionMask = faceRegionMask(faceRegion, pw);
      let conditionTensor: Tensor | null = null;
      if (conditioned) {
        const values = new Float32Array(n * e);
        for (let i = 0; i < n; i++) {
          if (prior && regionMask[i] === 0) continue;
          values.set(expression, i * e);
        }
        conditionTensor = tensor(values, [n, e]);
      }
      const byRow = typeof latent === "number";
      const { points, offsets } = this.deformation.deform({
        points: tensor(pn, [n, 3]),
        frameIndices: byRow ? new Int32Array(n).fill(latent) : [],
        latentCode: byRow ? undefined : latent,
        condition: conditionTensor,
        alpha,
      });
      record?.({ offsets, regionMask });
      return this.canonical.query(points, tensor(dh, [n, 3]));
    };
  }

  /**
   * One training step, deterministic from the step index (and the seed): picks a
   * frame and a ray batch, renders it, backpropagates photometric L2 plus the
   * face-region deformation penalty, and steps Adam at the step's learning rates.
   */
  trainStep(step: number): FlameInNerfStepResult {
    const cfg = this.config;
    if (this.frames.length === 0) throw new Error("FlameInNerfModel.trainStep: the model has no training frames");
    const rng = new Random((Math.imul(cfg.seed + 1, 0x9e3779b1) ^ step) >>> 0);
    const k = rng.int(this.frames.length);
    const frame = this.frames[k];
    const condition = this.frameCondition(k);
    const weights = frame.foreground && cfg.foregroundRayWeight > 0 ? Float32Array.from(frame.foreground, (a) => 1 + cfg.foregroundRayWeight * a) : undefined;
    const rays = sampleRayBatch({ camera: frame.camera, count: cfg.raysPerBatch, rng, weights });
    const { near, far } = intersectBounds(this.boundsFor(frame.rotation, frame.translation), rays.origins, rays.directions);
    const target = new Float32Array(3 * rays.pixelIndices.length);
    rays.pixelIndices.forEach((p, i) => target.set(frame.rgb.subarray(3 * p, 3 * p + 3), 3 * i));
    const factor = this.learningRateFactor(step);
    this.optimizer.groups.forEach((g, gi) => (g.lr = this.baseRates[gi] * factor));
    return scope(() => {
      let recorded: FieldRecord | null = null;
      const field = this.fieldFor(condition, this.annealingAlpha(step), (rec) => (recorded = rec));
      const out = renderRays({
        origins: rays.origins, directions: rays.directions, near, far, numSamples: cfg.numSamples,
        numImportanceSamples: cfg.numImportanceSamples, field, background: cfg.background, rng,
      });
      const photometric = l2Loss(out.rgb, tensor(target, [target.length / 3, 3]));
      const rec = recorded as FieldRecord | null;
      if (!rec) throw new Error("FlameInNerfModel.trainStep: the field was not evaluated");
      const n = rec.regionMask.length;
      const mask3 = new Float32Array(3 * n);
      let inside = 0;
      for (let i = 0; i < n; i++) {
        if (rec.regionMask[i] === 0) continue;
        inside++;
        mask3[3 * i] = mask3[3 * i + 1] = mask3[3 * i + 2] = 1;
      }
      // Mean over face-region samples of sum_axes dx^2: l2Loss divides by 3n.
      const penalty = l2Loss(rec.offsets, zeros([n, 3]), { weights: tensor(mask3, [n, 3]) });
      const penaltyScale = inside > 0 ? (3 * n) / inside : 0;
      const loss = add(photometric, mulScalar(penalty, cfg.deformationPenaltyWeight * penaltyScale));
      backward(loss);
      this.optimizer.step();
      const mse = photometric.item();
      return {
        loss: loss.item(),
        metrics: {
          photometric: mse,
          psnr: -10 * Math.log10(Math.max(mse, 1e-12)),
          deformationPenalty: penalty.item() * penaltyScale,
          faceRegionFraction: inside / n,
        },
      };
    });
  }

  /** Frees the parameters and optimizer state. */
  dispose(): void {
    this.optimizer.dispose();
    for (const p of this.parameters().values()) p.dispose();
  }
}
