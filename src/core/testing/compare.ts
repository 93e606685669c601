import { backward, noGrad } from "../autograd.js";
import { Random } from "../random.js";
import { scope, tensor, type Shape, type Tensor } from "../tensor.js";

/** Tolerances for {@link expectClose}: |a - b| <= atol + rtol * max(|a|, |b|). */
export interface Tolerance {
  atol?: number;
  rtol?: number;
}

/**
 * Throws, naming the first mismatching index and the worst error, unless `actual`
 * and `expected` have the same length and agree within the tolerance everywhere.
 */
export function expectClose(
  actual: ArrayLike<number>,
  expected: ArrayLike<number>,
  { atol = 1e-5, rtol = 1e-4 }: Tolerance = {},
  what = "values",
): void {
  if (actual.length !== expected.length) {
    throw new Error(`${what}: length ${actual.length}, expected ${expected.length}`);
  }
  let bad = -1;
  let badCount = 0;
  let worst = 0;
  for (let i = 0; i < actual.length; i++) {
    const a = actual[i];
    const b = expected[i];
    const err = Math.abs(a - b);
    const allowed = atol + rtol * Math.max(Math.abs(a), Math.abs(b));
    if (!(err <= allowed)) {
      if (bad < 0) bad = i;
      badCount++;
      worst = Math.max(worst, Number.isNaN(err) ? Infinity : err);
    }
  }
  if (bad >= 0) {
    throw new Error(
      `${what}: ${badCount} of ${actual.length} differ (atol ${atol}, rtol ${rtol}); ` +
        `first at [${bad}]: ${actual[bad]} vs ${expected[bad]}; worst error ${worst}`,
    );
  }
}

/** An input of {@link checkGradients}. */
export interface GradInput {
  values: ArrayLike<number>;
  shape: Shape;
  /** Whether to check the gradient for this input (default true). */
  requiresGrad?: boolean;
}

/**
 * Checks the backward pass of `op` against central finite differences of its
 * forward pass. The scalar differentiated is sum(op(inputs) * w) for a fixed random
 * `w`, so every output contributes. For large inputs, `maxProbes` elements per input
 * are probed. Runs everything through the real kernels (float32), so `eps` and the
 * tolerance must suit float32 rounding.
 */
export function checkGradients(options: {
  op: (...inputs: Tensor[]) => Tensor;
  inputs: GradInput[];
  eps?: number;
  tolerance?: Tolerance;
  maxProbes?: number;
  seed?: number;
}): void {
  const { op, inputs, eps = 1e-2, tolerance = { atol: 2e-3, rtol: 2e-2 }, maxProbes = 48, seed = 7 } = options;
  const rng = new Random(seed);
  scope(() => {
    const ts = inputs.map((inp) => {
      const t = tensor(inp.values, inp.shape);
      t.requiresGrad = inp.requiresGrad ?? true;
      return t;
    });
    const out = op(...ts);
    const w = rng.randUniform(out.shape, -1, 1);
    const weights = w.toArray();
    const loss = noGrad(() => weightedSum(out.toArray(), weights));
    void loss;
    // Analytic: backward with gradRoot = w gives d/dx sum(out * w).
    backward(out, w);
    inputs.forEach((inp, k) => {
      if (!(inp.requiresGrad ?? true)) return;
      const t = ts[k];
      if (!t.grad) throw new Error(`checkGradients: input ${k} received no gradient`);
      const analytic = t.grad.toArray();
      const n = t.size;
      const probes = n <= maxProbes ? [...Array(n).keys()] : [...Array(maxProbes)].map(() => rng.int(n));
      const numeric: number[] = [];
      const picked: number[] = [];
      for (const idx of probes) {
        const values = Array.from(inputs[k].values);
        const f = (delta: number): number =>
          scope(() =>
            noGrad(() => {
              const vs = values.slice();
              vs[idx] += delta;
              const args = inputs.map((inp2, j) => tensor(j === k ? vs : inp2.values, inp2.shape));
              return weightedSum(op(...args).toArray(), weights);
            }),
          );
        numeric.push((f(eps) - f(-eps)) / (2 * eps));
        picked.push(analytic[idx]);
      }
      expectClose(picked, numeric, tolerance, `gradient of input ${k} (analytic vs finite differences)`);
    });
  });
}

function weightedSum(values: Float32Array, weights: Float32Array): number {
  let s = 0;
  for (let i = 0; i < values.length; i++) s += values[i] * weights[i];
  return s;
}

/** Deterministic test data: `n` uniform values in [low, high). */
export function randomValues(n: number, seed: number, low = -1, high = 1): Float32Array {
  const rng = new Random(seed);
  const v = new Float32Array(n);
  for (let i = 0; i < n; i++) v[i] = low + (high - low) * rng.uniform();
  return v;
}
