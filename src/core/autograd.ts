import { runKernel } from "./runtime.js";
import { empty, full, keep, Tensor, type GradNode } from "./tensor.js";

let gradEnabled = true;

/** Whether operations currently record the autograd graph. */
export function isGradEnabled(): boolean {
  return gradEnabled;
}

/** Runs `fn` without recording the graph (inference, optimizer updates, backward passes). */
export function noGrad<T>(fn: () => T): T {
  const before = gradEnabled;
  gradEnabled = false;
  try {
    return fn();
  } finally {
    gradEnabled = before;
  }
}

/**
 * Records an operation if gradients are on and any input requires them: marks the
 * outputs as requiring grad and links them to the node. Ops call this after their
 * forward kernel; `backward` runs later with recording off.
 */
export function recordOp(node: GradNode): void {
  if (!gradEnabled || !node.inputs.some((t) => t.requiresGrad)) return;
  for (const out of node.outputs) {
    out.requiresGrad = true;
    out.gradNode = node;
  }
}

/** `into += g` in place (same shape). */
export function addInPlace(into: Tensor, g: Tensor): void {
  if (into.size !== g.size) throw new Error(`addInPlace: sizes ${into.size} and ${g.size} differ`);
  runKernel("axpyF32", [g.ptr, into.ptr, into.size, 1], into.size);
}

/** Nodes reachable from `root`, inputs before the nodes that read them. */
function topologicalOrder(root: Tensor): GradNode[] {
  const order: GradNode[] = [];
  const visited = new Set<GradNode>();
  // Iterative post-order DFS: graphs of long training steps would overflow the stack.
  const stack: { node: GradNode; next: number }[] = [];
  if (root.gradNode) stack.push({ node: root.gradNode, next: 0 });
  if (root.gradNode) visited.add(root.gradNode);
  while (stack.length) {
    const top = stack[stack.length - 1];
    if (top.next < top.node.inputs.length) {
      const child = top.node.inputs[top.next++].gradNode;
      if (child && !visited.has(child)) {
        visited.add(child);
        stack.push({ node: child, next: 0 });
      }
    } else {
      order.push(top.node);
      stack.pop();
    }
  }
  return order;
}

/**
 * Reverse-mode differentiation of `root` (a scalar unless `gradRoot` is given):
 * adds d root / d leaf into `leaf.grad` for every leaf tensor that requires grad,
 * then frees the graph. Gradients accumulate across calls until an optimizer step
 * or {@link zeroGrad} clears them.
 */
export function backward(root: Tensor, gradRoot?: Tensor): void {
  if (!root.requiresGrad) throw new Error("backward: the tensor does not depend on any tensor that requires grad");
  if (!gradRoot && root.size !== 1) {
    throw new Error(`backward: the root has shape [${root.shape}]; pass its gradient for a non-scalar root`);
  }
  if (gradRoot && gradRoot.size !== root.size) throw new Error("backward: gradRoot must match the root's shape");
  noGrad(() => {
    // Every tensor in `grads` is owned by it, except the caller's gradRoot.
    const grads = new Map<Tensor, Tensor>();
    grads.set(root, gradRoot ?? full(root.shape, 1));
    const release = (g: Tensor): void => {
      if (g !== gradRoot) g.dispose();
    };
    const order = topologicalOrder(root);
    for (let i = order.length - 1; i >= 0; i--) {
      const node = order[i];
      const gradOutputs = node.outputs.map((o) => grads.get(o) ?? null);
      for (const out of node.outputs) {
        grads.delete(out);
        out.gradNode = null;
      }
      if (gradOutputs.every((g) => g === null)) continue;
      let gradInputs: readonly (Tensor | null)[];
      try {
        gradInputs = node.backward(gradOutputs);
      } catch (e) {
        for (const g of gradOutputs) if (g) release(g);
        for (const g of grads.values()) release(g);
        throw new Error(`backward of '${node.name}': ${(e as Error).message}`, { cause: e });
      }
      // A backward pass may hand an output's gradient through, or one tensor to
      // two inputs: copy so each stored gradient is a tensor of its own.
      const taken = new Set<Tensor>();
      node.inputs.forEach((input, k) => {
        let g = gradInputs[k];
        if (!g || !input.requiresGrad) return;
        if (g.size !== input.size) {
          for (const h of grads.values()) release(h);
          throw new Error(`backward: op '${node.name}' gave a gradient of shape [${g.shape}] for an input of shape [${input.shape}]`);
        }
        if (taken.has(g) || gradOutputs.includes(g)) g = copyOf(g);
        taken.add(g);
        const have = grads.get(input);
        if (have) {
          addInPlace(have, g);
          g.dispose();
        } else {
          grads.set(input, g);
        }
      });
      for (const g of gradInputs) if (g && !taken.has(g) && !gradOutputs.includes(g)) g.dispose();
      for (const g of gradOutputs) if (g) release(g);
    }
    // What is left are leaves (no node made them): move into .grad.
    for (const [t, g] of grads) {
      if (t.grad) {
        addInPlace(t.grad, g);
        release(g);
      } else {
        t.grad = keep(g === gradRoot ? copyOf(g) : g);
      }
    }
  });
}

function copyOf(t: Tensor): Tensor {
  const c = empty(t.shape);
  c.data.set(t.data);
  return c;
}

/** Disposes the `.grad` of each tensor. */
export function zeroGrad(params: Iterable<Tensor>): void {
  for (const p of params) {
    p.grad?.dispose();
    p.grad = null;
  }
}
