import { TrackingError } from "./error.js";

/**
 * Parameters of a One Euro filter (Casiez, Roussel and Vogel, "1 € Filter: A
 * Simple Speed-based Low-pass Filter for Noisy Input in Interactive Systems",
 * CHI 2012, https://gery.casiez.net/1euro/): an exponential low-pass filter whose
 * cutoff rises with the signal's speed, `cutoff = minCutoffHz + beta * |speed|`,
 * so slow motion is smoothed hard (little jitter) and fast motion little (little lag).
 */
export interface OneEuroParams {
  /** Cutoff frequency at rest, Hz. Lower: less jitter when still, more lag on slow motion. */
  minCutoffHz: number;
  /** Cutoff increase per unit of speed, Hz per (unit/s); speeds are in the units that `speedScale` gives. */
  beta: number;
  /** Cutoff of the low-pass filter on the speed estimate, Hz. */
  dCutoffHz: number;
}

/**
 * Defaults for face landmarks at 30 frames/s, with speeds measured in face sizes
 * per second (see {@link createLandmarkSmoother}). At rest the cutoff is 1 Hz; a
 * point moving at 0.5 face sizes/s (a moderate head turn) gets 1 + 40 * 0.5 = 21 Hz,
 * close to no smoothing. Chosen on the real clips for a jitter reduction of about
 * half with a ramp lag under one frame; `measureFilterLag()` reports the numbers.
 */
export const FACE_ONE_EURO_30FPS: Readonly<OneEuroParams> = { minCutoffHz: 1, beta: 40, dCutoffHz: 1 };

/** Smoothing factor of an exponential filter with cutoff `cutoffHz` sampled every `dtSeconds`. */
function smoothingFactor(cutoffHz: number, dtSeconds: number): number {
  const tau = 1 / (2 * Math.PI * cutoffHz);
  return 1 / (1 + tau / dtSeconds);
}

/**
 * A One Euro filter over a vector of `size` values, in groups of `groupSize`
 * (1: every value on its own, as in the paper; 2: 2-D points, whose speed is
 * the length of their velocity so x and y share one cutoff).
 */
export class OneEuroFilter {
  readonly size: number;
  readonly groupSize: number;
  readonly params: Readonly<OneEuroParams>;
  private readonly value: Float32Array;
  private readonly velocity: Float32Array;
  private lastTimeSeconds: number | null = null;

  constructor(params: Readonly<OneEuroParams>, size: number, groupSize = 1) {
    if (!(params.minCutoffHz > 0) || !(params.dCutoffHz > 0) || !(params.beta >= 0)) {
      throw new TrackingError(`one euro filter: cutoffs must be > 0 and beta >= 0, got ${JSON.stringify(params)}`);
    }
    if (!Number.isInteger(groupSize) || groupSize < 1 || size % groupSize !== 0) {
      throw new TrackingError(`one euro filter: size ${size} is not a multiple of group size ${groupSize}`);
    }
    this.params = { ...params };
    this.size = size;
    this.groupSize = groupSize;
    this.value = new Float32Array(size);
    this.velocity = new Float32Array(size);
  }

  /** Forgets the past: the next sample passes through unchanged. */
  reset(): void {
    this.lastTimeSeconds = null;
  }

  /**
   * Filters one sample taken at `timeSeconds` (strictly increasing between resets).
   * Speeds are multiplied by `speedScale` before `beta` applies (e.g. 1 / face size
   * in pixels, for speeds in face sizes per second).
   * @returns a new array of `size` filtered values.
   */
  filter(sample: ArrayLike<number>, timeSeconds: number, speedScale = 1): Float32Array {
    if (sample.length !== this.size) throw new TrackingError(`one euro filter: sample has ${sample.length} values, expected ${this.size}`);
    if (this.lastTimeSeconds === null) {
      for (let i = 0; i < this.size; i++) this.value[i] = sample[i];
      this.velocity.fill(0);
      this.lastTimeSeconds = timeSeconds;
      return new Float32Array(this.value);
    }
    const dt = timeSeconds - this.lastTimeSeconds;
    if (!(dt > 0)) throw new TrackingError(`one euro filter: time ${timeSeconds} s does not follow ${this.lastTimeSeconds} s`);
    this.lastTimeSeconds = timeSeconds;
    const { minCutoffHz, beta, dCutoffHz } = this.params;
    const alphaD = smoothingFactor(dCutoffHz, dt);
    const g = this.groupSize;
    for (let start = 0; start < this.size; start += g) {
      let speed2 = 0;
      for (let i = start; i < start + g; i++) {
        const raw = (sample[i] - this.value[i]) / dt;
        this.velocity[i] += alphaD * (raw - this.velocity[i]);
        speed2 += this.velocity[i] * this.velocity[i];
      }
      const alpha = smoothingFactor(minCutoffHz + beta * speedScale * Math.sqrt(speed2), dt);
      for (let i = start; i < start + g; i++) this.value[i] += alpha * (sample[i] - this.value[i]);
    }
    return new Float32Array(this.value);
  }
}

/** Mean of the width and height of the bounding box of 2-D points `[n * 2]`, pixels. */
export function pointsSizePx(points: ArrayLike<number>): number {
  let x0 = Infinity;
  let y0 = Infinity;
  let x1 = -Infinity;
  let y1 = -Infinity;
  for (let i = 0; i + 1 < points.length; i += 2) {
    x0 = Math.min(x0, points[i]);
    x1 = Math.max(x1, points[i]);
    y0 = Math.min(y0, points[i + 1]);
    y1 = Math.max(y1, points[i + 1]);
  }
  return points.length >= 2 ? (x1 - x0 + (y1 - y0)) / 2 : 0;
}

/** Smooths one face's 2-D landmarks over time; see {@link createLandmarkSmoother}. */
export interface LandmarkSmoother {
  /** Filters `landmarks` (`[n * 2]` pixels) seen at `timeSeconds`; returns a new array. */
  smooth(landmarks: Float32Array, timeSeconds: number): Float32Array;
  /** Call on a frame without a face: the next face starts afresh (untracked frames are never filled). */
  reset(): void;
}

/**
 * A One Euro filter over 2-D landmarks `[n * 2]` in pixels. Each point's speed is
 * measured in face sizes per second (the face size being the mean side of the
 * landmarks' bounding box in the current frame), as MediaPipe's landmark smoother
 * does, so one parameter set suits small and large faces alike.
 */
export function createLandmarkSmoother(params: Readonly<OneEuroParams> = FACE_ONE_EURO_30FPS): LandmarkSmoother {
  let filter: OneEuroFilter | null = null;
  return {
    smooth(landmarks: Float32Array, timeSeconds: number): Float32Array {
      if (!filter || filter.size !== landmarks.length) filter = new OneEuroFilter(params, landmarks.length, 2);
      const size = pointsSizePx(landmarks);
      return filter.filter(landmarks, timeSeconds, size > 0 ? 1 / size : 0);
    },
    reset(): void {
      filter?.reset();
    },
  };
}

/**
 * Smooths a track sampled at `fps`: frame `i` is at `i / fps` seconds; null (no
 * face) stays null and restarts the filter, so gaps are never filled.
 */
export function smoothTrack(
  track: readonly (Float32Array | null)[],
  fps: number,
  params: Readonly<OneEuroParams> = FACE_ONE_EURO_30FPS,
): (Float32Array | null)[] {
  if (!(fps > 0)) throw new TrackingError(`smoothTrack: fps must be > 0, got ${fps}`);
  const smoother = createLandmarkSmoother(params);
  return track.map((landmarks, i) => {
    if (!landmarks) {
      smoother.reset();
      return null;
    }
    return smoother.smooth(landmarks, i / fps);
  });
}

/** Jitter of a landmark track, from {@link landmarkJitter}. */
export interface LandmarkJitter {
  /** Mean length of the second difference `p[t+1] - 2 p[t] + p[t-1]` over points and frame triples, pixels per frame². */
  meanAccelPx: number;
  /** The same with each triple divided by its middle frame's face size (mean side of the landmarks' box). */
  meanAccelFraction: number;
  /** Triples of consecutive tracked frames measured. */
  triples: number;
}

/**
 * Frame-to-frame landmark acceleration: the mean length of the second difference
 * of every point over every three consecutive tracked frames (triples touching an
 * untracked frame are skipped). Real motion adds to it, so on video it bounds the
 * jitter from above; on a still subject it is the jitter.
 */
export function landmarkJitter(track: readonly (Float32Array | null)[]): LandmarkJitter {
  let sumPx = 0;
  let sumFraction = 0;
  let triples = 0;
  for (let t = 1; t + 1 < track.length; t++) {
    const [a, b, c] = [track[t - 1], track[t], track[t + 1]];
    if (!a || !b || !c) continue;
    if (a.length !== b.length || b.length !== c.length || b.length % 2 !== 0) {
      throw new TrackingError(`landmarkJitter: frames ${t - 1}..${t + 1} have ${a.length}, ${b.length}, ${c.length} values`);
    }
    const n = b.length / 2;
    let sum = 0;
    for (let i = 0; i < b.length; i += 2) sum += Math.hypot(c[i] - 2 * b[i] + a[i], c[i + 1] - 2 * b[i + 1] + a[i + 1]);
    const mean = sum / n;
    sumPx += mean;
    const size = pointsSizePx(b);
    sumFraction += size > 0 ? mean / size : 0;
    triples++;
  }
  return { meanAccelPx: triples ? sumPx / triples : 0, meanAccelFraction: triples ? sumFraction / triples : 0, triples };
}

/** Delays of a One Euro filter at a frame rate, from {@link measureFilterLag}. */
export interface FilterLag {
  fps: number;
  params: OneEuroParams;
  /** Ramp speed, face sizes per second. */
  rampSpeed: number;
  /** Steady-state delay on the ramp: how many frames behind the input the output is. */
  rampLagFrames: number;
  /** Step height, face sizes. */
  stepSize: number;
  /** Frames after the step until the output has covered half of it (fractional). */
  stepHalfFrames: number;
  /** Frames after the step until the output has covered 90% of it (fractional). */
  step90Frames: number;
}

/** Four points at the corners of a square of `sizePx`, shifted by `offsetPx` along x and y. */
function squareFace(sizePx: number, offsetPx: number): Float32Array {
  const o = 100 + offsetPx;
  return new Float32Array([o, o, o + sizePx, o, o, o + sizePx, o + sizePx, o + sizePx]);
}

/** Fractional index at which `values` (rising) first reach `level`, by linear interpolation; 0 if the first does. */
function crossingFrame(values: readonly number[], level: number): number {
  for (let i = 0; i < values.length; i++) {
    if (values[i] >= level) return i === 0 ? 0 : i - 1 + (level - values[i - 1]) / (values[i] - values[i - 1]);
  }
  return Infinity;
}

/**
 * Measures the delay of the landmark smoother on synthetic tracks at `fps`: a
 * face (four points, 200 px) translating diagonally at `rampSpeed` face sizes per
 * second, and the same face jumping by `stepSize` face sizes. The ramp lag is the
 * steady-state distance between input and output in frames of motion; the step
 * delays count frames from the jump frame (0: the output jumps with the input)
 * until the output covers 50% and 90% of the jump.
 */
export function measureFilterLag({
  params = FACE_ONE_EURO_30FPS,
  fps = 30,
  rampSpeed = 0.5,
  stepSize = 0.1,
}: { params?: Readonly<OneEuroParams>; fps?: number; rampSpeed?: number; stepSize?: number } = {}): FilterLag {
  const sizePx = 200;
  const frames = 3 * Math.ceil(fps);
  const perFramePx = (rampSpeed * sizePx) / fps;
  const ramp = createLandmarkSmoother(params);
  let lagPx = 0;
  for (let i = 0; i < frames; i++) {
    const out = ramp.smooth(squareFace(sizePx, i * perFramePx), i / fps);
    lagPx = i * perFramePx - (out[0] - 100);
  }
  const step = createLandmarkSmoother(params);
  const stepPx = stepSize * sizePx;
  const afterStep: number[] = [];
  const stepAt = Math.ceil(fps);
  for (let i = 0; i < frames; i++) {
    const out = step.smooth(squareFace(sizePx, i >= stepAt ? stepPx : 0), i / fps);
    if (i >= stepAt) afterStep.push(out[0] - 100);
  }
  return {
    fps,
    params: { ...params },
    rampSpeed,
    rampLagFrames: perFramePx > 0 ? lagPx / perFramePx : 0,
    stepSize,
    stepHalfFrames: crossingFrame(afterStep, 0.5 * stepPx),
    step90Frames: crossingFrame(afterStep, 0.9 * stepPx),
  };
}
