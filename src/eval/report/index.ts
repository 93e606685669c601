// likeness eval's report: evaluate an avatar on held-out frames (image metrics,
// regions, re-tracked landmarks, spatial-prior leak) and write the report folder.
export {
  EVAL_REGIONS, EVAL_REPORT_FORMAT, EVAL_REPORT_VERSION, EvalFrameSchema, EvalReportSchema, FrameLandmarksSchema,
  LANDMARK_STATUSES, LeakFrameSchema, RegionMetricsSchema,
  type EvalFrame, type EvalRegion, type EvalReport, type FrameLandmarks, type LeakFrame, type RegionMetrics,
} from "./schema.js";
export {
  DEFAULT_LEAK_FRAMES, evaluateAvatar,
  type EvalFrameImages, type EvalRenders, type EvaluateAvatarOptions, type EvaluateAvatarResult,
} from "./evaluate-avatar.js";
export { landmarkDistance } from "./landmarks.js";
export { dilateMask, invertMask, readMask, toBytes } from "./masks.js";
export { contactSheetPicture, curvesPicture, heatmapPicture, sharedMaxError, smooth, tileScale, type ReportPicture } from "./report-images.js";
export { DEFAULT_CONTACT_ROWS, EVAL_REPORT_FILES, heatmapFileName, writeEvalReport, type WriteEvalReportOptions } from "./write-report.js";
export { readEvalReport } from "./read-report.js";
export { evalTableRows, formatEvalMarkdown, formatEvalTable } from "./format-table.js";
