/** Landmark distance between two re-tracked faces, for `likeness eval`. */
import type { TrackedFace } from "../../data/index.js";
import { EvalError } from "../error.js";
import type { FrameLandmarks } from "./schema.js";

/**
 * Compares the face tracked in the real frame (`truth`) with the one tracked in
 * the render: the mean 2D Euclidean distance over all landmarks in pixels, and
 * that distance over the truth's face-box size `sqrt(w * h)`. Either face null
 * gives the matching status and null distances.
 */
export function landmarkDistance(truth: TrackedFace | null, render: TrackedFace | null): FrameLandmarks {
  if (!truth || !render) {
    const status = !truth && !render ? "no-face-in-either" : !truth ? "no-face-in-truth" : "no-face-in-render";
    return { status, meanDistancePx: null, faceFraction: null };
  }
  const a = truth.landmarks;
  const b = render.landmarks;
  if (a.length !== b.length || a.length === 0 || a.length % 2 !== 0) {
    throw new EvalError(`landmarkDistance: landmark arrays differ (${a.length} vs ${b.length} values)`);
  }
  const n = a.length / 2;
  let sum = 0;
  for (let i = 0; i < n; i++) sum += Math.hypot(a[2 * i] - b[2 * i], a[2 * i + 1] - b[2 * i + 1]);
  const meanDistancePx = sum / n;
  const size = Math.sqrt(Math.max(0, truth.boxPx[2] * truth.boxPx[3]));
  return { status: "both", meanDistancePx, faceFraction: size > 0 ? meanDistancePx / size : null };
}
