// The public surface of the FLAME-in-NeRF method: config and presets, training
// frames, the spatial prior's face-region mask, and the model with its training step.
export {
  FLAME_IN_NERF_METHOD, FLAME_IN_NERF_PRESETS, FLAME_IN_NERF_PRESET_INPUTS, FlameInNerfConfigError, FlameInNerfConfigSchema,
  configForDataset, resolveFlameInNerfConfig,
  type FlameInNerfConfig, type FlameInNerfConfigInput, type FlameInNerfPreset,
} from "./config.js";
export { TrainingDataError, loadTrainingFrames, type LoadTrainingFramesOptions, type TrainingFrame } from "./frames.js";
export { buildFaceRegionGrid, faceRegionMask, faceRegionMaskReference, type FaceRegionGrid } from "./face-region.js";
export { FlameInNerfModel, type AvatarOccupancy, type DriveInput, type FlameInNerfModelOptions, type FlameInNerfStepResult, type FrameCondition } from "./model.js";
export { PoseCorrection, applyPoseCorrection, applyPoseCorrectionReference } from "./pose-correction.js";
export { isOccupied, occupancyCellCenters, occupancyFromDensities, occupiedFraction, type OccupancyGrid } from "./occupancy.js";
