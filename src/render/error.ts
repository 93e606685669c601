/** A bad input to the volume renderer (shapes, sizes, options); the message names the function and the problem. */
export class RenderError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "RenderError";
  }
}
