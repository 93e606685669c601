/**
 * The `report.json` of `likeness eval`: per-frame and mean image metrics of an
 * avatar on held-out frames, landmark distances after re-tracking, and the
 * spatial-prior leak. Non-finite numbers (an empty region, identical images)
 * are stored as null, since JSON has no NaN or Infinity.
 */
import { z } from "zod";

/** The `format` field of every eval report. */
export const EVAL_REPORT_FORMAT = "likeness-eval-report";
/** The report format version this build writes and reads. */
export const EVAL_REPORT_VERSION = 1;
/** The regions errors are measured in, besides the whole image. */
export const EVAL_REGIONS = ["face", "mouth", "eyes", "background"] as const;
/** One of {@link EVAL_REGIONS}. */
export type EvalRegion = (typeof EVAL_REGIONS)[number];

const num = () => z.number().finite().nullable();

/** PSNR and L1 inside one region mask. */
export const RegionMetricsSchema = z.strictObject({
  psnrDb: num().describe("PSNR inside the region in dB; null if the region is empty or the images agree exactly there"),
  l1: num().describe("mean absolute error inside the region, [0, 1] scale; null if the region is empty"),
  pixels: z.number().nonnegative().describe("size of the region: the sum of its mask weights, in pixels"),
});

const RegionsSchema = z.strictObject({
  face: RegionMetricsSchema.nullable().describe("inside the dataset's face mask; null without one"),
  mouth: RegionMetricsSchema.nullable().describe("inside the dataset's mouth mask; null without one"),
  eyes: RegionMetricsSchema.nullable().describe("inside the dataset's eyes mask; null without one"),
  background: RegionMetricsSchema.nullable().describe("outside the foreground mask; null without one"),
});

/** Where re-tracking found a face for one frame. */
export const LANDMARK_STATUSES = ["both", "no-face-in-truth", "no-face-in-render", "no-face-in-either"] as const;

/** Landmark distance of one frame between the re-tracked real and rendered frames. */
export const FrameLandmarksSchema = z.strictObject({
  status: z.enum(LANDMARK_STATUSES).describe("which of the two frames the tracker found a face in"),
  meanDistancePx: num().describe("mean 2D distance over the 478 landmarks, pixels; null unless status is 'both'"),
  faceFraction: num().describe("meanDistancePx over the truth's face-box size sqrt(w*h); null unless status is 'both'"),
});

/** The numbers of one evaluated frame. */
export const EvalFrameSchema = z.strictObject({
  index: z.number().int().nonnegative().describe("the frame's index in dataset.json"),
  cameraId: z.string().describe("the camera it was seen from"),
  timeSeconds: z.number().describe("its capture time, seconds"),
  psnrDb: num().describe("PSNR over the whole image in dB (null if identical)"),
  ssim: num().describe("SSIM over the whole image"),
  l1: num().describe("mean absolute error over the whole image, [0, 1] scale"),
  regions: RegionsSchema.describe("errors per region"),
  landmarks: FrameLandmarksSchema.nullable().describe("re-tracked landmark distance; null when re-tracking was off"),
});

/** The spatial-prior leak of one frame: how much the image changes from a neutral to the frame's expression. */
export const LeakFrameSchema = z.strictObject({
  index: z.number().int().nonnegative().describe("the frame's index in dataset.json"),
  expressionNorm: z.number().finite().nonnegative().describe("L2 norm of the frame's expression parameters (0: nothing to leak)"),
  outsideFaceL1: num().describe("mean |expression render - neutral render| outside the dilated face mask, [0, 1] scale"),
  backgroundL1: num().describe("the same, outside the foreground mask only"),
  insideFaceL1: num().describe("the same, inside the dilated face mask"),
});

/** The whole report (see {@link EVAL_REPORT_FORMAT}). */
export const EvalReportSchema = z.strictObject({
  format: z.literal(EVAL_REPORT_FORMAT).describe("always likeness-eval-report"),
  version: z.literal(EVAL_REPORT_VERSION).describe("report format version"),
  avatarPath: z.string().describe("the .avatar file evaluated"),
  datasetPath: z.string().describe("the dataset folder evaluated on"),
  datasetName: z.string().describe("the dataset's name"),
  avatarDataset: z.string().describe("name of the dataset the avatar was trained on"),
  trainedSteps: z.number().int().nonnegative().describe("training steps of the avatar"),
  split: z.enum(["val", "train"]).describe("the split evaluated"),
  onTrainingFrames: z.boolean().describe("true when the frames were training frames (not a held-out evaluation)"),
  settings: z.strictObject({
    maxFrames: z.number().int().positive().nullable().describe("cap on evaluated frames (spread over the split); null for all"),
    retrack: z.boolean().describe("whether rendered and real frames were re-tracked for landmark distance"),
    background: z.tuple([z.number(), z.number(), z.number()]).describe("colour behind the head in renders and targets, [0, 1] RGB"),
    numSamples: z.number().int().positive().describe("stratified samples per ray"),
    leakFrames: z.number().int().nonnegative().describe("frames rendered with a neutral expression for the leak measure: the most expressive evaluated frames"),
    faceDilationPx: z.number().int().nonnegative().describe("dilation of the face mask for the leak measure, pixels"),
  }).describe("how the evaluation ran"),
  counts: z.strictObject({
    framesInSplit: z.number().int().nonnegative().describe("tracked frames in the split"),
    framesEvaluated: z.number().int().nonnegative().describe("frames rendered and measured"),
    landmarksBoth: z.number().int().nonnegative().describe("frames with a face found in truth and render"),
    landmarksNoFaceInTruth: z.number().int().nonnegative().describe("frames where the tracker found no face in the truth only"),
    landmarksNoFaceInRender: z.number().int().nonnegative().describe("frames where the tracker found no face in the render only"),
    landmarksNoFaceInEither: z.number().int().nonnegative().describe("frames where the tracker found a face in neither"),
  }).describe("frame counts; the landmark counts are 0 when re-tracking was off"),
  means: z.strictObject({
    psnrDb: num().describe("mean PSNR over frames with a finite PSNR, dB"),
    ssim: num().describe("mean SSIM"),
    l1: num().describe("mean L1"),
    regions: z.strictObject({
      face: RegionMetricsSchema.nullable().describe("mean face-region errors"),
      mouth: RegionMetricsSchema.nullable().describe("mean mouth-region errors"),
      eyes: RegionMetricsSchema.nullable().describe("mean eyes-region errors"),
      background: RegionMetricsSchema.nullable().describe("mean background errors"),
    }).describe("means over frames where the region is non-empty; pixels is the mean region size"),
    landmarkDistancePx: num().describe("mean landmark distance over frames with a face in both, pixels"),
    landmarkFaceFraction: num().describe("mean landmark distance over frames with a face in both, fraction of the face box"),
    leakOutsideFaceL1: num().describe("mean spatial-prior leak outside the dilated face mask"),
    leakBackgroundL1: num().describe("mean spatial-prior leak outside the foreground mask"),
    leakInsideFaceL1: num().describe("mean expression change inside the dilated face mask (for scale)"),
  }).describe("means over the evaluated frames"),
  renderSecondsPerFrame: z.number().nonnegative().describe("mean wall time to render one frame, seconds"),
  frames: z.array(EvalFrameSchema).describe("per-frame numbers, in dataset order"),
  leak: z.array(LeakFrameSchema).describe("per-frame spatial-prior leak"),
});

/** An evaluation report (see {@link EvalReportSchema}). */
export type EvalReport = z.output<typeof EvalReportSchema>;
/** The numbers of one frame of an {@link EvalReport}. */
export type EvalFrame = z.output<typeof EvalFrameSchema>;
/** PSNR and L1 inside one region. */
export type RegionMetrics = z.output<typeof RegionMetricsSchema>;
/** Landmark distance of one frame. */
export type FrameLandmarks = z.output<typeof FrameLandmarksSchema>;
/** Spatial-prior leak of one frame. */
export type LeakFrame = z.output<typeof LeakFrameSchema>;
