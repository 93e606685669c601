/**
 * A plain multilayer perceptron of fused `dense` layers, with named parameters
 * (for avatar files) drawn from a seeded generator.
 */
import { dense, tensor, type Activation, type Random, type Tensor } from "../core/index.js";
import { FieldError } from "./error.js";

/** Options of {@link Mlp}. */
export interface MlpOptions {
  /** Prefix of the parameter names, e.g. `canonical.trunk` gives `canonical.trunk.0.weight`. */
  name: string;
  /** Layer widths, input first: [in, hidden..., out] (at least two). */
  sizes: readonly number[];
  /** Activation of the hidden layers; default "relu". */
  hiddenActivation?: Activation;
  /** Activation of the last layer; default "none". */
  outputActivation?: Activation;
  /** Standard deviation of the last layer's weights (default: like the hidden layers); small values start near zero output. */
  outputInitStd?: number;
  /** Initial value of the last layer's bias (default 0), one number or one per output. */
  outputBias?: number | readonly number[];
  rng: Random;
}

/**
 * y = f_L(... f_1(x W_1 + b_1) ... W_L + b_L), x [N, in] to y [N, out]. Weights are
 * He-initialized (std sqrt(2 / fan_in); He et al. 2015, https://arxiv.org/abs/1502.01852),
 * biases zero. Parameters are named `<name>.<layer>.weight` [in, out] and `<name>.<layer>.bias` [out].
 */
export class Mlp {
  readonly name: string;
  readonly sizes: readonly number[];
  private readonly weights: Tensor[] = [];
  private readonly biases: Tensor[] = [];
  private readonly hiddenActivation: Activation;
  private readonly outputActivation: Activation;

  constructor(options: MlpOptions) {
    const { name, sizes, rng } = options;
    if (sizes.length < 2 || sizes.some((s) => !Number.isInteger(s) || s < 1)) {
      throw new FieldError(`Mlp '${name}': sizes must be at least two whole numbers >= 1, got [${sizes}]`);
    }
    this.name = name;
    this.sizes = [...sizes];
    this.hiddenActivation = options.hiddenActivation ?? "relu";
    this.outputActivation = options.outputActivation ?? "none";
    const last = sizes.length - 2;
    for (let l = 0; l <= last; l++) {
      const std = l === last && options.outputInitStd !== undefined ? options.outputInitStd : Math.sqrt(2 / sizes[l]);
      this.weights.push(rng.randn([sizes[l], sizes[l + 1]], std).asParameter());
      const bias = new Float32Array(sizes[l + 1]);
      if (l === last && options.outputBias !== undefined) {
        const b = options.outputBias;
        if (typeof b === "number") bias.fill(b);
        else if (b.length === bias.length) bias.set(b);
        else throw new FieldError(`Mlp '${name}': outputBias has ${b.length} values, the last layer ${bias.length}`);
      }
      this.biases.push(tensor(bias).asParameter());
    }
  }

  /** Applies the layers to x [N, in]; returns [N, out]. */
  forward(x: Tensor): Tensor {
    if (x.rank !== 2 || x.shape[1] !== this.sizes[0]) {
      throw new FieldError(`Mlp '${this.name}': input must be [N, ${this.sizes[0]}], got [${x.shape}]`);
    }
    let h = x;
    const last = this.weights.length - 1;
    for (let l = 0; l <= last; l++) {
      h = dense({ x: h, weight: this.weights[l], bias: this.biases[l], activation: l === last ? this.outputActivation : this.hiddenActivation });
    }
    return h;
  }

  /** The parameters by name, layer order. */
  parameters(): Map<string, Tensor> {
    const out = new Map<string, Tensor>();
    this.weights.forEach((w, l) => {
      out.set(`${this.name}.${l}.weight`, w);
      out.set(`${this.name}.${l}.bias`, this.biases[l]);
    });
    return out;
  }
}
