/**
 * FLAME-in-NeRF (Athar et al. 2022, https://arxiv.org/abs/2108.04913): a
 * deformable radiance field controlled by face-model expressions. A sample is
 * mapped into the head frame by the inverse of the frame's head pose (for a
 * tracked video, corrected by a learned function of the expression), moved
 * back to the neutral face by the fitted mesh's displacements (the mesh warp),
 * deformed into the canonical space by an MLP conditioned on the frame's latent
 * code and on the expression vector, which the spatial prior zeroes outside the
 * dilated face-model region; the canonical tri-plane field gives density and
 * colour. Rays are sampled more finely where they meet the fitted mesh.
 */
import {
  Adam, Random, add, addScalar, backward, div, gatherRows, l2Loss, mul, mulScalar, noGrad, reshape, scatterAddRows, scope, square, sum, tensor,
  zeros, type Tensor,
} from "../../core/index.js";
import { fittedVertices } from "../../data/index.js";
import { rasterizeMesh, rayDistances, rotationFromAxisAngle, type PinholeCamera } from "../../geometry/index.js";
import { DeformationField, TriplaneField } from "../../fields/index.js";
import type { FaceModel } from "../../face/index.js";
import {
  intersectBounds, renderImage, renderRays, sampleRayBatch, type FieldOutput, type RadianceField, type RayGuide, type RenderBounds, type RenderedImage,
} from "../../render/index.js";
import type { FlameInNerfConfig } from "./config.js";
import { buildFaceRegionGrid, faceRegionMask, faceRegionWarp, type FaceRegionGrid, type FaceRegionWarp } from "./face-region.js";
import type { TrainingFrame } from "./frames.js";
import { isOccupied, occupancyCellCenters, occupancyFromDensities, type OccupancyGrid } from "./occupancy.js";
import { PoseCorrection, applyPoseCorrection } from "./pose-correction.js";

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
  /** Head pose the torso field's cube is centred on (default the first frame's); a loaded avatar passes the one it was trained with. */
  referencePose?: { rotation: ArrayLike<number>; translation: ArrayLike<number> };
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
    /** Squared norm of the frame's latent code. */
    latentNorm: number;
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
  /** Per-vertex displacement from the posed expression back to the neutral face [V*3], head frame, normalized units; null without the mesh warp. */
  meshWarp: Float32Array | null;
  /** Latent-table row, or a latent code of its own (e.g. {@link FlameInNerfModel.meanLatent}). */
  latent: number | Float32Array;
  /** The expression the head pose was tracked with (the learned pose correction's input), or null for an exact pose. */
  poseExpression: Float32Array | null;
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
  /**
   * When the head pose came from a face tracker: the expression it was tracked
   * with, so that the avatar's learned correction of the tracker's pose applies.
   * Omit for exact poses (orbits, expression files, synthetic captures).
   */
  trackedExpression?: ArrayLike<number>;
}

/** Occupancy grids of a trained model (see {@link FlameInNerfModel.buildOccupancy}). */
export interface AvatarOccupancy {
  /** Over the head field's cube (the bounds sphere's cube in the head frame). */
  head: OccupancyGrid;
  /** Over the torso field's cube (world frame), or null without a torso field. */
  torso: OccupancyGrid | null;
}

/** Rows `indices` of a row-major array of `width`-wide rows. */
function pickRows(src: Float32Array, indices: Int32Array, width: number): Float32Array {
  const out = new Float32Array(indices.length * width);
  for (let m = 0; m < indices.length; m++) out.set(src.subarray(indices[m] * width, (indices[m] + 1) * width), m * width);
  return out;
}

/** The FLAME-in-NeRF model: its fields, optimizer and training step. */
export class FlameInNerfModel {
  readonly config: FlameInNerfConfig;
  readonly frames: readonly TrainingFrame[];
  readonly canonical: TriplaneField;
  readonly deformation: DeformationField;
  /** The static torso field in the world frame, or null when the config turns it off. */
  readonly torso: TriplaneField | null;
  /** The learned correction of the tracked head poses, or null when the config turns it off. */
  readonly poseCorrection: PoseCorrection | null;
  readonly optimizer: Adam;
  private readonly faceModel: FaceModel;
  private readonly identity: Float32Array;
  private readonly regions = new Map<number, { grid: FaceRegionGrid; warp: Float32Array | null }>();
  /** Per training frame: distance along each pixel's ray to its fitted mesh (the mesh guide), built once. */
  private readonly meshDistances = new Map<number, Float32Array>();
  /** The subject's neutral face [V*3], head frame (for the mesh warp). */
  private readonly neutralVertices: Float32Array;
  private readonly baseRates: number[];
  private readonly expressionDim: number;
  /** Centre and half-side (metres) of the torso field's cube, world frame. */
  private readonly torsoCube: { center: readonly number[]; halfSide: number };
  /** The torso field holds density only below this plane: the reference head frame's up axis (world), and its height there. */
  private readonly torsoCeiling: { up: readonly number[]; origin: readonly number[]; height: number };

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
      planeInitStd: c.planeInitStd, conditionDim: this.expressionInto("canonical") ? this.expressionDim : 0, rng,
    });
    const d = config.deformation;
    this.deformation = new DeformationField({
      numFrames: numLatents, latentDim: d.latentDim, conditionDim: this.expressionInto("deformation") ? this.expressionDim : 0,
      numFrequencies: d.numFrequencies, hiddenWidth: d.hiddenWidth, hiddenLayers: d.hiddenLayers,
      latentInitStd: d.latentInitStd, outputInitStd: d.outputInitStd, rng,
    });
    const t = config.torso;
    this.torso = t.enabled
      ? new TriplaneField({
        name: "torso", resolution: t.planeResolution, channels: t.planeChannels, hiddenWidth: t.hiddenWidth, hiddenLayers: 1,
        colorWidth: t.colorWidth, viewFrequencies: 0, densityScale: c.densityScale, densityBias: c.densityBias, planeInitStd: c.planeInitStd, rng,
      })
      : null;
    const reference = options.referencePose ?? frames[0];
    if (!reference) throw new RangeError("FlameInNerfModel: give a referencePose when there are no frames");
    this.torsoCube = { center: this.boundsCenter(reference.rotation, reference.translation), halfSide: t.extent * config.bounds.radius };
    // The ceiling: the bottom of the neutral head mesh (the neck's base) plus `t.ceiling`, in the reference head frame.
    const neutral = fittedVertices({ model: faceModel, identity: this.identity, expression: new Float32Array(this.expressionDim), rotationAxisAngle: [0, 0, 0], translation: [0, 0, 0] });
    this.neutralVertices = neutral;
    let neckBottom = Infinity;
    for (let i = 1; i < neutral.length; i += 3) neckBottom = Math.min(neckBottom, neutral[i]);
    const rr = reference.rotation;
    this.torsoCeiling = { up: [rr[1], rr[4], rr[7]], origin: Array.from(reference.translation), height: neckBottom + t.ceiling };
    const pc = config.poseCorrection;
    // "auto" is for the trainer to settle per dataset (configForDataset); left unsettled it means off.
    this.poseCorrection = pc.enabled === true ? new PoseCorrection(this.expressionDim) : null;
    const lr = config.learningRates;
    this.baseRates = [lr.planes, lr.decoder, lr.deformation, lr.latents, ...(this.poseCorrection ? [pc.learningRate] : [])];
    this.optimizer = new Adam({
      groups: [
        { name: "planes", params: [this.canonical.planes, ...(this.torso ? [this.torso.planes] : [])], lr: lr.planes },
        { name: "decoder", params: [...this.canonical.decoderParameters(), ...(this.torso?.decoderParameters() ?? [])], lr: lr.decoder },
        { name: "deformation", params: this.deformation.mlpParameters(), lr: lr.deformation },
        { name: "latents", params: [this.deformation.latents], lr: lr.latents },
        ...(this.poseCorrection ? [{ name: "pose", params: [this.poseCorrection.weights, this.poseCorrection.bias], lr: pc.learningRate }] : []),
      ],
    });
  }

  /** All parameters by name (`canonical.*`, `deformation.*`, `torso.*`, `pose.*`), for the avatar file. */
  parameters(): Map<string, Tensor> {
    return new Map([
      ...this.canonical.parameters(), ...this.deformation.parameters(), ...(this.torso?.parameters() ?? []), ...(this.poseCorrection?.parameters() ?? []),
    ]);
  }

  /** Whether the expression condition feeds the given field. */
  private expressionInto(field: "canonical" | "deformation"): boolean {
    const where = this.config.expressionInputs;
    return this.config.expressionConditioning && (where === "both" || where === field);
  }

  /** Coarse-to-fine progress alpha of the deformation encoding at a step: 0 to numFrequencies over annealSteps. */
  annealingAlpha(step: number): number {
    const { numFrequencies, annealSteps } = this.config.deformation;
    return annealSteps === 0 ? numFrequencies : numFrequencies * Math.min(1, step / annealSteps);
  }

  /** The head's bounds sphere in the world frame for a head-to-world pose (for renderRays and renderImage). */
  boundsFor(rotation: ArrayLike<number>, translation: ArrayLike<number>): RenderBounds {
    return { kind: "sphere", center: this.boundsCenter(rotation, translation), radius: this.config.bounds.radius };
  }

  /** The centre of the head's bounds sphere in the world frame for a head-to-world pose. */
  private boundsCenter(rotation: ArrayLike<number>, translation: ArrayLike<number>): [number, number, number] {
    const r = rotation, t = translation, c = this.config.bounds.center;
    return [
      r[0] * c[0] + r[1] * c[1] + r[2] * c[2] + t[0],
      r[3] * c[0] + r[4] * c[1] + r[5] * c[2] + t[1],
      r[6] * c[0] + r[7] * c[1] + r[8] * c[2] + t[2],
    ];
  }

  /** The learning-rate factor at a step (exponential decay). */
  learningRateFactor(step: number): number {
    const { factor, steps } = this.config.learningRateDecay;
    return factor ** (step / steps);
  }

  /**
   * The face-model region grid of a mesh posed with `pose` and `expression`, and,
   * with the mesh warp, each vertex's displacement back to the neutral face (not cached).
   */
  faceRegionFor(
    expression: ArrayLike<number>, rotationAxisAngle: readonly [number, number, number], translation: readonly [number, number, number],
  ): { grid: FaceRegionGrid; warp: Float32Array | null } {
    const posed = fittedVertices({ model: this.faceModel, identity: this.identity, expression, rotationAxisAngle, translation });
    const grid = buildFaceRegionGrid(posed, this.config.spatialPrior.dilation);
    if (!this.config.meshWarp) return { grid, warp: null };
    const unposed = fittedVertices({ model: this.faceModel, identity: this.identity, expression, rotationAxisAngle: [0, 0, 0], translation: [0, 0, 0] });
    const warp = new Float32Array(unposed.length);
    const radius = this.config.bounds.radius;
    for (let i = 0; i < warp.length; i++) warp[i] = (this.neutralVertices[i] - unposed[i]) / radius;
    return { grid, warp };
  }

  /** The condition of training frame k (its face-region grid built once and cached). */
  frameCondition(k: number): FrameCondition {
    const f = this.frames[k];
    let region = this.regions.get(k);
    if (!region) {
      const pose = f.frame.headPose!;
      region = this.faceRegionFor(f.expression, pose.rotationAxisAngle, pose.translation);
      this.regions.set(k, region);
    }
    return {
      expression: f.expression, rotation: f.rotation, translation: f.translation, faceRegion: region.grid, meshWarp: region.warp, latent: k,
      poseExpression: f.expression,
    };
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
    for (const [what, values] of [["expression", drive.expression], ["trackedExpression", drive.trackedExpression]] as const) {
      if (values && values.length !== this.expressionDim) {
        throw new RangeError(`FlameInNerfModel: the drive's ${what} has ${values.length} parameters, the face model ${this.expressionDim}`);
      }
    }
    const region = this.faceRegionFor(drive.expression, drive.rotationAxisAngle, drive.translation);
    return {
      expression: Float32Array.from(drive.expression),
      rotation: rotationFromAxisAngle(drive.rotationAxisAngle),
      translation: drive.translation,
      faceRegion: region.grid,
      meshWarp: region.warp,
      latent: drive.latent ?? this.meanLatent(),
      poseExpression: drive.trackedExpression ? Float32Array.from(drive.trackedExpression) : null,
    };
  }

  /**
   * The mesh guide of a condition seen from a camera: the distance along each
   * pixel's centre ray to the posed face-model mesh, or undefined when the config
   * guides no samples. `numSamples` (default the config's) scales the guided count.
   */
  guideFor(condition: FrameCondition, camera: PinholeCamera, numSamples = this.config.numSamples): RayGuide | undefined {
    const { samples, halfWidth } = this.config.meshGuide;
    const guided = Math.min(Math.round((samples * numSamples) / this.config.numSamples), numSamples - 1);
    if (guided < 1) return undefined;
    const raster = rasterizeMesh({ camera, verticesWorld: condition.faceRegion.vertices, triangles: this.faceModel.triangles });
    return { distances: rayDistances(raster, camera), numSamples: guided, halfWidth };
  }

  /**
   * Renders a condition from a camera (no gradients): the field, the head's
   * bounds, the mesh guide and the config's sampling. `occupancy` skips empty space.
   */
  renderView(
    condition: FrameCondition, camera: PinholeCamera, alpha: number,
    options: { numSamples?: number; background?: readonly number[]; occupancy?: AvatarOccupancy } = {},
  ): RenderedImage {
    const numSamples = options.numSamples ?? this.config.numSamples;
    return renderImage({
      camera,
      field: this.fieldFor(condition, alpha, undefined, options.occupancy),
      bounds: this.boundsFor(condition.rotation, condition.translation),
      numSamples,
      numImportanceSamples: this.config.numImportanceSamples,
      background: options.background ?? this.config.background,
      guide: this.guideFor(condition, camera, numSamples),
    });
  }

  /**
   * The radiance field of one frame (world-frame points and directions in), for
   * renderRays or renderImage: the deformed canonical head field plus, when the
   * config has one, the static torso field. `record`, when given, receives the
   * last call's offsets and face-region mask (for the loss). `occupancy` (for
   * rendering only) skips samples in empty cells: they get density 0.
   */
  fieldFor(condition: FrameCondition, alpha: number, record?: (r: FieldRecord) => void, occupancy?: AvatarOccupancy): RadianceField {
    const { rotation: r, translation: t, expression, faceRegion, meshWarp, latent, poseExpression } = condition;
    const { center, radius } = this.config.bounds;
    const e = this.expressionDim;
    const conditioned = this.config.expressionConditioning;
    const prior = this.config.spatialPrior.enabled;
    if (occupancy && record) throw new Error("FlameInNerfModel.fieldFor: empty-space skipping is for rendering, not training");
    const torsoCube = this.torsoCube;
    return (pointsWorld, viewDirs) => {
      const total = pointsWorld.shape[0];
      const pwAll = pointsWorld.toArray();
      const dwAll = viewDirs.toArray();
      // Head frame: R^T (p - t); then the bounds sphere to the unit cube. Torso cube: world frame.
      const headPoint = (src: Float32Array, i: number, dst: Float32Array, j: number): void => {
        const x = src[3 * i] - t[0], y = src[3 * i + 1] - t[1], z = src[3 * i + 2] - t[2];
        for (let k = 0; k < 3; k++) dst[3 * j + k] = (r[k] * x + r[3 + k] * y + r[6 + k] * z - center[k]) / radius;
      };
      const torsoPoint = (src: Float32Array, i: number, dst: Float32Array, j: number): void => {
        for (let k = 0; k < 3; k++) dst[3 * j + k] = (src[3 * i + k] - torsoCube.center[k]) / torsoCube.halfSide;
      };
      let kept: Int32Array | null = null;
      // With the mesh warp and empty-space skipping, the warp of every sample (computed once, below reused for the kept ones).
      let warped: FaceRegionWarp | null = null;
      if (occupancy) {
        // The head grid holds the canonical (neutral) head, so a sample is tested where the mesh warp takes it.
        const all = meshWarp ? faceRegionWarp(faceRegion, meshWarp, pwAll) : null;
        const p = new Float32Array(3);
        const picked: number[] = [];
        for (let i = 0; i < total; i++) {
          headPoint(pwAll, i, p, 0);
          if (all) for (let k = 0; k < 3; k++) p[k] += all.offsets[3 * i + k];
          let hit = isOccupied(occupancy.head, p[0], p[1], p[2]);
          if (!hit && occupancy.torso) {
            torsoPoint(pwAll, i, p, 0);
            hit = isOccupied(occupancy.torso, p[0], p[1], p[2]);
          }
          if (hit) picked.push(i);
        }
        if (picked.length < total) kept = Int32Array.from(picked);
        if (all) warped = kept ? { mask: pickRows(all.mask, kept, 1), offsets: pickRows(all.offsets, kept, 3) } : all;
      }
      const n = kept ? kept.length : total;
      if (n === 0) return { density: zeros([total]), rgb: zeros([total, 3]) };
      const pw = kept ? pickRows(pwAll, kept, 3) : pwAll;
      const dw = kept ? pickRows(dwAll, kept, 3) : dwAll;
      const pn = new Float32Array(3 * n);
      const dh = new Float32Array(3 * n);
      for (let i = 0; i < n; i++) {
        headPoint(pw, i, pn, i);
        const a = dw[3 * i], b = dw[3 * i + 1], c = dw[3 * i + 2];
        for (let k = 0; k < 3; k++) dh[3 * i + k] = r[k] * a + r[3 + k] * b + r[6 + k] * c;
      }
      // The face-model region and, with the mesh warp, each sample's offset towards the neutral face.
      const region = warped ?? (meshWarp ? faceRegionWarp(faceRegion, meshWarp, pw) : { mask: faceRegionMask(faceRegion, pw), offsets: null });
      const regionMask = region.mask;
      if (region.offsets) for (let i = 0; i < 3 * n; i++) pn[i] += region.offsets[i];
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
      let headPoints = tensor(pn, [n, 3]);
      // The learned correction of a tracked pose (a small rigid motion of the head frame).
      if (this.poseCorrection && poseExpression) headPoints = applyPoseCorrection(headPoints, this.poseCorrection.correctionFor(poseExpression));
      const { points, offsets } = this.deformation.deform({
        points: headPoints,
        frameIndices: byRow ? new Int32Array(n).fill(latent) : [],
        latentCode: byRow ? undefined : latent,
        condition: this.expressionInto("deformation") ? conditionTensor : null,
        alpha,
      });
      const head = this.canonical.query(points, tensor(dh, [n, 3]), this.expressionInto("canonical") ? conditionTensor : null);
      let out: FieldOutput = head;
      if (this.torso) {
        const pt = new Float32Array(3 * n);
        const outside = new Float32Array(n);
        const { up, origin, height } = this.torsoCeiling;
        for (let i = 0; i < n; i++) {
          torsoPoint(pw, i, pt, i);
          const y = up[0] * (pw[3 * i] - origin[0]) + up[1] * (pw[3 * i + 1] - origin[1]) + up[2] * (pw[3 * i + 2] - origin[2]);
          outside[i] = y < height ? 1 - regionMask[i] : 0;
        }
        const torso = this.torso.query(tensor(pt, [n, 3]), kept ? tensor(dw, [n, 3]) : viewDirs);
        // The torso is empty inside the face-model region and above its ceiling: the head there is the head field's alone.
        const torsoDensity = mul(torso.density, tensor(outside, [n]));
        const density = add(head.density, torsoDensity);
        // Colour of overlapping densities: their density-weighted mean.
        const weighted = add(mul(head.rgb, reshape(head.density, [n, 1])), mul(torso.rgb, reshape(torsoDensity, [n, 1])));
        out = { density, rgb: div(weighted, reshape(addScalar(density, 1e-6), [n, 1])) };
      }
      record?.({ offsets, regionMask });
      if (!kept) return out;
      // Skipped samples are empty: density 0.
      return {
        density: reshape(scatterAddRows({ x: reshape(out.density, [n, 1]), indices: kept, numRows: total }), [total]),
        rgb: scatterAddRows({ x: out.rgb, indices: kept, numRows: total }),
      };
    };
  }

  /**
   * Occupancy grids of the trained fields, for empty-space skipping in
   * {@link fieldFor} when rendering: the canonical head field's density on a
   * grid over its cube, the maximum over a neutral face and each expression
   * parameter at +1 and -1 alone, and the torso field's below its ceiling
   * (above it the torso is never rendered); cells above `threshold` (per
   * metre), dilated by `dilation` cells. fieldFor tests a sample where the
   * mesh warp takes it, so the dilation only has to cover the deformation
   * MLP's offsets and detail between cell centres: 1 cell (1.3 cm in the
   * default bounds) with the mesh warp, 2 without (the MLP then carries the
   * whole expression).
   */
  buildOccupancy(options: { resolution?: number; threshold?: number; dilation?: number } = {}): AvatarOccupancy {
    const { resolution = 40, threshold = 5, dilation = this.config.meshWarp ? 1 : 2 } = options;
    const centers = occupancyCellCenters(resolution);
    const cells = resolution ** 3;
    const e = this.expressionDim;
    const dirs = new Float32Array(cells * 3);
    for (let i = 0; i < cells; i++) dirs[3 * i + 2] = 1;
    const expressions: Float32Array[] = [new Float32Array(e)];
    if (this.expressionInto("canonical")) {
      for (let j = 0; j < e; j++) {
        for (const v of [1, -1]) {
          const x = new Float32Array(e);
          x[j] = v;
          expressions.push(x);
        }
      }
    }
    const headDensity = new Float32Array(cells);
    noGrad(() => {
      for (const x of expressions) {
        scope(() => {
          let condition: Tensor | null = null;
          if (this.expressionInto("canonical")) {
            const values = new Float32Array(cells * e);
            for (let i = 0; i < cells; i++) values.set(x, i * e);
            condition = tensor(values, [cells, e]);
          }
          const d = this.canonical.query(tensor(centers, [cells, 3]), tensor(dirs, [cells, 3]), condition).density.toArray();
          for (let i = 0; i < cells; i++) headDensity[i] = Math.max(headDensity[i], d[i]);
        });
      }
    });
    const head = occupancyFromDensities(headDensity, resolution, threshold, dilation);
    let torso: OccupancyGrid | null = null;
    if (this.torso) {
      const field = this.torso;
      const d = noGrad(() => scope(() => field.query(tensor(centers, [cells, 3]), tensor(dirs, [cells, 3])).density.toArray()));
      // Above its ceiling the torso is never rendered (see fieldFor): whatever density it holds there is not there.
      const { up, origin, height } = this.torsoCeiling;
      const { center: c, halfSide } = this.torsoCube;
      for (let i = 0; i < cells; i++) {
        let y = 0;
        for (let k = 0; k < 3; k++) y += up[k] * (c[k] + halfSide * centers[3 * i + k] - origin[k]);
        if (y >= height) d[i] = 0;
      }
      torso = occupancyFromDensities(d, resolution, threshold, dilation);
    }
    return { head, torso };
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
    let guide: RayGuide | undefined;
    if (cfg.meshGuide.samples > 0) {
      let distances = this.meshDistances.get(k);
      if (!distances) {
        distances = this.guideFor(condition, frame.camera)!.distances;
        this.meshDistances.set(k, distances);
      }
      guide = { distances: Float32Array.from(rays.pixelIndices, (p) => distances![p]), numSamples: cfg.meshGuide.samples, halfWidth: cfg.meshGuide.halfWidth };
    }
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
        numImportanceSamples: cfg.numImportanceSamples, field, background: cfg.background, rng, guide,
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
      let loss = add(photometric, mulScalar(penalty, cfg.deformationPenaltyWeight * penaltyScale));
      const code = gatherRows({ x: this.deformation.latents, indices: [k] });
      const latentNorm = sum(square(code));
      if (cfg.latentPenaltyWeight > 0) loss = add(loss, mulScalar(latentNorm, cfg.latentPenaltyWeight));
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
          latentNorm: latentNorm.item(),
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
