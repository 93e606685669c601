/** An error from the evaluation layer (mismatched image sizes, bad masks, bad plot input); one line naming the function and the problem. */
export class EvalError extends Error {
  override readonly name = "EvalError";
}
