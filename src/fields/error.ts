/** Thrown for invalid options of a field (a shape or size that does not fit). */
export class FieldError extends Error {
  override readonly name = "FieldError";
}
