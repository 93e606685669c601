// Face tracking on real frames: @vladmandic/human (face box, 478 landmarks in
// MediaPipe's order, irises, head rotation) on tfjs's wasm backend, offline, and
// One Euro smoothing of landmark tracks with its measured lag and jitter.
export { TrackingError } from "./error.js";
export { FACE_MODEL_FILES, HUMAN_MODEL_SCHEME, humanModelsDir, humanPackageDir, tfjsWasmDir } from "./human.js";
export {
  FACE_ONE_EURO_30FPS, OneEuroFilter, createLandmarkSmoother, landmarkJitter, measureFilterLag, pointsSizePx, smoothTrack,
  type FilterLag, type LandmarkJitter, type LandmarkSmoother, type OneEuroParams,
} from "./smooth.js";
export {
  FaceTrackerOptionsSchema, createFaceTracker, faceFromHuman,
  type FaceRotation, type FaceTracker, type FaceTrackerOptions, type RgbFrame, type TrackedFace,
} from "./tracker.js";
