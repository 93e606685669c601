// The public surface of the evaluation layer: image metrics (PSNR, SSIM, L1, per
// region), line plots, error heat maps and PNG output for reports.
export { EvalError } from "./error.js";
export type { ImagePixels, MaskPixels } from "./image.js";
export { meanAbsoluteError, psnr, regionErrors, type MeanAbsoluteErrorOptions, type PsnrOptions, type RegionError } from "./metrics.js";
export { SSIM_K1, SSIM_K2, SSIM_SIGMA_PX, SSIM_WINDOW_PX, ssim, ssimKernel, ssimWindowSize, type SsimOptions } from "./ssim.js";
export { psnrReference, ssimReference } from "./metrics.reference.js";
export { PLOT_PALETTE, plotLayout, plotLines, type PlotLayout, type PlotLinesOptions, type PlotSeries } from "./plot.js";
export { COLORMAPS, colormapColor, type ColormapName } from "./colormap.js";
export { colorbar, errorHeatmap, perPixelError, type ColorbarOptions, type ErrorHeatmapOptions } from "./heatmap.js";
export { RgbCanvas, parseColor, type RgbColor } from "./raster.js";
export { writePng } from "./png.js";
export {
  DEFAULT_CONTACT_ROWS, DEFAULT_LEAK_FRAMES, EVAL_REGIONS, EVAL_REPORT_FILES, EVAL_REPORT_FORMAT, EVAL_REPORT_VERSION,
  EvalFrameSchema, EvalReportSchema, FrameLandmarksSchema, LANDMARK_STATUSES, LeakFrameSchema, RegionMetricsSchema,
  evalTableRows, evaluateAvatar, formatEvalMarkdown, formatEvalTable, landmarkDistance, readEvalReport, writeEvalReport,
  type EvalFrame, type EvalFrameImages, type EvalRegion, type EvalRenders, type EvalReport, type EvaluateAvatarOptions,
  type EvaluateAvatarResult, type FrameLandmarks, type LeakFrame, type RegionMetrics, type WriteEvalReportOptions,
} from "./report/index.js";
