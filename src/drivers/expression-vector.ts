import { EXPRESSION_PARAMETERS } from "../face/index.js";

/** Names of the face model's expression parameters, in order: the layout of every drive's expression vector. */
export const EXPRESSION_NAMES: readonly string[] = EXPRESSION_PARAMETERS.map((p) => p.name);

/** The valid expression names as one comma-separated string, for error messages and help. */
export function listExpressionNames(): string {
  return EXPRESSION_NAMES.join(", ");
}

/**
 * Where each of `names` sits in the face model's expression layout, or the
 * first name the face model does not have (returned, not thrown, so that each
 * caller words the error for its source).
 */
export function expressionIndexMap(names: readonly string[]): { indices: number[] } | { unknown: string } {
  const indices: number[] = [];
  for (const name of names) {
    const i = EXPRESSION_NAMES.indexOf(name);
    if (i < 0) return { unknown: name };
    indices.push(i);
  }
  return { indices };
}

/** Scatters `values` (one per entry of `indices`) into a zero face-model expression vector. */
export function scatterExpression(values: ArrayLike<number>, indices: readonly number[]): Float32Array {
  const out = new Float32Array(EXPRESSION_NAMES.length);
  indices.forEach((target, i) => (out[target] = values[i]));
  return out;
}
