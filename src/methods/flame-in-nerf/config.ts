/**
 * Config of the FLAME-in-NeRF method (zod, strict, defaults in the schema) and its
 * presets: `tiny` (tests, seconds), `demo` (minutes), `full` (best quality).
 */
import { z } from "zod";

const positiveInt = () => z.number().int().positive();
const rate = () => z.number().finite().positive();
const vec3 = z.tuple([z.number().finite(), z.number().finite(), z.number().finite()]);

/** The method id, as avatar files name it. */
export const FLAME_IN_NERF_METHOD = "flame-in-nerf";

/** Zod schema of the FLAME-in-NeRF config. */
export const FlameInNerfConfigSchema = z.strictObject({
  seed: z.number().int().nonnegative().default(0).describe("seed of the parameter initialization and of every step's sampling"),
  canonical: z.strictObject({
    planeResolution: positiveInt().default(64).describe("side R of each feature plane, texels"),
    planeChannels: positiveInt().default(16).describe("feature channels C of each plane"),
    hiddenWidth: positiveInt().default(64).describe("width of the decoder trunk's hidden layers"),
    hiddenLayers: positiveInt().default(2).describe("hidden layers of the decoder trunk"),
    colorWidth: positiveInt().default(32).describe("width of the colour head's hidden layer"),
    viewFrequencies: z.number().int().min(0).max(8).default(2).describe("frequencies of the view direction's positional encoding"),
    densityScale: rate().default(20).describe("density = densityScale * softplus(raw), per metre"),
    densityBias: z.number().finite().default(-2).describe("initial softplus input of the density (negative: a nearly empty start)"),
    planeInitStd: rate().default(0.1).describe("standard deviation of the initial plane features"),
  }).prefault({}).describe("the canonical radiance field: tri-plane features and MLP decoder"),
  deformation: z.strictObject({
    latentDim: positiveInt().default(8).describe("width of the per-frame latent deformation code"),
    numFrequencies: z.number().int().min(0).max(12).default(6).describe("frequencies of the point's positional encoding"),
    hiddenWidth: positiveInt().default(64).describe("width of the deformation MLP's hidden layers"),
    hiddenLayers: positiveInt().default(3).describe("hidden layers of the deformation MLP"),
    annealSteps: z.number().int().nonnegative().default(2000).describe("steps over which the coarse-to-fine window opens all frequencies (0: open from the start)"),
    latentInitStd: rate().default(0.01).describe("standard deviation of the initial latent codes"),
    outputInitStd: rate().default(1e-3).describe("standard deviation of the last layer's weights (the field starts near the identity)"),
  }).prefault({}).describe("the deformation field: per-frame latent code, expression condition, coarse-to-fine encoding"),
  torso: z.strictObject({
    enabled: z.boolean().default(true).describe("add a static radiance field in the world frame for what does not move with the head (shoulders, clothes); it is empty inside the face-model region and above the neck"),
    planeResolution: positiveInt().default(64).describe("side of each of its feature planes, texels"),
    planeChannels: positiveInt().default(8).describe("feature channels of each plane"),
    hiddenWidth: positiveInt().default(32).describe("width of its decoder's hidden layer"),
    colorWidth: positiveInt().default(16).describe("width of its colour head's hidden layer"),
    extent: rate().default(1.6).describe("half-side of its cube, in head-bounds radii, centred on the head at the reference pose"),
    ceiling: z.number().finite().default(0.1).describe("it is empty above the neck's base plus this many metres (reference head frame): around the head, only the head field may put density"),
  }).prefault({}).describe("the torso field (in the manner of AD-NeRF's separate torso): the canonical head field cannot hold shoulders that stay put while the head turns"),
  latentPenaltyWeight: z.number().finite().min(0).default(1e-3).describe("weight of the squared norm of the frame's latent code (as in NeRFace): keeps expression in the expression condition, not in per-frame codes"),
  expressionConditioning: z.boolean().default(true).describe("condition on the frame's expression vector (false for the ablation)"),
  expressionInputs: z.enum(["canonical", "deformation", "both"]).default("both").describe("where the expression goes: the canonical field's decoder (as FLAME-in-NeRF and NerFACE: changes of appearance such as the mouth's inside), the deformation field (motion), or both"),
  meshWarp: z.boolean().default(true).describe("guide the deformation by the fitted face model (as INSTA): a sample near the posed mesh first moves by the blended displacement of its nearest vertices from the frame's expression back to the neutral face, so the canonical field holds a neutral face and the deformation MLP learns only what the mesh misses; faded to 0 at the border of the face-model region"),
  spatialPrior: z.strictObject({
    enabled: z.boolean().default(true).describe("zero the expression condition for samples outside the dilated face-model region (false for the ablation)"),
    dilation: rate().default(0.02).describe("dilation distance of the face-model region, metres from the nearest posed mesh vertex"),
  }).prefault({}).describe("the spatial prior on the expression condition"),
  bounds: z.strictObject({
    center: vec3.default([0, -0.04, 0]).describe("centre of the sphere rays are sampled in, head frame, metres"),
    radius: rate().default(0.26).describe("radius of that sphere, metres; it also normalizes head-frame points to the cube [-1, 1]^3"),
  }).prefault({}).describe("the head's bounds"),
  poseCorrection: z.strictObject({
    enabled: z.union([z.boolean(), z.literal("auto")]).default("auto").describe(
      "learn a correction of the tracked head pose as a linear function of the expression (trackers confuse some head motion with expression); auto: for datasets whose poses were tracked, not for synthetic ones with exact poses",
    ),
    learningRate: rate().default(1e-3).describe("Adam learning rate of the correction's map at step 0"),
  }).prefault({}).describe("the learned head-pose correction"),
  numSamples: positiveInt().default(48).describe("stratified samples per ray"),
  meshGuide: z.strictObject({
    samples: z.number().int().min(0).default(8).describe("of the stratified samples per ray, how many go around the fitted mesh's surface on rays that meet it (0: none); must be less than numSamples"),
    halfWidth: rate().default(0.03).describe("half-width of the window around the mesh's surface those samples are spread over, metres"),
  }).prefault({}).describe("ray sampling guided by the fitted mesh: finer samples where the head's surface is"),
  numImportanceSamples: z.number().int().min(0).default(0).describe("hierarchical samples per ray after a gradient-free first pass"),
  raysPerBatch: positiveInt().default(1024).describe("rays per training step"),
  foregroundRayWeight: z.number().finite().min(0).default(1).describe("rays are drawn with weight 1 + this * foreground mask"),
  background: vec3.default([1, 1, 1]).describe("colour behind the volume; training targets show it outside the foreground mask"),
  deformationPenaltyWeight: z.number().finite().min(0).default(0.1).describe("weight of mean |dx|^2 over samples inside the face-model region (normalized units)"),
  learningRates: z.strictObject({
    planes: rate().default(2e-2).describe("tri-plane features"),
    decoder: rate().default(5e-3).describe("decoder MLP"),
    deformation: rate().default(1e-3).describe("deformation MLP"),
    latents: rate().default(1e-2).describe("per-frame latent codes"),
  }).prefault({}).describe("Adam learning rates per parameter group, at step 0"),
  learningRateDecay: z.strictObject({
    factor: z.number().finite().positive().max(1).default(0.1).describe("factor all rates fall by over `steps` steps (exponential, as in NeRF)"),
    steps: positiveInt().default(20000).describe("steps over which the rates fall by `factor`"),
  }).prefault({}).describe("exponential learning-rate decay"),
});

/** The resolved config. */
export type FlameInNerfConfig = z.output<typeof FlameInNerfConfigSchema>;
/** A config as written (every field optional). */
export type FlameInNerfConfigInput = z.input<typeof FlameInNerfConfigSchema>;

/** Names of the presets. */
export const FLAME_IN_NERF_PRESETS = ["tiny", "demo", "full"] as const;
/** A preset name. */
export type FlameInNerfPreset = (typeof FLAME_IN_NERF_PRESETS)[number];

/** The presets as config inputs (the schema fills the rest). */
export const FLAME_IN_NERF_PRESET_INPUTS: Readonly<Record<FlameInNerfPreset, FlameInNerfConfigInput>> = {
  tiny: {
    canonical: { planeResolution: 16, planeChannels: 8, hiddenWidth: 32, hiddenLayers: 1, colorWidth: 16, viewFrequencies: 1 },
    deformation: { latentDim: 4, numFrequencies: 4, hiddenWidth: 32, hiddenLayers: 2, annealSteps: 20 },
    numSamples: 16,
    raysPerBatch: 256,
    learningRates: { planes: 3e-2, decoder: 1e-2, deformation: 1e-3, latents: 1e-2 },
    learningRateDecay: { factor: 0.5, steps: 1000 },
  },
  demo: {
    canonical: { planeResolution: 128, planeChannels: 16, hiddenWidth: 64, hiddenLayers: 2, colorWidth: 32, viewFrequencies: 2 },
    deformation: { latentDim: 8, numFrequencies: 6, hiddenWidth: 64, hiddenLayers: 3, annealSteps: 3000 },
    // 8 of the 16 samples go around the mesh: as good as 32 samples for half the steps, and renders are faster.
    numSamples: 16,
    raysPerBatch: 1024,
    // Trained for 4500 steps (DEFAULT_STEPS): the encoding is whole from step 3000 and the rate ends at 3% of its start.
    learningRateDecay: { factor: 0.1, steps: 3000 },
  },
  full: {
    canonical: { planeResolution: 128, planeChannels: 32, hiddenWidth: 64, hiddenLayers: 2, colorWidth: 64, viewFrequencies: 4 },
    deformation: { latentDim: 16, numFrequencies: 8, hiddenWidth: 64, hiddenLayers: 3, annealSteps: 6500 },
    // As the demo preset: half of the samples around the mesh, no second pass; more steps instead.
    numSamples: 24,
    meshGuide: { samples: 12 },
    raysPerBatch: 2048,
    learningRateDecay: { factor: 0.1, steps: 6500 },
  },
};

/** Thrown for an invalid config or preset name. */
export class FlameInNerfConfigError extends Error {
  override readonly name = "FlameInNerfConfigError";
}

/**
 * The resolved config of a preset with overrides applied on top (objects merged one
 * level deep). Throws {@link FlameInNerfConfigError} naming the bad field.
 */
export function resolveFlameInNerfConfig(preset: FlameInNerfPreset, overrides: FlameInNerfConfigInput = {}): FlameInNerfConfig {
  const base = FLAME_IN_NERF_PRESET_INPUTS[preset];
  if (!base) throw new FlameInNerfConfigError(`flame-in-nerf: unknown preset '${String(preset)}' (one of ${FLAME_IN_NERF_PRESETS.join(", ")})`);
  const merged: Record<string, unknown> = { ...base };
  for (const [key, value] of Object.entries(overrides)) {
    const prior = merged[key];
    merged[key] = isPlainObject(value) && isPlainObject(prior) ? { ...prior, ...value } : value;
  }
  const parsed = FlameInNerfConfigSchema.safeParse(merged);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new FlameInNerfConfigError(`flame-in-nerf config: ${issue.path.join(".") || "(root)"}: ${issue.message}`);
  }
  if (parsed.data.meshGuide.samples >= parsed.data.numSamples) {
    throw new FlameInNerfConfigError(`flame-in-nerf config: meshGuide.samples (${parsed.data.meshGuide.samples}) must be less than numSamples (${parsed.data.numSamples})`);
  }
  return parsed.data;
}

/**
 * The config with its `auto` choices made for a dataset: the pose correction is
 * learned when the dataset's head poses were tracked (a video or an import), not
 * when they are exact (a synthetic capture).
 */
export function configForDataset(config: FlameInNerfConfig, dataset: { posesTracked: boolean }): FlameInNerfConfig {
  if (config.poseCorrection.enabled !== "auto") return config;
  return { ...config, poseCorrection: { ...config.poseCorrection, enabled: dataset.posesTracked } };
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}
