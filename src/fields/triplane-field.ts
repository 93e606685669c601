/**
 * A canonical radiance field: learned tri-plane features (EG3D, Chan et al. 2022,
 * https://arxiv.org/abs/2112.07945) decoded by a small MLP into density and
 * view-dependent colour (NeRF, Mildenhall et al. 2020, https://arxiv.org/abs/2003.08934).
 */
import {
  concat, encodePositions, encodedWidth, mulScalar, reshape, sampleTriplane, type Random, type Tensor,
} from "../core/index.js";
import { FieldError } from "./error.js";
import { Mlp } from "./mlp.js";

/** Options of {@link TriplaneField}. */
export interface TriplaneFieldOptions {
  /** Prefix of the parameter names; default `canonical`. */
  name?: string;
  /** Plane side R in texels. */
  resolution: number;
  /** Feature channels C per plane. */
  channels: number;
  /** Width of the decoder's hidden layers. */
  hiddenWidth: number;
  /** Hidden layers of the decoder trunk (>= 1). */
  hiddenLayers: number;
  /** Width of the colour head's hidden layer. */
  colorWidth: number;
  /** Frequencies of the view direction's positional encoding (0: the raw direction only). */
  viewFrequencies: number;
  /** Density = densityScale * softplus(raw), in the caller's units per world unit (sets how fast a surface can become opaque). */
  densityScale: number;
  /** Initial softplus input of the density (negative: a nearly empty start). */
  densityBias: number;
  /** Standard deviation of the initial plane features. */
  planeInitStd: number;
  /** Width of a per-point condition vector fed to the decoder trunk with the features (e.g. expression, as NerFACE and FLAME-in-NeRF do); default 0. */
  conditionDim?: number;
  rng: Random;
}

/** What {@link TriplaneField.query} returns for N points. */
export interface TriplaneFieldOutput {
  /** Colour [N, 3] in [0, 1] (sigmoid). */
  rgb: Tensor;
  /** Density [N] >= 0 (softplus times densityScale). */
  density: Tensor;
}

/**
 * Tri-plane features [3, R, R, C] summed at a point, then a decoder: trunk MLP ->
 * density (softplus) and a feature; the feature with the encoded view direction ->
 * colour head -> RGB (sigmoid). Points are in the normalized cube [-1, 1]^3
 * (outside it the planes clamp to their border). Parameters: `<name>.planes`,
 * `<name>.trunk.*`, `<name>.density.*`, `<name>.color.*`.
 */
export class TriplaneField {
  readonly name: string;
  readonly planes: Tensor;
  private readonly trunk: Mlp;
  private readonly densityHead: Mlp;
  private readonly colorHead: Mlp;
  private readonly viewFrequencies: number;
  private readonly densityScale: number;
  readonly conditionDim: number;

  constructor(options: TriplaneFieldOptions) {
    const { resolution, channels, hiddenWidth, hiddenLayers, colorWidth, viewFrequencies, rng } = options;
    this.name = options.name ?? "canonical";
    if (!Number.isInteger(hiddenLayers) || hiddenLayers < 1) throw new FieldError(`TriplaneField: hiddenLayers must be >= 1, got ${hiddenLayers}`);
    if (!(options.densityScale > 0)) throw new FieldError(`TriplaneField: densityScale must be > 0, got ${options.densityScale}`);
    this.planes = rng.randn([3, resolution, resolution, channels], options.planeInitStd).asParameter();
    this.conditionDim = options.conditionDim ?? 0;
    this.trunk = new Mlp({ name: `${this.name}.trunk`, sizes: [channels + this.conditionDim, ...Array<number>(hiddenLayers).fill(hiddenWidth)], hiddenActivation: "relu", outputActivation: "relu", rng });
    this.densityHead = new Mlp({ name: `${this.name}.density`, sizes: [hiddenWidth, 1], outputActivation: "softplus", outputBias: options.densityBias, rng });
    const viewWidth = encodedWidth(3, viewFrequencies);
    this.colorHead = new Mlp({ name: `${this.name}.color`, sizes: [hiddenWidth + viewWidth, colorWidth, 3], outputActivation: "sigmoid", rng });
    this.viewFrequencies = viewFrequencies;
    this.densityScale = options.densityScale;
  }

  /**
   * Density and colour at points [N, 3] (normalized cube) seen along unit
   * directions viewDirs [N, 3], with the condition [N, conditionDim] when the
   * field has one (no gradient needed).
   */
  query(points: Tensor, viewDirs: Tensor, condition: Tensor | null = null): TriplaneFieldOutput {
    if (points.rank !== 2 || points.shape[1] !== 3 || viewDirs.rank !== 2 || viewDirs.shape[0] !== points.shape[0] || viewDirs.shape[1] !== 3) {
      throw new FieldError(`TriplaneField: points and viewDirs must both be [N, 3], got [${points.shape}] and [${viewDirs.shape}]`);
    }
    const n = points.shape[0];
    let features = sampleTriplane({ planes: this.planes, points });
    if (this.conditionDim > 0) {
      if (!condition || condition.rank !== 2 || condition.shape[0] !== n || condition.shape[1] !== this.conditionDim) {
        throw new FieldError(`TriplaneField: condition must be [${n}, ${this.conditionDim}], got ${condition ? `[${condition.shape}]` : "none"}`);
      }
      features = concat([features, condition], 1);
    }
    const h = this.trunk.forward(features);
    const raw = this.densityHead.forward(h);
    const density = mulScalar(reshape(raw, [n]), this.densityScale);
    const view = encodePositions({ x: viewDirs, numFrequencies: this.viewFrequencies });
    const rgb = this.colorHead.forward(concat([h, view], 1));
    return { rgb, density };
  }

  /** The parameters by name. */
  parameters(): Map<string, Tensor> {
    return new Map([[`${this.name}.planes`, this.planes], ...this.trunk.parameters(), ...this.densityHead.parameters(), ...this.colorHead.parameters()]);
  }

  /** Decoder parameters only (everything but the planes), e.g. for their own learning rate. */
  decoderParameters(): Tensor[] {
    return [...this.trunk.parameters().values(), ...this.densityHead.parameters().values(), ...this.colorHead.parameters().values()];
  }
}

