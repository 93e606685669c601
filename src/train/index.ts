// The public surface of the train layer: the avatar file format, a method-agnostic
// training loop (progress, validation, checkpoints, resume, Ctrl-C, divergence),
// learning-rate schedules, and helpers to snapshot and restore model state.
export {
  AVATAR_FORMAT, AVATAR_FORMAT_VERSION, AvatarFileError, OPTIMIZER_TENSOR_PREFIX,
  decodeAvatar, encodeAvatar, readAvatarFile, writeAvatarFile,
  type AvatarContents, type JsonValue, type OptimizerState, type StepRecord, type TrainingHistory,
  type TrainingState, type ValidationRecord,
} from "./avatar-file.js";
export {
  DivergenceSettingsSchema, TrainOptionsError, TrainingDivergedError, divergenceReason, train,
  type CheckpointOptions, type DivergenceSettings, type ModelSnapshot, type StepResult, type TrainOptions,
  type TrainProgress, type TrainResult,
} from "./trainer.js";
export { withInterruptSave, type InterruptOptions, type SignalSource } from "./interrupt.js";
export {
  LearningRateScheduleSchema, learningRateAt, type LearningRateSchedule, type LearningRateScheduleInput,
} from "./schedule.js";
export { SnapshotError, loadTensorsInto, restoreAdam, snapshotAdam, snapshotTensors } from "./snapshot.js";
export { DEFAULT_STEPS, VALIDATION_FRAMES, spreadEvenly, trainAvatar, type TrainAvatarOptions, type TrainAvatarResult } from "./train-avatar.js";
export {
  FlameInNerfAvatar, FlameInNerfAvatarStateSchema, avatarStateOf,
  type AvatarRenderOptions, type FlameInNerfAvatarState,
} from "./avatar.js";
