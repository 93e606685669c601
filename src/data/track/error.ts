/**
 * An error from face tracking (bad frame, tracker closed, a model file missing
 * from the `@vladmandic/human` package); its one-line message names the input or
 * file and the problem.
 */
export class TrackingError extends Error {
  override readonly name = "TrackingError";
}
