// The public surface of the data layer: the dataset format (schema, loader,
// atomic writer), importers from other layouts, and WAV audio files.
export {
  CAMERA_KINDS, DATASET_FILE, DATASET_FORMAT, DATASET_VERSION, LANDMARK_COUNT,
  DatasetAudioSchema, DatasetCameraSchema, DatasetError, DatasetFrameSchema, DatasetSchema, DatasetSourceSchema,
  FrameMasksSchema, HeadPoseSchema, LightingSchema, describeSchemaError,
  type CameraKind, type Dataset, type DatasetCamera, type DatasetFrame, type DatasetInput,
} from "./dataset.js";
export {
  cameraFromDataset, checkDatasetFiles, loadDataset, parseDatasetManifest, readDatasetManifest,
  type FrameMaskPaths, type LoadDatasetOptions, type LoadedCamera, type LoadedDataset, type LoadedFrame,
} from "./load.js";
export { jsonErrorLocation } from "./json-error.js";
export {
  DatasetWriter, formatJson, openDatasetWriter, writeDataset, type DatasetWriterOptions, type ImageChannels,
} from "./write.js";
export { headPoseFromNerface, importNerfaceDataset, type ImportNerfaceOptions } from "./nerface.js";
export {
  WAV_ENCODINGS, WavError, audioDurationSeconds, decodeWav, encodeWav, readWav, writeWav,
  type Audio, type DecodedWav, type WavEncoding,
} from "./wav.js";
export * from "./video/index.js";
export * from "./track/index.js";
export * from "./fit/index.js";
export {
  VIDEO_CAPTURE_FILES, captureVideo, stableCrop,
  type CaptureMatting, type VideoCaptureOptions, type VideoCaptureReport, type VideoCaptureResult,
} from "./capture-video.js";
export * from "./matte/index.js";
export { ProgressBar, formatDuration, type ProgressStream } from "./progress.js";
export {
  BUILT_IN_SUBJECTS, CONTACT_SHEET_FILE, DEFAULT_SUBJECT, SYNTH_RIGS, SYNTH_SEQUENCES, SYNTH_VOICES,
  builtInSubject, captureSynthetic, subjectFromSeed,
  type SynthCaptureOptions, type SynthCaptureResult, type SynthRig, type SynthSequence, type SynthVoice,
} from "./synth/index.js";
