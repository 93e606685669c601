import { z } from "zod";

/**
 * An error of the landmark fitter: a one-line message that names the input and
 * the problem (no tracked frame, a frame with the wrong number of landmarks, a
 * non-finite coordinate, an unknown setting).
 */
export class FitError extends Error {
  override readonly name = "FitError";
}

const positive = () => z.number().finite().positive();
const nonNegative = () => z.number().finite().nonnegative();

/**
 * Tunables of {@link fitLandmarkTracks}, with defaults. Costs are in units of
 * the data term: the weighted mean over landmarks of the squared reprojection
 * error divided by the face size (face-box diagonal), so `1e-4` is what a 1%
 * error on every landmark costs in one frame.
 */
export const FitSettingsSchema = z
  .strictObject({
    maxKeyframes: z.number().int().min(1).default(32).describe("frames of the per-video identity and focal step, spread evenly over the tracked frames"),
    videoIterations: z.number().int().min(0).default(25).describe("Levenberg-Marquardt iterations of the per-video step (identity, focal, and the keyframes' pose and expression jointly)"),
    sequenceIterations: z.number().int().min(0).default(8).describe("Levenberg-Marquardt iterations of the per-frame step over all tracked frames jointly (pose and expression, temporally smoothed)"),
    initIterations: z.number().int().min(0).default(4).describe("pose-only Gauss-Newton iterations after the closed-form initialization of each frame"),
    fitIdentity: z.boolean().default(true).describe("fit the identity coefficients (else keep `identity` or zeros)"),
    fitFocal: z.boolean().default(true).describe("fit the focal length (else keep the guess)"),
    cameraDistance: positive().default(0.75).describe("metres from the world origin to the fixed camera on +z; only sets where the fitted translations lie"),
    contourWeight: nonNegative().default(0.3).describe("weight of the face-oval (silhouette) landmarks, which slide in depth on a real tracker; the others weigh 1"),
    irisWeight: nonNegative().default(1).describe("weight of the 10 iris landmarks; they drive only the gaze parameters"),
    depthWeight: nonNegative().default(1).describe("weight of the tracked landmark depths (when given) against the image positions, per coordinate; 0 fits image positions only"),
    huberFraction: positive().default(0.05).describe("Huber threshold of a landmark's error, fraction of the face size: larger errors count linearly (tracker outliers)"),
    expressionPrior: nonNegative().default(1e-6).describe("L2 pull of every expression coefficient towards 0, per frame"),
    identityPrior: nonNegative().default(1e-6).describe("L2 pull of every identity coefficient towards 0, per keyframe"),
    focalPrior: nonNegative().default(1e-7).describe("L2 pull of log(focal) towards log(focal guess), per keyframe"),
    smoothRotation: nonNegative().default(1e-3).describe("weight of squared axis-angle differences (radians) between neighbouring tracked frames"),
    smoothTranslation: nonNegative().default(1e-3).describe("weight of squared translation differences between neighbouring tracked frames, in units of 0.2 m (a head's size)"),
    smoothExpression: nonNegative().default(2e-5).describe("weight of squared expression differences between neighbouring tracked frames"),
    accelRotation: nonNegative().default(1).describe("weight of squared second differences of the axis-angle (radians) over three neighbouring tracked frames, at 30 frames/s: removes frame-to-frame jitter, leaves steady turns alone"),
    accelTranslation: nonNegative().default(1).describe("weight of squared second differences of the translation over three neighbouring tracked frames, in units of 0.2 m, at 30 frames/s"),
    maxGap: z.number().int().min(1).default(3).describe("tracked frames at most this many indices apart count as neighbours (the smoothness weight is divided by the gap)"),
    expressionLower: z.number().finite().default(-0.2).describe("lower bound of the non-gaze expression coefficients"),
    expressionUpper: z.number().finite().default(1.2).describe("upper bound of the expression coefficients"),
    gazeLimit: positive().default(1.2).describe("bound of |gazeYaw| and |gazePitch| (1.0 is 30 degrees)"),
    defaultFocalFactor: positive().default(1).describe("focal guess, in units of the image's larger side, when none is given"),
  })
  .describe("landmark fitter settings");

/** Resolved settings (every field present). */
export type FitSettings = z.output<typeof FitSettingsSchema>;
/** Settings as a caller writes them (every field optional). */
export type FitSettingsInput = z.input<typeof FitSettingsSchema>;

/** Validates settings; an unknown or invalid field is a {@link FitError}. */
export function resolveFitSettings(input: FitSettingsInput = {}): FitSettings {
  const parsed = FitSettingsSchema.safeParse(input);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new FitError(`fitLandmarkTracks: settings.${issue.path.join(".") || "(root)"}: ${issue.message}`);
  }
  return parsed.data;
}
