// The public surface of the drivers layer: driving sources (expression files,
// datasets, camera orbits) turned into frames of expression, head pose and camera.
export { takeDriveFrames, type Drive, type DriveAudio, type DriveFrame, type DriveHeadPose } from "./drive.js";
export { DriveError } from "./error.js";
export { EXPRESSION_NAMES, listExpressionNames } from "./expression-vector.js";
export {
  EXPRESSION_FILE_HELP, ExpressionFileFrameSchema, ExpressionFileSchema, parseExpressionFile, readExpressionFile, type ExpressionFile,
} from "./expression-file.js";
export {
  DRIVE_MODES, DRIVE_SPLITS, crossHeadPose, datasetDrive, driveFromDataset,
  type DatasetDriveOptions, type DriveMode, type DriveSplit,
} from "./dataset-drive.js";
export { orbitCameras, type OrbitOptions } from "./orbit.js";
