import { getCore } from "./runtime.js";

/** A tensor shape: sizes of each axis, outermost first (row-major, last axis contiguous). */
export type Shape = readonly number[];

/**
 * One recorded operation of the autograd graph: the tensors it read, the tensors it
 * made, and its backward pass, which maps gradients of the outputs (null where an
 * output received none) to gradients of the inputs (null where an input needs none).
 */
export interface GradNode {
  readonly name: string;
  readonly inputs: readonly Tensor[];
  readonly outputs: readonly Tensor[];
  backward(gradOutputs: readonly (Tensor | null)[]): readonly (Tensor | null)[];
}

/**
 * A float32 tensor whose data lives in the shared `WebAssembly.Memory` of the core
 * runtime, where every kernel thread can read it. Its memory is released by
 * {@link Tensor.dispose} or, for tensors made inside {@link scope}, when the scope ends.
 */
export class Tensor {
  readonly shape: Shape;
  /** Number of elements. */
  readonly size: number;
  /** Whether gradients flow to this tensor (parameters, and results computed from them). */
  requiresGrad = false;
  /** Accumulated gradient of a leaf tensor that requires grad, after {@link backward}. */
  grad: Tensor | null = null;
  /** The operation that made this tensor, while its graph is alive. */
  gradNode: GradNode | null = null;
  private ptrBytes: number;

  /** @internal Use the factories ({@link zeros}, {@link tensor}, ...) instead. */
  constructor(shape: Shape, ptrBytes: number) {
    this.shape = Object.freeze([...shape]);
    this.size = shapeSize(shape);
    this.ptrBytes = ptrBytes;
  }

  /** Byte offset of the data in the shared memory. Throws once disposed. */
  get ptr(): number {
    if (this.ptrBytes < 0) throw new Error(`tensor of shape [${this.shape}] was used after it was disposed`);
    return this.ptrBytes;
  }

  /** Number of axes. */
  get rank(): number {
    return this.shape.length;
  }

  /** Whether the memory has been released. */
  get isDisposed(): boolean {
    return this.ptrBytes < 0;
  }

  /**
   * A live view of the data. Valid until the memory grows (any allocation may grow
   * it), so take a fresh view after making tensors; use {@link toArray} for a copy.
   */
  get data(): Float32Array {
    return new Float32Array(getCore().memory.buffer, this.ptr, this.size);
  }

  /** A copy of the data. */
  toArray(): Float32Array {
    return this.data.slice();
  }

  /** The single value of a one-element tensor. */
  item(): number {
    if (this.size !== 1) throw new Error(`item(): tensor has shape [${this.shape}], not one element`);
    return this.data[0];
  }

  /** Releases the memory now. Safe to call twice. */
  dispose(): void {
    if (this.ptrBytes < 0) return;
    getCore().allocator.free(this.ptrBytes);
    this.ptrBytes = -1;
    untrack(this);
    if (this.grad) {
      this.grad.dispose();
      this.grad = null;
    }
  }

  /** Marks this tensor as a trainable leaf and keeps it out of every scope. */
  asParameter(): this {
    this.requiresGrad = true;
    keep(this);
    return this;
  }
}

/** Product of the sizes of `shape`. Throws on a negative or fractional size. */
export function shapeSize(shape: Shape): number {
  let n = 1;
  for (const d of shape) {
    if (!Number.isInteger(d) || d < 0) throw new Error(`invalid shape [${shape}]`);
    n *= d;
  }
  return n;
}

// ---- scopes ----

const scopeStack: Set<Tensor>[] = [];

function track(t: Tensor): void {
  scopeStack.at(-1)?.add(t);
}

function untrack(t: Tensor): void {
  scopeStack.at(-1)?.delete(t);
  for (let i = scopeStack.length - 2; i >= 0; i--) scopeStack[i].delete(t);
}

/** Removes `t` from every scope, so it lives until disposed by hand. Returns `t`. */
export function keep<T extends Tensor>(t: T): T {
  for (const s of scopeStack) s.delete(t);
  return t;
}

/** Tensors found in a value: itself, or inside arrays and plain objects. */
function collectTensors(value: unknown, into: Set<Tensor>): void {
  if (value instanceof Tensor) into.add(value);
  else if (Array.isArray(value)) for (const v of value) collectTensors(v, into);
  else if (value && typeof value === "object" && Object.getPrototypeOf(value) === Object.prototype) {
    for (const v of Object.values(value)) collectTensors(v, into);
  }
}

/**
 * Runs `fn` and disposes every tensor made during it, except those it returns
 * (directly, or in arrays and plain objects) and those passed to {@link keep}.
 * Returned tensors belong to the enclosing scope. This is how a training step keeps
 * the memory from growing.
 */
export function scope<T>(fn: () => T): T {
  const own = new Set<Tensor>();
  scopeStack.push(own);
  let result: T;
  try {
    result = fn();
  } finally {
    scopeStack.pop();
  }
  const survivors = new Set<Tensor>();
  collectTensors(result, survivors);
  for (const t of own) {
    if (survivors.has(t)) track(t);
    else t.dispose();
  }
  return result;
}

// ---- factories ----

/** A tensor with uninitialized data. */
export function empty(shape: Shape): Tensor {
  const size = shapeSize(shape);
  const t = new Tensor(shape, getCore().allocator.alloc(size * 4));
  track(t);
  return t;
}

/** A tensor filled with `value`. */
export function full(shape: Shape, value: number): Tensor {
  const t = empty(shape);
  t.data.fill(value);
  return t;
}

/** A tensor of zeros. */
export function zeros(shape: Shape): Tensor {
  return full(shape, 0);
}

/** A tensor of ones. */
export function ones(shape: Shape): Tensor {
  return full(shape, 1);
}

/** A tensor holding a copy of `values` (row-major), of `shape` (default: one axis). */
export function tensor(values: ArrayLike<number>, shape: Shape = [values.length]): Tensor {
  if (shapeSize(shape) !== values.length) {
    throw new Error(`tensor: ${values.length} values do not fill shape [${shape}]`);
  }
  const t = empty(shape);
  t.data.set(values);
  return t;
}

/** A scalar tensor (shape []). */
export function scalar(value: number): Tensor {
  return tensor([value], []);
}
