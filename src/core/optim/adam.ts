import { keep, zeros, type Tensor } from "../tensor.js";
import { runKernel } from "../runtime.js";

/** A set of parameters that share a learning rate and weight decay. */
export interface ParamGroup {
  /** Name used in logs and checkpoints, e.g. `"decoder"`. */
  name: string;
  params: Tensor[];
  /** Learning rate; may be changed between steps (schedules). */
  lr: number;
  /** Decoupled weight decay (AdamW); default 0. */
  weightDecay?: number;
}

/** Options for {@link Adam}. */
export interface AdamOptions {
  groups: ParamGroup[];
  beta1?: number;
  beta2?: number;
  eps?: number;
}

/**
 * Adam with per-group learning rates (Kingma and Ba 2015, https://arxiv.org/abs/1412.6980),
 * and AdamW's decoupled weight decay per group. `step()` applies each parameter's
 * accumulated `.grad` and then clears it; parameters without a gradient are left as
 * they are (their moments do not decay), as in PyTorch.
 */
export class Adam {
  readonly groups: ParamGroup[];
  readonly beta1: number;
  readonly beta2: number;
  readonly eps: number;
  /** Updates applied so far, per parameter (for bias correction). */
  private readonly steps = new Map<Tensor, number>();
  private readonly moments = new Map<Tensor, { m: Tensor; v: Tensor }>();

  constructor({ groups, beta1 = 0.9, beta2 = 0.999, eps = 1e-8 }: AdamOptions) {
    const seen = new Set<Tensor>();
    for (const g of groups) {
      if (!(g.lr >= 0)) throw new Error(`Adam: group '${g.name}' has learning rate ${g.lr}`);
      for (const p of g.params) {
        if (seen.has(p)) throw new Error(`Adam: a parameter appears twice (group '${g.name}')`);
        seen.add(p);
      }
    }
    this.groups = groups;
    this.beta1 = beta1;
    this.beta2 = beta2;
    this.eps = eps;
  }

  /** Applies one update to every parameter that has a gradient, then disposes the gradients. */
  step(): void {
    for (const group of this.groups) {
      for (const p of group.params) {
        const grad = p.grad;
        if (!grad) continue;
        const state = this.moments.get(p) ?? this.initState(p);
        const t = (this.steps.get(p) ?? 0) + 1;
        this.steps.set(p, t);
        const bias1 = 1 - this.beta1 ** t;
        const bias2 = 1 - this.beta2 ** t;
        runKernel(
          "adamStepF32",
          [p.ptr, grad.ptr, state.m.ptr, state.v.ptr, p.size, group.lr, this.beta1, this.beta2, this.eps, bias1, bias2, group.weightDecay ?? 0],
          p.size * 12,
        );
        grad.dispose();
        p.grad = null;
      }
    }
  }

  /** Disposes all gradients without applying them. */
  zeroGrad(): void {
    for (const group of this.groups) {
      for (const p of group.params) {
        p.grad?.dispose();
        p.grad = null;
      }
    }
  }

  /**
   * The optimizer state as named tensors (for checkpoints): `<group>.<index>.m`,
   * `.v`, and `.step` (a one-element tensor). Tensors are the live state, not copies.
   */
  stateTensors(): Map<string, Tensor> {
    const out = new Map<string, Tensor>();
    for (const group of this.groups) {
      group.params.forEach((p, i) => {
        const s = this.moments.get(p);
        if (!s) return;
        out.set(`${group.name}.${i}.m`, s.m);
        out.set(`${group.name}.${i}.v`, s.v);
      });
    }
    return out;
  }

  /** Update counts per parameter, keyed like {@link stateTensors}: `<group>.<index>`. */
  stepCounts(): Record<string, number> {
    const out: Record<string, number> = {};
    for (const group of this.groups) {
      group.params.forEach((p, i) => {
        const t = this.steps.get(p);
        if (t !== undefined) out[`${group.name}.${i}`] = t;
      });
    }
    return out;
  }

  /** Restores state saved by {@link stateTensors} and {@link stepCounts}; values are copied. */
  loadState(tensors: ReadonlyMap<string, Float32Array>, counts: Record<string, number>): void {
    for (const group of this.groups) {
      group.params.forEach((p, i) => {
        const key = `${group.name}.${i}`;
        const m = tensors.get(`${key}.m`);
        const v = tensors.get(`${key}.v`);
        const t = counts[key];
        if (!m || !v || t === undefined) return;
        if (m.length !== p.size || v.length !== p.size) {
          throw new Error(`Adam.loadState: '${key}' has ${m.length} values, the parameter has ${p.size}`);
        }
        const state = this.moments.get(p) ?? this.initState(p);
        state.m.data.set(m);
        state.v.data.set(v);
        this.steps.set(p, t);
      });
    }
  }

  /** Releases the moment tensors. */
  dispose(): void {
    for (const { m, v } of this.moments.values()) {
      m.dispose();
      v.dispose();
    }
    this.moments.clear();
    this.steps.clear();
  }

  private initState(p: Tensor): { m: Tensor; v: Tensor } {
    const state = { m: keep(zeros(p.shape)), v: keep(zeros(p.shape)) };
    this.moments.set(p, state);
    return state;
  }
}
