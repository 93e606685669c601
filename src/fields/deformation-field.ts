/**
 * A deformation field in the manner of Nerfies (Park et al. 2021,
 * https://arxiv.org/abs/2011.12948) and FLAME-in-NeRF (Athar et al. 2022,
 * https://arxiv.org/abs/2108.04913): an MLP maps a point, a per-frame latent
 * deformation code and a condition vector (e.g. face-model expression) to an
 * offset added to the point, with the coarse-to-fine window on the point's
 * positional encoding.
 */
import {
  add, annealingWindow, concat, encodePositions, encodedWidth, gatherRows, tensor, type Random, type Tensor,
} from "../core/index.js";
import { FieldError } from "./error.js";
import { Mlp } from "./mlp.js";

/** Options of {@link DeformationField}. */
export interface DeformationFieldOptions {
  /** Prefix of the parameter names; default `deformation`. */
  name?: string;
  /** Rows of the latent table (one per training frame). */
  numFrames: number;
  /** Width D of a latent deformation code. */
  latentDim: number;
  /** Width E of the condition vector (0 for none). */
  conditionDim: number;
  /** Frequencies F of the point's positional encoding. */
  numFrequencies: number;
  hiddenWidth: number;
  /** Hidden layers (>= 1). */
  hiddenLayers: number;
  /** Standard deviation of the initial latent codes. */
  latentInitStd: number;
  /** Standard deviation of the last layer's weights: small, so the field starts near the identity. */
  outputInitStd: number;
  rng: Random;
}

/** Inputs of {@link DeformationField.deform}. */
export interface DeformInputs {
  /** Points [N, 3], normalized cube (the frame the encoding's frequencies refer to). */
  points: Tensor;
  /** Latent-table row of each point [N] (usually all the same frame); ignored when `latentCode` is given. */
  frameIndices: Int32Array | readonly number[];
  /** One latent code [D] for every point instead of table rows (for driving with codes not in the table, e.g. their mean); no gradient. */
  latentCode?: Float32Array;
  /** Condition [N, E] (no grad needed), or null when conditionDim is 0. */
  condition: Tensor | null;
  /** Coarse-to-fine progress alpha in [0, F]: frequency k is faded in as alpha passes k..k+1 (see core annealingWindow). */
  alpha: number;
}

/** What {@link DeformationField.deform} returns. */
export interface DeformOutput {
  /** Deformed points x + dx [N, 3]. */
  points: Tensor;
  /** Offsets dx [N, 3] (for regularizers). */
  offsets: Tensor;
}

/**
 * x -> x + MLP([posenc_alpha(x), latent[frame], condition]). Parameters:
 * `<name>.latents` [numFrames, D] and `<name>.mlp.*`.
 */
export class DeformationField {
  readonly name: string;
  readonly latents: Tensor;
  readonly conditionDim: number;
  readonly numFrequencies: number;
  private readonly mlp: Mlp;

  constructor(options: DeformationFieldOptions) {
    const { numFrames, latentDim, conditionDim, numFrequencies, hiddenWidth, hiddenLayers, rng } = options;
    this.name = options.name ?? "deformation";
    if (!Number.isInteger(numFrames) || numFrames < 1) throw new FieldError(`DeformationField: numFrames must be >= 1, got ${numFrames}`);
    if (!Number.isInteger(hiddenLayers) || hiddenLayers < 1) throw new FieldError(`DeformationField: hiddenLayers must be >= 1, got ${hiddenLayers}`);
    this.latents = rng.randn([numFrames, latentDim], options.latentInitStd).asParameter();
    this.conditionDim = conditionDim;
    this.numFrequencies = numFrequencies;
    const inWidth = encodedWidth(3, numFrequencies) + latentDim + conditionDim;
    this.mlp = new Mlp({
      name: `${this.name}.mlp`,
      sizes: [inWidth, ...Array<number>(hiddenLayers).fill(hiddenWidth), 3],
      hiddenActivation: "relu",
      outputInitStd: options.outputInitStd,
      rng,
    });
  }

  /** Offsets and deformed points for N points. */
  deform(inputs: DeformInputs): DeformOutput {
    const { points, frameIndices, condition, alpha, latentCode } = inputs;
    const n = points.shape[0];
    if (points.rank !== 2 || points.shape[1] !== 3) throw new FieldError(`DeformationField: points must be [N, 3], got [${points.shape}]`);
    const parts = [encodePositions({ x: points, numFrequencies: this.numFrequencies, windowWeights: annealingWindow(alpha, this.numFrequencies) })];
    if (latentCode) {
      const d = this.latents.shape[1];
      if (latentCode.length !== d) throw new FieldError(`DeformationField: latentCode has ${latentCode.length} values, the codes ${d}`);
      const tiled = new Float32Array(n * d);
      for (let i = 0; i < n; i++) tiled.set(latentCode, i * d);
      parts.push(tensor(tiled, [n, d]));
    } else {
      if (frameIndices.length !== n) throw new FieldError(`DeformationField: ${frameIndices.length} frame indices for ${n} points`);
      parts.push(gatherRows({ x: this.latents, indices: frameIndices }));
    }
    if (this.conditionDim > 0) {
      if (!condition || condition.rank !== 2 || condition.shape[0] !== n || condition.shape[1] !== this.conditionDim) {
        throw new FieldError(`DeformationField: condition must be [${n}, ${this.conditionDim}], got ${condition ? `[${condition.shape}]` : "none"}`);
      }
      parts.push(condition);
    }
    const offsets = this.mlp.forward(concat(parts, 1));
    return { points: add(points, offsets), offsets };
  }

  /** The parameters by name. */
  parameters(): Map<string, Tensor> {
    return new Map([[`${this.name}.latents`, this.latents], ...this.mlp.parameters()]);
  }

  /** The MLP's parameters (without the latent table). */
  mlpParameters(): Tensor[] {
    return [...this.mlp.parameters().values()];
  }
}
