import type { Adam, StoredTensor, Tensor } from "../core/index.js";
import type { OptimizerState } from "./avatar-file.js";

/** Thrown when saved tensors do not fit the live model (a missing name, another shape). */
export class SnapshotError extends Error {
  override readonly name = "SnapshotError";
}

/** Copies named live tensors (e.g. a method's parameters) into stored tensors for a file. */
export function snapshotTensors(tensors: ReadonlyMap<string, Tensor>): Map<string, StoredTensor> {
  const out = new Map<string, StoredTensor>();
  for (const [name, t] of tensors) out.set(name, { shape: [...t.shape], data: t.toArray() });
  return out;
}

/**
 * Copies stored values into the live tensors of the same names, in place. Every live
 * tensor must have a stored one of the same shape (a name missing or a shape that
 * differs is a {@link SnapshotError} naming `source`); extra stored tensors are an error too.
 */
export function loadTensorsInto(target: ReadonlyMap<string, Tensor>, stored: ReadonlyMap<string, StoredTensor>, source = "checkpoint"): void {
  for (const [name, t] of target) {
    const s = stored.get(name);
    if (!s) throw new SnapshotError(`${source}: has no tensor '${name}'`);
    if (s.shape.length !== t.shape.length || s.shape.some((d, i) => d !== t.shape[i])) {
      throw new SnapshotError(`${source}: tensor '${name}' has shape [${s.shape}], the model expects [${t.shape}]`);
    }
  }
  for (const name of stored.keys()) {
    if (!target.has(name)) throw new SnapshotError(`${source}: has tensor '${name}', which the model does not have`);
  }
  for (const [name, t] of target) t.data.set(stored.get(name)!.data);
}

/** Copies an Adam optimizer's moments and update counts, for a checkpoint. */
export function snapshotAdam(adam: Adam): OptimizerState {
  const tensors = new Map<string, StoredTensor>();
  for (const [name, t] of adam.stateTensors()) tensors.set(name, { shape: [...t.shape], data: t.toArray() });
  return { tensors, steps: adam.stepCounts() };
}

/** Restores an Adam optimizer's state saved by {@link snapshotAdam} (its groups must match). */
export function restoreAdam(adam: Adam, state: OptimizerState): void {
  adam.loadState(new Map([...state.tensors].map(([name, t]) => [name, t.data])), state.steps);
}
